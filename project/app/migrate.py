"""Run Alembic migrations from Python (the run command and the tests use this)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.search.models import OPTIONAL_INDEXES

PROJECT_DIR = Path(__file__).resolve().parent.parent


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """Leave out of model/database comparisons what only some servers have (the pg_trgm index)."""
    return not (type_ == "index" and name in OPTIONAL_INDEXES)


def alembic_config(database_url: str | None = None) -> Config:
    config = Config(str(PROJECT_DIR / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_DIR / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
