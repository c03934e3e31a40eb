"""Admin pages: offices, sections, desks, users and charge handover; the desk switcher."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask import session as browser_session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from eoffice.auth.forms import DeskForm as DeskChoiceForm
from eoffice.auth.models import User
from eoffice.core.errors import Conflict, Forbidden, Invalid
from eoffice.core.pagination import paginate
from eoffice.org import service
from eoffice.org.desks import acting_desk
from eoffice.org.forms import DeskForm, HandoverForm, OfficeForm, SectionForm, UserForm, choices
from eoffice.org.models import Desk, DeskHolding, Office
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.errors import page_message
from eoffice.web.pages import form_error, page_arg, safe_next
from eoffice.web.session import get_session

bp = Blueprint("org", __name__, url_prefix="/admin")
# the desk switcher every user with several desks has in the page header
desks_bp = Blueprint("desks", __name__)

PAGE_SIZE = 50


@bp.get("/")
@requires("org.view")
def index():
    session = get_session()
    return render_template("org/offices.html", tree=service.office_tree(session))


@bp.route("/offices/new", methods=["GET", "POST"], defaults={"office_id": None})
@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
@requires("org.view")
def office(office_id):
    from eoffice.auth.permissions import can

    session = get_session()
    office = service.get_or_404(session, Office, office_id) if office_id else None
    form = OfficeForm(obj=office)
    form.parent.choices = choices(
        [("", "—")]
        + [
            (o.code, f"{'  ' * d}{o.code} — {o.name}")
            for d, o in service.office_tree(session)
            if o is not office
        ]
    )
    if request.method == "GET" and office is not None:
        form.parent.data = office.parent.code if office.parent else ""
    section_form = SectionForm(prefix="section")
    status = 200
    if request.method == "POST":
        if not can(current_user, "org.edit"):
            raise Forbidden(_("Only an administrator may change the organisation."))
        if form.validate_on_submit():
            values = {
                k: form[k].data.strip() if isinstance(form[k].data, str) else form[k].data
                for k in ("code", "name", "name_hi", "kind", "parent")
            }
            values["name_hi"] = values["name_hi"] or None
            try:
                office = service.save_office(session, current_user, office, values)
                flash(_("Office saved."), "info")
                return redirect(url_for("org.office", office_id=office.id), 303)
            except Invalid as exc:
                session.rollback()
                form_error(form, exc, "org")
        status = 422
    return render_template(
        "org/office.html", office=office, form=form, section_form=section_form
    ), status


@bp.post("/offices/<int:office_id>/sections")
@requires("org.edit")
def add_section(office_id):
    session = get_session()
    office = service.get_or_404(session, Office, office_id)
    form = SectionForm(prefix="section")
    if form.validate_on_submit():
        try:
            service.add_section(
                session,
                current_user,
                office,
                {
                    "code": form.code.data.strip(),
                    "name": form.name.data.strip(),
                    "name_hi": (form.name_hi.data or "").strip() or None,
                },
            )
            flash(_("Section added."), "info")
            return redirect(url_for("org.office", office_id=office.id), 303)
        except Invalid as exc:
            session.rollback()
            form_error(form, exc, "org")
    office_form = OfficeForm(obj=office)
    office_form.parent.choices = choices([("", "—")])
    return render_template(
        "org/office.html", office=office, form=office_form, section_form=form
    ), 422


@bp.get("/desks")
@requires("org.view")
def desks():
    session = get_session()
    stmt = (
        sa.select(Desk)
        .options(
            selectinload(Desk.office),
            selectinload(Desk.section),
            selectinload(Desk.reports_to),
            selectinload(Desk.holdings).selectinload(DeskHolding.user),
        )
        .order_by(Desk.code)
    )
    q = request.args.get("q", "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            sa.or_(Desk.code.ilike(like), Desk.title.ilike(like), Desk.title_hi.ilike(like))
        )
    page = paginate(session, stmt, page_arg(), PAGE_SIZE)
    return render_template("org/desks.html", desks=page.items, page_info=page, q=q)


def _desk_choices(form: DeskForm, session, desk: Desk | None) -> None:
    offices = list(
        session.scalars(
            sa.select(Office).options(selectinload(Office.sections)).order_by(Office.code)
        )
    )
    form.office_id.choices = choices([(o.id, f"{o.code} — {o.name}") for o in offices])
    form.section_id.choices = choices(
        [(None, "—")]
        + [(s.id, f"{o.code} / {s.code} — {s.name}") for o in offices for s in o.sections]
    )
    form.reports_to_id.choices = choices(
        [(None, "—")]
        + [
            (d.id, f"{d.code} — {d.title}")
            for d in session.scalars(sa.select(Desk).order_by(Desk.code))
            if d is not desk
        ]
    )


def _handover_choices(session, desk: Desk | None) -> list:
    """Who may take charge of the desk: active users who work at desks (not an administrator
    only), the present holders left out; nobody chosen until the admin chooses."""
    holders = {u.id for u in desk.current_holders()} if desk is not None else set()
    users = session.scalars(sa.select(User).where(User.active).order_by(User.username))
    return choices(
        [(None, "—")]
        + [
            (u.id, f"{u.username} — {u.name}")
            for u in users
            if u.id not in holders and set(u.roles) & {"clerk", "officer", "auditor"}
        ]
    )


@bp.route("/desks/new", methods=["GET", "POST"], defaults={"desk_id": None})
@bp.route("/desks/<int:desk_id>", methods=["GET", "POST"])
@requires("org.view")
def desk(desk_id):
    from eoffice.auth.permissions import can

    session = get_session()
    desk = service.get_or_404(session, Desk, desk_id) if desk_id else None
    form = DeskForm(obj=desk)
    _desk_choices(form, session, desk)
    handover = HandoverForm(prefix="handover")
    handover.user_id.choices = _handover_choices(session, desk)
    status = 200
    if request.method == "POST":
        if not can(current_user, "org.edit"):
            raise Forbidden(_("Only an administrator may change the organisation."))
        if form.validate_on_submit():
            values = {
                "code": form.code.data.strip(),
                "title": form.title.data.strip(),
                "title_hi": (form.title_hi.data or "").strip() or None,
                "office_id": form.office_id.data,
                "section_id": form.section_id.data,
                "reports_to_id": form.reports_to_id.data,
                "active": form.active.data,
            }
            try:
                desk = service.save_desk(session, current_user, desk, values)
                flash(_("Desk saved."), "info")
                return redirect(url_for("org.desk", desk_id=desk.id), 303)
            except Invalid as exc:
                session.rollback()
                form_error(form, exc, "org")
        status = 422
    return render_template("org/desk.html", desk=desk, form=form, handover=handover), status


@bp.post("/desks/<int:desk_id>/handover")
@requires("org.edit")
def handover(desk_id):
    session = get_session()
    desk = service.get_or_404(session, Desk, desk_id)
    form = HandoverForm(prefix="handover")
    form.user_id.choices = _handover_choices(session, desk)
    if form.validate_on_submit():
        to_user = service.get_or_404(session, User, form.user_id.data)
        try:
            service.hand_over(
                session,
                current_user,
                desk,
                to_user,
                form.kind.data,
                (form.remarks.data or "").strip() or None,
            )
            flash(
                _(
                    "Charge of %(desk)s handed over to %(user)s.",
                    desk=desk.code,
                    user=to_user.username,
                ),
                "info",
            )
            return redirect(url_for("org.desk", desk_id=desk.id), 303)
        except (Invalid, Conflict) as exc:
            session.rollback()
            flash(page_message(exc, "org"), "error")
    else:
        flash(_("Tick the confirmation to hand over the charge."), "error")
    return redirect(url_for("org.desk", desk_id=desk.id), 303)


@bp.get("/users")
@requires("org.view")
def users():
    session = get_session()
    stmt = (
        sa.select(User)
        .options(selectinload(User.holdings).selectinload(DeskHolding.desk))
        .order_by(User.username)
    )
    q = request.args.get("q", "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            sa.or_(User.username.ilike(like), User.name.ilike(like), User.name_hi.ilike(like))
        )
    page = paginate(session, stmt, page_arg(), PAGE_SIZE)
    return render_template("org/users.html", users=page.items, page_info=page, q=q)


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@requires("org.view")
def user(user_id):
    from eoffice.auth.permissions import can

    session = get_session()
    user = service.get_or_404(session, User, user_id) if user_id else None
    form = UserForm(obj=user)
    if request.method == "GET" and user is not None:
        form.roles.data = user.roles
    status = 200
    if request.method == "POST":
        if not can(current_user, "org.edit"):
            raise Forbidden(_("Only an administrator may change the organisation."))
        if user is not None and user.id == current_user.id and not form.active.data:
            form.active.errors = [_("You cannot disable your own account.")]
        elif form.validate_on_submit():
            values = {
                "username": form.username.data.strip(),
                "name": form.name.data.strip(),
                "name_hi": (form.name_hi.data or "").strip() or None,
                "email": (form.email.data or "").strip() or None,
                "active": form.active.data,
                "roles": form.roles.data,
                "password": form.password.data or None,
            }
            try:
                user = service.save_user(session, current_user, user, values)
                flash(_("User saved."), "info")
                return redirect(url_for("org.user", user_id=user.id), 303)
            except Invalid as exc:
                session.rollback()
                form_error(form, exc, "org")
        status = 422
    return render_template("org/user.html", user=user, form=form), status


@desks_bp.route("/desk", methods=["POST"])
@requires(LOGGED_IN)
def switch():
    form = DeskChoiceForm()
    if not form.validate_on_submit():
        raise Invalid(_("Choose a desk."), field="desk")
    desk = acting_desk(current_user, form.desk.data)
    browser_session["desk"] = desk.code
    flash(_("You are now working at %(desk)s.", desk=desk.code), "info")
    return redirect(safe_next(form.next.data))
