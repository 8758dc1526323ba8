"""Faults are input too: a PostgreSQL restart, killed connections, a database that is down at
start-up, a row locked elsewhere. Each is answered with 503 problems carrying Retry-After (never
a 500), and the service recovers by itself, losing nothing.

These run against a PostgreSQL server of their own, which the tests stop, start and lock, with
the app's real pool (its lifespan runs), not the rolled-back test connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from httpx import ASGITransport, AsyncClient

from app.database_admin import create_database
from app.db import driver_dsn
from app.embedded_db import EmbeddedPostgres, free_port
from app.main import create_app
from app.migrate import upgrade
from app.settings import Settings

DATABASE = "songs_faults_test"
RECOVERY_SECONDS = 20  # how long the service may take to answer again once the server is back


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    data_dir: Path = tmp_path_factory.mktemp("faults") / "postgres"
    server = EmbeddedPostgres(data_dir=data_dir, port=free_port())
    server.start()
    url = server.url(DATABASE)
    asyncio.run(create_database(url, drop_existing=True))
    upgrade(url)
    yield server
    server.stop()


def _ensure_running(server: EmbeddedPostgres) -> None:
    server.start()  # a no-op when it runs; a test that stopped it may have failed midway


@asynccontextmanager
async def running_app(server: EmbeddedPostgres, **settings: Any) -> AsyncIterator[AsyncClient]:
    config = Settings(
        database_url=server.url(DATABASE), environment="test", secret_key="test-secret", **settings
    )
    app = create_app(config)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


def assert_retryable_problem(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) > 0
    assert response.json()["type"].startswith("/problems/database-")


async def until_answered(client: AsyncClient, path: str) -> list[httpx.Response]:
    """GET ``path`` until it answers 200 (bounded); every answer, in order."""
    answers: list[httpx.Response] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + RECOVERY_SECONDS
    while loop.time() < deadline:
        answers.append(await client.get(path))
        if answers[-1].status_code == 200:
            return answers
        await asyncio.sleep(0.1)
    return answers


async def _admin(server: EmbeddedPostgres) -> asyncpg.Connection:
    connection: asyncpg.Connection = await asyncpg.connect(driver_dsn(server.url(DATABASE)))
    return connection


async def test_a_postgresql_restart_costs_503s_only_and_the_service_recovers_by_itself(
    server: EmbeddedPostgres,
) -> None:
    _ensure_running(server)
    async with running_app(server) as client:
        created = await client.post("/songs", json={"name": "Before the Restart", "artist": "Faults"})
        assert created.status_code == 201
        song = created.json()

        async def traffic(stop: asyncio.Event) -> list[httpx.Response]:
            seen: list[httpx.Response] = []
            while not stop.is_set():
                for path in ("/songs", f"/songs/{song['id']}", "/artists", "/search?q=restart"):
                    seen.append(await client.get(path))
                await asyncio.sleep(0.01)
            return seen

        stop = asyncio.Event()
        load = asyncio.create_task(traffic(stop))
        await asyncio.sleep(0.3)
        await asyncio.to_thread(server.stop)
        await asyncio.sleep(0.5)  # requests while the server is down
        await asyncio.to_thread(server.start)
        stop.set()
        during = await load

        recovered = await until_answered(client, f"/songs/{song['id']}")
        after = [await client.get("/songs"), await client.get(f"/songs/{song['id']}")]
        written = await client.post("/songs", json={"name": "After the Restart", "artist": "Faults"})

    failures = [answer for answer in [*during, *recovered] if answer.status_code != 200]
    assert failures, "the server was down for half a second: some request must have seen it"
    for answer in failures:
        assert_retryable_problem(answer)
    assert recovered[-1].status_code == 200
    assert [answer.status_code for answer in after] == [200, 200]
    assert after[1].json() == song  # nothing lost
    assert written.status_code == 201


async def test_killed_connections_are_replaced_without_a_500(server: EmbeddedPostgres) -> None:
    _ensure_running(server)
    async with running_app(server, db_pool_size=3) as client:
        created = await client.post("/songs", json={"name": "Killed", "artist": "Faults"})
        song_id = created.json()["id"]
        for _ in range(5):  # every pooled connection has been used
            assert (await client.get(f"/songs/{song_id}")).status_code == 200

        admin = await _admin(server)
        try:
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'songs-catalog'"
            )
        finally:
            await admin.close()
        assert killed >= 1

        answers = [await client.get(f"/songs/{song_id}") for _ in range(10)]
        answers += [await client.get("/songs"), await client.patch(f"/songs/{song_id}", json={"year": 2001})]

    for answer in answers:
        if answer.status_code != 200:
            assert_retryable_problem(answer)
    assert [answer.status_code for answer in answers[-5:]] == [200] * 5


async def test_the_service_starts_while_the_database_is_down_and_is_ready_once_it_is_up(
    server: EmbeddedPostgres,
) -> None:
    _ensure_running(server)
    await asyncio.to_thread(server.stop)
    try:
        async with running_app(server, db_pool_timeout=2) as client:
            down = [await client.get("/health/ready"), await client.get("/songs")]
            live = await client.get("/health/live")
            await asyncio.to_thread(server.start)
            ready = await until_answered(client, "/health/ready")
            songs = await client.get("/songs")
    finally:
        _ensure_running(server)

    for answer in down:
        assert_retryable_problem(answer)
    assert "postgres" not in down[0].json()["detail"].lower()  # no internals in the probe
    assert live.status_code == 200
    assert ready[-1].status_code == 200
    assert songs.status_code == 200


@asynccontextmanager
async def locked_song(server: EmbeddedPostgres, song_id: int) -> AsyncIterator[None]:
    """The song's row held FOR UPDATE by another client until the block ends."""
    holder = await _admin(server)
    transaction = holder.transaction()
    await transaction.start()
    try:
        await holder.execute("SELECT 1 FROM songs WHERE id = $1 FOR UPDATE", song_id)
        yield
    finally:
        await transaction.rollback()
        await holder.close()


async def test_a_write_stuck_behind_a_lock_is_a_503_and_the_connection_goes_back_healthy(
    server: EmbeddedPostgres,
) -> None:
    _ensure_running(server)
    async with running_app(server, db_statement_timeout_ms=300, db_pool_size=2) as client:
        song = (await client.post("/songs", json={"name": "Locked", "artist": "Faults"})).json()
        async with locked_song(server, song["id"]):
            stuck, listed = await asyncio.gather(
                client.patch(f"/songs/{song['id']}", json={"year": 1999}), client.get("/songs")
            )
        # The same pooled connections serve on, and the change was never half-made.
        after = await client.get(f"/songs/{song['id']}")
        retried = await client.patch(f"/songs/{song['id']}", json={"year": 1999})

    assert_retryable_problem(stuck)
    assert stuck.json()["type"] == "/problems/database-timeout"
    assert listed.status_code == 200
    assert after.json()["year"] is None
    assert after.json()["version"] == 1
    assert retried.status_code == 200
    assert retried.json()["year"] == 1999


async def test_a_request_that_waits_too_long_for_a_connection_is_a_503_not_a_stall(
    server: EmbeddedPostgres,
) -> None:
    _ensure_running(server)
    settings = {"db_statement_timeout_ms": 2000, "db_pool_size": 1, "db_pool_timeout": 0.2}
    async with running_app(server, **settings) as client:
        song = (await client.post("/songs", json={"name": "Busy", "artist": "Faults"})).json()
        async with locked_song(server, song["id"]):
            stuck = asyncio.create_task(client.patch(f"/songs/{song['id']}", json={"year": 1999}))
            await asyncio.sleep(0.1)  # the PATCH holds the only connection, waiting for the lock
            waiting = await client.get("/songs")
            ready = await client.get("/health/ready")
        assert (await stuck).status_code == 200  # the lock went away in time: it went through
        afterwards = await client.get("/songs")

    assert_retryable_problem(waiting)
    assert waiting.json()["type"] == "/problems/database-busy"
    assert_retryable_problem(ready)
    assert afterwards.status_code == 200
