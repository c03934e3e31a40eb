"""The base of every page form: a form the user sent that was refused marks the request, so the
page shows a banner at its top and puts the cursor in the first field to correct (the refused
form itself keeps what was typed)."""

from __future__ import annotations

from flask import g
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm


class _Catalogue:
    """WTForms' own messages, from the app's catalogue (WTForms ships no Hindi)."""

    def gettext(self, string):
        return gettext(string)

    def ngettext(self, singular, plural, n):
        return ngettext(singular, plural, n)


# WTForms' messages our forms can show, listed so that the catalogue has them in Hindi
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Invalid email address."),
    _l("Invalid input."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
)


def _plural_messages():  # never called: lists WTForms' plural messages for the catalogue
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )


class Form(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _Catalogue()

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators=extra_validators)
        if not ok:
            refused()
        return ok


def refused() -> None:
    """This request refused a form the user sent (the banner at the top says so)."""
    g.eoffice_refused = True


def form_refused() -> bool:
    return bool(g.get("eoffice_refused"))


def first_error() -> bool:
    """True for the first errored field the page renders, False after: it gets the focus."""
    if g.get("eoffice_first_error_taken"):
        return False
    g.eoffice_first_error_taken = True
    return True
