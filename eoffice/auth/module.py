"""The auth module: users, passwords, login sessions, API tokens and `can()`."""

from eoffice.core import kinds

kinds.register_blueprints("auth", pages=["eoffice.auth.views:bp"], api=["eoffice.auth.api:bp"])
