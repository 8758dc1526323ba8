"""Validation, the seed's artist-by-name contract, unique values and strict query parameters."""

from __future__ import annotations

import pytest
from httpx import AsyncClient

from tests.catalog_support import (
    JSON,
    assert_problem,
    catalog_state,
    error_fields,
    fetch,
    items,
    make_album,
    make_artist,
    make_song,
)

MISSING = 424242
ISRC = "US-RC1-76-07839"
COMPACT_ISRC = "USRC17607839"

# (method, path, body, the field the problem must name); "{artist}", "{album}" and "{song}"
# are an existing artist's, album's and song's ids.
INVALID_REQUESTS: list[tuple[str, str, JSON, str]] = [
    ("POST", "/artists", {"name": "X", "country": "XX"}, "body.country"),
    ("POST", "/artists", {"name": "X", "country": "ISL"}, "body.country"),
    ("POST", "/artists", {"name": "X", "country": "1S"}, "body.country"),
    ("POST", "/artists", {"name": "X", "mbid": "not-a-uuid"}, "body.mbid"),
    ("POST", "/artists", {"name": "X", "colour": "red"}, "body.colour"),
    ("POST", "/artists", {"name": "   "}, "body.name"),
    ("PATCH", "/artists/{artist}", {"country": "Iceland"}, "body.country"),
    ("PATCH", "/artists/{artist}", {"name": None}, "body.name"),
    ("PUT", "/artists/{artist}", {"name": "X", "mbid": "1234"}, "body.mbid"),
    ("POST", "/albums", {"title": "X", "artist_id": "{artist}", "barcode": "036000291453"}, "body.barcode"),
    ("POST", "/albums", {"title": "X", "artist_id": "{artist}", "barcode": "12345"}, "body.barcode"),
    ("POST", "/albums", {"title": "X", "artist_id": MISSING}, "body.artist_id"),
    ("POST", "/albums", {"title": "X", "artist_id": "{artist}", "label": "4AD"}, "body.label"),
    ("PATCH", "/albums/{album}", {"artist_id": MISSING}, "body.artist_id"),
    ("PATCH", "/albums/{album}", {"barcode": "5051083158622"}, "body.barcode"),
    ("PATCH", "/albums/{album}", {"title": None}, "body.title"),
    ("PUT", "/albums/{album}", {"title": "X", "artist_id": MISSING}, "body.artist_id"),
    ("POST", "/genres", {"name": "x", "parent": "rock"}, "body.parent"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "isrc": "US-RC1-76-0783"}, "body.isrc"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "isrc": "USRC1760783X"}, "body.isrc"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "colour": "red"}, "body.colour"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "artist_id": "{artist}"}, "body"),
    ("POST", "/songs", {"name": "S"}, "body"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "track_number": 1}, "body"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "disc_number": 1}, "body"),
    ("POST", "/songs", {"name": "S", "artist_id": MISSING}, "body.artist_id"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "album_id": MISSING}, "body.album_id"),
    ("POST", "/songs", {"name": "S", "artist": "New Artist", "genres": ["new genre", ""]}, "body.genres.1"),
    ("PUT", "/songs/{song}", {"name": "S", "artist_id": MISSING}, "body.artist_id"),
    ("PUT", "/songs/{song}", {"name": "S", "artist": "New Artist", "album_id": MISSING}, "body.album_id"),
    ("PUT", "/songs/{song}", {"name": "S"}, "body"),
    ("PATCH", "/songs/{song}", {"album_id": MISSING}, "body.album_id"),
    ("PATCH", "/songs/{song}", {"artist_id": MISSING}, "body.artist_id"),
    ("PATCH", "/songs/{song}", {"artist": "New Artist", "artist_id": "{artist}"}, "body"),
    ("PATCH", "/songs/{song}", {"track_number": 3}, "body.album_id"),
    ("PATCH", "/songs/{song}", {"isrc": "nope"}, "body.isrc"),
    ("PATCH", "/songs/{song}", {"colour": "red"}, "body.colour"),
    ("PATCH", "/songs/{song}", {"name": None}, "body.name"),
    ("PATCH", "/songs/{song}", {"artist_id": None}, "body.artist_id"),
    ("PATCH", "/songs/{song}", {"genres": None}, "body.genres"),
]


def _resolve(template: str, ids: dict[str, int]) -> str | int:
    for name, value in ids.items():
        if template == f"{{{name}}}":
            return value
    return template.format(**ids)


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    INVALID_REQUESTS,
    ids=[f"{method} {path} {field}" for method, path, _, field in INVALID_REQUESTS],
)
async def test_invalid_request_is_a_422_problem_naming_the_field_and_writes_nothing(
    client: AsyncClient, method: str, path: str, body: JSON, field: str
) -> None:
    artist = await make_artist(client, "Existing")
    album = await make_album(client, artist["id"], "Existing album")
    song = await make_song(client, artist["id"], "Existing song")
    ids = {"artist": artist["id"], "album": album["id"], "song": song["id"]}
    payload = {key: _resolve(value, ids) if isinstance(value, str) else value for key, value in body.items()}
    state = await catalog_state(client)

    response = await client.request(method, str(_resolve(path, ids)), json=payload)

    problem = assert_problem(response, 422)
    assert problem["type"] == "/problems/validation-error"
    assert field in error_fields(problem)
    assert field in problem["detail"]
    assert await catalog_state(client) == state


async def test_unknown_field_is_called_unknown(client: AsyncClient) -> None:
    problem = assert_problem(await client.post("/genres", json={"name": "x", "parent": "rock"}), 422)
    assert problem["errors"] == [
        {
            "field": "body.parent",
            "message": "Unknown field: not part of this resource's schema.",
            "type": "extra_forbidden",
        }
    ]


async def test_country_codes_are_normalised_to_upper_case(client: AsyncClient) -> None:
    artist = await make_artist(client, "Sigur Rós", country=" is ")
    assert artist["country"] == "IS"
    assert [found["id"] for found in await items(client, "/artists", country="is")] == [artist["id"]]


async def test_barcodes_accept_upc_and_ean(client: AsyncClient) -> None:
    artist = await make_artist(client)
    upc = await make_album(client, artist["id"], "UPC", barcode="036000291452")
    ean = await make_album(client, artist["id"], "EAN", barcode="5051083158626")
    assert (upc["barcode"], ean["barcode"]) == ("036000291452", "5051083158626")
    assert [album["id"] for album in await items(client, "/albums", barcode="5051083158626")] == [ean["id"]]


async def test_documented_examples_are_accepted(client: AsyncClient) -> None:
    schemas = (await fetch(client, "/openapi.json"))["components"]["schemas"]
    artist = await make_artist(client, "Anyone")
    for path, schema in [("/artists", "ArtistCreate"), ("/albums", "AlbumCreate"), ("/songs", "SongCreate")]:
        example = {**schemas[schema]["examples"][0]}
        if "artist_id" in example:
            example["artist_id"] = artist["id"]
        response = await client.post(path, json=example)
        assert response.status_code == 201, (schema, response.text)


# --- the seed's contract: artist by name ----------------------------------------------------------


async def test_seed_song_links_to_an_existing_artist_ignoring_case_and_accents(client: AsyncClient) -> None:
    bjork = await make_artist(client, "Björk")

    response = await client.post("/songs", json={"name": "Hyperballad", "artist": "bjork", "year": "2021"})

    assert response.status_code == 201, response.text
    song = response.json()
    assert (song["artist"], song["artist_id"], song["year"]) == ("Björk", bjork["id"], 2021)
    assert await items(client, "/artists") == [bjork]


async def test_seed_song_creates_its_artist_when_there_is_none(client: AsyncClient) -> None:
    response = await client.post("/songs", json={"name": "Midnight Fit", "artist": "Mogwai", "year": "2021"})

    assert response.status_code == 201
    song = response.json()
    artists = await items(client, "/artists")
    assert [(artist["id"], artist["name"]) for artist in artists] == [(song["artist_id"], "Mogwai")]
    assert song["artist"] == "Mogwai"
    again = await client.post("/songs", json={"name": "Ritchie Sacramento", "artist": "MOGWAI "})
    assert again.json()["artist_id"] == song["artist_id"]
    assert len(await items(client, "/artists")) == 1


async def test_songs_can_be_listed_by_artist_name_ignoring_accents(client: AsyncClient) -> None:
    song = (await client.post("/songs", json={"name": "Jóga", "artist": "Björk"})).json()
    await client.post("/songs", json={"name": "Other", "artist": "Someone else"})

    assert [found["id"] for found in await items(client, "/songs", artist="BJORK")] == [song["id"]]


# --- ISRC and unique values -----------------------------------------------------------------------


async def test_isrc_is_stored_compact_and_found_in_either_form(client: AsyncClient) -> None:
    artist = await make_artist(client, "Queen")
    song = await make_song(client, artist["id"], "Bohemian Rhapsody", isrc=ISRC)
    await make_song(client, artist["id"], "Other", isrc="GB-AAA-05-00002")
    assert song["isrc"] == COMPACT_ISRC
    assert (await fetch(client, f"/songs/{song['id']}"))["isrc"] == COMPACT_ISRC

    for form in (ISRC, COMPACT_ISRC, ISRC.lower()):
        assert await items(client, "/songs", isrc=form) == [song]
    assert await items(client, "/songs", isrc="GB-AAA-05-00009") == []


async def test_filtering_by_a_malformed_isrc_is_a_422(client: AsyncClient) -> None:
    problem = assert_problem(await client.get("/songs", params={"isrc": "nope"}), 422)
    assert "query.isrc" in error_fields(problem)


async def test_duplicate_isrc_is_a_409_problem_naming_the_constraint(client: AsyncClient) -> None:
    artist = await make_artist(client)
    await make_song(client, artist["id"], "First", isrc=ISRC)
    other = await make_song(client, artist["id"], "Second")
    state = await catalog_state(client)

    for response in (
        await client.post("/songs", json={"name": "Copy", "artist": "Somebody new", "isrc": COMPACT_ISRC}),
        await client.patch(f"/songs/{other['id']}", json={"isrc": ISRC}),
        await client.put(
            f"/songs/{other['id']}", json={"name": "Second", "artist_id": artist["id"], "isrc": ISRC}
        ),
    ):
        problem = assert_problem(response, 409)
        assert problem["type"] == "/problems/conflict"
        assert problem["constraint"] == "uq_songs_isrc"
    assert await catalog_state(client) == state


async def test_duplicate_album_barcode_is_a_409_problem(client: AsyncClient) -> None:
    artist = await make_artist(client)
    await make_album(client, artist["id"], "First", barcode="036000291452")
    other = await make_album(client, artist["id"], "Second")
    state = await catalog_state(client)

    created = await client.post(
        "/albums", json={"title": "Copy", "artist_id": artist["id"], "barcode": "036000291452"}
    )
    patched = await client.patch(f"/albums/{other['id']}", json={"barcode": "036000291452"})

    for response in (created, patched):
        assert assert_problem(response, 409)["constraint"] == "uq_albums_barcode"
    assert await catalog_state(client) == state


async def test_duplicate_genre_name_is_a_409_problem(client: AsyncClient) -> None:
    await client.post("/genres", json={"name": "Post-Rock"})
    state = await catalog_state(client)

    problem = assert_problem(await client.post("/genres", json={"name": " post-rock "}), 409)

    assert problem["constraint"] == "uq_genres_name_key"
    assert await catalog_state(client) == state


async def test_duplicate_album_position_is_a_409_problem(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"])
    await make_song(client, artist["id"], "One", album_id=album["id"], track_number=1)

    response = await client.post(
        "/songs",
        json={"name": "Also one", "artist_id": artist["id"], "album_id": album["id"], "track_number": 1},
    )

    assert assert_problem(response, 409)["constraint"] == "uq_songs_album_position"


async def test_duplicate_mbid_is_a_409_problem(client: AsyncClient) -> None:
    mbid = "f6f2326f-6b25-4170-b89d-e235b25508e8"
    await make_artist(client, "Sigur Rós", mbid=mbid)
    problem = assert_problem(await client.post("/artists", json={"name": "Copy", "mbid": mbid}), 409)
    assert problem["constraint"] == "uq_artists_mbid"


# --- strict query parameters --------------------------------------------------------------------

LIST_ENDPOINTS = [
    "/songs",
    "/artists",
    "/albums",
    "/genres",
    "/artists/{artist}/songs",
    "/artists/{artist}/albums",
    "/albums/{album}/songs",
]


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
async def test_unknown_query_parameter_is_rejected(client: AsyncClient, path: str) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"])

    response = await client.get(path.format(artist=artist["id"], album=album["id"]), params={"colour": "red"})

    problem = assert_problem(response, 400, 422)
    assert "colour" in problem["detail"]


@pytest.mark.parametrize("path", LIST_ENDPOINTS)
@pytest.mark.parametrize("sort", ["colour", "-colour", "id,colour", "id,id"])
async def test_unknown_sort_field_is_rejected(client: AsyncClient, path: str, sort: str) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"])

    response = await client.get(path.format(artist=artist["id"], album=album["id"]), params={"sort": sort})

    problem = assert_problem(response, 400, 422)
    assert problem.get("parameter") == "sort" or "query.sort" in error_fields(problem)


async def test_unknown_query_parameter_on_a_song_is_rejected(client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])

    problem = assert_problem(await client.get(f"/songs/{song['id']}", params={"colour": "red"}), 400, 422)

    assert "query.colour" in error_fields(problem)


@pytest.mark.parametrize("collection", ["artists", "albums", "genres"])
async def test_unknown_query_parameters_on_single_resources_are_rejected(
    client: AsyncClient, collection: str
) -> None:
    created = {
        "artists": lambda: client.post("/artists", json={"name": "Query Check"}),
        "genres": lambda: client.post("/genres", json={"name": "Query Check"}),
    }
    if collection == "albums":
        artist = (await client.post("/artists", json={"name": "Album Owner"})).json()
        response = await client.post("/albums", json={"title": "Query Check", "artist_id": artist["id"]})
    else:
        response = await created[collection]()
    location = response.headers["location"]

    assert (await client.get(location)).status_code == 200
    rejected = await client.get(location, params={"colour": "red"})
    assert rejected.status_code == 422
    assert rejected.headers["content-type"] == "application/problem+json"
    assert rejected.json()["errors"][0]["field"] == "query.colour"
