"""Forms of the tip pages: the tipster's (send a tip, open it with the receipt, add to it) and
the `tips` officers' (reply, close, mark as abuse, bar the receipt)."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import HiddenField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from eoffice.org.forms import choices
from eoffice.portal.tips.service import MAX_TEXT
from eoffice.web.forms import Form

CATEGORY_PAIRS = [
    ("crime", _l("A crime")),
    ("suspicious_person", _l("A suspicious person")),
    ("suspicious_vehicle", _l("A suspicious vehicle")),
    ("illegal_trade", _l("Illegal trade (liquor, drugs, arms, gambling)")),
    ("event", _l("A worry about a festival, procession or gathering")),
    ("traffic", _l("Traffic")),
    ("harassment", _l("Harassment")),
    ("other", _l("Something else")),
]
MOBILE = r"^(\+?91[ -]?|0)?[6-9][0-9]{4}[ -]?[0-9]{5}$"
RECEIPT = r"^[0-9 -]{16,24}$"
FILE_HINT = _l("Photos (JPEG, PNG), audio (M4A, MP3, WAV, AMR) or video (MP4, 3GP, MOV).")


class TipForm(Form):
    district = SelectField(_l("District"), validators=[DataRequired()])
    station = SelectField(_l("Police station"), validators=[Optional()])
    category = SelectField(_l("What is it about?"), choices=choices(CATEGORY_PAIRS))
    text = TextAreaField(
        _l("What did you see or hear?"), validators=[DataRequired(), Length(max=MAX_TEXT)]
    )
    place = StringField(_l("Where?"), validators=[Optional(), Length(max=2000)])
    when = StringField(_l("When?"), validators=[Optional(), Length(max=200)])
    vehicle_number = StringField(
        _l("Vehicle number (suspicious vehicle)"), validators=[Optional(), Length(max=20)]
    )
    details = TextAreaField(
        _l("What does the person, vehicle, trade or event look like?"),
        validators=[Optional(), Length(max=MAX_TEXT)],
    )
    details_place = StringField(_l("Where is it seen?"), validators=[Optional(), Length(max=2000)])
    details_time = StringField(_l("At what time?"), validators=[Optional(), Length(max=200)])
    name = StringField(_l("Your name (optional)"), validators=[Optional(), Length(max=200)])
    mobile = StringField(
        _l("Mobile number (optional)"),
        validators=[Optional(), Regexp(MOBILE, message=_l("Enter a 10-digit mobile number."))],
    )
    email = StringField(_l("E-mail (optional)"), validators=[Optional(), Email(), Length(max=200)])
    files = MultipleFileField(_l("Photos, audio or video (optional)"))


class ReceiptForm(Form):
    receipt = PasswordField(
        _l("Your 16-digit receipt"),
        validators=[
            DataRequired(),
            Regexp(RECEIPT, message=_l("The receipt is 16 digits.")),
        ],
    )


class MessageForm(Form):
    receipt = HiddenField(validators=[DataRequired(), Length(max=40)])
    text = TextAreaField(_l("Add information"), validators=[Optional(), Length(max=MAX_TEXT)])
    files = MultipleFileField(_l("Photos, audio or video (optional)"))


class ReplyForm(Form):
    text = TextAreaField(
        _l("Reply to the sender"), validators=[DataRequired(), Length(max=MAX_TEXT)]
    )


class RemarksForm(Form):
    remarks = TextAreaField(_l("Remarks"), validators=[DataRequired(), Length(max=MAX_TEXT)])


class AbuseForm(Form):
    remarks = TextAreaField(_l("Why (optional)"), validators=[Optional(), Length(max=MAX_TEXT)])
