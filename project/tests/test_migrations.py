"""Migrations: one head, up from empty, down to base and up again, and models that match."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

import app.models  # noqa: F401 - registers every table
from app.database_admin import create_database
from app.db import metadata
from app.migrate import alembic_config, include_object
from tests.conftest import sibling_database_url


@pytest.fixture
async def scratch_database_url(database_url: str) -> str:
    url = sibling_database_url(database_url, "songs_migrations_test")
    await create_database(url, drop_existing=True)
    return url


def test_there_is_exactly_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert len(script.get_heads()) == 1


def test_revision_files_are_dated() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    for revision in script.walk_revisions():
        assert revision.path is not None
        assert revision.path.split("/")[-1][:4].isdigit(), revision.path


async def _tables(url: str) -> set[str]:
    engine = create_async_engine(url)
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
    await engine.dispose()
    return names


async def test_upgrade_from_empty_then_down_to_base_and_up_again(scratch_database_url: str) -> None:
    config = alembic_config(scratch_database_url)

    await asyncio.to_thread(command.upgrade, config, "head")
    assert {"songs", "alembic_version"} <= await _tables(scratch_database_url)

    await asyncio.to_thread(command.downgrade, config, "base")
    assert await _tables(scratch_database_url) == {"alembic_version"}

    await asyncio.to_thread(command.upgrade, config, "head")
    assert "songs" in await _tables(scratch_database_url)


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection, opts={"compare_type": True, "include_object": include_object}
    )
    return list(compare_metadata(context, metadata))


async def test_models_match_the_migrations(scratch_database_url: str) -> None:
    await asyncio.to_thread(command.upgrade, alembic_config(scratch_database_url), "head")
    engine = create_async_engine(scratch_database_url)
    async with engine.connect() as connection:
        differences = await connection.run_sync(_differences)
    await engine.dispose()
    assert differences == []
