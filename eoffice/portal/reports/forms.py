"""Forms of the portal's reports: the citizen's (lost article, security request, its status, an
event report) and the staff's (found article, acknowledge/resolve, a new event)."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    DateField,
    DateTimeLocalField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from eoffice.complaints.forms import MOBILE
from eoffice.org.forms import choices
from eoffice.web.forms import Form

ARTICLE_PAIRS = [
    ("mobile", _l("Mobile phone")),
    ("document", _l("Document")),
    ("vehicle_document", _l("Vehicle document")),
    ("bag", _l("Bag")),
    ("other", _l("Other")),
]
FOR_PAIRS = [
    ("senior_citizen", _l("A senior citizen")),
    ("woman", _l("A woman")),
    ("child", _l("A child")),
]
REPORT_PAIRS = [
    ("concern", _l("A concern")),
    ("suggestion", _l("A suggestion")),
    ("praise", _l("Praise")),
]
MOBILE_MESSAGE = _l("Enter a 10-digit mobile number.")


class PlaceForm(Form):
    district = SelectField(_l("District"), validators=[DataRequired()])
    station = SelectField(_l("Police station"), validators=[Optional()])


class LostForm(PlaceForm):
    kind = SelectField(_l("What was lost?"), choices=choices(ARTICLE_PAIRS))
    description = TextAreaField(
        _l("Describe it (make, colour, name on the document)"),
        validators=[DataRequired(), Length(max=5000)],
    )
    imei = StringField(_l("IMEI of the phone (if known)"), validators=[Optional(), Length(max=60)])
    doc_number = StringField(
        _l("Number of the document (if known)"), validators=[Optional(), Length(max=60)]
    )
    lost_on = DateField(_l("Lost on"), validators=[DataRequired()])
    lost_place = StringField(
        _l("Where was it lost?"), validators=[DataRequired(), Length(max=2000)]
    )
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    mobile = StringField(
        _l("Mobile number"), validators=[DataRequired(), Regexp(MOBILE, message=MOBILE_MESSAGE)]
    )
    email = StringField(
        _l("E-mail (for the acknowledgement)"), validators=[Optional(), Email(), Length(max=200)]
    )
    address = TextAreaField(_l("Address"), validators=[Optional(), Length(max=2000)])


class SecurityForm(PlaceForm):
    for_whom = RadioField(
        _l("Who needs the police?"), choices=choices(FOR_PAIRS), validators=[DataRequired()]
    )
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    mobile = StringField(
        _l("Mobile number"), validators=[DataRequired(), Regexp(MOBILE, message=MOBILE_MESSAGE)]
    )
    address = TextAreaField(_l("Address"), validators=[DataRequired(), Length(max=2000)])
    need = TextAreaField(_l("What help is needed?"), validators=[DataRequired(), Length(max=2000)])


class SecurityStatusForm(Form):
    number = StringField(_l("Request number"), validators=[DataRequired(), Length(max=40)])
    mobile = StringField(_l("Mobile number"), validators=[DataRequired(), Length(max=20)])


class EventReportForm(Form):
    kind = RadioField(
        _l("What would you like to tell?"),
        choices=choices(REPORT_PAIRS),
        validators=[DataRequired()],
    )
    text = TextAreaField(_l("Your message"), validators=[DataRequired(), Length(max=5000)])
    place = StringField(_l("Where? (optional)"), validators=[Optional(), Length(max=500)])


class FoundForm(Form):
    office = SelectField(_l("Office"), validators=[DataRequired()])
    kind = SelectField(_l("What was found?"), choices=choices(ARTICLE_PAIRS))
    description = TextAreaField(_l("Description"), validators=[DataRequired(), Length(max=5000)])
    imei = StringField(_l("IMEI"), validators=[Optional(), Length(max=60)])
    doc_number = StringField(_l("Document number"), validators=[Optional(), Length(max=60)])


class ResolveForm(Form):
    remarks = TextAreaField(_l("Remarks"), validators=[DataRequired(), Length(max=5000)])


class AckForm(Form):
    pass


class EventForm(Form):
    office = SelectField(_l("Office"), validators=[DataRequired()])
    title = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    title_hi = StringField(_l("Title (Hindi)"), validators=[Optional(), Length(max=200)])
    starts = DateTimeLocalField(_l("Starts"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
    ends = DateTimeLocalField(_l("Ends"), validators=[DataRequired()], format="%Y-%m-%dT%H:%M")
