"""Keyset pagination at depth, through HTTP.

Thousands of rows are inserted with one SQL statement each, then every list is paged to the
end and checked against a Python sort of the same rows under the documented rules: NULLs last
in both directions, the id as the final tie-breaker, song names compared through ``lower()``
and artist and genre names through their folded ``name_key``.

The rows are chosen so the rules matter: many equal years, names that differ only in case,
NULL years and durations, and timestamps shared by several rows.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import orjson
import pytest
from httpx import URL, AsyncClient, Response
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.albums.service import SORTABLE as ALBUM_SORTABLE
from app.artists.service import SORTABLE as ARTIST_SORTABLE
from app.core.pagination import Ordering
from app.core.text import match_key
from app.genres.service import SORTABLE as GENRE_SORTABLE
from app.songs.service import SORTABLE as SONG_SORTABLE

SONG_COUNT = 12_000  # a multiple of the page size: the last page is full and has no next link
PAGE_SIZE = 500
ARTIST_NAMES = ("Björk", "The Beatles", "Mogwai", "Sigur Rós")
SONG_NAME_PREFIXES = ("Song ", "SONG ", "song ", "Tune ", "tune ")  # ASCII: lower() agrees
LINK_NEXT = re.compile(r'<(?P<url>[^>]+)>; rel="next"')

Row = Mapping[str, Any]


@dataclass(frozen=True)
class SongCatalog:
    artists: dict[str, int]  # name -> id
    albums: list[int]
    genres: dict[str, int]  # name -> id
    songs: list[Row]  # as stored, with the artist's name and the song's genre names

    def song(self, song_id: int) -> Row:
        return next(song for song in self.songs if song["id"] == song_id)


async def _scalars(connection: AsyncConnection, sql: str, **params: Any) -> list[Any]:
    return list((await connection.execute(text(sql), params)).scalars())


async def insert_songs(connection: AsyncConnection, count: int = SONG_COUNT) -> SongCatalog:
    """``count`` songs over four artists and three albums, in a handful of statements."""
    artists = {
        name: (
            await _scalars(
                connection,
                "INSERT INTO artists (name, name_key, sort_name) VALUES (:name, :key, :name) RETURNING id",
                name=name,
                key=match_key(name),
            )
        )[0]
        for name in ARTIST_NAMES
    }
    artist_ids = list(artists.values())
    albums = [
        (
            await _scalars(
                connection,
                "INSERT INTO albums (title, artist_id) VALUES (:title, :artist_id) RETURNING id",
                title=f"Album {number}",
                artist_id=artist_ids[number],
            )
        )[0]
        for number in range(3)
    ]
    genres = {
        name: (
            await _scalars(
                connection,
                "INSERT INTO genres (name, name_key) VALUES (:name, :key) RETURNING id",
                name=name,
                key=match_key(name),
            )
        )[0]
        for name in ("Post-Rock", "Ambient")
    }
    await connection.execute(
        text(
            """
            INSERT INTO songs (name, artist_id, album_id, year, duration_ms, isrc, created_at, updated_at)
            SELECT
                (CAST(:prefixes AS text[]))[g % cardinality(CAST(:prefixes AS text[])) + 1] || (g % 997),
                (CAST(:artist_ids AS integer[]))[g % 4 + 1],
                CASE WHEN g % 10 BETWEEN 1 AND 3 THEN (CAST(:album_ids AS integer[]))[g % 10] END,
                CASE WHEN g % 7 = 0 THEN NULL ELSE 1990 + g % 30 END,
                CASE WHEN g % 5 = 0 THEN NULL ELSE 120000 + (g % 40) * 1000 END,
                CASE WHEN g % 1000 = 0 THEN 'GBABC' || lpad(g::text, 7, '0') END,
                stamp,
                stamp
            FROM generate_series(1, :count) AS g,
                LATERAL (
                    SELECT timestamptz '2026-01-01 00:00:00+00'
                        + (g % 600) * interval '1 second' + (g % 7) * interval '1 microsecond' AS stamp
                ) AS stamps
            """
        ),
        {"prefixes": list(SONG_NAME_PREFIXES), "artist_ids": artist_ids, "album_ids": albums, "count": count},
    )
    for genre, every in (("Post-Rock", 3), ("Ambient", 4)):
        await connection.execute(
            text(
                "INSERT INTO song_genres (song_id, genre_id) SELECT id, :genre FROM songs "
                "WHERE artist_id = ANY(CAST(:artist_ids AS integer[])) AND id % :every = 0"
            ),
            {"genre": genres[genre], "artist_ids": artist_ids, "every": every},
        )
    rows = await connection.execute(
        text(
            """
            SELECT songs.id, songs.name, songs.artist_id, artists.name AS artist, songs.album_id,
                songs.year, songs.duration_ms, songs.isrc, songs.created_at,
                coalesce(
                    (SELECT array_agg(genres.name ORDER BY genres.name) FROM song_genres
                     JOIN genres ON genres.id = song_genres.genre_id WHERE song_id = songs.id),
                    '{}'
                ) AS genres
            FROM songs JOIN artists ON artists.id = songs.artist_id
            WHERE songs.artist_id = ANY(CAST(:artist_ids AS integer[]))
            """
        ),
        {"artist_ids": artist_ids},
    )
    songs: list[Row] = [dict(row) for row in rows.mappings()]
    assert len(songs) == count
    return SongCatalog(artists=artists, albums=albums, genres=genres, songs=songs)


# --- the documented order, in Python -------------------------------------------------------


def _sort_spec(spec: str | None, default: str = "id") -> list[tuple[str, bool]]:
    """``"-year,name"`` -> ``[("year", True), ("name", False)]``, ending with the id."""
    keys = [
        (part.strip().removeprefix("-"), part.strip().startswith("-"))
        for part in (spec or default).split(",")
    ]
    if all(name != "id" for name, _ in keys):
        keys.append(("id", False))
    return keys


def expected_order(
    rows: Sequence[Row], spec: str | None, key_of: Mapping[str, Callable[[Row], Any]]
) -> list[int]:
    """Ids of ``rows`` in the order of ``spec``: NULLs last either way, id breaking ties."""
    ordered = sorted(rows, key=lambda row: row["id"])
    for name, descending in reversed(_sort_spec(spec)):  # stable sorts, least significant first
        value_of = key_of.get(name, lambda row, name=name: row[name])

        def sort_key(
            row: Row, value_of: Callable[[Row], Any] = value_of, descending: bool = descending
        ) -> Any:
            value = value_of(row)
            if value is None:  # last: after the values whichever way they are sorted
                return (0,) if descending else (1,)
            return (1, value) if descending else (0, value)

        ordered.sort(key=sort_key, reverse=descending)
    return [row["id"] for row in ordered]


SONG_KEYS: dict[str, Callable[[Row], Any]] = {"name": lambda row: row["name"].lower()}
ARTIST_KEYS: dict[str, Callable[[Row], Any]] = {
    "name": lambda row: row["name_key"],
    "sort_name": lambda row: row["sort_name"].lower(),
}
GENRE_KEYS: dict[str, Callable[[Row], Any]] = {"name": lambda row: row["name_key"]}


# --- paging over HTTP -----------------------------------------------------------------------


def _next_url(response: Response) -> URL:
    match = LINK_NEXT.fullmatch(response.headers["link"])
    assert match is not None, response.headers["link"]
    return URL(match["url"])


async def page_through(
    client: AsyncClient,
    path: str,
    params: Mapping[str, Any],
    *,
    limit: int = PAGE_SIZE,
    compare_pages: int = 3,
) -> list[dict[str, Any]]:
    """Every item of a list, following the ``Link: <...>; rel="next"`` header to the end.

    Each non-final page must be full and carry the header, whose URL is this query with
    ``cursor`` set to the page's ``next_cursor``; for the first ``compare_pages`` pages the
    page at the link is also fetched with ``next_cursor`` as a parameter and must be the same.
    """
    query = {**params, "limit": limit}
    response = await client.get(path, params=query)
    items: list[dict[str, Any]] = []
    for page in range(10_000):
        assert response.status_code == 200, response.text
        body = response.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            assert "link" not in response.headers
            return items
        assert len(body["items"]) == limit
        link = _next_url(response)
        assert link.path == path
        assert dict(link.params) == {**{key: str(value) for key, value in query.items()}, "cursor": cursor}
        response = await client.get(link)
        if page < compare_pages:
            by_cursor = await client.get(path, params={**query, "cursor": cursor})
            assert by_cursor.status_code == response.status_code == 200
            assert by_cursor.json() == response.json()
            assert by_cursor.headers.get("link") == response.headers.get("link")
    raise AssertionError("the list never ended")


def _ids(items: Sequence[Mapping[str, Any]]) -> list[int]:
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids)), "an item was listed twice"
    return ids


def _assert_songs_match(items: Sequence[Mapping[str, Any]], catalog: SongCatalog) -> None:
    stored = {song["id"]: song for song in catalog.songs}
    for item in items:
        song = stored[item["id"]]
        fields = ("name", "artist", "artist_id", "album_id", "year", "duration_ms", "isrc")
        assert {field: item[field] for field in fields} == {field: song[field] for field in fields}
        assert item["genres"] == list(song["genres"])
        assert datetime.fromisoformat(item["created_at"]) == song["created_at"]


# --- songs ----------------------------------------------------------------------------------

SONG_SORTS = [None, "id", "-id", "name", "-name", "year", "-year", "-year,name", "duration_ms",
              "-duration_ms,year", "-created_at", "created_at,-name", "id,name"]  # fmt: skip


async def test_the_song_data_has_the_ties_and_nulls_the_sorts_need(connection: AsyncConnection) -> None:
    catalog = await insert_songs(connection)
    songs = catalog.songs

    assert len({song["name"].lower() for song in songs}) < len({song["name"] for song in songs}) < len(songs)
    assert len({song["year"] for song in songs}) < 40
    assert any(song["year"] is None for song in songs)
    assert any(song["duration_ms"] is None for song in songs)
    assert len({song["created_at"] for song in songs}) < len(songs)
    assert any(song["created_at"].microsecond == 0 for song in songs)
    assert all(
        len({song["artist_id"] for song in songs if song["album_id"] == album}) > 1
        for album in catalog.albums
    )


@pytest.mark.parametrize("sort", SONG_SORTS, ids=lambda sort: sort or "default")
async def test_songs_page_to_the_end_in_sort_order(
    client: AsyncClient, connection: AsyncConnection, sort: str | None
) -> None:
    catalog = await insert_songs(connection)
    params = {} if sort is None else {"sort": sort}

    items = await page_through(client, "/songs", params)

    listed = _ids(items)
    assert set(listed) == {song["id"] for song in catalog.songs}  # nothing skipped
    assert listed == expected_order(catalog.songs, sort, SONG_KEYS)
    _assert_songs_match(items, catalog)


async def test_a_cursor_at_the_last_row_gives_an_empty_last_page(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    catalog = await insert_songs(connection, count=1_000)
    last = expected_order(catalog.songs, "-year", SONG_KEYS)[-1]
    assert catalog.song(last)["year"] is None
    cursor = _encode({"sort": "-year,id", "after": [None, last]})

    response = await client.get("/songs", params={"sort": "-year", "cursor": cursor})

    assert response.status_code == 200
    assert response.json() == {"items": [], "next_cursor": None}
    assert "link" not in response.headers


async def test_a_cursor_among_the_nulls_continues_among_them(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    catalog = await insert_songs(connection, count=1_000)
    order = expected_order(catalog.songs, "year", SONG_KEYS)
    first_null = next(index for index, song_id in enumerate(order) if catalog.song(song_id)["year"] is None)
    cursor = _encode({"sort": "year,id", "after": [None, order[first_null]]})

    response = await client.get("/songs", params={"sort": "year", "cursor": cursor, "limit": 500})

    assert [item["id"] for item in response.json()["items"]] == order[first_null + 1 :]
    assert response.json()["next_cursor"] is None


def _song_filters(catalog: SongCatalog) -> list[tuple[dict[str, Any], Callable[[Row], bool]]]:
    bjork, beatles, mogwai, sigur_ros = (catalog.artists[name] for name in ARTIST_NAMES)
    some_isrc = next(song["isrc"] for song in catalog.songs if song["isrc"])
    dashed = f"{some_isrc[:2]}-{some_isrc[2:5]}-{some_isrc[5:7]}-{some_isrc[7:]}".lower()
    return [
        ({"artist_id": bjork, "sort": "-year,name"}, lambda song: song["artist_id"] == bjork),
        ({"artist": "  BJORK ", "sort": "name"}, lambda song: song["artist_id"] == bjork),
        ({"artist": "sigur ros", "sort": "-duration_ms"}, lambda song: song["artist_id"] == sigur_ros),
        ({"artist": "the beatles", "artist_id": mogwai}, lambda song: False),
        ({"artist": "Nobody At All"}, lambda song: False),
        (
            {"album_id": catalog.albums[1], "sort": "duration_ms"},
            lambda s: s["album_id"] == catalog.albums[1],
        ),
        (
            {"album_id": catalog.albums[0], "artist_id": beatles, "sort": "-name"},
            lambda song: song["album_id"] == catalog.albums[0] and song["artist_id"] == beatles,
        ),
        ({"genre": "POST-ROCK", "sort": "-name"}, lambda song: "Post-Rock" in song["genres"]),
        (
            {"genre": "ambient", "year_from": 2000, "year_to": 2004, "sort": "year"},
            lambda song: (
                "Ambient" in song["genres"] and song["year"] is not None and 2000 <= song["year"] <= 2004
            ),
        ),
        (
            {"year_from": 2015, "sort": "-year"},
            lambda song: song["year"] is not None and song["year"] >= 2015,
        ),
        (
            {"year_to": 1992, "sort": "-created_at"},
            lambda song: song["year"] is not None and song["year"] <= 1992,
        ),
        ({"year_from": 2001, "year_to": 2000}, lambda song: False),
        ({"isrc": some_isrc}, lambda song: song["isrc"] == some_isrc),
        ({"isrc": dashed, "sort": "name"}, lambda song: song["isrc"] == some_isrc),
    ]


async def test_filters_combine_with_sorting_and_paging(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    catalog = await insert_songs(connection, count=3_000)

    for params, wanted in _song_filters(catalog):
        matching = [song for song in catalog.songs if wanted(song)]
        items = await page_through(client, "/songs", params, limit=97)

        assert _ids(items) == expected_order(matching, params.get("sort"), SONG_KEYS), params
        _assert_songs_match(items, catalog)


async def test_an_artists_and_an_albums_songs_page_in_order(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    catalog = await insert_songs(connection, count=3_000)
    bjork = catalog.artists["Björk"]
    album = catalog.albums[2]

    by_artist = await page_through(
        client, f"/artists/{bjork}/songs", {"sort": "-year,name", "year_from": 1995}, limit=111
    )
    on_album = await page_through(client, f"/albums/{album}/songs", {"sort": "name"}, limit=50)

    wanted = [
        s for s in catalog.songs if s["artist_id"] == bjork and s["year"] is not None and s["year"] >= 1995
    ]
    assert _ids(by_artist) == expected_order(wanted, "-year,name", SONG_KEYS)
    assert _ids(on_album) == expected_order(
        [s for s in catalog.songs if s["album_id"] == album], "name", SONG_KEYS
    )


async def test_an_albums_track_order_pages_with_nulls_last(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    """The default order of an album's songs is ``disc_number,track_number``: both nullable."""
    catalog = await insert_songs(connection, count=600)
    album = catalog.albums[0]
    on_album = sorted(song["id"] for song in catalog.songs if song["album_id"] == album)
    # Two discs of tracks, and the rest without a position (NULLs: last, in id order).
    for position, song_id in enumerate(on_album[:40]):
        await connection.execute(
            text("UPDATE songs SET disc_number = :disc, track_number = :track WHERE id = :id"),
            {"disc": 2 - position % 2, "track": 40 - position, "id": song_id},
        )
    result = await connection.execute(text("SELECT * FROM songs WHERE album_id = :a"), {"a": album})
    rows: list[Row] = [dict(row) for row in result.mappings()]

    items = await page_through(client, f"/albums/{album}/songs", {}, limit=7)

    assert _ids(items) == expected_order(rows, "disc_number,track_number", {})
    assert [item["disc_number"] for item in items[:3]] == [1, 1, 1]
    assert items[-1]["disc_number"] is None


# --- errors ---------------------------------------------------------------------------------


def _encode(payload: object) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).decode().rstrip("=")


def _decode(cursor: str) -> dict[str, Any]:
    decoded: dict[str, Any] = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    return decoded


def _assert_problem(response: Response, status: int, parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if parameter is not None:
        assert body["parameter"] == parameter
    return body


async def test_a_garbage_or_tampered_cursor_is_a_400_about_the_cursor(
    client: AsyncClient, connection: AsyncConnection
) -> None:
    await insert_songs(connection, count=20)
    first = await client.get("/songs", params={"sort": "-year,name", "limit": 5})
    cursor = first.json()["next_cursor"]
    payload = _decode(cursor)
    assert payload["sort"] == "-year,name,id"
    year, name, song_id = payload["after"]

    tampered = [
        "not a cursor",
        "!!!",
        "é",
        cursor[:-3],
        cursor + "AAAA",
        _encode([year, name, song_id]),
        _encode("-year,name,id"),
        _encode({"sort": "-year,name,id"}),
        _encode({"sort": "-year,name,id", "after": [year, name]}),
        _encode({"sort": "-year,name,id", "after": [year, name, song_id, 1]}),
        _encode({"sort": "-year,name,id", "after": {"year": year}}),
        # Values of the wrong type or range must not reach the database.
        _encode({"sort": "-year,name,id", "after": ["1999", name, song_id]}),
        _encode({"sort": "-year,name,id", "after": [year, 42, song_id]}),
        _encode({"sort": "-year,name,id", "after": [year, name, "abc"]}),
        _encode({"sort": "-year,name,id", "after": [year, name, 1.5]}),
        _encode({"sort": "-year,name,id", "after": [year, name, True]}),
        _encode({"sort": "-year,name,id", "after": [year, name, None]}),
        _encode({"sort": "-year,name,id", "after": [year, None, song_id]}),
        _encode({"sort": "-year,name,id", "after": [year, name, 2**31]}),
        _encode({"sort": "-year,name,id", "after": [year, name, {"id": song_id}]}),
        _encode({"sort": "-year,name,id", "after": [[year], name, song_id]}),
    ]
    for bad in tampered:
        response = await client.get("/songs", params={"sort": "-year,name", "cursor": bad})
        body = _assert_problem(response, 400, parameter="cursor")
        assert "next_cursor" in body["detail"], bad

    # A rebuilt cursor with sound values is a cursor like any other.
    rebuilt = await client.get(
        "/songs", params={"sort": "-year,name", "limit": 5, "cursor": _encode(payload)}
    )
    second = await client.get("/songs", params={"sort": "-year,name", "limit": 5, "cursor": cursor})
    assert rebuilt.json() == second.json()


async def test_a_created_at_cursor_is_checked_too(client: AsyncClient, connection: AsyncConnection) -> None:
    await insert_songs(connection, count=20)
    for bad in ("yesterday", 12, None, "2026-13-01T00:00:00+00:00"):
        cursor = _encode({"sort": "-created_at,id", "after": [bad, 1]})
        response = await client.get("/songs", params={"sort": "-created_at", "cursor": cursor})
        _assert_problem(response, 400, parameter="cursor")


@pytest.mark.parametrize(
    ("made_for", "used_with"),
    [("name", "year"), ("name", None), (None, "-id"), ("-year,name", "year,name"), ("year", "year,name")],
)
async def test_a_cursor_only_works_with_its_own_sort(
    client: AsyncClient, connection: AsyncConnection, made_for: str | None, used_with: str | None
) -> None:
    await insert_songs(connection, count=20)
    made = await client.get("/songs", params={"limit": 3} | ({"sort": made_for} if made_for else {}))
    cursor = made.json()["next_cursor"]
    assert cursor is not None

    response = await client.get(
        "/songs", params={"cursor": cursor} | ({"sort": used_with} if used_with else {})
    )

    body = _assert_problem(response, 400, parameter="cursor")
    assert "same sort" in body["detail"]


@pytest.mark.parametrize(
    ("path", "sortable"),
    [
        ("/songs", SONG_SORTABLE),
        ("/artists", ARTIST_SORTABLE),
        ("/albums", ALBUM_SORTABLE),
        ("/genres", GENRE_SORTABLE),
    ],
)
@pytest.mark.parametrize("sort", ["popularity", "-artist", "year,colour", "name;drop", ""])
async def test_an_unknown_sort_field_is_a_400_listing_the_allowed_fields(
    client: AsyncClient, path: str, sortable: Mapping[str, object], sort: str
) -> None:
    if sort == "":
        sort = ","  # an empty field
    response = await client.get(path, params={"sort": sort})

    body = _assert_problem(response, 400, parameter="sort")
    for field in sortable:
        assert field in body["detail"]


async def test_a_field_twice_in_sort_is_a_400(client: AsyncClient) -> None:
    response = await client.get("/songs", params={"sort": "year,-year"})
    _assert_problem(response, 400, parameter="sort")


@pytest.mark.parametrize("path", ["/songs", "/artists", "/albums", "/genres"])
@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten", "1.5"])
async def test_a_limit_out_of_range_is_a_422(client: AsyncClient, path: str, limit: str) -> None:
    response = await client.get(path, params={"limit": limit})

    body = _assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == ["query.limit"]


@pytest.mark.parametrize("path", ["/songs", "/artists", "/albums", "/genres"])
@pytest.mark.parametrize("limit", ["1", "500"])
async def test_the_limits_themselves_are_allowed(client: AsyncClient, path: str, limit: str) -> None:
    assert (await client.get(path, params={"limit": limit})).status_code == 200


@pytest.mark.parametrize("path", ["/songs", "/artists", "/albums", "/genres"])
@pytest.mark.parametrize("parameter", ["colour", "offset", "page", "order_by"])
async def test_an_unknown_query_parameter_is_a_422(client: AsyncClient, path: str, parameter: str) -> None:
    response = await client.get(path, params={parameter: "1"})

    body = _assert_problem(response, 422)
    assert [error["field"] for error in body["errors"]] == [f"query.{parameter}"]


# --- artists, albums and genres -------------------------------------------------------------

RESOURCE_COUNT = 1_200


async def _insert_artists(connection: AsyncConnection) -> list[Row]:
    """Names that fold to the same key (case, accents, spaces) and shared timestamps."""
    spellings = ("Björk {n}", "bjork {n}", "BJORK  {n}", "Sigur Rós {n}", "The Beatles {n}", "mogwai {n}")
    rows: list[dict[str, Any]] = [
        {
            "name": spellings[number % len(spellings)].format(n=number % 150),
            "sort_name": ("Sort " if number % 2 else "sort ") + str(number % 300),
            "created_at": datetime.fromisoformat(f"2026-01-01T00:{number % 60:02d}:00+00:00"),
        }
        for number in range(RESOURCE_COUNT)
    ]
    for row in rows:
        row["name_key"] = match_key(row["name"])
    await connection.execute(
        text(
            "INSERT INTO artists (name, name_key, sort_name, created_at, updated_at) "
            "VALUES (:name, :name_key, :sort_name, :created_at, :created_at)"
        ),
        rows,
    )
    result = await connection.execute(text("SELECT id, name, name_key, sort_name, created_at FROM artists"))
    return [dict(row) for row in result.mappings()]


async def _insert_albums(connection: AsyncConnection, artist_id: int) -> list[Row]:
    await connection.execute(
        text(
            """
            INSERT INTO albums (title, artist_id, release_date, year, created_at, updated_at)
            SELECT
                (ARRAY['Blue ', 'Green ', 'Red '])[g % 3 + 1] || (g % 200),
                :artist_id,
                CASE WHEN g % 4 = 0 THEN NULL ELSE date '2000-01-01' + (g % 50) END,
                CASE WHEN g % 6 = 0 THEN NULL ELSE 1980 + g % 25 END,
                timestamptz '2026-01-01 00:00:00+00' + (g % 90) * interval '1 minute',
                now()
            FROM generate_series(1, :count) AS g
            """
        ),
        {"artist_id": artist_id, "count": RESOURCE_COUNT},
    )
    result = await connection.execute(text("SELECT id, title, release_date, year, created_at FROM albums"))
    return [dict(row) for row in result.mappings()]


async def _insert_genres(connection: AsyncConnection) -> list[Row]:
    rows = [
        {"name": name, "name_key": match_key(name)}
        for name in (
            f"{('Rock', 'rock', 'ROCK', 'Jazz')[number % 4]} {number}" for number in range(RESOURCE_COUNT)
        )
    ]
    await connection.execute(text("INSERT INTO genres (name, name_key) VALUES (:name, :name_key)"), rows)
    result = await connection.execute(text("SELECT id, name, name_key FROM genres"))
    return [dict(row) for row in result.mappings()]


@pytest.mark.parametrize(
    "sort", [None, "-id", "name", "-name", "sort_name", "-sort_name,name", "-created_at"]
)
async def test_artists_page_to_the_end_in_sort_order(
    client: AsyncClient, connection: AsyncConnection, sort: str | None
) -> None:
    artists = await _insert_artists(connection)

    items = await page_through(client, "/artists", {} if sort is None else {"sort": sort}, limit=100)

    assert _ids(items) == expected_order(artists, sort, ARTIST_KEYS)
    stored = {artist["id"]: artist for artist in artists}
    assert all(item["name"] == stored[item["id"]]["name"] for item in items)


@pytest.mark.parametrize(
    "sort",
    [None, "title", "-title", "year", "-year,title", "release_date", "-release_date", "-created_at,-year"],
)
async def test_albums_page_to_the_end_in_sort_order(
    client: AsyncClient, connection: AsyncConnection, sort: str | None
) -> None:
    artist_id = (
        await _scalars(
            connection, "INSERT INTO artists (name, name_key, sort_name) VALUES ('A', 'a', 'A') RETURNING id"
        )
    )[0]
    albums = await _insert_albums(connection, artist_id)

    items = await page_through(client, "/albums", {} if sort is None else {"sort": sort}, limit=100)

    assert _ids(items) == expected_order(albums, sort, {})
    stored = {album["id"]: album for album in albums}
    for item in items:
        album = stored[item["id"]]
        assert (item["title"], item["year"]) == (album["title"], album["year"])
        assert item["release_date"] == (album["release_date"] and album["release_date"].isoformat())


async def test_albums_filters_combine_with_paging(client: AsyncClient, connection: AsyncConnection) -> None:
    artist_id = (
        await _scalars(
            connection, "INSERT INTO artists (name, name_key, sort_name) VALUES ('A', 'a', 'A') RETURNING id"
        )
    )[0]
    albums = await _insert_albums(connection, artist_id)

    items = await page_through(
        client,
        "/albums",
        {"artist_id": artist_id, "year_from": 1990, "year_to": 1999, "sort": "-release_date"},
        limit=60,
    )

    wanted = [album for album in albums if album["year"] is not None and 1990 <= album["year"] <= 1999]
    assert _ids(items) == expected_order(wanted, "-release_date", {})
    assert wanted
    assert any(album["release_date"] is None for album in wanted)


@pytest.mark.parametrize("sort", [None, "-id", "name", "-name"])
async def test_genres_page_to_the_end_in_sort_order(
    client: AsyncClient, connection: AsyncConnection, sort: str | None
) -> None:
    genres = await _insert_genres(connection)

    items = await page_through(client, "/genres", {} if sort is None else {"sort": sort}, limit=100)

    assert _ids(items) == expected_order(genres, sort, GENRE_KEYS)
    assert {item["name"] for item in items} == {genre["name"] for genre in genres}


def test_a_release_date_cursor_round_trips() -> None:
    """Dates in cursors are ISO strings that parse back to the same date."""
    ordering = Ordering.parse("-release_date", ALBUM_SORTABLE)
    cursor = ordering.encode_cursor([date(2001, 2, 3), 7])
    assert ordering.decode_cursor(cursor) == [date(2001, 2, 3), 7]
