"""The org module: offices, sections, desks, who holds which desk, and the org file loader."""

from eoffice.core import kinds
from eoffice.org import visits  # noqa: F401  (its table)
from eoffice.org.desks import holdings_loader
from eoffice.org.service import audit_scope

kinds.register_actions({"org.view": {"admin", "auditor"}, "org.edit": {"admin"}})
kinds.register_blueprints(
    "org", pages=["eoffice.org.views:bp", "eoffice.org.views:desks_bp"], api=["eoffice.org.api:bp"]
)
kinds.register_hook("audit.scope", audit_scope)
kinds.register_hook("user.desks_loader", holdings_loader)
