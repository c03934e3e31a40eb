"""The search module: the search page and GET /api/v1/search."""

from eoffice.core import kinds
from eoffice.search import pg  # noqa: F401 - the PostgreSQL backend's table

kinds.register_blueprints(
    "search", pages=["eoffice.search.views:bp"], api=["eoffice.search.api:bp"]
)
