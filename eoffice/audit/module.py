"""The audit module: the append-only, hash-chained event log and its verifier."""

from eoffice.audit.service import record_refusal
from eoffice.core import kinds

kinds.register_actions({"audit.verify": {"admin", "auditor"}, "audit.view": {"admin", "auditor"}})
kinds.register_blueprints("audit", pages=["eoffice.audit.views:bp"], api=["eoffice.audit.api:bp"])
kinds.register_hook("access.refused", record_refusal)
