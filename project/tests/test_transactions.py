"""A request's transaction is committed before its response leaves the service."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import Message

from app.main import create_app
from tests.conftest import settings_for_tests


async def test_the_response_is_sent_after_the_commit(database_url: str, engine: AsyncEngine) -> None:
    app = create_app(settings_for_tests(database_url))
    body = json.dumps({"name": "Committed First", "artist": "Ordering Test"}).encode()
    seen_when_response_started: list[int] = []
    statuses: list[int] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.append(message["status"])
            # Another connection, as another client: is the song already there for everyone?
            async with engine.connect() as other:
                count = await other.scalar(text("SELECT count(*) FROM songs WHERE name = 'Committed First'"))
            seen_when_response_started.append(int(count or 0))

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/songs", "raw_path": b"/songs", "query_string": b"",
        "root_path": "", "headers": [(b"content-type", b"application/json"), (b"host", b"test")],
        "client": ("127.0.0.1", 1), "server": ("test", 80),
    }  # fmt: skip
    try:
        async with app.router.lifespan_context(app):
            await app(scope, receive, send)
        assert statuses == [201]
        assert seen_when_response_started == [1]
    finally:
        async with engine.begin() as connection:
            await connection.execute(text("DELETE FROM songs WHERE name = 'Committed First'"))
            await connection.execute(text("DELETE FROM artists WHERE name = 'Ordering Test'"))
