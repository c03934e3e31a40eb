"""eoffice: an e-office for police offices."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask.sessions import SecureCookieSessionInterface

from eoffice.config import load_config

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


class SessionInterface(SecureCookieSessionInterface):
    def get_cookie_secure(self, app):
        # Secure whenever the page came over HTTPS (directly or through a trusted proxy).
        return bool(app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure


def create_app(config: dict | None = None) -> Flask:
    root = Path(__file__).resolve().parent.parent
    app = Flask(
        __name__,
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

    _init_extensions(app)
    _register_blueprints(app)
    _register_hooks(app)
    return app


def _init_extensions(app: Flask) -> None:
    from eoffice.auth.login import login_manager
    from eoffice.db import Database, close_session
    from eoffice.extensions import babel, csrf, limiter
    from eoffice.i18n import select_locale
    from eoffice.search.index import IndexHome
    from eoffice.storage import get_store_factory

    db = Database(app.config["DATABASE_URL"])
    app.extensions["eoffice.db"] = db
    app.extensions["eoffice.store"] = get_store_factory(app.config)
    app.extensions["eoffice.search"] = IndexHome(app.config["INDEX_DIR"])
    app.teardown_appcontext(close_session)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    csrf.init_app(app)
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).resolve().parent / "translations")
    )
    babel.init_app(app, locale_selector=select_locale)
    app.config["RATELIMIT_STORAGE_OPTIONS"] = {"engine": db.engine}
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    limiter.init_app(app)


def _register_blueprints(app: Flask) -> None:
    from eoffice import health
    from eoffice.api import bp as openapi_bp
    from eoffice.api import spec
    from eoffice.audit import api as audit_api
    from eoffice.audit import views as audit_views
    from eoffice.auth import api as auth_api
    from eoffice.auth import views as auth_views
    from eoffice.extensions import csrf
    from eoffice.files import api as files_api
    from eoffice.files import views as files_views
    from eoffice.org import api as org_api
    from eoffice.org import views as org_views
    from eoffice.pdf import api as pdf_api
    from eoffice.pdf import views as pdf_views
    from eoffice.receipts import api as receipts_api
    from eoffice.receipts import views as receipts_views
    from eoffice.search import api as search_api
    from eoffice.search import views as search_views
    from eoffice.storage import api as storage_api
    from eoffice.storage import views as storage_views

    for bp in (
        auth_views.bp,
        org_views.bp,
        audit_views.bp,
        files_views.bp,
        receipts_views.bp,
        pdf_views.bp,
        search_views.bp,
        storage_views.bp,
        health.bp,
    ):
        app.register_blueprint(bp)
    # The JSON API takes Bearer tokens only (cookies are ignored there), so it needs no CSRF token.
    api_blueprints = (
        auth_api.bp,
        org_api.bp,
        audit_api.bp,
        receipts_api.bp,
        files_api.bp,
        storage_api.bp,
        search_api.bp,
        pdf_api.bp,
        openapi_bp,
    )
    for bp in api_blueprints:
        csrf.exempt(bp)
        app.register_blueprint(bp)
    spec.register(app)
    app.config["PUBLIC_ENDPOINTS"] = {"static"} | {
        r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("openapi_")
    }


def _register_hooks(app: Flask) -> None:
    from flask_babel import get_locale
    from flask_wtf.csrf import generate_csrf

    from eoffice.auth.permissions import can, enforce
    from eoffice.auth.views import web_desk
    from eoffice.errors import register_error_handlers
    from eoffice.i18n import format_indian_number

    app.before_request(enforce)
    register_error_handlers(app)

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
