from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from eoffice.auth.models import ROLES
from eoffice.org.models import OfficeKind
from eoffice.web.forms import Form

CODE = Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", message=_l("Letters, digits, - _ . only"))


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def _int_or_none(value):
    return int(value) if value not in (None, "", "None") else None


class OfficeForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_hi = StringField(_l("Name (Hindi)"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Kind"), choices=choices((k.value, k.value) for k in OfficeKind))
    parent = SelectField(_l("Parent office"), choices=[], validators=[Optional()])


class SectionForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=40), CODE])
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_hi = StringField(_l("Name (Hindi)"), validators=[Optional(), Length(max=200)])


class DeskForm(Form):
    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=60), CODE])
    title = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=200)])
    title_hi = StringField(_l("Title (Hindi)"), validators=[Optional(), Length(max=200)])
    office_id = SelectField(_l("Office"), coerce=int, choices=[])
    section_id = SelectField(_l("Section"), coerce=_int_or_none, choices=[])
    reports_to_id = SelectField(_l("Reports to"), coerce=_int_or_none, choices=[])
    active = BooleanField(_l("Active"), default=True)


class UserForm(Form):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80), CODE])
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_hi = StringField(_l("Name (Hindi)"), validators=[Optional(), Length(max=200)])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(), Length(max=200)])
    roles = SelectMultipleField(_l("Roles"), choices=choices((r, r) for r in ROLES))
    active = BooleanField(_l("Active"), default=True)
    password = PasswordField(_l("New password"), validators=[Optional(), Length(min=8, max=200)])


class HandoverForm(Form):
    user_id = SelectField(
        _l("Hand over to"), coerce=_int_or_none, choices=[], validators=[DataRequired()]
    )
    kind = SelectField(
        _l("Kind"),
        choices=choices(
            [("regular", _l("Regular posting")), ("additional", _l("Additional charge"))]
        ),
    )
    remarks = TextAreaField(_l("Remarks"), validators=[Optional(), Length(max=1000)])
    confirm = BooleanField(_l("I confirm this handover"), validators=[DataRequired()])
