"""The base of every page form: a form the user sent that was refused marks the request, so the
page shows a banner at its top and puts the cursor in the first field to correct (the refused
form itself keeps what was typed)."""

from __future__ import annotations

from flask import g
from flask_wtf import FlaskForm


class Form(FlaskForm):
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
