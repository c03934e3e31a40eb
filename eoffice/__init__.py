"""eoffice: an e-office for police offices.

`create_app` is imported on first use, so importing a domain module (eoffice.files.models, say)
never loads the web framework."""

from __future__ import annotations


def create_app(config: dict | None = None):
    from eoffice.app import create_app as make

    return make(config)
