"""The data migration of the catalog revision, both ways, with songs in the table.

Revision ``edc44d9d5f54`` turns each song's ``artist`` string into a link to an ``artists`` row:
one artist per name ignoring case, accents and extra spaces, named by its most common spelling
and filed under a sort name without a leading article. Its downgrade writes the artist's name
back into every song. Both directions run here on a scratch database holding seed-era rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any

import pytest
from alembic import command
from httpx import ASGITransport, AsyncClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from app.core.text import match_key
from app.database_admin import create_database
from app.main import create_app
from app.migrate import alembic_config
from tests.conftest import settings_for_tests, sibling_database_url

SEED = "5a9efb75dc7d"  # songs(id, name, artist varchar, year)
CATALOG = "edc44d9d5f54"  # the revision under test; "head" may be later

# (name, artist as the seed API stored it, year)
SEED_SONGS: list[tuple[str, str, int | None]] = [
    ("Jóga", "Björk", 1997),
    ("Bachelorette", "Björk", 1997),
    ("Human Behaviour", "Björk", 1993),
    ("Hyperballad", "bjork", 1995),
    ("Army of Me", " BJÖRK ", None),
    ("Something", "The Beatles", 1969),
    ("Help!", "The Beatles", 1965),
    ("Yesterday", "the beatles", None),
    ("Can I Kick It?", "A Tribe Called Quest", 1990),
    ("Frozen Fear", "Theatre of Tragedy", None),  # "The" only as a whole word is an article
    ("Hoppípolla", "Sigur Rós", 2005),
    ("Glósóli", "Sigur Ros", 2005),
    ("Starálfur", "sigur  rós", 1999),
    ("Mogwai Fear Satan", "Mogwai", 1997),
    ("Auto Rock", "  Mogwai  ", None),
]
# The name each folded artist must get: its most common spelling (trimmed).
EXPECTED_NAMES = {
    "bjork": {"Björk"},
    "the beatles": {"The Beatles"},
    "a tribe called quest": {"A Tribe Called Quest"},
    "theatre of tragedy": {"Theatre of Tragedy"},
    "sigur ros": {"Sigur Rós", "Sigur Ros", "sigur  rós"},  # a tie: any of its spellings
    "mogwai": {"Mogwai"},
}
EXPECTED_SORT_NAMES = {
    "Björk": "Björk",
    "The Beatles": "Beatles, The",
    "A Tribe Called Quest": "Tribe Called Quest, A",
    "Theatre of Tragedy": "Theatre of Tragedy",
    "Mogwai": "Mogwai",
}
GENERATED_ARTISTS = 30  # and ten songs each, three of them in capitals


def _generated_songs() -> list[tuple[str, str, int | None]]:
    songs: list[tuple[str, str, int | None]] = []
    for number in range(10 * GENERATED_ARTISTS):
        artist, take = number % GENERATED_ARTISTS, number // GENERATED_ARTISTS
        spelling = f"ARTIST {artist}" if take % 3 == 2 else f"Artist {artist}"
        songs.append((f"Track {number}", spelling, None if number % 4 == 0 else 1960 + number % 60))
    return songs


for _number in range(GENERATED_ARTISTS):
    EXPECTED_NAMES[f"artist {_number}"] = {f"Artist {_number}"}


@pytest.fixture
async def scratch_url(database_url: str) -> str:
    url = sibling_database_url(database_url, "songs_migration_data_test")
    await create_database(url, drop_existing=True)
    return url


@pytest.fixture
async def scratch(scratch_url: str) -> AsyncIterator[AsyncEngine]:
    # NullPool: no connection stays open (and holds locks) while Alembic migrates.
    engine = create_async_engine(scratch_url, poolclass=NullPool)
    yield engine
    await engine.dispose()


async def _migrate(url: str, direction: str, revision: str) -> None:
    step = command.upgrade if direction == "up" else command.downgrade
    await asyncio.to_thread(step, alembic_config(url), revision)


async def _rows(engine: AsyncEngine, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        return [dict(row) for row in (await connection.execute(text(sql), params)).mappings()]


async def _columns(engine: AsyncEngine, table: str) -> set[str]:
    rows = await _rows(
        engine, "SELECT column_name FROM information_schema.columns WHERE table_name = :table", table=table
    )
    return {row["column_name"] for row in rows}


async def _insert_seed_songs(
    engine: AsyncEngine, songs: Sequence[tuple[str, str, int | None]]
) -> dict[int, tuple[str, str, int | None]]:
    inserted: dict[int, tuple[str, str, int | None]] = {}
    async with engine.begin() as connection:
        for song in songs:
            name, artist, year = song
            statement = text(
                "INSERT INTO songs (name, artist, year) VALUES (:name, :artist, :year) RETURNING id"
            )
            inserted[
                (
                    await connection.execute(statement, {"name": name, "artist": artist, "year": year})
                ).scalar_one()
            ] = song
    return inserted


async def _assert_catalog(
    engine: AsyncEngine, seed: Mapping[int, tuple[str, str, int | None]]
) -> dict[int, str]:
    """Checks the migrated catalog against the seed rows; returns each song's artist name."""
    artists = await _rows(engine, "SELECT * FROM artists ORDER BY id")
    keys = [artist["name_key"] for artist in artists]
    assert sorted(keys) == sorted(
        {match_key(artist) for _, artist, _ in seed.values()}
    )  # one per folded name
    for artist in artists:
        assert artist["name_key"] == match_key(artist["name"])
        assert artist["name"] in EXPECTED_NAMES[artist["name_key"]]
        assert artist["name"] == artist["name"].strip()
        assert artist["sort_name"] == EXPECTED_SORT_NAMES.get(artist["name"], artist["name"])
        assert (artist["country"], artist["mbid"], artist["version"]) == (None, None, 1)
        assert artist["created_at"] is not None
        assert artist["updated_at"] == artist["created_at"]

    songs = await _rows(
        engine,
        "SELECT songs.*, artists.name AS artist_name, artists.name_key FROM songs "
        "JOIN artists ON artists.id = songs.artist_id ORDER BY songs.id",
    )
    assert [song["id"] for song in songs] == sorted(seed)  # none lost, none unlinked
    for song in songs:
        name, spelling, year = seed[song["id"]]
        assert (song["name"], song["year"]) == (name, year)
        assert song["name_key"] == match_key(spelling), (name, spelling)
        assert song["version"] == 1
        assert song["created_at"] is not None
        assert song["updated_at"] == song["created_at"]
        absent = ("album_id", "track_number", "disc_number", "duration_ms", "isrc")
        assert all(song[column] is None for column in absent)
    assert "artist" not in await _columns(engine, "songs")
    return {song["id"]: song["artist_name"] for song in songs}


async def _assert_seed_shape(
    engine: AsyncEngine, seed: Mapping[int, tuple[str, str, int | None]], artist_of: Mapping[int, str]
) -> None:
    """After the downgrade: the seed table again, every song holding its artist's name."""
    assert await _columns(engine, "songs") == {"id", "name", "artist", "year"}
    tables = await _rows(engine, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    assert {table["tablename"] for table in tables} == {"songs", "alembic_version"}
    songs = await _rows(engine, "SELECT id, name, artist, year FROM songs ORDER BY id")
    assert [song["id"] for song in songs] == sorted(seed)
    for song in songs:
        name, _, year = seed[song["id"]]
        assert (song["name"], song["year"]) == (name, year)
        assert song["artist"] == artist_of[song["id"]]


async def test_the_catalog_migration_links_songs_to_artists_and_back(
    scratch_url: str, scratch: AsyncEngine
) -> None:
    await _migrate(scratch_url, "up", SEED)
    seed = await _insert_seed_songs(scratch, [*SEED_SONGS, *_generated_songs()])

    await _migrate(scratch_url, "up", CATALOG)

    artist_of = await _assert_catalog(scratch, seed)
    by_title = {seed[song_id][0]: artist for song_id, artist in artist_of.items()}
    assert by_title["Army of Me"] == by_title["Hyperballad"] == by_title["Jóga"] == "Björk"
    assert by_title["Yesterday"] == "The Beatles"
    assert by_title["Auto Rock"] == "Mogwai"
    assert by_title["Glósóli"] == by_title["Hoppípolla"] == by_title["Starálfur"]
    assert {by_title[f"Track {n}"] for n in range(0, 300, GENERATED_ARTISTS)} == {"Artist 0"}

    await _migrate(scratch_url, "down", SEED)

    await _assert_seed_shape(scratch, seed, artist_of)

    # Up again: the names written back give the same artists (now spelled one way each).
    await _migrate(scratch_url, "up", CATALOG)
    assert await _assert_catalog(scratch, seed) == artist_of


async def test_the_migrated_catalog_serves_the_api_and_downgrades_with_new_songs(
    scratch_url: str, scratch: AsyncEngine
) -> None:
    await _migrate(scratch_url, "up", SEED)
    seed = await _insert_seed_songs(scratch, SEED_SONGS)
    await _migrate(scratch_url, "up", "head")
    await _assert_catalog(scratch, seed)

    app = create_app(settings_for_tests(scratch_url))
    transport = ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        listed = await client.get("/songs", params={"artist": "BJORK", "sort": "year", "limit": 500})
        artists = await client.get("/artists", params={"sort": "sort_name", "limit": 500})
        created = await client.post("/songs", json={"name": "Isobel", "artist": "björk", "year": 1995})
        beatles = await client.get("/songs", params={"artist": "the BEATLES", "sort": "-year"})

    assert listed.status_code == 200
    bjork = listed.json()["items"]
    assert [song["name"] for song in bjork] == [
        "Human Behaviour",
        "Hyperballad",
        "Jóga",
        "Bachelorette",
        "Army of Me",
    ]
    assert {song["artist"] for song in bjork} == {"Björk"}
    assert len({song["artist_id"] for song in bjork}) == 1
    assert all(song["version"] == 1 and song["genres"] == [] for song in bjork)

    assert artists.status_code == 200
    sort_names = [artist["sort_name"] for artist in artists.json()["items"]]
    assert sort_names == sorted(sort_names, key=str.lower)
    assert "Beatles, The" in sort_names

    assert created.status_code == 201, created.text
    new_song = created.json()
    assert new_song["artist"] == "Björk"
    assert new_song["artist_id"] == bjork[0]["artist_id"]  # linked, not a second Björk
    assert new_song["id"] > max(seed)  # the id sequence survived the migration
    assert [song["name"] for song in beatles.json()["items"]] == ["Something", "Help!", "Yesterday"]

    await _migrate(scratch_url, "down", SEED)

    songs = await _rows(scratch, "SELECT id, name, artist, year FROM songs ORDER BY id")
    assert [song["id"] for song in songs] == [*sorted(seed), new_song["id"]]
    assert songs[-1] == {"id": new_song["id"], "name": "Isobel", "artist": "Björk", "year": 1995}
    for song in songs[:-1]:
        name, artist, year = seed[song["id"]]
        assert (song["name"], song["year"]) == (name, year)
        assert match_key(song["artist"]) == match_key(artist)

    await _migrate(scratch_url, "up", "head")

    async with scratch.connect() as connection:
        count = (
            await connection.execute(text("SELECT count(*) FROM artists WHERE name_key = 'bjork'"))
        ).scalar_one()
        linked = (
            await connection.execute(
                text(
                    "SELECT count(*) FROM songs JOIN artists ON artists.id = artist_id "
                    "WHERE artists.name = 'Björk'"
                )
            )
        ).scalar_one()
    assert count == 1
    assert linked == 6
