"""Imports every mapped class, so the metadata is complete (Alembic, tests)."""

from eoffice.audit.models import AuditEvent, AuditHead  # noqa: F401
from eoffice.auth.models import ApiToken, RateLimitCounter, User, UserSession  # noqa: F401
from eoffice.org.models import Desk, DeskHolding, Office, Section  # noqa: F401
