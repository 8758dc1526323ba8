"""The search query language end to end, through GET /search and GET /songs?q=.

A small catalog is inserted with SQL inside the test's rolled-back transaction; the database
triggers build the search vectors and the typo vocabulary, as they do for rows the API writes
(``name_key``/``title_key`` are set here as the app sets them, with ``match_key``).
"""

from __future__ import annotations

from typing import Any

import pytest
from httpx import AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.core.text import match_key
from app.search.query import MAX_TERMS
from tests.catalog_support import JSON, assert_problem, make_artist, make_song

ENDPOINTS = ("/search", "/songs")
Hit = tuple[str, str]  # (kind, name)


class Catalog:
    """Rows inserted with SQL, and their ids by name."""

    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection
        self.artists: dict[str, int] = {}
        self.albums: dict[str, int] = {}
        self.songs: dict[str, int] = {}

    async def _insert(self, table: str, **values: Any) -> int:
        columns = ", ".join(values)
        placeholders = ", ".join(f":{name}" for name in values)
        # Table and column names come from this module, values are bound parameters.
        statement = text(f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) RETURNING id")  # noqa: S608
        new_id: int = (await self.connection.execute(statement, values)).scalar_one()
        return new_id

    async def artist(self, name: str, country: str | None = None) -> int:
        self.artists[name] = await self._insert(
            "artists", name=name, name_key=match_key(name), sort_name=name, country=country
        )
        return self.artists[name]

    async def album(self, title: str, artist: str, year: int) -> int:
        self.albums[title] = await self._insert(
            "albums", title=title, title_key=match_key(title), artist_id=self.artists[artist], year=year
        )
        return self.albums[title]

    async def song(
        self, name: str, artist: str, *, album: str | None = None, year: int | None = None,
        isrc: str | None = None, genres: tuple[str, ...] = (),
    ) -> int:  # fmt: skip
        song_id = await self._insert(
            "songs", name=name, name_key=match_key(name), artist_id=self.artists[artist],
            album_id=self.albums[album] if album else None, year=year, isrc=isrc,
        )  # fmt: skip
        for genre in genres:
            await self.connection.execute(
                text(
                    "INSERT INTO genres (name, name_key) VALUES (:name, :key) "
                    "ON CONFLICT (name_key) DO NOTHING"
                ),
                {"name": genre, "key": match_key(genre)},
            )
            await self.connection.execute(
                text(
                    "INSERT INTO song_genres (song_id, genre_id) "
                    "SELECT :song, id FROM genres WHERE name_key = :key"
                ),
                {"song": song_id, "key": match_key(genre)},
            )
        self.songs[name] = song_id
        return song_id


@pytest.fixture
async def catalog(connection: AsyncConnection) -> Catalog:
    made = Catalog(connection)
    for name, country in [
        ("Mogwai", "GB"), ("Slint", "US"), ("Sigur Rós", "IS"), ("Björk", "IS"),
        ("Radiohead", "GB"), ("Ed Sheeran", "GB"), ("Quiet Pines", "US"),
    ]:  # fmt: skip
        await made.artist(name, country)
    await made.album("Young Team", "Mogwai", 1997)
    await made.album("As the Love Continues", "Mogwai", 2021)
    await made.album("Spiderland", "Slint", 1991)
    await made.album("Takk...", "Sigur Rós", 2005)
    await made.album("Debut", "Björk", 1993)
    await made.album("Kid A", "Radiohead", 2000)
    post_rock = ("post-rock",)
    await made.song("Midnight Fit", "Mogwai", album="As the Love Continues", year=2021, genres=post_rock)
    await made.song("Midnight Flit", "Mogwai", album="As the Love Continues", year=2021, genres=post_rock)
    await made.song("Dry Fantasy", "Mogwai", album="As the Love Continues", year=2021, genres=post_rock)
    await made.song("Mogwai Fear Satan", "Mogwai", album="Young Team", year=1997, genres=post_rock)
    await made.song("Midnight Fit (Live)", "Mogwai", year=2022, genres=post_rock)
    await made.song("Fit Midnight", "Slint", album="Spiderland", year=1991, isrc="USRC17607839",
                    genres=("post-rock", "math rock"))  # fmt: skip
    await made.song("Breadcrumb Trail", "Slint", album="Spiderland", year=1991, genres=post_rock)
    await made.song("Hoppípolla", "Sigur Rós", album="Takk...", year=2005, genres=post_rock)
    await made.song("Human Behaviour", "Björk", album="Debut", year=1993, genres=("art pop",))
    await made.song("Everything in Its Right Place", "Radiohead", album="Kid A", year=2000,
                    genres=("alternative rock",))  # fmt: skip
    await made.song("Creep", "Radiohead", year=1992, genres=("alternative rock",))
    await made.song("Shape of You", "Ed Sheeran", year=2017, genres=("pop",))
    await made.song("Perfect", "Ed Sheeran", year=2017, genres=("pop",))
    await made.song("Mogwai", "Quiet Pines", year=2009, genres=("indie pop",))  # titled like an artist
    await made.song("Kid A", "Quiet Pines", year=2010, genres=("indie pop",))  # titled like an album
    return made


async def search(client: AsyncClient, q: str, **params: Any) -> JSON:
    response = await client.get("/search", params={"q": q, "limit": 100, **params})
    assert response.status_code == 200, response.text
    body: JSON = response.json()
    return body


async def hits(client: AsyncClient, q: str, **params: Any) -> list[Hit]:
    return [(hit["kind"], hit["name"]) for hit in (await search(client, q, **params))["items"]]


async def song_names(client: AsyncClient, q: str, **params: Any) -> list[str]:
    """The names GET /search (songs only) finds, checked against what GET /songs?q= finds."""
    found = [name for kind, name in await hits(client, q, type="song", **params)]
    response = await client.get("/songs", params={"q": q, "limit": 100, **params})
    assert response.status_code == 200, response.text
    listed = [song["name"] for song in response.json()["items"]]
    # The same songs (ties in relevance may come in another order: /songs breaks them by id).
    assert sorted(listed) == sorted(found), "GET /songs?q= and GET /search?type=song disagree"
    return found


# --- the query language ----------------------------------------------------------------------


async def test_all_words_must_match_in_any_order(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await song_names(client, "fit midnight ")) == {
        "Midnight Fit", "Fit Midnight", "Midnight Fit (Live)",
    }  # fmt: skip
    # Words may match different fields: the title and the artist.
    assert await song_names(client, "midnight slint ") == ["Fit Midnight"]
    assert await song_names(client, "midnight banana ") == []


async def test_the_last_word_is_a_prefix_as_you_type(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await song_names(client, "midn")) == {
        "Midnight Fit", "Midnight Flit", "Midnight Fit (Live)", "Fit Midnight",
    }  # fmt: skip
    assert set(await song_names(client, "mogwai midn")) == {
        "Midnight Fit", "Midnight Flit", "Midnight Fit (Live)",
    }  # fmt: skip
    assert await song_names(client, "midnight fl") == ["Midnight Flit"]
    # A trailing space says the word is finished; only the last word may be unfinished.
    assert await song_names(client, "midn ", match="exact") == []
    assert await song_names(client, "midn mogwai", match="exact") == []
    # With typo tolerance a finished "midn" is a misspelling: found, but as a correction.
    body = await search(client, "midn ", type="song")
    assert body["corrections"] == {"midn": ["midnight"]}
    assert body["items"]
    assert all(hit["score"] < 100 for hit in body["items"])


async def test_an_exact_phrase_keeps_its_order(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await song_names(client, '"midnight fit"')) == {"Midnight Fit", "Midnight Fit (Live)"}
    assert await song_names(client, '"fit midnight"') == ["Fit Midnight"]
    assert await song_names(client, '"midn"') == []  # a phrase is never a prefix
    assert set(await song_names(client, 'mogwai "midnight fit"')) == {
        "Midnight Fit", "Midnight Fit (Live)",
    }  # fmt: skip


async def test_excluded_words_and_scopes(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await song_names(client, "midnight fit -live")) == {"Midnight Fit", "Fit Midnight"}
    assert await song_names(client, "midnight -artist:mogwai") == ["Fit Midnight"]
    assert await song_names(client, 'midnight -"midnight fit" -slint') == ["Midnight Flit"]
    assert set(await song_names(client, "-year:1990..2020 midnight")) == {
        "Midnight Fit", "Midnight Flit", "Midnight Fit (Live)",
    }  # fmt: skip
    # Only exclusions: everything else.
    assert set(await song_names(client, "-mogwai -year:..2009")) == {
        "Kid A", "Perfect", "Shape of You",
    }  # fmt: skip


async def test_or_and_parentheses(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await song_names(client, "hoppipolla OR creep")) == {"Hoppípolla", "Creep"}
    assert await song_names(client, "hoppipolla or creep") == []  # lower-case "or" is a word
    assert set(await song_names(client, "(fit OR flit) mogwai ")) == {
        "Midnight Fit", "Midnight Flit", "Midnight Fit (Live)",
    }  # fmt: skip
    assert await song_names(client, "midnight (slint OR pines) ") == ["Fit Midnight"]
    assert set(await song_names(client, "(creep OR perfect) (radiohead OR sheeran)")) == {
        "Creep", "Perfect",
    }  # fmt: skip
    assert set(await song_names(client, "year:2017 OR genre:art-pop")) == {
        "Shape of You", "Perfect", "Human Behaviour",
    }  # fmt: skip


async def test_artist_scope_does_not_match_titles(catalog: Catalog, client: AsyncClient) -> None:
    found = await hits(client, "artist:mogwai")
    assert found[0] == ("artist", "Mogwai")
    assert ("song", "Mogwai") not in found  # Quiet Pines' song merely titled "Mogwai"
    assert {name for kind, name in found if kind == "song"} == {
        "Midnight Fit", "Midnight Flit", "Dry Fantasy", "Mogwai Fear Satan", "Midnight Fit (Live)",
    }  # fmt: skip
    assert {name for kind, name in found if kind == "album"} == {"Young Team", "As the Love Continues"}
    assert await hits(client, 'artist:"sigur ros"', type="artist") == [("artist", "Sigur Rós")]


async def test_name_scope_is_the_title_only(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await song_names(client, "name:mogwai")) == {"Mogwai", "Mogwai Fear Satan"}
    # "Continues" is in the album's title, which is not a song's name.
    assert await song_names(client, "name:continues") == []
    assert await hits(client, "name:continues") == [("album", "As the Love Continues")]
    assert await hits(client, "name:slint") == [("artist", "Slint")]


async def test_album_scope_is_album_titles_only(catalog: Catalog, client: AsyncClient) -> None:
    found = await hits(client, 'album:"kid a"')
    assert found[0] == ("album", "Kid A")
    assert set(found) == {("album", "Kid A"), ("song", "Everything in Its Right Place")}
    assert ("song", "Kid A") not in found
    assert await hits(client, "album:mogwai") == []  # the artist's name is not an album title
    assert set(await song_names(client, "album:continues")) == {
        "Midnight Fit", "Midnight Flit", "Dry Fantasy",
    }  # fmt: skip


async def test_genre_scope(catalog: Catalog, client: AsyncClient) -> None:
    found = await hits(client, "genre:post-rock")
    assert {kind for kind, _name in found} == {"song"}  # artists and albums have no genre
    assert {name for _kind, name in found} == {
        "Midnight Fit", "Midnight Flit", "Dry Fantasy", "Mogwai Fear Satan", "Midnight Fit (Live)",
        "Fit Midnight", "Breadcrumb Trail", "Hoppípolla",
    }  # fmt: skip
    assert await song_names(client, 'genre:"math rock"') == ["Fit Midnight"]
    assert set(await song_names(client, "genre:POST-ROCK slint")) == {"Fit Midnight", "Breadcrumb Trail"}
    assert await song_names(client, "genre:grunge") == []


async def test_isrc_scope(catalog: Catalog, client: AsyncClient) -> None:
    for code in ("US-RC1-76-07839", "USRC17607839", "us-rc1-76-07839"):
        assert await hits(client, f"isrc:{code}") == [("song", "Fit Midnight")]
    assert await hits(client, "isrc:GB-AAA-00-00000") == []


async def test_year_scopes_and_ranges(catalog: Catalog, client: AsyncClient) -> None:
    assert set(await hits(client, "year:2021")) == {
        ("song", "Midnight Fit"), ("song", "Midnight Flit"), ("song", "Dry Fantasy"),
        ("album", "As the Love Continues"),
    }  # fmt: skip
    assert set(await hits(client, "year:1990..1999")) == {
        ("song", "Mogwai Fear Satan"), ("song", "Fit Midnight"), ("song", "Breadcrumb Trail"),
        ("song", "Human Behaviour"), ("song", "Creep"),
        ("album", "Young Team"), ("album", "Spiderland"), ("album", "Debut"),
    }  # fmt: skip
    assert set(await song_names(client, "year:..1992")) == {"Fit Midnight", "Breadcrumb Trail", "Creep"}
    assert set(await song_names(client, "year:2017..")) == {
        "Midnight Fit", "Midnight Flit", "Dry Fantasy", "Midnight Fit (Live)", "Shape of You", "Perfect",
    }  # fmt: skip
    assert await song_names(client, "midnight year:2022") == ["Midnight Fit (Live)"]


async def test_case_and_accents_do_not_matter(catalog: Catalog, client: AsyncClient) -> None:
    for query in ("Bjork", "björk", "BJÖRK", "bjork "):
        assert (await hits(client, query))[0] == ("artist", "Björk")
    for query in ("sigur ros", "SIGUR RÓS", "Sigur Ros "):
        assert (await hits(client, query))[0] == ("artist", "Sigur Rós")
    assert await song_names(client, "HOPPIPOLLA") == ["Hoppípolla"]
    assert await song_names(client, "hoppípolla") == ["Hoppípolla"]


async def test_a_renamed_artist_is_found_by_its_new_name(client: AsyncClient) -> None:
    artist = await make_artist(client, "Sigur Ros Tribute")
    await make_song(client, artist["id"], "Glósóli")
    response = await client.patch(f"/artists/{artist['id']}", json={"name": "Jónsi Band"})
    assert response.status_code == 200, response.text

    assert await song_names(client, "jonsi glosoli", match="exact") == ["Glósóli"]
    assert await song_names(client, "tribute", match="exact") == []


# --- typo tolerance and ranking --------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "word", "artist"),
    [("Mogwia", "mogwia", "Mogwai"), ("Ed Sheerun", "sheerun", "Ed Sheeran"),
     ("Radiohaed", "radiohaed", "Radiohead")],
)  # fmt: skip
async def test_typos_find_the_artist_first(
    catalog: Catalog, client: AsyncClient, query: str, word: str, artist: str
) -> None:
    body = await search(client, query)
    assert body["fuzzy"] is True
    assert body["items"][0]["kind"] == "artist"
    assert body["items"][0]["name"] == artist
    assert match_key(artist).split()[-1] in body["corrections"][word]
    assert all(hit["score"] < 100 for hit in body["items"])  # corrected matches rank as such

    exact = await search(client, query, match="exact")
    assert exact == {"items": [], "next_cursor": None, "fuzzy": False, "corrections": {}}
    response = await client.get("/songs", params={"q": query, "match": "exact"})
    assert response.json()["items"] == []


async def test_typos_also_find_songs_through_songs_q(catalog: Catalog, client: AsyncClient) -> None:
    found = await song_names(client, "hopipola")
    assert found == ["Hoppípolla"]


async def test_exact_and_prefix_matches_rank_above_fuzzy_ones(catalog: Catalog, client: AsyncClient) -> None:
    body = await search(client, "radiohaed OR slint")
    assert body["corrections"]["radiohaed"]
    found = [(hit["artist"] or hit["name"], hit["score"]) for hit in body["items"]]
    strict = [score for artist, score in found if artist == "Slint"]
    fuzzy = [score for artist, score in found if artist == "Radiohead"]
    assert strict
    assert fuzzy
    assert min(strict) >= 100 > max(fuzzy)
    assert [score for _artist, score in found] == sorted(strict + fuzzy, reverse=True)


async def test_an_exactly_named_artist_ranks_above_songs_named_like_it(
    catalog: Catalog, client: AsyncClient
) -> None:
    found = await hits(client, "mogwai")
    assert found[:3] == [("artist", "Mogwai"), ("song", "Mogwai"), ("song", "Mogwai Fear Satan")]
    assert (await hits(client, "kid a"))[:2] == [("album", "Kid A"), ("song", "Kid A")]


async def test_known_words_are_not_corrected(catalog: Catalog, client: AsyncClient) -> None:
    assert (await search(client, "mogwai"))["corrections"] == {}
    assert (await search(client, "midn"))["corrections"] == {}  # the start of a known word
    assert (await search(client, '"mogwia"'))["items"] == []  # phrases are taken literally


# --- result kinds ----------------------------------------------------------------------------


async def test_type_restricts_the_kinds(catalog: Catalog, client: AsyncClient) -> None:
    assert await hits(client, "mogwai", type="artist") == [("artist", "Mogwai")]
    assert {kind for kind, _ in await hits(client, "mogwai", type="album")} == {"album"}
    kinds = {kind for kind, _ in await hits(client, "mogwai", type="song, album")}
    assert kinds == {"song", "album"}
    assert {kind for kind, _ in await hits(client, "mogwai")} == {"song", "album", "artist"}


@pytest.mark.parametrize("kinds", ["banana", "song,banana", "songs", ""])
async def test_an_unknown_type_is_a_422(client: AsyncClient, kinds: str) -> None:
    problem = assert_problem(await client.get("/search", params={"q": "mogwai", "type": kinds}), 422)
    assert "type" in str(problem)


async def test_hits_carry_what_a_list_shows(catalog: Catalog, client: AsyncClient) -> None:
    body = await search(client, "mogwai fear satan")
    song = body["items"][0]
    assert song == {
        "kind": "song", "id": catalog.songs["Mogwai Fear Satan"], "score": song["score"],
        "name": "Mogwai Fear Satan", "artist": "Mogwai", "album": "Young Team", "year": 1997,
        "country": None,
    }  # fmt: skip
    artist = (await search(client, "sigur", type="artist"))["items"][0]
    assert (artist["name"], artist["country"], artist["artist"], artist["album"]) == (
        "Sigur Rós", "IS", None, None,
    )  # fmt: skip
    album = (await search(client, "spiderland", type="album"))["items"][0]
    assert (album["name"], album["artist"], album["year"]) == ("Spiderland", "Slint", 1991)


# --- pagination ------------------------------------------------------------------------------


@pytest.fixture
async def echoes(connection: AsyncConnection) -> Catalog:
    """Many results with tied scores, across kinds, for paging."""
    made = Catalog(connection)
    await made.artist("Echo Lake")
    await made.artist("The Echoes")
    await made.album("Echo Chamber", "Echo Lake", 2015)
    await made.song("Echo", "The Echoes", year=2001)
    for number in range(1, 16):
        await made.song(f"Echo {number}", "Echo Lake", album="Echo Chamber", year=2015)
    for number in range(1, 6):
        await made.song(f"Distant Echo {number}", "The Echoes", year=2000 + number)
    await made.song("Unrelated", "Echo Lake", year=2010)
    return made


async def _pages(client: AsyncClient, path: str, params: dict[str, Any]) -> list[list[JSON]]:
    pages: list[list[JSON]] = []
    cursor: str | None = None
    while True:
        response = await client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        pages.append(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 50


@pytest.mark.parametrize("query", ["echo", "echo ", "echo OR lake", "Echoo"])
async def test_search_pages_have_no_gaps_or_duplicates(
    echoes: Catalog, client: AsyncClient, query: str
) -> None:
    everything = (await search(client, query, limit=500))["items"]
    assert len(everything) >= 20
    pages = await _pages(client, "/search", {"q": query, "limit": 4})
    assert all(len(page) == 4 for page in pages[:-1])
    paged = [hit for page in pages for hit in page]
    assert [(hit["kind"], hit["id"]) for hit in paged] == [(hit["kind"], hit["id"]) for hit in everything]
    assert len({(hit["kind"], hit["id"]) for hit in paged}) == len(paged)
    again = await _pages(client, "/search", {"q": query, "limit": 4})
    assert again == pages  # stable order


@pytest.mark.parametrize("sort", [None, "name", "-year", "year,-name"])
async def test_songs_q_pages_have_no_gaps_or_duplicates(
    echoes: Catalog, client: AsyncClient, sort: str | None
) -> None:
    params: dict[str, Any] = {"q": "echo", **({"sort": sort} if sort else {})}
    everything = (await client.get("/songs", params={**params, "limit": 500})).json()["items"]
    assert len(everything) == 22  # "Unrelated" too: it is by Echo Lake
    pages = await _pages(client, "/songs", {**params, "limit": 5})
    paged = [song["id"] for page in pages for song in page]
    assert paged == [song["id"] for song in everything]
    assert len(set(paged)) == len(paged)


# --- GET /songs?q= with filters and sorting ----------------------------------------------------


async def test_songs_q_is_by_relevance_unless_sorted(catalog: Catalog, client: AsyncClient) -> None:
    async def listed(**params: Any) -> list[str]:
        response = await client.get("/songs", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return [song["name"] for song in response.json()["items"]]

    by_relevance = await listed(q="midnight fit")
    assert by_relevance[0] == "Midnight Fit"
    assert set(by_relevance) == {"Midnight Fit", "Fit Midnight", "Midnight Fit (Live)"}
    assert await listed(q="midnight fit", sort="name") == sorted(by_relevance, key=str.lower)
    assert await listed(q="midnight fit", sort="-year") == [
        "Midnight Fit (Live)",
        "Midnight Fit",
        "Fit Midnight",
    ]
    assert await listed(q="midnight fit", sort="year") == [
        "Fit Midnight",
        "Midnight Fit",
        "Midnight Fit (Live)",
    ]


async def test_songs_q_combines_with_filters(catalog: Catalog, client: AsyncClient) -> None:
    async def listed(**params: Any) -> set[str]:
        response = await client.get("/songs", params={"limit": 100, **params})
        assert response.status_code == 200, response.text
        return {song["name"] for song in response.json()["items"]}

    mogwai, slint = catalog.artists["Mogwai"], catalog.artists["Slint"]
    assert await listed(q="midnight", artist_id=mogwai) == {
        "Midnight Fit",
        "Midnight Flit",
        "Midnight Fit (Live)",
    }
    assert await listed(q="midnight", artist_id=slint) == {"Fit Midnight"}
    assert await listed(q="midnight", year_from=2022) == {"Midnight Fit (Live)"}
    assert await listed(q="midnight", year_to=2000) == {"Fit Midnight"}
    assert await listed(q="midnight", year_from=2021, year_to=2021) == {"Midnight Fit", "Midnight Flit"}
    assert await listed(q="midnight", artist="MOGWAI", genre="Post-Rock", year_to=2021) == {
        "Midnight Fit", "Midnight Flit",
    }  # fmt: skip
    assert await listed(q="midnight", album_id=catalog.albums["Spiderland"]) == {"Fit Midnight"}
    assert await listed(q="-midnight", artist_id=mogwai) == {"Dry Fantasy", "Mogwai Fear Satan"}
    assert await listed(q="fit", isrc="US-RC1-76-07839") == {"Fit Midnight"}
    assert await listed(q="creep", artist_id=mogwai) == set()


# --- malformed and hostile input ---------------------------------------------------------------


@pytest.mark.parametrize("path", ENDPOINTS)
@pytest.mark.parametrize(
    ("query", "column"),
    [
        ('mogwai "midnight', 8), ("(mogwai", 1), ("mogwai)", 7), ("colour:red", 1),
        ("mogwai OR", 8), ("OR mogwai", 1), ("artist: mogwai", 1), ("year:199", 6),
        ("year:2000..1990", 6), ("isrc:123", 6), ('""', 1), ("-", 2),
        ("()", 2), ("a OR OR b", 3), (" " * 5, 1),
    ],
)  # fmt: skip
async def test_malformed_queries_are_400_problems_pointing_at_the_column(
    client: AsyncClient, path: str, query: str, column: int
) -> None:
    problem = assert_problem(await client.get(path, params={"q": query}), 400)
    assert problem["parameter"] == "q"
    assert problem["column"] == column
    assert f"column {column}" in problem["detail"]


HOSTILE = {
    "tsquery syntax": [
        "&", "|", "!", "(", ")", ":", "*", "<", ">", "'", "\\", "\\\\", "''", "a & b", "a | b",
        "!a", "a:*", "a:* b", "a <-> b", "a <2> b", "'a'", "'mogwai'", "\\'", "mogwai'",
        "mogwai\\", "mo\\gwai", "a:A", "midnight:*A", "!!mogwai", "!(a)", "it's", "O'Brien",
    ],
    "sql": [
        "'; DROP TABLE songs; --", "1' OR '1'='1", "\" OR 1=1 --", "%", "_", "%_%", "mogwai%",
        "$$", "$1", ":name", ":1", "NOT mogwai", "AND", "mogwai AND slint", "a\x00b", "\x00",
    ],
    "long": ["x" * 450, "mogwai " + "y" * 300, "a" * 500, "z " * 32, "mogwia " * 32],
    "unicode": [
        "🎸🔥", "mogwai 🎸", "东京 音乐", "東京事変", "مرحبا بالعالم", "שלום עולם", "\u202emogwai",
        "\u200b", "a\u0301", "\uff2d\uff2f\uff27\uff37\uff21\uff29", "ﬁt", "ǅ", "ß", "\t\n",
        "mogwai\r\nslint",
    ],
    "operators alone": [
        "-", "--", "- -", "---mogwai", '""', '" "', '"\'"', "OR", "(", ")(", "((((((((mogwai))))))))",
        "-(-(-(mogwai)))", "-OR", '-"', "(-)",
    ],
    "fields": [
        "artist:'", "name:\\", "genre:&", "album:*", "artist:\"'\"", "year:''", "isrc:'",
        "year:-1", "year:99999", "year:0000..9999", "isrc:US-RC1-76-0783'", "genre:'; --",
    ],
}  # fmt: skip


@pytest.mark.parametrize("category", HOSTILE)
async def test_hostile_input_never_breaks_the_query(
    catalog: Catalog, client: AsyncClient, category: str
) -> None:
    for query in HOSTILE[category]:
        for path in ENDPOINTS:
            for match in ("fuzzy", "exact"):
                response = await client.get(path, params={"q": query, "match": match})
                assert response.status_code in (200, 400, 422), (query, response.text)
                if response.status_code == 200:
                    assert isinstance(response.json()["items"], list)
                    continue
                problem = assert_problem(response, 400, 422)
                assert "database" not in problem["type"]
                if response.status_code == 400:
                    assert problem["parameter"] == "q", query


async def test_hostile_input_changes_nothing(catalog: Catalog, client: AsyncClient) -> None:
    for query in ("'; DROP TABLE songs; --", "mogwai'); DELETE FROM songs; --", "1' OR '1'='1"):
        assert (await client.get("/search", params={"q": query})).status_code in (200, 400)
        assert (await client.get("/songs", params={"q": query})).status_code in (200, 400)
    assert len(await song_names(client, "genre:post-rock OR genre:pop OR year:..3000")) == 15
    assert (await hits(client, "'mogwai'"))[0] == ("artist", "Mogwai")  # quotes are not syntax
    assert (await hits(client, "mogwai*"))[0] == ("artist", "Mogwai")


async def test_names_full_of_tsquery_syntax_are_found_by_their_words(
    connection: AsyncConnection, client: AsyncClient
) -> None:
    """Stored names are split at punctuation like queries are (search_words), so URLs, paths
    and e-mail addresses in names are found by their words, and typo corrections drawn from
    the vocabulary never carry tsquery syntax."""
    made = Catalog(connection)
    names = {"example com it s ": "example.com/it's", "slash example org ": "back\\slash@example.org",
             "b c d ": "a:b/c'd|e&f!g"}  # fmt: skip
    for name in names.values():
        await made.artist(name)
    for query, name in names.items():
        assert (await hits(client, query, match="exact"))[0] == ("artist", name), query
    for query in ("exampel ", "slahs ", "exmaple.com/it's "):
        body = await search(client, query)
        terms = [term for corrections in body["corrections"].values() for term in corrections]
        assert all(term.isalnum() for term in terms), terms


async def test_too_many_terms(client: AsyncClient) -> None:
    words = [f"w{number}" for number in range(MAX_TERMS + 1)]
    assert (await client.get("/search", params={"q": " ".join(words[:MAX_TERMS])})).status_code == 200
    problem = assert_problem(await client.get("/search", params={"q": " ".join(words)}), 400)
    assert problem["parameter"] == "q"
    assert problem["column"] == len(" ".join(words[:MAX_TERMS])) + 2
    assert "too many terms" in problem["detail"]
    scoped = " ".join(f"artist:w{number}" for number in range(MAX_TERMS + 1))
    assert assert_problem(await client.get("/songs", params={"q": scoped}), 400)["parameter"] == "q"


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_query_length_limits(catalog: Catalog, client: AsyncClient, path: str) -> None:
    longest = ("mogwai " * 72)[:500]
    assert len(longest) == 500
    assert (await client.get(path, params={"q": longest})).status_code == 400  # too many terms
    one_word = "m" * 500
    response = await client.get(path, params={"q": one_word})
    assert response.status_code == 200, response.text
    assert response.json()["items"] == []
    problem = assert_problem(await client.get(path, params={"q": "m" * 501}), 422)
    assert "q" in str(problem)
    assert_problem(await client.get(path, params={"q": ""}), 422)


# --- readiness ---------------------------------------------------------------------------------


async def test_readiness_reports_typo_tolerance(client: AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200
    assert response.json()["checks"]["search"] == {"typo_tolerance": True}


# PostgreSQL's parser alone would keep "ac/dc", "-182" and "fishes/arpeggi" as single words;
# search_words() splits at punctuation as queries do.
@pytest.mark.parametrize(
    ("name", "query"),
    [("AC/DC", "ac/dc"), ("Blink-182", "blink-182"), ("Blink-182", "blink 182"),
     ("Weird Fishes/Arpeggi", "arpeggi")],
)  # fmt: skip
async def test_names_with_slashes_or_signed_numbers(
    connection: AsyncConnection, client: AsyncClient, name: str, query: str
) -> None:
    await Catalog(connection).artist(name)
    assert await hits(client, query, match="exact") == [("artist", name)]
