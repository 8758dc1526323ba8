"""Test fixtures: a real PostgreSQL, the schema built by the migrations, one rolled-back
transaction per test, and an HTTP client on the ASGI app.

The server is ``TEST_DATABASE_URL`` when set, otherwise the embedded one (database
``songs_test``). The suite refuses to touch a database whose name does not say "test".
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

import asyncpg
import pytest
from fastapi import FastAPI
from httpx import ASGITransport, AsyncClient
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from app import models as registered_models
from app.database_admin import create_database
from app.db import metadata
from app.embedded_db import EmbeddedPostgres
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings, normalise_database_url

TEST_DATABASE_NAME = "songs_test"
assert registered_models.__all__  # every table is on the metadata the cleanup truncates


def is_test_database(url: str) -> bool:
    return "test" in (make_url(url).database or "")


def sibling_database_url(url: str, name: str) -> str:
    """Another database on the same server (for tests that need a database of their own)."""
    assert "test" in name, "test databases must say so in their name"
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    embedded: EmbeddedPostgres | None = None
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        embedded = EmbeddedPostgres.from_env()
        embedded.start()
        url = embedded.url(TEST_DATABASE_NAME)
    url = normalise_database_url(url)
    if not is_test_database(url):
        pytest.exit(
            f"Refusing to run against {make_url(url).database!r}: the test database's name must "
            "contain 'test' (the suite drops and recreates it).",
            returncode=2,
        )
    yield url
    if embedded is not None:
        embedded.stop()


def settings_for_tests(database_url: str) -> Settings:
    return Settings(database_url=database_url, environment="test", secret_key="test-secret")


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await create_database(database_url, drop_existing=True)
    await asyncio.to_thread(upgrade, database_url)
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


async def driver_connection(connection: AsyncConnection) -> asyncpg.Connection:
    driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection  # type: ignore[assignment]
    return driver


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    async with engine.connect() as connection:
        outer = await connection.begin()
        # SQLAlchemy sends BEGIN with the first statement; the app's statements go straight to
        # the driver, so start the transaction now or they would commit on their own.
        await connection.execute(text("SELECT 1"))
        assert (await driver_connection(connection)).is_in_transaction()
        yield connection
        await outer.rollback()


class TestTransaction:
    """The app's ConnectionSource in tests: the test's connection, in its outer transaction.

    Every request's statements run there; a request's own transaction becomes a savepoint
    (asyncpg nests ``transaction()`` blocks), so its commit or rollback behaves as in
    production while the test's rollback still undoes everything. Requests take turns.
    """

    def __init__(self, driver: asyncpg.Connection) -> None:
        self.driver = driver
        self.turn = asyncio.Lock()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        async with self.turn:
            yield self.driver


@pytest.fixture
async def app(database_url: str, connection: AsyncConnection) -> FastAPI:
    app = create_app(settings_for_tests(database_url))
    app.state.database = TestTransaction(await driver_connection(connection))
    return app


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


@pytest.fixture
async def sql_statements(connection: AsyncConnection) -> AsyncIterator[list[str]]:
    """The SQL each request sends (savepoint bookkeeping left out), to hold queries per request.

    Two sources, as statements take two roads: SQLAlchemy's events for what goes through it,
    and asyncpg's query log for what the hot paths send straight to the driver
    (app.core.prepared); SQLAlchemy's own statements use prepared statements, which that log
    does not see, so nothing is counted twice.
    """
    executed: list[str] = []

    def keep(statement: str) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            executed.append(statement)

    def through_sqlalchemy(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        keep(statement)

    def straight_to_driver(query: asyncpg.connection.LoggedQuery) -> None:
        keep(query.query)

    event.listen(connection.sync_connection, "before_cursor_execute", through_sqlalchemy)
    driver = await driver_connection(connection)
    driver.add_query_logger(straight_to_driver)
    yield executed
    driver.remove_query_logger(straight_to_driver)
    event.remove(connection.sync_connection, "before_cursor_execute", through_sqlalchemy)


async def logged(statements: list[str]) -> list[str]:
    """``statements`` (from ``sql_statements``) once asyncpg has logged the last ones: it calls
    its query loggers on the event loop's next turn."""
    await asyncio.sleep(0)
    return statements


@pytest.fixture
async def committing_client(database_url: str, engine: AsyncEngine) -> AsyncIterator[AsyncClient]:
    """A client on a real pool whose requests commit, for tests of concurrent requests.

    Outer-transaction isolation cannot show what two transactions do to each other, so these
    tests commit for real; the tables are emptied afterwards so no other test sees their rows.
    """
    app = create_app(settings_for_tests(database_url))
    try:
        async with app.router.lifespan_context(app):
            transport = ASGITransport(app=app)
            async with AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield client
    finally:
        async with engine.begin() as connection:
            tables = ", ".join(table.name for table in metadata.sorted_tables)
            await connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
