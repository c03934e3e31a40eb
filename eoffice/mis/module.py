"""The MIS module: who may read it (officers and auditors, for their jurisdiction), its pages and
its API. It keeps no records of its own: it counts those of files, receipts, letters and
complaints."""

from __future__ import annotations

from eoffice.core import kinds

kinds.register_actions({"mis.view": {"officer", "auditor"}})
kinds.register_blueprints(
    "mis",
    pages=["eoffice.mis.views:bp"],
    api=["eoffice.mis.api:bp"],
)
