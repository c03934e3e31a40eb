"""Login pages, logout, the language switch and the start page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from eoffice.audit import service as audit
from eoffice.auth import service
from eoffice.auth.forms import LanguageForm, LoginForm, PlainForm
from eoffice.auth.login import login_limits
from eoffice.core import kinds
from eoffice.core.errors import Invalid, Unauthorized
from eoffice.web.access import LOGGED_IN, public, requires
from eoffice.web.i18n import remember_on_device
from eoffice.web.pages import safe_next
from eoffice.web.session import get_session

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
@public
@login_limits
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        db = get_session()
        try:
            user = service.authenticate(
                db, form.username.data.strip(), form.password.data, request.remote_addr
            )
        except Unauthorized:
            flash(_("Wrong username or password."), "error")
            return render_template("auth/login.html", form=form), 401
        key = service.start_session(
            db, user, request.remote_addr, current_app.config["SESSION_HOURS"]
        )
        session.clear()  # no session fixation: a fresh cookie at login
        user.session_key = key
        login_user(user)
        session.permanent = True
        if user.locale:
            session["lang"] = user.locale
        return remember_on_device(redirect(safe_next(form.next.data)), user.locale)
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@requires(LOGGED_IN)
def logout():
    form = PlainForm()
    if not form.validate_on_submit():
        raise Invalid(_("The form could not be checked; please try again."))
    service.end_session(get_session(), g.get("session_key"), current_user)
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
@public
def language():
    form = LanguageForm()
    lang = form.lang.data
    if not form.validate_on_submit() or lang not in current_app.config["LANGUAGES"]:
        raise Invalid(_("Unknown language."), field="lang")
    session["lang"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        # remembered per user, across devices
        db = get_session()
        current_user.locale = lang
        audit.record(
            db,
            "user.language",
            user=current_user,
            obj_type="user",
            obj_id=current_user.id,
            data={"locale": lang},
        )
    back = redirect(
        safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path)
    )
    return remember_on_device(back, lang)


@bp.route("/")
@requires(LOGGED_IN)
def home():
    """The start page: the user's desks with what waits at each (the files module counts)."""
    desks = current_user.current_desks()
    count = kinds.hook("desk.summary")
    summary = count(get_session(), desks) if count is not None else {}
    waiting = kinds.hook("complaints.waiting")
    complaints = waiting(get_session(), desks) if waiting is not None else 0
    alerts = kinds.hook("feedback.alerts")
    return render_template(
        "auth/home.html",
        desks=desks,
        summary=summary,
        complaints=complaints,
        feedback_alerts=alerts(get_session(), desks) if alerts is not None else [],
    )


@bp.get("/tokens")
@requires(LOGGED_IN)
def tokens():
    """The user's API tokens in force, each with a button to revoke it."""
    return render_template(
        "auth/tokens.html",
        tokens=service.tokens_of(get_session(), current_user),
        days=current_app.config["TOKEN_DAYS"],
    )


@bp.post("/tokens/<int:token_id>/revoke")
@requires(LOGGED_IN)
def revoke_token(token_id: int):
    form = PlainForm()
    if not form.validate_on_submit():
        raise Invalid(_("The form could not be checked; please try again."))
    service.revoke_token_id(get_session(), current_user, token_id)
    flash(_("The token was revoked."), "info")
    return redirect(url_for("auth.tokens"), 303)
