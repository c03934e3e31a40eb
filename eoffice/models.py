"""Imports every mapped class, so the metadata is complete (Alembic, tests)."""

from eoffice.audit.models import AuditEvent, AuditHead  # noqa: F401
from eoffice.auth.models import ApiToken, RateLimitCounter, User, UserSession  # noqa: F401
from eoffice.files.models import Correspondence, File, FileAccess, Movement  # noqa: F401, E402
from eoffice.notings.models import Draft, DraftVersion, Note  # noqa: F401, E402
from eoffice.numbering import Counter  # noqa: F401, E402
from eoffice.org.models import Desk, DeskHolding, Office, Section  # noqa: F401
from eoffice.receipts.models import Receipt  # noqa: F401, E402
from eoffice.search.models import AttachmentText, SearchOutbox  # noqa: F401, E402
from eoffice.storage.models import Attachment  # noqa: F401, E402
