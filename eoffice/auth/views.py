"""Login pages, logout, the language switch and the desk switcher."""

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
from eoffice.auth.forms import DeskForm, LanguageForm, LoginForm, PlainForm
from eoffice.auth.login import login_limits
from eoffice.auth.permissions import LOGGED_IN, public, requires
from eoffice.db import get_session
from eoffice.errors import Invalid, Unauthorized

bp = Blueprint("auth", __name__)


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site paths: never redirect a user to another host after login."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


def web_desk():
    """The desk the logged-in user acts from in the browser (chosen with the switcher)."""
    if not current_user.is_authenticated:
        return None
    desks = current_user.current_desks()
    code = session.get("desk")
    for desk in desks:
        if desk.code == code:
            return desk
    return desks[0] if desks else None


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
        return redirect(safe_next(form.next.data))
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
        db.commit()
    return redirect(
        safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path)
    )


@bp.route("/desk", methods=["POST"])
@requires(LOGGED_IN)
def switch_desk():
    form = DeskForm()
    if not form.validate_on_submit():
        raise Invalid(_("Choose a desk."), field="desk")
    desk = service.acting_desk(current_user, form.desk.data)
    session["desk"] = desk.code
    flash(_("You are now working at %(desk)s.", desk=desk.code), "info")
    return redirect(safe_next(form.next.data))


@bp.route("/")
@requires(LOGGED_IN)
def home():
    return render_template("auth/home.html", desk=web_desk())
