"""The application: `create_app` binds the extensions, registers every module's blueprints from
the registry, and installs the one permission check, the unit of work and the error mapping."""

from __future__ import annotations

import importlib
from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from eoffice.core.config import load_config

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app):
        # Secure whenever the page came over HTTPS (directly or through a trusted proxy).
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


class Eoffice(Flask):
    """Flask with one unit of work per request: what a view did is committed once it has
    returned, inside the request's error handling (a lost race becomes a 409); a view that
    raises leaves nothing behind."""

    def dispatch_request(self):
        from eoffice.web.session import finish

        rv = super().dispatch_request()
        finish()
        return rv


def create_app(config: dict | None = None) -> Flask:
    root = Path(__file__).resolve().parent.parent.parent
    app = Eoffice(
        "eoffice",
        template_folder=str(root / "templates"),
        static_folder=str(root / "static"),
        instance_path=None,
    )
    app.config.update(load_config(config))
    app.json.ensure_ascii = False
    app.session_interface = SessionInterface()
    app.permanent_session_lifetime = app.config["SESSION_HOURS"] * 3600
    if app.config.get("TRUST_PROXY"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1)

    from eoffice.web.input import IdConverter

    app.url_map.converters["int"] = IdConverter  # before any route is added
    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _init_extensions(app: Flask) -> None:
    import eoffice.auth.ratelimit  # noqa: F401  (registers the eoffice+sql:// storage scheme)
    from eoffice.auth.login import login_manager
    from eoffice.core.db import Database
    from eoffice.core.jobs import Runner
    from eoffice.search import make_engine
    from eoffice.storage import get_store_factory
    from eoffice.web.extensions import babel, csrf, limiter
    from eoffice.web.i18n import select_locale
    from eoffice.web.session import close_session

    db = Database.from_config(app.config)  # loads every module and its kinds
    app.extensions["eoffice.db"] = db
    app.extensions["eoffice.store"] = get_store_factory(app.config)
    app.extensions["eoffice.search"] = make_engine(db, app.config, app.extensions["eoffice.store"])
    # the jobs queue's runner: a thread in `eoffice run`, the `eoffice worker` process
    app.extensions["eoffice.jobs"] = Runner(db, app.config, app.extensions["eoffice.store"])
    app.teardown_appcontext(close_session)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES",
        str(Path(__file__).resolve().parent.parent / "translations"),
    )
    babel.init_app(app, locale_selector=select_locale)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": db.engine}
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def _blueprint(ref: str):
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _register_blueprints(app: Flask) -> None:
    from eoffice.app import health
    from eoffice.core import kinds
    from eoffice.web.api import bp as openapi_bp
    from eoffice.web.api import spec
    from eoffice.web.extensions import csrf
    from eoffice.web.pow import bp as pow_bp

    for _module, ref, is_api in kinds.blueprints():
        bp = _blueprint(ref)
        if is_api:
            # the JSON API takes Bearer tokens only (cookies are ignored there): no CSRF token
            csrf.exempt(bp)
        app.register_blueprint(bp)
    app.register_blueprint(health.bp)
    csrf.exempt(pow_bp)
    app.register_blueprint(pow_bp)
    csrf.exempt(openapi_bp)
    app.register_blueprint(openapi_bp)
    spec.register(app)
    app.config["PUBLIC_ENDPOINTS"] = {"static"} | {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("openapi_")
    }


def _register_hooks(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_wtf.csrf import generate_csrf
    from werkzeug.exceptions import RequestEntityTooLarge

    from eoffice.auth.permissions import can
    from eoffice.auth.web import enforce
    from eoffice.org.pages import web_desk
    from eoffice.storage.views import allow_several_files, too_large
    from eoffice.web.errors import http_error, register_error_handlers
    from eoffice.web.forms import first_error, form_refused
    from eoffice.web.i18n import format_indian_number, local_time, zone_label
    from eoffice.web.input import check_request
    from eoffice.web.pow import form_token

    app.before_request(check_request)  # bad input is refused before anything else
    app.before_request(enforce)
    app.url_value_preprocessor(allow_several_files)
    register_error_handlers(app)

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(exc):
        answer = too_large(exc)  # an upload form's own answer, on the page it came from
        return answer if answer is not None else http_error(exc)

    @app.after_request
    def _security_headers(resp):
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("X-Frame-Options", "DENY")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.is_secure:
            resp.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if request.endpoint and not request.endpoint.startswith("static"):
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.context_processor
    def _globals():
        return {
            "can": can,
            "current_desk": web_desk(),
            "locale": str(get_locale()),
            "csrf_token": generate_csrf,
        }

    app.jinja_env.filters["inr"] = format_indian_number
    app.jinja_env.filters["local"] = local_time
    app.jinja_env.globals["zone_label"] = zone_label
    app.jinja_env.globals["form_refused"] = form_refused
    app.jinja_env.globals["first_error"] = first_error
    app.jinja_env.globals["pow_form_token"] = form_token
