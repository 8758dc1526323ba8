"""Health probes: liveness is the process, readiness is the database."""

from __future__ import annotations

import socket

from httpx import ASGITransport, AsyncClient
from sqlalchemy.engine import make_url

from app.main import create_app
from app.settings import Settings


async def test_live(client: AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_runs_a_query(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_ready_is_a_503_problem_when_the_database_is_unreachable(database_url: str) -> None:
    unreachable = make_url(database_url).set(host="127.0.0.1", port=_closed_port())
    settings = Settings(
        database_url=unreachable.render_as_string(hide_password=False),
        environment="test",
        secret_key="test-secret",
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = ASGITransport(app=app)
        async with AsyncClient(transport=transport, base_url="http://testserver") as client:
            ready = await client.get("/health/ready")
            live = await client.get("/health/live")
            songs = await client.get("/songs")
            retried_post = await client.post(
                "/songs", json={"name": "a", "artist": "b"}, headers={"Idempotency-Key": "k"}
            )

    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["checks"] == {"database": "unavailable"}
    assert live.status_code == 200
    assert songs.status_code == 503
    assert songs.json()["type"] == "/problems/database-unavailable"
    assert retried_post.status_code == 503
