"""The visitor's feedback form (public, works without JavaScript) and the grade page's filter."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from eoffice.feedback.service import MAX_TEXT, MAX_TOKEN
from eoffice.org.forms import choices
from eoffice.web.forms import Form

STARS = choices((str(i), str(i)) for i in range(1, 6))
SCALE = choices((str(i), str(i)) for i in range(11))
BRIBE = [("yes", _l("Yes")), ("no", _l("No")), ("unsaid", _l("I would rather not say"))]


def _stars(label):
    return RadioField(
        label, choices=STARS, validators=[InputRequired(_l("Choose from 1 to 5 stars."))]
    )


class FeedbackForm(Form):
    behaviour = _stars(_l("How were you treated?"))
    responsiveness = _stars(_l("How quickly did we act?"))
    cleanliness = _stars(_l("How clean was the police station?"))
    recommend = RadioField(
        _l("How likely are you to recommend this police station to a friend?"),
        choices=SCALE,
        validators=[InputRequired(_l("Choose a number from 0 to 10."))],
    )
    bribe = RadioField(
        _l("Did anyone ask you for money?"), choices=choices(BRIBE), validators=[Optional()]
    )
    text = TextAreaField(_l("Anything else? (optional)"), validators=[Length(max=MAX_TEXT)])
    name = StringField(_l("Your name (optional)"), validators=[Length(max=200)])
    mobile = StringField(_l("Mobile number (optional)"), validators=[Length(max=20)])
    visit_token = StringField(
        _l("Visit token (optional: printed on your complaint copy or acknowledgement)"),
        validators=[Length(max=MAX_TOKEN)],
    )

    def values(self, office: str, language: str) -> dict:
        def text(field):
            value = field.data
            return value.strip() or None if isinstance(value, str) else None

        return {
            "office": office,
            "ratings": {
                "behaviour": int(self.behaviour.data),
                "responsiveness": int(self.responsiveness.data),
                "cleanliness": int(self.cleanliness.data),
            },
            "recommend": int(self.recommend.data),
            "bribe_asked": {"yes": True, "no": False}.get(self.bribe.data),
            "text": text(self.text),
            "name": text(self.name),
            "mobile": text(self.mobile),
            "visit_token": text(self.visit_token),
            "language": language if language in ("hi", "en") else "hi",
        }


SORT_CHOICES = [
    ("grade", _l("Grade")),
    ("nps", _l("NPS")),
    ("responses", _l("Responses")),
    ("bribe_reports", _l("Bribe reports")),
    ("office", _l("Office code")),
]
