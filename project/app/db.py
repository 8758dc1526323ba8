"""The database: one asyncpg pool per process, and the handle each request's routes depend on.

Requests do no ORM-session work. Their SQL is written with SQLAlchemy Core (the same tables and
expressions the migrations use), compiled once per shape (``app.core.prepared``) and run on a
pooled asyncpg connection, which prepares and caches each statement by its text. Reads run
without BEGIN/COMMIT (each statement is atomic); writes get one transaction per request,
committed before the response is sent.

Where connections come from is a :class:`ConnectionSource`: in production the pool
(:class:`Database`); in the tests, the test's own connection, so every statement runs inside
the transaction the test rolls back (nested transactions become savepoints).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Annotated, Any, Protocol

import asyncpg
from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from app.core.gate import Gate
from app.core.prepared import Prepared, Statement
from app.errors import DatabaseUnavailableError
from app.settings import Settings

metadata: MetaData = SQLModel.metadata  # naming convention set in app/__init__.py

logger = logging.getLogger(__name__)
sql_logger = logging.getLogger("app.sql")

NO_PARAMETERS: Mapping[str, Any] = {}
# Statements asyncpg keeps prepared per connection: every list, filter and sort shape fits.
STATEMENT_CACHE_SIZE = 512


class ConnectionSource(Protocol):
    def connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        """A connection for one unit of work (a request, an idempotency claim)."""
        ...


def driver_dsn(url: str) -> str:
    """The SQLAlchemy URL (``postgresql+asyncpg://``) as a DSN asyncpg takes."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """Return connections to the pool as they are.

    asyncpg's default reset costs a round trip per request (``RESET ALL``, ``UNLISTEN *``,
    unlocking advisory locks). Requests leave no session state behind: settings are fixed at
    connect, locks are transaction-scoped and nothing listens. A transaction left open is still
    rolled back by asyncpg before this runs.
    """


class Database:
    """The pool, behind a first-come, first-served gate (``app.core.gate``) as large as it.

    A request that waits longer than ``DB_POOL_TIMEOUT`` for its turn gets a 503 problem, so
    one slow statement (a lock held elsewhere) cannot stall every other request indefinitely.
    A connection that dies (a PostgreSQL restart, a killed backend) is noticed by asyncpg and
    replaced on its next checkout; the request that was using it gets a 503 problem.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.size = settings.db_pool_size + settings.db_max_overflow
        self.gate = Gate(self.size, settings.db_pool_timeout)
        self._pool: asyncpg.Pool | None = None

    async def open(self) -> None:
        settings = self.settings
        server_settings = {"application_name": "songs-catalog"}
        if settings.db_statement_timeout_ms:
            server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
        # min_size=0: the service starts (and answers 503s) while the database is down.
        self._pool = await asyncpg.create_pool(
            driver_dsn(settings.require_database_url()),
            min_size=0,
            max_size=self.size,
            server_settings=server_settings,
            statement_cache_size=STATEMENT_CACHE_SIZE,
            timeout=settings.db_pool_timeout,
            reset=_keep_session,
            init=_log_statements if settings.db_echo else None,
        )
        await self._warm_up()

    async def _warm_up(self) -> None:
        """Open the pool's steady connections now rather than on the first requests."""
        touches = (self._touch() for _ in range(self.settings.db_pool_size))
        try:
            async with asyncio.timeout(self.settings.db_pool_timeout):
                outcomes = await asyncio.gather(*touches, return_exceptions=True)
        except TimeoutError as exc:
            outcomes = [exc]
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:  # the service starts anyway: requests answer 503 until the database is up
            logger.warning("database: not reachable at start-up (%r); connecting on demand", failures[0])

    async def _touch(self) -> None:
        async with self.connection():
            pass

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    def connection(self) -> AbstractAsyncContextManager[asyncpg.Connection]:
        assert self._pool is not None, "Database.open() runs in the app's lifespan"
        return _Checkout(self, self._pool)


class _Checkout:
    """A pooled connection for the length of an ``async with`` block (a class, not a generator:
    this runs for every statement of every read)."""

    __slots__ = ("connection", "database", "pool")

    def __init__(self, database: Database, pool: asyncpg.Pool) -> None:
        self.database = database
        self.pool = pool

    async def __aenter__(self) -> asyncpg.Connection:
        await self.database.gate.enter()
        try:
            self.connection = await self.pool.acquire()
        except BaseException:
            self.database.gate.leave()
            raise
        checked_out: asyncpg.Connection = self.connection  # type: ignore[assignment]  # a proxy of one
        return checked_out

    async def __aexit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        died = error is not None and self.connection.is_closed()
        try:
            await self.pool.release(self.connection)
        finally:
            self.database.gate.leave()
        if died and isinstance(error, Exception):  # died under us: not the request's fault
            raise DatabaseUnavailableError() from error


async def _log_statements(connection: asyncpg.Connection) -> None:
    connection.add_query_logger(lambda query: sql_logger.info("%s %s", query.query, query.args))


class Queries:
    """Running compiled statements: ``fetch``, ``fetchrow``, ``fetchval``, ``execute``."""

    __slots__ = ()

    async def _run(self, method: str, sql: str, arguments: list[Any]) -> Any:
        raise NotImplementedError

    async def fetch(
        self, statement: Statement, parameters: Mapping[str, Any] = NO_PARAMETERS
    ) -> list[asyncpg.Record]:
        prepared = Prepared.of(statement)
        rows: list[asyncpg.Record] = await self._run("fetch", prepared.sql, prepared.arguments(parameters))
        return rows

    async def fetchrow(
        self, statement: Statement, parameters: Mapping[str, Any] = NO_PARAMETERS
    ) -> asyncpg.Record | None:
        prepared = Prepared.of(statement)
        row: asyncpg.Record | None = await self._run("fetchrow", prepared.sql, prepared.arguments(parameters))
        return row

    async def fetchval(self, statement: Statement, parameters: Mapping[str, Any] = NO_PARAMETERS) -> Any:
        prepared = Prepared.of(statement)
        return await self._run("fetchval", prepared.sql, prepared.arguments(parameters))

    async def execute(self, statement: Statement, parameters: Mapping[str, Any] = NO_PARAMETERS) -> str:
        prepared = Prepared.of(statement)
        status: str = await self._run("execute", prepared.sql, prepared.arguments(parameters))
        return status


class Db(Queries):
    """Statements on one connection, as a transaction's are."""

    __slots__ = ("connection",)

    def __init__(self, connection: asyncpg.Connection) -> None:
        self.connection = connection

    async def _run(self, method: str, sql: str, arguments: list[Any]) -> Any:
        return await getattr(self.connection, method)(sql, *arguments)


class ReadDb(Queries):
    """Reads: each statement on a connection checked out for it alone.

    A read holds no connection between its statements (or while its response is sent), and
    needs no per-request setup or cleanup: the cheapest road, for the most frequent requests.
    """

    __slots__ = ("source",)

    def __init__(self, source: ConnectionSource) -> None:
        self.source = source

    async def _run(self, method: str, sql: str, arguments: list[Any]) -> Any:
        async with self.source.connection() as connection:
            return await getattr(connection, method)(sql, *arguments)


def connection_source(request: Request) -> ConnectionSource:
    source: ConnectionSource = request.app.state.database
    return source


@asynccontextmanager
async def transaction(source: ConnectionSource) -> AsyncIterator[Db]:
    """A unit of work of its own: committed when the block succeeds, rolled back otherwise."""
    async with source.connection() as connection, connection.transaction():
        yield Db(connection)


async def read_db(request: Request) -> Queries:
    """For reads: no BEGIN/COMMIT round trips, no connection held across the handler."""
    return ReadDb(connection_source(request))


async def write_db(request: Request) -> AsyncIterator[Db]:
    """One transaction per request: committed when the handler succeeds, rolled back otherwise."""
    async with transaction(connection_source(request)) as db:
        yield db


# scope="function": the transaction ends (commit or rollback) when the handler returns, before
# the response is sent. With FastAPI's default ("request") it would end after the response is
# sent: a client could read before the commit, and a failed commit would follow a 201.
DbDep = Annotated[Db, Depends(write_db, scope="function")]
ReadDbDep = Annotated[Queries, Depends(read_db)]
