"""Forms of the draft page: approve and issue, each with a confirmation to tick (no JavaScript
needed), and the issue's addressees, copies and mode."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField
from wtforms import Form as RowForm
from wtforms.validators import Length, Optional

from eoffice.files.forms import VersionedForm
from eoffice.org.forms import choices
from eoffice.web.forms import Form

ADDRESSEE_ROWS = 3  # rows the page offers; the API takes up to 50
COPY_ROWS = 3

MODE_CHOICES = [("post", _l("Post")), ("email", _l("E-mail")), ("hand", _l("By hand"))]


class AddresseeRow(RowForm):
    """One addressee (a row of the issue form; the form around it carries the CSRF token).
    A row left empty is no addressee."""

    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    designation = StringField(_l("Designation"), validators=[Optional(), Length(max=200)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=2000)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])

    def value(self) -> dict | None:
        row = {k: (getattr(self, k).data or "").strip() for k in ADDRESSEE_FIELDS}
        row = {k: v for k, v in row.items() if v}
        return row or None


ADDRESSEE_FIELDS = ("name", "designation", "address", "email")


class ApproveForm(VersionedForm):
    # checked by the view after what approving would refuse (404, 403, 409): 422 when unticked
    confirm = BooleanField(
        _l("I confirm that I approve this version: the letter will be signed in my name.")
    )


class IssueForm(Form):
    mode = SelectField(_l("Send by"), choices=choices(MODE_CHOICES), default="post")
    addressees = FieldList(FormField(AddresseeRow), min_entries=ADDRESSEE_ROWS, max_entries=20)
    copy_to = FieldList(FormField(AddresseeRow), min_entries=COPY_ROWS, max_entries=20)
    confirm = BooleanField(
        _l(
            "I confirm that the letter is to be issued as approved, signed for the officer "
            "who approved it."
        )
    )
