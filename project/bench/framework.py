"""The framework's share of a request: our app in process, with the database taken out.

    cd project && .venv/bin/python -m bench.framework [--requests N]

Sends ``GET /songs/{id}`` and ``GET /songs`` (a page of 50) straight to the ASGI app, whose
connection source answers every statement at once with canned rows, so what is timed is
everything but PostgreSQL and the network: middleware, routing, validation, dependencies, our
handler and the response. The same request through a plain Starlette route doing the same work
is the floor. The figure multiplies under load (uvicorn, the socket and the driver come on
top), but differences here are differences there: this is how the per-request cost in the
README was found and cut. A benchmark, not a test: the database here is deliberately fake.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
import uvloop
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message

from app.main import create_app
from app.settings import Settings

DOCUMENT = (
    '{"id":1,"name":"Midnight Fit","artist":"Mogwai","artist_id":1,"album_id":1,"track_number":1,'
    '"disc_number":1,"duration_ms":183415,"year":2021,"isrc":"IS0002100001","genres":["post-rock"],'
    '"created_at":"2026-11-25T06:09:34.461461Z","updated_at":"2026-11-25T06:09:34.461461Z",'
    '"version":1,"included":null}'
)
PAGE = [{"document": DOCUMENT, "version": 1, "sort_id": number} for number in range(51)]


class CannedConnection:
    """Answers like asyncpg would for these two requests, without a server."""

    async def fetchrow(self, sql: str, *arguments: Any) -> dict[str, Any]:
        return PAGE[0]

    async def fetch(self, sql: str, *arguments: Any) -> list[dict[str, Any]]:
        return PAGE

    def is_closed(self) -> bool:
        return False


class CannedDatabase:
    @asynccontextmanager
    async def connection(self) -> AsyncIterator[CannedConnection]:
        yield CannedConnection()


def plain_starlette() -> Starlette:
    """The floor: the same work in a bare Starlette route."""

    async def get_song(request: Request) -> Response:
        song_id = int(request.path_params["song_id"])
        async with CannedDatabase().connection() as connection:
            row = await connection.fetchrow("SELECT ...", song_id)
        return Response(row["document"], media_type="application/json", headers={"ETag": '"1"'})

    async def list_songs(request: Request) -> Response:
        async with CannedDatabase().connection() as connection:
            rows = await connection.fetch("SELECT ...", 51)
        body = b'{"items":[' + ",".join(row["document"] for row in rows[:50]).encode() + b'],"next_cursor":'
        return Response(body + orjson.dumps("cursor") + b"}", media_type="application/json")

    return Starlette(routes=[Route("/songs/{song_id}", get_song), Route("/songs", list_songs)])


async def time_requests(app: ASGIApp, path: str, requests: int) -> float:
    """Microseconds per request to ``path`` (after a warm-up), checking every answer is a 200."""
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"host", b"bench")], "client": ("127.0.0.1", 1), "server": ("bench", 80),
    }  # fmt: skip
    statuses: set[int] = set()

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            statuses.add(message["status"])

    for _ in range(min(requests, 500)):
        await app(dict(scope), receive, send)
    started = time.perf_counter()
    for _ in range(requests):
        await app(dict(scope), receive, send)
    elapsed = time.perf_counter() - started
    if statuses != {200}:
        raise RuntimeError(f"{path} answered {sorted(statuses)}")
    return elapsed / requests * 1e6


async def measure(requests: int) -> dict[str, dict[str, float]]:
    secret = "in-process-only"  # noqa: S105 - this app never serves a socket
    settings = Settings(
        database_url="postgresql://bench@localhost/none", environment="test", secret_key=secret
    )
    ours = create_app(settings)
    ours.state.database = CannedDatabase()
    floor = plain_starlette()
    return {
        path: {
            "ours": await time_requests(ours, path, requests),
            "starlette": await time_requests(floor, path, requests),
        }
        for path in ("/songs/1", "/songs")
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.framework", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20_000, help="requests per figure (default 20,000)")
    args = parser.parse_args()
    figures = uvloop.run(measure(args.requests))
    print(f"in process, database taken out, {args.requests:,} requests each (µs per request):")
    for path, by_app in figures.items():
        print(f"  GET {path:10s} ours {by_app['ours']:6.1f}   plain Starlette {by_app['starlette']:6.1f}")


if __name__ == "__main__":
    main()
