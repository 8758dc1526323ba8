"""No N+1: every list answers with a small, constant number of SQL statements."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.catalog_support import JSON, make_album, make_artist, make_genre, make_song
from tests.conftest import logged

BIG = 50
SMALL = 2
MAX_STATEMENTS = 3

LIST_REQUESTS = [
    ("/songs", {}),
    ("/songs", {"include": "artist,album,genres"}),
    ("/songs", {"include": "genres", "sort": "-year,name"}),
    ("/songs", {"genre": "rock", "artist": "first artist"}),
    ("/artists", {}),
    ("/albums", {}),
    ("/genres", {}),
    ("/artists/{artist}/songs", {}),
    ("/artists/{artist}/songs", {"include": "artist,album,genres"}),
    ("/artists/{artist}/albums", {}),
    ("/albums/{album}/songs", {}),
    ("/albums/{album}/songs", {"include": "artist,album,genres"}),
]


@pytest.fixture
async def big_catalog(client: AsyncClient) -> dict[str, int]:
    """At least 50 of everything: artists, genres, albums by one artist, songs on one album."""
    artist = await make_artist(client, "First artist")
    for number in range(1, BIG):
        await make_artist(client, f"Artist {number}")
    for number in range(BIG):
        await make_genre(client, f"Genre {number}")
    album = await make_album(client, artist["id"], "Album 0")
    for number in range(1, BIG):
        await make_album(client, artist["id"], f"Album {number}")
    for number in range(BIG):
        await make_song(
            client, artist["id"], f"Song {number}", album_id=album["id"], track_number=number + 1,
            year=2000 + number % 7, genres=["rock", f"Genre {number}"],
        )  # fmt: skip
    return {"artist": artist["id"], "album": album["id"]}


async def _statements_for_page(
    client: AsyncClient, sql_statements: list[str], path: str, params: JSON, limit: int
) -> list[str]:
    await logged(sql_statements)
    sql_statements.clear()
    response = await client.get(path, params={**params, "limit": limit})
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == limit
    return list(await logged(sql_statements))


async def test_list_statement_count_does_not_grow_with_the_page(
    client: AsyncClient, sql_statements: list[str], big_catalog: dict[str, int]
) -> None:
    counts: dict[str, tuple[int, int]] = {}
    for path, params in LIST_REQUESTS:
        url = path.format(**big_catalog)
        small = await _statements_for_page(client, sql_statements, url, params, SMALL)
        big = await _statements_for_page(client, sql_statements, url, params, BIG)
        counts[f"{url} {params}"] = (len(small), len(big))

    assert {request: (small, big) for request, (small, big) in counts.items() if small != big} == {}
    assert {request: big for request, (_, big) in counts.items() if big > MAX_STATEMENTS} == {}
    # Every list really reaches the database: a count of 0 would mean statements went unseen.
    assert {request: big for request, (_, big) in counts.items() if big < 1} == {}


async def test_get_song_with_everything_included_is_one_statement(
    client: AsyncClient, sql_statements: list[str], big_catalog: dict[str, int]
) -> None:
    songs = (await client.get("/songs", params={"limit": 1})).json()["items"]

    await logged(sql_statements)
    sql_statements.clear()
    response = await client.get(f"/songs/{songs[0]['id']}", params={"include": "artist,album,genres"})

    assert response.status_code == 200
    assert response.json()["included"]["album"]["id"] == big_catalog["album"]
    assert len(await logged(sql_statements)) == 1, sql_statements
