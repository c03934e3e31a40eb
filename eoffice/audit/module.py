"""The audit module: the append-only, hash-chained event log and its verifier."""

from eoffice.core import kinds

kinds.register_actions({"audit.verify": {"admin", "auditor"}, "audit.view": {"admin", "auditor"}})
kinds.register_blueprints("audit", pages=["eoffice.audit.views:bp"], api=["eoffice.audit.api:bp"])
