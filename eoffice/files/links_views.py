"""File pages: open a part file, link a file (by its number), copy a receipt filed in another
file into this one (by the receipt's number). Each form is on the file page
(templates/files/show.html); on a 409 or 422 the page is shown again with what was typed."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from eoffice.auth.permissions import can
from eoffice.core.errors import Conflict, Invalid
from eoffice.files import links
from eoffice.files.forms import VersionedForm
from eoffice.files.service import get_file
from eoffice.files.views import refused
from eoffice.org.desks import require_desk
from eoffice.org.pages import web_desk
from eoffice.web.access import LOGGED_IN, requires
from eoffice.web.pages import int_or_none
from eoffice.web.session import get_session

bp = Blueprint("file_links", __name__)


class PartForm(VersionedForm):
    subject = TextAreaField(
        _l("Subject of the part file"),
        validators=[Optional(), Length(max=5000)],
        description=_l("Leave empty to keep the main file's subject."),
    )


class LinkForm(VersionedForm):
    number = StringField(
        _l("Number of the file to link"),
        validators=[DataRequired(), Length(max=100)],
        description=_l("The whole file number, e.g. 11/3/2026-Estt"),
    )


class CopyReceiptForm(VersionedForm):
    number = StringField(
        _l("Number of the receipt"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("A receipt already put into another file"),
    )


FORMS = {"part": PartForm, "link": LinkForm, "copy_receipt": CopyReceiptForm}


@bp.app_template_global("file_relations")
def file_relations(file, desk, acts, forms, failed=None, correspondence=()) -> dict:
    """What the file page shows of parts and links: the part files, the main file, the linked
    files (only those the reader may see), their numbers as citation targets, the copy entries'
    receipts, and the forms (a refused one as it was sent)."""
    rel = links.related(get_session(), current_user, file, correspondence)
    rel["cites"] = {
        f.number: url_for("files.show", file_id=f.id)
        for f in [*rel["links"], *rel["parts"], *([rel["part_of"]] if rel["part_of"] else [])]
    }
    holder = bool(acts.get("note"))
    rel["may"] = {
        "part": holder and file.part_of_id is None and can(current_user, "file.create"),
        "link": holder,
        "copy_receipt": holder,
    }
    rel["forms"] = {
        name: forms[name]
        if failed == name and name in forms
        else cls(prefix=name, formdata=None, data={"version": str(file.version)})
        for name, cls in FORMS.items()
    }
    return rel


def _act(file_id: int, name: str, form, call, done):
    """Validate, call the service, then flash and redirect (303); or show the file again."""
    session = get_session()
    if not form.validate_on_submit():
        return refused(session, file_id, name, form)
    try:
        result = call(session, int_or_none(form.version.data))
    except (Conflict, Invalid) as exc:
        session.rollback()
        return refused(session, file_id, name, form, exc)
    message, to = done(result)
    flash(message, "info")
    return redirect(to, 303)


def before_lookup(session, file_id: int):
    """Before a number typed in the form is looked up: a file one may not see is a 404 and an
    auditor is refused (403), as the use case would answer. The acting desk."""
    get_file(session, current_user, file_id)
    return require_desk(web_desk(), current_user)


@bp.post("/files/<int:file_id>/parts")
@requires("file.create")
def open_part(file_id: int):
    form = PartForm(prefix="part")
    return _act(
        file_id,
        "part",
        form,
        lambda s, v: links.open_part(s, current_user, web_desk(), file_id, form.subject.data, v),
        lambda part: (
            _("Part file %(number)s opened.", number=part.number),
            url_for("files.show", file_id=part.id),
        ),
    )


@bp.post("/files/<int:file_id>/links")
@requires(LOGGED_IN)
def link(file_id: int):
    form = LinkForm(prefix="link")

    def call(session, version):
        desk = before_lookup(session, file_id)
        other = links.find_file_by_number(session, current_user, form.number.data, desk.office_id)
        if other.id == file_id:
            raise Invalid("a file cannot be linked to itself", field="number", code="self_link")
        _file, made = links.link_files(session, current_user, desk, file_id, other.id, version)
        return other, made

    return _act(
        file_id,
        "link",
        form,
        call,
        lambda result: (
            _("File %(number)s linked.", number=result[0].number)
            if result[1]
            else _("File %(number)s was already linked.", number=result[0].number),
            url_for("files.show", file_id=file_id) + "#relations",
        ),
    )


@bp.post("/files/<int:file_id>/copies")
@requires(LOGGED_IN)
def copy_receipt(file_id: int):
    form = CopyReceiptForm(prefix="copy_receipt")

    def call(session, version):
        desk = before_lookup(session, file_id)
        receipt = links.find_receipt_by_number(
            session, current_user, form.number.data, desk.office_id
        )
        return links.copy_receipt(session, current_user, desk, file_id, receipt.id, version)

    return _act(
        file_id,
        "copy_receipt",
        form,
        call,
        lambda result: (
            _("A copy of the receipt is now C/%(page)s.", page=result[1].page),
            url_for("files.show", file_id=file_id) + f"#c{result[1].page}",
        ),
    )
