"""Forms of the dak pages: diarising a receipt, sending it to a desk, closing it."""

import datetime as dt

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from eoffice.org.forms import choices
from eoffice.web.forms import Form

MODE_CHOICES = [
    ("post", _l("Post")),
    ("hand", _l("By hand")),
    ("email", _l("E-mail")),
    ("portal", _l("Portal")),
    ("fax", _l("Fax")),
]

LANGUAGE_CHOICES = [
    ("", "—"),
    ("hi", _l("Hindi")),
    ("en", _l("English")),
    ("other", _l("Other")),
]


PRIORITY_CHOICES = [
    ("normal", _l("Normal")),
    ("priority", _l("Priority")),
    ("immediate", _l("Immediate")),
    ("most_immediate", _l("Most immediate")),
]
SECURITY_CHOICES = [
    ("normal", _l("Normal")),
    ("confidential", _l("Confidential")),
    ("secret", _l("Secret")),
]


class ReceiptForm(Form):
    received_on = DateField(_l("Received on"), validators=[DataRequired()], default=dt.date.today)
    mode = SelectField(_l("Mode of receipt"), choices=choices(MODE_CHOICES), default="post")
    sender_name = StringField(_l("Sender's name"), validators=[DataRequired(), Length(max=200)])
    sender_designation = StringField(
        _l("Sender's designation"), validators=[Optional(), Length(max=200)]
    )
    sender_organisation = StringField(
        _l("Sender's organisation"), validators=[Optional(), Length(max=200)]
    )
    sender_address = TextAreaField(
        _l("Sender's address"), validators=[Optional(), Length(max=2000)]
    )
    sender_mobile = StringField(
        _l("Sender's mobile"),
        validators=[
            Optional(),
            Regexp(r"^\+?[0-9 -]{6,20}$", message=_l("Digits only, e.g. 9876543210")),
        ],
    )
    sender_email = StringField(
        _l("Sender's e-mail"), validators=[Optional(), Email(), Length(max=200)]
    )
    letter_number = StringField(_l("Letter number"), validators=[Optional(), Length(max=100)])
    letter_date = DateField(_l("Letter date"), validators=[Optional()])
    subject = TextAreaField(_l("Subject"), validators=[DataRequired(), Length(max=5000)])
    category = StringField(_l("Category"), validators=[Optional(), Length(max=60)])
    language = SelectField(_l("Language"), choices=choices(LANGUAGE_CHOICES), default="")
    enclosures = TextAreaField(_l("Enclosures"), validators=[Optional(), Length(max=2000)])
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=5000)])
    security = SelectField(
        _l("Security grading"), choices=choices(SECURITY_CHOICES), default="normal"
    )


class ReceiptSendForm(Form):
    to = SelectField(_l("Mark to (for action)"), choices=[], validators=[DataRequired()])
    copy_to = SelectMultipleField(
        _l("Copies to (for information)"), choices=[], validators=[Optional()]
    )
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=5000)])
    priority = SelectField(_l("Priority"), choices=choices(PRIORITY_CHOICES), default="normal")
    due_on = DateField(_l("Due date"), validators=[Optional()])
    urgent = BooleanField(_l("Urgent: past the channel of submission (say why in the remarks)"))


class ReceiptCloseForm(Form):
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=5000)])
