"""Forms of the file pages: new file, notes, movement, receipts into a file, drafts.

Every form that changes a file carries the file's `version` as the user saw it, so a change made
meanwhile by someone else becomes a 409 instead of being silently overwritten."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from eoffice.org.forms import choices
from eoffice.web.forms import Form


def priority_choices(blank=None):
    pairs = [
        ("most_immediate", _l("Most Immediate")),
        ("immediate", _l("Immediate")),
        ("priority", _l("Priority")),
        ("normal", _l("Normal")),
    ]
    return choices(([("", blank)] if blank else []) + pairs)


CATEGORY_CHOICES = [
    ("A", _l("A — permanent, digitised")),
    ("B", _l("B — permanent")),
    ("C", _l("C — review after the retention period")),
]


class CheckboxListField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FileForm(Form):
    subject = TextAreaField(_l("Subject"), validators=[DataRequired(), Length(max=5000)])
    head = StringField(
        _l("File head"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[^/]+$", message=_l("No '/' in the file head")),
        ],
        description=_l("The subject head of the file number, e.g. 11"),
    )
    category = SelectField(_l("Record category"), choices=choices(CATEGORY_CHOICES), default="C")
    priority = SelectField(_l("Priority"), choices=priority_choices(), default="normal")
    retention_years = IntegerField(
        _l("Retention period (years)"),
        validators=[Optional(), NumberRange(min=1, max=10)],
        description=_l(
            "Category C only: kept this many years after it is closed (1 to 10; 3 if left "
            "empty). A and B are permanent: leave it empty."
        ),
    )
    receipt_ids = CheckboxListField(_l("Receipts to put in the file"), coerce=int, choices=[])


class VersionedForm(Form):
    version = HiddenField()


class NoteForm(VersionedForm):
    text = TextAreaField(_l("Note"), validators=[DataRequired(), Length(max=100_000)])


class SendForm(VersionedForm):
    to = SelectField(_l("Send to desk"), choices=[], validators=[DataRequired()])
    copy_to = SelectMultipleField(
        _l("Copies to (for information)"), choices=[], validators=[Optional()]
    )
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=5000)])
    priority = SelectField(_l("Priority"), choices=[], validators=[Optional()])
    due_on = DateField(_l("Due date"), validators=[Optional()])
    urgent = BooleanField(_l("Urgent: past the channel of submission (say why in the remarks)"))


class RemarksForm(VersionedForm):
    """Pull back and park: remarks optional."""

    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=5000)])


class OfficerRemarksForm(VersionedForm):
    """Close and reopen: an officer's remarks are required."""

    remarks = TextAreaField(_l("Remarks"), validators=[DataRequired(), Length(max=5000)])


class PutReceiptForm(VersionedForm):
    receipt_id = SelectField(_l("Receipt"), coerce=int, choices=[])


class DraftForm(VersionedForm):
    title = StringField(_l("Title of the letter"), validators=[DataRequired(), Length(max=500)])
    body = TextAreaField(_l("Text of the letter"), validators=[DataRequired(), Length(max=100_000)])


class ReviseDraftForm(VersionedForm):
    """`version` here is the draft's version the user edited, not the file's."""

    body = TextAreaField(_l("Text of the letter"), validators=[DataRequired(), Length(max=100_000)])


class RetentionForm(VersionedForm):
    """An officer changes the retention period of an open category C file."""

    retention_years = IntegerField(
        _l("Retention period (years)"), validators=[DataRequired(), NumberRange(min=1, max=10)]
    )


class WeedForm(Form):
    """The record room's confirm step: remarks, and the officer's tick that they approve."""

    remarks = TextAreaField(_l("Remarks"), validators=[DataRequired(), Length(max=5000)])
    confirm = BooleanField(
        _l(
            "I confirm that this file is to be weeded: its notes, drafts, correspondence and "
            "attachments will be destroyed."
        ),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
