"""The feedback module: its tables, the roles that see grades and print posters, its pages
and API, and the SP's alerts on the start page."""

from __future__ import annotations

from eoffice.core import kinds
from eoffice.feedback import models  # noqa: F401  (its tables)
from eoffice.feedback.service import alerts_at

kinds.register_actions(
    {
        # grades and responses: officers and auditors, of their jurisdiction only
        "feedback.grades": {"officer", "auditor"},
        # posters: an officer for their jurisdiction, an administrator for any office
        "feedback.poster": {"officer", "admin"},
    }
)
kinds.register_blueprints(
    "feedback",
    pages=["eoffice.feedback.views:bp", "eoffice.feedback.public:bp"],
    api=["eoffice.feedback.api:bp"],
)
kinds.register_hook("feedback.alerts", alerts_at)
