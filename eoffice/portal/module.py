"""The portal's parts register their kinds, actions, pages and jobs: the confidential tips, and
the reports (lost articles, security requests, events, Open311)."""

from __future__ import annotations

import importlib

for _part in ("tips", "reports"):
    try:
        importlib.import_module(f"eoffice.portal.{_part}.module")
    except ModuleNotFoundError as exc:  # a part not built yet
        if exc.name not in (f"eoffice.portal.{_part}", f"eoffice.portal.{_part}.module"):
            raise
