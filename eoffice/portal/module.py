"""The portal's parts register their kinds, actions, pages and jobs: the confidential tips, and
the reports (lost articles, security requests, events, Open311)."""

from eoffice.portal.reports import module as _reports  # noqa: F401
from eoffice.portal.tips import module as _tips  # noqa: F401
