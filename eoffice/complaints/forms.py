"""Forms of the complaint pages: the complainant's (the public portal and the counter) and the
staff's (route, assign, interim reply, action report, close)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateTimeLocalField,
    HiddenField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from eoffice.org.forms import choices
from eoffice.web.forms import Form

CATEGORY_PAIRS = [
    ("theft", _l("Theft")),
    ("fraud", _l("Fraud")),
    ("cyber", _l("Cyber crime")),
    ("women_safety", _l("Safety of women")),
    ("child_safety", _l("Safety of children")),
    ("land", _l("Land dispute")),
    ("dispute", _l("Dispute")),
    ("police_conduct", _l("Conduct of police")),
    ("traffic", _l("Traffic")),
    ("other", _l("Other")),
]
CATEGORY_CHOICES = CATEGORY_PAIRS
MOBILE = r"^(\+?91[ -]?|0)?[6-9][0-9]{4}[ -]?[0-9]{5}$"


class ComplaintForm(Form):
    district = SelectField(_l("District"), validators=[DataRequired()])
    station = SelectField(_l("Police station"), validators=[Optional()])
    category = SelectField(_l("What is it about?"), choices=choices(CATEGORY_PAIRS))
    description = TextAreaField(
        _l("Your complaint"), validators=[DataRequired(), Length(max=20000)]
    )
    incident_place = StringField(
        _l("Where did it happen?"), validators=[Optional(), Length(max=2000)]
    )
    incident_at = DateTimeLocalField(
        _l("When did it happen?"), validators=[Optional()], format="%Y-%m-%dT%H:%M"
    )
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    mobile = StringField(
        _l("Mobile number"),
        validators=[DataRequired(), Regexp(MOBILE, message=_l("Enter a 10-digit mobile number."))],
    )
    email = StringField(
        _l("E-mail (for your copy)"), validators=[Optional(), Email(), Length(max=200)]
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=2000)])


class TrackForm(Form):
    number = StringField(_l("Complaint number"), validators=[DataRequired(), Length(max=40)])
    key = PasswordField(_l("Tracking key"), validators=[DataRequired(), Length(max=60)])


class CopyForm(Form):
    number = HiddenField(validators=[DataRequired(), Length(max=40)])
    key = HiddenField(validators=[DataRequired(), Length(max=60)])


class AnswerForm(CopyForm):
    satisfied = RadioField(
        _l("Are you satisfied with the action taken?"),
        choices=choices([("yes", _l("Yes, close my complaint")), ("no", _l("No, I appeal"))]),
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Anything to add?"), validators=[Optional(), Length(max=20000)])


class RouteForm(Form):
    station = SelectField(_l("Send to police station"), validators=[DataRequired()])


class AssignForm(Form):
    io = SelectField(_l("Enquiry officer (IO)"), validators=[DataRequired()])


class TextForm(Form):
    text = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=20000)])


class CloseForm(Form):
    remarks = TextAreaField(_l("Remarks"), validators=[DataRequired(), Length(max=20000)])
