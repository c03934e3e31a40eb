"""Reading the fields of a citizen's or a clerk's submission (a dict from the JSON API or a page
form) the same way everywhere: text trimmed, empty as missing, each refusal naming its field."""

from __future__ import annotations

from eoffice.core.errors import Invalid


def text(
    values,
    name: str,
    *,
    required: bool = False,
    max_len: int = 200,
    label: str | None = None,
    too_long_code: str | None = None,
) -> str | None:
    """`values[name]` trimmed; None when missing or blank (422 naming `label` if required); 422
    when it is not text or longer than `max_len` (code `too_long_code` if given)."""
    label = label or name
    value = values.get(name) if isinstance(values, dict) else None
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{label} is required", field=label)
        return None
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text", field=label)
    value = value.strip()
    if len(value) > max_len:
        raise Invalid(
            f"{label} is longer than {max_len} characters", field=label, code=too_long_code
        )
    return value
