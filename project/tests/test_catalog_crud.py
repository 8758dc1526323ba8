"""CRUD over HTTP for artists, albums, genres and songs; nested lists; guarded deletes; includes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from httpx import AsyncClient

from tests.catalog_support import (
    JSON,
    assert_problem,
    catalog_state,
    create,
    error_fields,
    fetch,
    items,
    make_album,
    make_artist,
    make_genre,
    make_song,
)

MBID = "f6f2326f-6b25-4170-b89d-e235b25508e8"
ARTIST = "<artist_id>"
ALBUM = "<album_id>"


@dataclass(frozen=True)
class CrudCase:
    """One resource's lifecycle: what is sent at each step and what must come back."""

    path: str
    create: JSON
    created: JSON
    replace: JSON
    replaced: JSON  # every field PUT did not send is back to its default
    patch: JSON
    patched: JSON  # the patched fields; every other field must be as it was
    needs: tuple[str, ...] = field(default=())


CASES = [
    CrudCase(
        path="/artists",
        create={"name": "The Sugarcubes", "country": "is", "mbid": MBID},
        created={"name": "The Sugarcubes", "sort_name": "Sugarcubes, The", "country": "IS", "mbid": MBID},
        replace={"name": "Sigur Rós"},
        replaced={"name": "Sigur Rós", "sort_name": "Sigur Rós", "country": None, "mbid": None},
        patch={"country": "IS"},
        patched={"country": "IS"},
    ),
    CrudCase(
        path="/albums",
        create={
            "title": "Takk...", "artist_id": ARTIST, "release_date": "2005-09-12", "barcode": "036000291452",
        },
        created={"title": "Takk...", "release_date": "2005-09-12", "year": 2005, "barcode": "036000291452"},
        replace={"title": "Ágætis byrjun", "artist_id": ARTIST, "year": 1999},
        replaced={"title": "Ágætis byrjun", "release_date": None, "year": 1999, "barcode": None},
        patch={"barcode": "5051083158626"},
        patched={"barcode": "5051083158626"},
        needs=("artist",),
    ),
    CrudCase(
        path="/genres",
        create={"name": "Post-rock"},
        created={"name": "Post-rock"},
        replace={"name": "Ambient"},
        replaced={"name": "Ambient"},
        patch={"name": "Dream pop"},
        patched={"name": "Dream pop"},
    ),
    CrudCase(
        path="/songs",
        create={
            "name": "Hoppípolla", "artist_id": ARTIST, "album_id": ALBUM, "track_number": 2,
            "duration_ms": 268_000, "year": 2005, "isrc": "IS-AB1-05-00001",
            "genres": ["post-rock", "ambient"],
        },
        created={
            "name": "Hoppípolla", "artist": "Sigur Rós", "album_id": ALBUM, "track_number": 2,
            "disc_number": 1, "duration_ms": 268_000, "year": 2005, "isrc": "ISAB10500001",
            "genres": ["ambient", "post-rock"],
        },
        replace={"name": "Glósóli", "artist": "sigur ros"},
        replaced={
            "name": "Glósóli", "artist": "Sigur Rós", "artist_id": ARTIST, "album_id": None,
            "track_number": None, "disc_number": None, "duration_ms": None, "year": None,
            "isrc": None, "genres": [],
        },
        patch={"year": 2005, "genres": ["Post-rock"]},
        patched={"year": 2005, "genres": ["post-rock"]},  # the existing genre's spelling
        needs=("artist", "album"),
    ),
]  # fmt: skip


def _fill(template: JSON, references: dict[str, int]) -> JSON:
    def resolve(value: Any) -> Any:
        return references.get(value, value) if isinstance(value, str) else value

    return {key: resolve(value) for key, value in template.items()}


def _assert_has(body: JSON, expected: JSON) -> None:
    assert {key: body.get(key) for key in expected} == expected


@pytest.mark.parametrize("case", CASES, ids=[case.path.strip("/") for case in CASES])
async def test_resource_lifecycle(client: AsyncClient, case: CrudCase) -> None:
    references: dict[str, int] = {}
    if case.needs:
        references[ARTIST] = (await make_artist(client, "Sigur Rós"))["id"]
    if "album" in case.needs:
        references[ALBUM] = (await make_album(client, references[ARTIST], "Takk..."))["id"]

    # Create: 201, Location and ETag (checked by `create`), the fields as normalised.
    created = await create(client, case.path, _fill(case.create, references))
    _assert_has(created, _fill(case.created, references))
    assert created["version"] == 1
    location = f"{case.path}/{created['id']}"

    # Get and list show the same representation.
    fetched = await client.get(location)
    assert fetched.status_code == 200
    assert fetched.json() == created
    assert fetched.headers["etag"] == '"1"'
    assert created in await items(client, case.path)

    # PUT replaces every field: the ones not sent go back to their defaults.
    replaced = await client.put(location, json=_fill(case.replace, references))
    assert replaced.status_code == 200, replaced.text
    _assert_has(replaced.json(), _fill(case.replaced, references))
    assert replaced.json()["id"] == created["id"]
    assert replaced.json()["version"] == 2
    assert replaced.headers["etag"] == '"2"'
    assert (await fetch(client, location)) == replaced.json()

    # PATCH changes only the fields sent.
    before = replaced.json()
    patched = await client.patch(location, json=case.patch)
    assert patched.status_code == 200, patched.text
    after = patched.json()
    assert after["version"] == 3
    assert patched.headers["etag"] == '"3"'
    expected = {**before, **case.patched, "version": 3, "updated_at": after["updated_at"]}
    assert after == expected
    assert (await fetch(client, location)) == after

    # DELETE: 204 with no body, then the resource is gone.
    deleted = await client.delete(location)
    assert deleted.status_code == 204
    assert deleted.content == b""
    assert_problem(await client.get(location), 404)
    assert_problem(await client.delete(location), 404)
    assert after["id"] not in [item["id"] for item in await items(client, case.path)]


@pytest.mark.parametrize("path", ["/artists", "/albums", "/genres", "/songs"])
async def test_changing_a_missing_resource_is_a_404_problem(client: AsyncClient, path: str) -> None:
    artist = await make_artist(client)
    bodies: dict[str, JSON] = {
        "/artists": {"name": "Nobody"},
        "/albums": {"title": "Nothing", "artist_id": artist["id"]},
        "/genres": {"name": "Silence"},
        "/songs": {"name": "Nothing", "artist_id": artist["id"]},
    }
    state = await catalog_state(client)

    assert_problem(await client.get(f"{path}/424242"), 404)
    assert_problem(await client.put(f"{path}/424242", json=bodies[path]), 404)
    assert_problem(await client.patch(f"{path}/424242", json=bodies[path]), 404)
    assert_problem(await client.delete(f"{path}/424242"), 404)
    assert await catalog_state(client) == state


async def test_patch_with_an_empty_body_changes_nothing_but_the_version(client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"], year=2001, genres=["pop"])

    response = await client.patch(f"/songs/{song['id']}", json={})

    assert response.status_code == 200
    assert response.json() == {**song, "version": 2, "updated_at": response.json()["updated_at"]}


async def test_patching_a_song_off_its_album_clears_its_position(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"])
    song = await make_song(client, artist["id"], album_id=album["id"], track_number=4)
    assert (song["disc_number"], song["track_number"]) == (1, 4)

    response = await client.patch(f"/songs/{song['id']}", json={"album_id": None})

    assert response.status_code == 200
    assert (response.json()["album_id"], response.json()["disc_number"], response.json()["track_number"]) == (
        None,
        None,
        None,
    )


async def test_patching_an_album_release_date_moves_its_year(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"], release_date="2005-09-12")

    response = await client.patch(f"/albums/{album['id']}", json={"release_date": "2007-06-01"})

    assert response.status_code == 200, response.text
    assert (response.json()["release_date"], response.json()["year"]) == ("2007-06-01", 2007)


async def test_patching_an_album_year_against_its_release_date_is_a_422(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"], release_date="2005-09-12")

    problem = assert_problem(await client.patch(f"/albums/{album['id']}", json={"year": 2001}), 422)

    assert problem["type"] == "/problems/validation-error"
    assert (await fetch(client, f"/albums/{album['id']}")) == album


# --- nested lists -------------------------------------------------------------------------------


async def test_an_artists_songs_and_albums(client: AsyncClient) -> None:
    bjork = await make_artist(client, "Björk")
    other = await make_artist(client, "Mogwai")
    debut = await make_album(client, bjork["id"], "Debut")
    post = await make_album(client, bjork["id"], "Post")
    await make_album(client, other["id"], "Young Team")
    songs = [await make_song(client, bjork["id"], name) for name in ("Human Behaviour", "Army of Me")]
    await make_song(client, other["id"], "Mogwai Fear Satan")

    listed_songs = await items(client, f"/artists/{bjork['id']}/songs")
    listed_albums = await items(client, f"/artists/{bjork['id']}/albums")

    assert listed_songs == songs
    assert listed_albums == [debut, post]


async def test_an_albums_songs_come_in_track_order(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"], "Homogenic")
    other_album = await make_album(client, artist["id"], "Vespertine")
    for disc, track in [(2, 1), (1, 3), (1, 1), (2, 2), (1, 2)]:
        await make_song(
            client,
            artist["id"],
            f"{disc}-{track}",
            album_id=album["id"],
            disc_number=disc,
            track_number=track,
        )
    await make_song(client, artist["id"], "elsewhere", album_id=other_album["id"], track_number=1)
    await make_song(client, artist["id"], "single")

    listed = await items(client, f"/albums/{album['id']}/songs")

    assert [song["name"] for song in listed] == ["1-1", "1-2", "1-3", "2-1", "2-2"]
    assert all(song["album_id"] == album["id"] for song in listed)


@pytest.mark.parametrize("path", ["/artists/424242/songs", "/artists/424242/albums", "/albums/424242/songs"])
async def test_nested_list_of_a_missing_parent_is_a_404_problem(client: AsyncClient, path: str) -> None:
    problem = assert_problem(await client.get(path), 404)
    assert problem["type"] == "/problems/not-found"
    assert "424242" in problem["detail"]


# --- guarded deletes ----------------------------------------------------------------------------


async def test_an_artist_with_songs_cannot_be_deleted(client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])
    state = await catalog_state(client)

    problem = assert_problem(await client.delete(f"/artists/{artist['id']}"), 409)

    assert problem["type"] == "/problems/conflict"
    assert problem["constraint"] == "fk_songs_artist_id_artists"
    assert await catalog_state(client) == state

    assert (await client.delete(f"/songs/{song['id']}")).status_code == 204
    assert (await client.delete(f"/artists/{artist['id']}")).status_code == 204


async def test_an_artist_with_albums_cannot_be_deleted(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"])
    state = await catalog_state(client)

    problem = assert_problem(await client.delete(f"/artists/{artist['id']}"), 409)

    assert problem["constraint"] == "fk_albums_artist_id_artists"
    assert await catalog_state(client) == state
    assert (await client.delete(f"/albums/{album['id']}")).status_code == 204
    assert (await client.delete(f"/artists/{artist['id']}")).status_code == 204


async def test_an_album_with_songs_cannot_be_deleted(client: AsyncClient) -> None:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"])
    song = await make_song(client, artist["id"], album_id=album["id"], track_number=1)
    state = await catalog_state(client)

    problem = assert_problem(await client.delete(f"/albums/{album['id']}"), 409)

    assert problem["constraint"] == "fk_songs_album_id_albums"
    assert await catalog_state(client) == state
    assert (await client.patch(f"/songs/{song['id']}", json={"album_id": None})).status_code == 200
    assert (await client.delete(f"/albums/{album['id']}")).status_code == 204


async def test_a_genre_in_use_cannot_be_deleted(client: AsyncClient) -> None:
    artist = await make_artist(client)
    genre = await make_genre(client, "trip-hop")
    song = await make_song(client, artist["id"], genres=["Trip-Hop"])
    assert song["genres"] == ["trip-hop"]
    state = await catalog_state(client)

    problem = assert_problem(await client.delete(f"/genres/{genre['id']}"), 409)

    assert problem["constraint"] == "fk_song_genres_genre_id_genres"
    assert await catalog_state(client) == state
    assert (await client.patch(f"/songs/{song['id']}", json={"genres": []})).status_code == 200
    assert (await client.delete(f"/genres/{genre['id']}")).status_code == 204


async def test_deleting_a_song_frees_its_genres(client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"], genres=["idm"])
    genre = (await items(client, "/genres"))[0]

    assert (await client.delete(f"/songs/{song['id']}")).status_code == 204
    assert (await client.delete(f"/genres/{genre['id']}")).status_code == 204


# --- includes -----------------------------------------------------------------------------------


async def test_a_song_embeds_its_artist_album_and_genres_on_request(client: AsyncClient) -> None:
    artist = await make_artist(client, "Björk", country="IS")
    album = await make_album(
        client, artist["id"], "Homogenic", release_date="1997-09-22", barcode="036000291452"
    )
    song = await make_song(
        client, artist["id"], "Jóga", album_id=album["id"], track_number=2, genres=["electronic", "art pop"]
    )
    genres = sorted(await items(client, "/genres"), key=lambda genre: str(genre["name"]))

    response = await client.get(f"/songs/{song['id']}", params={"include": "artist,album,genres"})

    assert response.status_code == 200
    body = response.json()
    assert body["included"] == {"artist": artist, "album": album, "genres": genres}
    assert {key: value for key, value in body.items() if key != "included"} == {
        key: value for key, value in song.items() if key != "included"
    }
    listed = await items(client, "/songs", include="artist,album,genres")
    assert [entry["included"] for entry in listed] == [body["included"]]


async def test_included_album_is_null_for_a_song_without_one(client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])

    single = await fetch(client, f"/songs/{song['id']}", include="album,genres")
    listed = await items(client, "/songs", include="artist,album")

    assert single["included"]["album"] is None
    assert single["included"]["genres"] == []
    assert listed[0]["included"]["album"] is None
    assert listed[0]["included"]["artist"]["id"] == artist["id"]


async def test_without_include_nothing_is_embedded(client: AsyncClient) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])
    assert song.get("included") is None
    assert (await fetch(client, f"/songs/{song['id']}")).get("included") is None


@pytest.mark.parametrize("path", ["/songs", "/songs/{id}", "/artists/{artist_id}/songs"])
@pytest.mark.parametrize("include", ["lyrics", "artist,lyrics", "", "artist,"])
async def test_unknown_include_is_a_422_problem(client: AsyncClient, path: str, include: str) -> None:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])

    response = await client.get(
        path.format(id=song["id"], artist_id=artist["id"]), params={"include": include}
    )

    problem = assert_problem(response, 422)
    assert "query.include" in error_fields(problem)
