from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from eoffice.web.forms import Form


class LoginForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class LanguageForm(Form):
    lang = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class DeskForm(Form):
    desk = HiddenField(validators=[DataRequired()])
    next = HiddenField()


class PlainForm(Form):
    """A form with nothing but its CSRF token (logout, confirmations)."""
