"""The raw baseline: Starlette, an asyncpg pool and orjson, hand-written SQL, no ORM.

It answers the benchmarked requests with the same JSON as our service (``GET /songs`` pages of
50 with the artist's name and genre names, ``GET /songs/{id}``, ``POST /songs`` with the artist
given by name and created if new, ``GET /songs?cursor=`` for deep pages) plus a plain
``tsquery`` search ranked by ``ts_rank`` (songs only). Validation is deliberately light: this
is the fastest reasonable way to serve these requests from Python, the floor to compare with.

    DATABASE_URL=postgresql://... uvicorn bench.raw_service:create_app --factory
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.core.text import match_key

PAGE_SIZE = 50
SONG_SELECT = """
SELECT s.id, s.name, a.name AS artist, s.artist_id, s.album_id, s.track_number, s.disc_number,
       s.duration_ms, s.year, s.isrc,
       coalesce((SELECT array_agg(g.name ORDER BY g.name) FROM song_genres sg
                 JOIN genres g ON g.id = sg.genre_id WHERE sg.song_id = s.id), '{}') AS genres,
       s.created_at, s.updated_at, s.version
FROM songs s JOIN artists a ON a.id = s.artist_id
"""
FIRST_PAGE = SONG_SELECT + " ORDER BY s.id LIMIT $1"
NEXT_PAGE = SONG_SELECT + " WHERE s.id > $1 ORDER BY s.id LIMIT $2"
ONE_SONG = SONG_SELECT + " WHERE s.id = $1"
SEARCH = """
SELECT 'song' AS kind, s.id, ts_rank(s.search_vector, query) AS score, s.name, a.name AS artist,
       al.title AS album, s.year, NULL::text AS country
FROM to_tsquery('simple', $1) AS query, songs s
JOIN artists a ON a.id = s.artist_id LEFT JOIN albums al ON al.id = s.album_id
WHERE s.search_vector @@ query
ORDER BY score DESC, s.id DESC LIMIT $2
"""
_WORDS = re.compile(r"\w+", re.UNICODE)
_ISRC = re.compile(r"^[A-Z]{2}[A-Z0-9]{3}[0-9]{7}$")
_INT_FIELDS = {
    "year": (1000, 2100), "duration_ms": (1, 86_400_000), "album_id": (1, 2**31 - 1),
    "track_number": (1, 10_000), "disc_number": (1, 1_000),
}  # fmt: skip


def json_response(content: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    body = orjson.dumps(content, option=orjson.OPT_UTC_Z)
    return Response(body, status_code=status_code, headers=headers, media_type="application/json")


def problem(status_code: int, detail: str) -> Response:
    return json_response({"status": status_code, "detail": detail}, status_code)


def encode_cursor(song_id: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": song_id})).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    payload = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    after = payload["after"]
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**31:
        raise ValueError("bad cursor")
    return after


def song_json(record: asyncpg.Record) -> dict[str, Any]:
    song = dict(record)
    song["genres"] = list(song["genres"])
    return song


def sort_name(name: str) -> str:
    for article in ("the ", "a ", "an "):
        if name.lower().startswith(article) and len(name) > len(article):
            return f"{name[len(article) :]}, {name[: len(article) - 1]}"
    return name


def pool(request: Request) -> asyncpg.Pool:
    result: asyncpg.Pool = request.app.state.pool
    return result


async def ping(request: Request) -> Response:
    return json_response({"ping": "pong!"})


async def list_songs(request: Request) -> Response:
    cursor = request.query_params.get("cursor")
    async with pool(request).acquire() as connection:
        if cursor:
            try:
                after = decode_cursor(cursor)
            except (ValueError, KeyError, TypeError, binascii.Error):
                return problem(400, "The cursor is not valid.")
            rows = await connection.fetch(NEXT_PAGE, after, PAGE_SIZE + 1)
        else:
            rows = await connection.fetch(FIRST_PAGE, PAGE_SIZE + 1)
    next_cursor = encode_cursor(rows[PAGE_SIZE - 1]["id"]) if len(rows) > PAGE_SIZE else None
    return json_response({"items": [song_json(row) for row in rows[:PAGE_SIZE]], "next_cursor": next_cursor})


async def get_song(request: Request) -> Response:
    try:
        song_id = int(request.path_params["song_id"])
    except ValueError:
        return problem(422, "The id must be an integer.")
    if not 1 <= song_id < 2**31:
        return problem(422, "The id is out of range.")
    async with pool(request).acquire() as connection:
        row = await connection.fetchrow(ONE_SONG, song_id)
    if row is None:
        return problem(404, f"Song {song_id} does not exist.")
    return json_response(song_json(row), headers={"ETag": f'"{row["version"]}"'})


def _name(data: dict[str, Any], field: str) -> str:
    value = data.get(field)
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= 200:
        raise ValueError(f"{field}: a name of 1 to 200 characters is required")
    return value.strip()


def validate_song(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError("the body must be a JSON object")
    values: dict[str, Any] = {"name": _name(data, "name"), "artist": _name(data, "artist")}
    for field, (low, high) in _INT_FIELDS.items():
        value = data.get(field)
        if isinstance(value, str) and value.isdigit():
            value = int(value)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high
        ):
            raise ValueError(f"{field}: an integer from {low} to {high} is required")
        values[field] = value
    isrc = data.get("isrc")
    if isrc is not None:
        isrc = str(isrc).replace("-", "").upper()
        if not _ISRC.match(isrc):
            raise ValueError("isrc: not a valid ISRC")
    values["isrc"] = isrc
    genres = data.get("genres") or []
    if not isinstance(genres, list) or not all(isinstance(name, str) and name.strip() for name in genres):
        raise ValueError("genres: a list of names is required")
    values["genres"] = [name.strip() for name in genres]
    if values["album_id"] is None and (values["track_number"] or values["disc_number"]):
        raise ValueError("track_number and disc_number need an album_id")
    if values["album_id"] is not None and values["track_number"] and values["disc_number"] is None:
        values["disc_number"] = 1
    return values


async def create_song(request: Request) -> Response:
    try:
        values = validate_song(orjson.loads(await request.body()))
    except (ValueError, orjson.JSONDecodeError) as exc:
        return problem(422, str(exc))
    name_key = match_key(values["artist"])
    async with pool(request).acquire() as connection, connection.transaction():
        await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", name_key)
        artist_id = await connection.fetchval(
            "SELECT id FROM artists WHERE name_key = $1 ORDER BY id LIMIT 1", name_key
        )
        if artist_id is None:
            artist_id = await connection.fetchval(
                "INSERT INTO artists (name, name_key, sort_name) VALUES ($1, $2, $3) RETURNING id",
                values["artist"], name_key, sort_name(values["artist"]),
            )  # fmt: skip
        try:
            song_id = await connection.fetchval(
                "INSERT INTO songs (name, name_key, artist_id, album_id, track_number, disc_number, "
                "duration_ms, year, isrc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                values["name"], match_key(values["name"]), artist_id, values["album_id"],
                values["track_number"], values["disc_number"], values["duration_ms"], values["year"],
                values["isrc"],
            )  # fmt: skip
        except (asyncpg.UniqueViolationError, asyncpg.ForeignKeyViolationError) as exc:
            return problem(409, str(exc))
        if values["genres"]:
            by_key = {match_key(genre): genre for genre in values["genres"]}
            await connection.execute(
                "INSERT INTO genres (name, name_key) SELECT * FROM unnest($1::text[], $2::text[]) "
                "ON CONFLICT (name_key) DO NOTHING",
                list(by_key.values()), list(by_key),
            )  # fmt: skip
            await connection.execute(
                "INSERT INTO song_genres (song_id, genre_id) "
                "SELECT $1, id FROM genres WHERE name_key = ANY($2)",
                song_id, list(by_key),
            )  # fmt: skip
        row = await connection.fetchrow(ONE_SONG, song_id)
    assert row is not None
    return json_response(
        song_json(row), 201, headers={"Location": f"/songs/{song_id}", "ETag": f'"{row["version"]}"'}
    )


def tsquery(text: str) -> str | None:
    """All words must match; the last one may be unfinished (a prefix), as when typing."""
    words = _WORDS.findall(match_key(text))
    if not words:
        return None
    lexemes = [f"'{word}'" for word in words]
    lexemes[-1] += ":*"
    return " & ".join(lexemes)


async def search(request: Request) -> Response:
    query = tsquery(request.query_params.get("q", ""))
    if query is None:
        return problem(422, "q: words to search for are required")
    async with pool(request).acquire() as connection:
        rows = await connection.fetch(SEARCH, query, PAGE_SIZE)
    return json_response({"items": [dict(row) for row in rows], "next_cursor": None})


def create_app() -> Starlette:
    url = os.environ["DATABASE_URL"].replace("postgresql+asyncpg://", "postgresql://", 1)
    size = int(os.environ.get("DB_POOL_SIZE", "10"))
    overflow = int(os.environ.get("DB_MAX_OVERFLOW", "10"))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.pool = await asyncpg.create_pool(
            url, min_size=size, max_size=size + overflow, server_settings={"application_name": "bench-raw"}
        )
        try:
            yield
        finally:
            await app.state.pool.close()

    routes = [
        Route("/ping", ping),
        Route("/songs", list_songs, methods=["GET"]),
        Route("/songs", create_song, methods=["POST"]),
        Route("/songs/{song_id}", get_song),
        Route("/search", search),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
