"""Search on a PostgreSQL without pg_trgm: the service starts, says so, and searches without
typo tolerance (exact, prefix and accent-insensitive matching still work).

Two ways to lack it: a database of the usual server whose extension was dropped (which drops
the trigram index with it), and the pgserver wheel's server, which does not ship pg_trgm at all
(migrations run up, down to base and up again there).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest
from alembic import command
from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

from app.database_admin import create_database
from app.embedded_db import EmbeddedPostgres, free_port
from app.main import create_app
from app.migrate import alembic_config, upgrade
from app.settings import Settings
from tests.catalog_support import JSON, create, make_artist
from tests.conftest import sibling_database_url

SCRATCH_DATABASE = "songs_notrgm_test"


def _dsn(url: str, database: str | None = None) -> str:
    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


async def _drop_database(url: str) -> None:
    connection = await asyncpg.connect(_dsn(url, "postgres"))
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    finally:
        await connection.close()


async def _has_trigram_index(url: str) -> bool:
    connection = await asyncpg.connect(_dsn(url))
    try:
        found = await connection.fetchval(
            "SELECT count(*) FROM pg_indexes WHERE indexname = 'ix_search_terms_term_trgm'"
        )
    finally:
        await connection.close()
    return bool(found)


@pytest.fixture
async def scratch_url(database_url: str) -> AsyncIterator[str]:
    """A fresh database on the test server, migrated to head, then without pg_trgm."""
    url = sibling_database_url(database_url, SCRATCH_DATABASE)
    await create_database(url, drop_existing=True)
    try:
        await asyncio.to_thread(upgrade, url)
        assert await _has_trigram_index(url)  # this server has pg_trgm: the migration used it
        connection = await asyncpg.connect(_dsn(url))
        try:
            await connection.execute("DROP EXTENSION pg_trgm CASCADE")
        finally:
            await connection.close()
        assert not await _has_trigram_index(url)
        yield url
    finally:
        await _drop_database(url)


async def _fill(client: AsyncClient) -> None:
    mogwai = await make_artist(client, "Mogwai", country="GB")
    await make_artist(client, "Sigur Rós", country="IS")
    album = await create(client, "/albums", {"title": "As the Love Continues", "artist_id": mogwai["id"],
                                             "year": 2021})  # fmt: skip
    for name in ("Midnight Flit", "Dry Fantasy"):
        await create(client, "/songs", {"name": name, "artist_id": mogwai["id"], "album_id": album["id"],
                                        "year": 2021, "genres": ["post-rock"]})  # fmt: skip
    await create(client, "/songs", {"name": "Hoppípolla", "artist": "Sigur Rós", "year": 2005})


async def _search(client: AsyncClient, q: str, **params: str) -> JSON:
    response = await client.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    assert body["fuzzy"] is False
    assert body["corrections"] == {}
    return body


async def _check_search_without_typo_tolerance(client: AsyncClient) -> None:
    ready = await client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json()["checks"]["search"] == {"typo_tolerance": False}

    await _fill(client)
    found = [(hit["kind"], hit["name"]) for hit in (await _search(client, "mogwai"))["items"]]
    assert found[0] == ("artist", "Mogwai")
    assert set(found) == {("artist", "Mogwai"), ("album", "As the Love Continues"),
                          ("song", "Midnight Flit"), ("song", "Dry Fantasy")}  # fmt: skip
    assert [hit["name"] for hit in (await _search(client, "midn", type="song"))["items"]] == ["Midnight Flit"]
    assert [hit["name"] for hit in (await _search(client, "sigur ros", type="artist"))["items"]] == [
        "Sigur Rós"
    ]
    assert [hit["name"] for hit in (await _search(client, "HOPPIPOLLA"))["items"]] == ["Hoppípolla"]
    assert [hit["name"] for hit in (await _search(client, '"dry fantasy"'))["items"]] == ["Dry Fantasy"]
    assert len((await _search(client, "genre:post-rock year:2021"))["items"]) == 2
    # Typos simply find nothing, and asking for fuzzy matching is no error.
    for typo in ("Mogwia", "hopipolla", "Sigur Rox "):
        assert (await _search(client, typo))["items"] == []
        assert (await _search(client, typo, match="fuzzy"))["items"] == []
    songs = await client.get("/songs", params={"q": "Mogwia"})
    assert songs.status_code == 200
    assert songs.json()["items"] == []
    songs = await client.get("/songs", params={"q": "mogwai midn"})
    assert [song["name"] for song in songs.json()["items"]] == ["Midnight Flit"]


async def test_search_works_after_pg_trgm_is_dropped(
    scratch_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(Settings(database_url=scratch_url, environment="test", secret_key="x"))
    with caplog.at_level(logging.WARNING, logger="app.search.service"):
        async with app.router.lifespan_context(app):
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert any("pg_trgm is not available" in r.getMessage() for r in warnings), caplog.text
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://testserver") as client:
                await _check_search_without_typo_tolerance(client)


async def test_migrations_and_search_on_a_server_without_pg_trgm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("EMBEDDED_PG_SOURCE", "wheel")  # the pgserver wheel ships no pg_trgm
    server = EmbeddedPostgres(data_dir=tmp_path / "pg", port=free_port())
    server.start()
    try:
        url = server.url("songs_wheel_test")
        await create_database(url)
        connection = await asyncpg.connect(_dsn(url))
        try:
            available = await connection.fetchval(
                "SELECT count(*) FROM pg_available_extensions WHERE name = 'pg_trgm'"
            )
        finally:
            await connection.close()
        assert available == 0

        await asyncio.to_thread(upgrade, url)
        await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
        await asyncio.to_thread(upgrade, url)
        assert not await _has_trigram_index(url)

        # Alembic's logging configuration replaced the root handlers, caplog's among them.
        search_logger = logging.getLogger("app.search.service")
        search_logger.addHandler(caplog.handler)
        app = create_app(Settings(database_url=url, environment="test", secret_key="x"))
        try:
            with caplog.at_level(logging.WARNING, logger="app.search.service"):
                async with app.router.lifespan_context(app):
                    assert "pg_trgm is not available" in caplog.text
                    transport = ASGITransport(app=app)
                    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
                        await _check_search_without_typo_tolerance(client)
        finally:
            search_logger.removeHandler(caplog.handler)
    finally:
        server.stop()
