"""Alembic, driven from the `eoffice` command and from tests."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(url: str, audit_key: str | None = None) -> Config:
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "migrations"))
    cfg.attributes["url"] = url
    cfg.attributes["audit_key"] = audit_key  # a migration that seals the audit log needs it
    return cfg


def upgrade(url: str, revision: str = "heads", audit_key: str | None = None) -> None:
    command.upgrade(alembic_config(url, audit_key), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> None:
    command.current(alembic_config(url))
