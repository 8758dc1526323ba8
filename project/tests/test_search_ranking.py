"""Search ranking on a catalog of a few hundred real-looking artists, albums and songs.

The catalog (``fixtures/search_catalog.json``) mixes well-known names with decoys: "Alistair
Toto" and "Toto's Song" next to Toto, "Radio Head Rush" next to Radiohead, songs titled with
artists' names, "Björk" next to "Bjorn Again", several "Midnight ..." titles. Each case states
what a person typing the query expects to see first. The catalog is bulk-loaded with SQL inside
the test's rolled-back transaction (database triggers build the search vectors).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.text import match_key

CATALOG_PATH = Path(__file__).parent / "fixtures" / "search_catalog.json"


@cache
def catalog() -> dict[str, list[dict[str, Any]]]:
    loaded: dict[str, list[dict[str, Any]]] = json.loads(CATALOG_PATH.read_text(encoding="utf-8"))
    return loaded


async def load_catalog(connection: AsyncConnection) -> None:
    data = catalog()
    artists = data["artists"]
    rows = await connection.execute(
        text(
            "INSERT INTO artists (name, name_key, sort_name, country) "
            "SELECT name, key, name, country FROM unnest(CAST(:names AS text[]), "
            "CAST(:keys AS text[]), CAST(:countries AS text[])) AS a(name, key, country) "
            "RETURNING id, name"
        ),
        {
            "names": [a["name"] for a in artists],
            "keys": [match_key(a["name"]) for a in artists],
            "countries": [a["country"] for a in artists],
        },
    )
    artist_ids = {name: id_ for id_, name in rows}
    albums = data["albums"]
    rows = await connection.execute(
        text(
            "INSERT INTO albums (title, title_key, artist_id, year) "
            "SELECT * FROM unnest(CAST(:titles AS text[]), CAST(:keys AS text[]), "
            "CAST(:artists AS integer[]), CAST(:years AS integer[])) "
            "RETURNING id, title, artist_id"
        ),
        {
            "titles": [a["title"] for a in albums],
            "keys": [match_key(a["title"]) for a in albums],
            "artists": [artist_ids[a["artist"]] for a in albums],
            "years": [a["year"] for a in albums],
        },
    )
    album_ids = {(title, artist_id): id_ for id_, title, artist_id in rows}
    songs = data["songs"]
    rows = await connection.execute(
        text(
            "INSERT INTO songs (name, name_key, artist_id, album_id, year, isrc) "
            "SELECT * FROM unnest(CAST(:names AS text[]), CAST(:keys AS text[]), "
            "CAST(:artists AS integer[]), CAST(:albums AS integer[]), CAST(:years AS integer[]), "
            "CAST(:isrcs AS text[])) RETURNING id, isrc"
        ),
        {
            "names": [s["name"] for s in songs],
            "keys": [match_key(s["name"]) for s in songs],
            "artists": [artist_ids[s["artist"]] for s in songs],
            "albums": [
                album_ids[(s["album"], artist_ids[s["artist"]])] if s["album"] else None for s in songs
            ],
            "years": [s["year"] for s in songs],
            "isrcs": [s["isrc"] for s in songs],
        },
    )
    song_ids = {isrc: id_ for id_, isrc in rows}
    genre_names = sorted({g for s in songs for g in s["genres"]})
    rows = await connection.execute(
        text(
            "INSERT INTO genres (name, name_key) SELECT * FROM unnest(CAST(:names AS text[]), "
            "CAST(:keys AS text[])) RETURNING id, name"
        ),
        {"names": genre_names, "keys": [match_key(g) for g in genre_names]},
    )
    genre_ids = {name: id_ for id_, name in rows}
    pairs = [(song_ids[s["isrc"]], genre_ids[g]) for s in songs for g in s["genres"]]
    await connection.execute(
        text(
            "INSERT INTO song_genres (song_id, genre_id) SELECT * FROM unnest("
            "CAST(:songs AS integer[]), CAST(:genres AS integer[]))"
        ),
        {"songs": [p[0] for p in pairs], "genres": [p[1] for p in pairs]},
    )


Hit = tuple[str, str]  # (kind, name)


class Case:
    """A query and what must come first.

    ``top`` are the first results in order; with ``unordered`` they may come in any order (ties
    a person would not care about). ``absent`` must not be among the results at all.
    """

    def __init__(
        self,
        query: str,
        top: list[Hit],
        *,
        unordered: bool = False,
        absent: tuple[Hit, ...] = (),
        type: str | None = None,
        fuzzy: bool = False,
    ) -> None:
        self.query = query
        self.top = top
        self.unordered = unordered
        self.absent = absent
        self.type = type
        self.fuzzy = fuzzy  # the query has a typo: corrections are expected, scores below 100

    def __repr__(self) -> str:
        return self.query


CASES = [
    # An artist called exactly what was typed comes first, before anything merely by them.
    Case("toto", [("artist", "Toto"), ("album", "Toto")]),
    Case("toto ", [("artist", "Toto"), ("album", "Toto")], absent=(("artist", "Totorro"),)),
    Case("ed sheeran", [("artist", "Ed Sheeran")]),
    Case("radiohead", [("artist", "Radiohead"), ("song", "Radiohead")]),
    Case("mogwai", [("artist", "Mogwai"), ("song", "Mogwai"), ("song", "Mogwai Fear Satan")]),
    Case("swift", [("artist", "Taylor Swift")]),
    Case("the midnight", [("artist", "The Midnight")]),
    # Case and accents do not matter, in either direction.
    Case("bjork", [("artist", "Björk"), ("song", "Björk")], absent=(("artist", "Bjorn Again"),)),
    Case("BJÖRK", [("artist", "Björk"), ("song", "Björk")]),
    Case("bjorn", [("artist", "Bjorn Again"), ("artist", "Björn Ulvaeus")], unordered=True,
         absent=(("artist", "Björk"),)),
    Case("sigur ros", [("artist", "Sigur Rós"), ("song", "Sigur Rós")]),
    Case("royksopp", [("artist", "Röyksopp")]),
    Case("motorhead", [("artist", "Motörhead")]),
    Case("edith piaf", [("artist", "Édith Piaf")]),
    Case("rosalia malamente", [("song", "Malamente")]),
    Case("宇多田", [("artist", "宇多田ヒカル")]),
    # Typos: the intended artist first, through a correction.
    Case("Ed Sheerun", [("artist", "Ed Sheeran")], fuzzy=True),
    Case("Radiohaed", [("artist", "Radiohead")], fuzzy=True),
    Case("Mogwia", [("artist", "Mogwai")], fuzzy=True),
    Case("blurr", [("artist", "Blur")], fuzzy=True),
    Case("hopipolla", [("song", "Hoppípolla")], fuzzy=True),
    # Titles: the exact title, then titles starting with it, then the rest.
    Case("kid a", [("album", "Kid A"), ("song", "Kid A"), ("song", "Kid A Kid B")]),
    Case("ok computer", [("album", "OK Computer")]),
    Case("africa", [("song", "Africa"), ("song", "Africa Revisited")]),
    Case("karma", [("song", "Karma"), ("song", "Karma Police")]),
    Case("creep", [("song", "Creep"), ("song", "Inertia Creeps")]),
    Case("don't", [("song", "Don't")]),
    Case("toto's song", [("song", "Toto's Song")]),
    Case("dr. feelgood", [("album", "Dr. Feelgood"), ("song", "Dr. Feelgood")]),
    Case("smells like", [("song", "Smells Like Teen Spirit")]),
    Case("daft punk get lucky", [("song", "Get Lucky")]),
    Case("live forever", [("song", "Live Forever"), ("song", "Live Forever")]),
    # As you type: names starting with the unfinished word first.
    Case("midn", [("song", "Midnight Fit"), ("song", "Midnight Fitness"), ("song", "Midnight Flit"),
                  ("song", "Midnight Rain")], unordered=True, type="song"),
    Case("midnight fit", [("song", "Midnight Fit"), ("artist", "Midnight Fit Club")]),
    Case("midnight fi", [("artist", "Midnight Fit Club"), ("song", "Midnight Fitness"),
                         ("song", "Midnight Fit")], unordered=True),
    # Scopes, phrases, exclusions and OR.
    Case("artist:mogwai", [("artist", "Mogwai")], absent=(("song", "Mogwai"),)),
    Case("album:toto", [("album", "Toto")], absent=(("artist", "Toto"), ("song", "Toto's Song"))),
    Case("name:toto", [("artist", "Toto"), ("album", "Toto")], absent=(("song", "Africa"),)),
    Case('"fear satan"', [("album", "Fear Satan Live"), ("song", "Mogwai Fear Satan")]),
    Case("toto -africa", [("artist", "Toto")], absent=(("song", "Africa"),)),
    Case("mogwai OR slint", [("artist", "Mogwai"), ("artist", "Slint")], unordered=True),
    Case("genre:grunge year:1991", [("song", name) for name in
         ("Smells Like Teen Spirit", "In Bloom", "Come as You Are", "Lithium", "Polly",
          "Once", "Even Flow", "Alive", "Jeremy", "Black")], unordered=True),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=repr)
async def test_ranking(case: Case, connection: AsyncConnection, client: AsyncClient) -> None:
    await load_catalog(connection)
    params: dict[str, str | int] = {"q": case.query, "limit": 50}
    if case.type:
        params["type"] = case.type
    response = await client.get("/search", params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    found: list[Hit] = [(hit["kind"], hit["name"]) for hit in body["items"]]
    top = found[: len(case.top)]
    if case.unordered:
        assert sorted(top) == sorted(case.top), found
    else:
        assert top == case.top, found
    for unwanted in case.absent:
        assert unwanted not in found
    scores = [hit["score"] for hit in body["items"]]
    assert scores == sorted(scores, reverse=True)
    assert bool(body["corrections"]) is case.fuzzy
    assert (scores[0] < 100) is case.fuzzy  # a corrected match never scores like an exact one


async def test_the_catalog_loads_completely(connection: AsyncConnection) -> None:
    await load_catalog(connection)
    data = catalog()
    counts = await connection.execute(
        text(
            "SELECT (SELECT count(*) FROM artists WHERE search_vector IS NOT NULL),"
            " (SELECT count(*) FROM albums WHERE search_vector IS NOT NULL),"
            " (SELECT count(*) FROM songs WHERE search_vector IS NOT NULL)"
        )
    )
    assert tuple(counts.one()) == (len(data["artists"]), len(data["albums"]), len(data["songs"]))
    assert len(data["songs"]) >= 300
