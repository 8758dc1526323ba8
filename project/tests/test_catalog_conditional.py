"""Conditional requests (ETag, If-None-Match, If-Match) and concurrent editors and creators."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime

import pytest
from httpx import AsyncClient

from tests.catalog_support import (
    JSON,
    assert_problem,
    catalog_state,
    fetch,
    items,
    make_album,
    make_artist,
    make_genre,
    make_song,
)

# Makes one resource and returns (its URL, a PUT body, a PATCH body).
Maker = Callable[[AsyncClient], Awaitable[tuple[str, JSON, JSON]]]


async def _artist(client: AsyncClient) -> tuple[str, JSON, JSON]:
    artist = await make_artist(client, "Björk")
    return f"/artists/{artist['id']}", {"name": "Bjork"}, {"country": "IS"}


async def _album(client: AsyncClient) -> tuple[str, JSON, JSON]:
    artist = await make_artist(client)
    album = await make_album(client, artist["id"], "Debut")
    return f"/albums/{album['id']}", {"title": "Post", "artist_id": artist["id"]}, {"year": 1993}


async def _genre(client: AsyncClient) -> tuple[str, JSON, JSON]:
    genre = await make_genre(client, "trip-hop")
    return f"/genres/{genre['id']}", {"name": "Trip hop"}, {"name": "Trip-Hop"}


async def _song(client: AsyncClient) -> tuple[str, JSON, JSON]:
    artist = await make_artist(client)
    song = await make_song(client, artist["id"], "Jóga", genres=["electronic"])
    return f"/songs/{song['id']}", {"name": "Bachelorette", "artist_id": artist["id"]}, {"year": 1997}


MAKERS: dict[str, Maker] = {"artists": _artist, "albums": _album, "genres": _genre, "songs": _song}
RESOURCES = list(MAKERS)


@pytest.mark.parametrize("resource", RESOURCES)
async def test_get_answers_304_while_the_etag_matches(client: AsyncClient, resource: str) -> None:
    url, _, _ = await MAKERS[resource](client)
    response = await client.get(url)
    assert response.headers["etag"] == '"1"'
    assert response.json()["version"] == 1

    for matching in ('"1"', 'W/"1"', '"7", "1"', "*"):
        not_modified = await client.get(url, headers={"If-None-Match": matching})
        assert not_modified.status_code == 304, matching
        assert not_modified.content == b""
        assert not_modified.headers["etag"] == '"1"'

    changed = await client.get(url, headers={"If-None-Match": '"2"'})
    assert changed.status_code == 200
    assert changed.json() == response.json()


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("if_match", ['"2"', 'W/"1"', '"0", "2"', "1", "garbage"])
async def test_a_change_with_a_stale_or_weak_if_match_is_a_412_and_changes_nothing(
    client: AsyncClient, resource: str, method: str, if_match: str
) -> None:
    url, put_body, patch_body = await MAKERS[resource](client)
    body = {"PUT": put_body, "PATCH": patch_body, "DELETE": None}[method]
    state = await catalog_state(client)

    response = await client.request(method, url, json=body, headers={"If-Match": if_match})

    problem = assert_problem(response, 412)
    assert problem["type"] == "/problems/precondition-failed"
    assert '"1"' in problem["detail"]  # tells the client the current ETag
    assert await catalog_state(client) == state


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
@pytest.mark.parametrize("if_match", ['"1"', '"9", "1"', "*"])
async def test_a_change_with_a_current_if_match_succeeds_and_moves_the_etag(
    client: AsyncClient, resource: str, method: str, if_match: str
) -> None:
    url, put_body, patch_body = await MAKERS[resource](client)
    before = await fetch(client, url)

    response = await client.request(
        method, url, json=put_body if method == "PUT" else patch_body, headers={"If-Match": if_match}
    )

    assert response.status_code == 200, response.text
    assert response.headers["etag"] == '"2"'
    assert response.json()["version"] == before["version"] + 1
    assert response.json()["created_at"] == before["created_at"]
    assert (await client.get(url)).headers["etag"] == '"2"'
    # The old ETag is now stale, and If-None-Match with it no longer answers 304.
    assert_problem(await client.patch(url, json=patch_body, headers={"If-Match": '"1"'}), 412)
    assert (await client.get(url, headers={"If-None-Match": '"1"'})).status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("if_match", ['"1"', "*"])
async def test_delete_with_a_current_if_match_succeeds(
    client: AsyncClient, resource: str, if_match: str
) -> None:
    url, _, _ = await MAKERS[resource](client)

    response = await client.delete(url, headers={"If-Match": if_match})

    assert response.status_code == 204
    assert_problem(await client.get(url), 404)


async def test_if_match_on_a_missing_resource_is_a_404(client: AsyncClient) -> None:
    assert_problem(await client.patch("/songs/424242", json={"year": 2001}, headers={"If-Match": '"1"'}), 404)
    assert_problem(await client.delete("/artists/424242", headers={"If-Match": "*"}), 404)


async def test_a_song_with_inclusions_has_its_own_etag_that_follows_what_it_embeds(
    client: AsyncClient,
) -> None:
    artist = await make_artist(client)
    album = (await client.post("/albums", json={"title": "Before", "artist_id": artist["id"]})).json()
    song = await make_song(client, artist["id"], album_id=album["id"], track_number=1)
    path, included = f"/songs/{song['id']}", {"include": "album"}

    plain = await client.get(path)
    with_album = await client.get(path, params=included)
    assert with_album.json()["included"]["album"]["title"] == "Before"
    # Another representation, another strong ETag (RFC 9110 8.8.1): the song's "1" is not it.
    assert with_album.headers["ETag"] != plain.headers["ETag"] == '"1"'
    unchanged = await client.get(path, params=included, headers={"If-None-Match": with_album.headers["ETag"]})
    assert unchanged.status_code == 304
    assert (await client.get(path, params=included, headers={"If-None-Match": '"1"'})).status_code == 200

    assert (await client.patch(f"/albums/{album['id']}", json={"title": "After"})).status_code == 200

    changed = await client.get(path, params=included, headers={"If-None-Match": with_album.headers["ETag"]})
    assert changed.status_code == 200
    assert changed.json()["included"]["album"]["title"] == "After"
    assert changed.headers["ETag"] != with_album.headers["ETag"]
    assert (await client.get(path)).headers["ETag"] == '"1"'  # the song itself did not change


# --- committed, concurrent requests ----------------------------------------------------------------


async def test_updated_at_is_advanced_by_the_database_on_every_change(committing_client: AsyncClient) -> None:
    client = committing_client
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])
    assert song["updated_at"] == song["created_at"]

    first = await client.patch(f"/songs/{song['id']}", json={"year": 2001}, headers={"If-Match": '"1"'})
    second = await client.put(
        f"/songs/{song['id']}",
        json={"name": "Renamed", "artist_id": artist["id"]},
        headers={"If-Match": '"2"'},
    )
    renamed = await client.patch(f"/artists/{artist['id']}", json={"country": "IS"})

    assert (first.status_code, second.status_code, renamed.status_code) == (200, 200, 200)
    stamps = [datetime.fromisoformat(body["updated_at"]) for body in (song, first.json(), second.json())]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 3
    assert second.json()["created_at"] == song["created_at"]
    assert datetime.fromisoformat(renamed.json()["updated_at"]) > datetime.fromisoformat(artist["updated_at"])


async def test_two_editors_with_the_same_etag_one_wins(committing_client: AsyncClient) -> None:
    client = committing_client
    artist = await make_artist(client)
    song = await make_song(client, artist["id"], "Original")
    url = f"/songs/{song['id']}"

    responses = await asyncio.gather(
        client.patch(url, json={"name": "Edit A"}, headers={"If-Match": '"1"'}),
        client.patch(url, json={"name": "Edit B"}, headers={"If-Match": '"1"'}),
    )

    assert sorted(response.status_code for response in responses) == [200, 412]
    winner = next(response for response in responses if response.status_code == 200)
    loser = next(response for response in responses if response.status_code == 412)
    assert_problem(loser, 412)
    final = await fetch(client, url)
    assert final["version"] == 2
    assert final["name"] == winner.json()["name"]


async def test_two_deleters_with_the_same_etag_one_wins(committing_client: AsyncClient) -> None:
    client = committing_client
    artist = await make_artist(client)
    song = await make_song(client, artist["id"])
    url = f"/songs/{song['id']}"

    responses = await asyncio.gather(
        client.patch(url, json={"year": 2001}, headers={"If-Match": '"1"'}),
        client.delete(url, headers={"If-Match": '"1"'}),
    )

    statuses = Counter(response.status_code for response in responses)
    # Either the edit lands first (then the delete's ETag is stale) or the delete does (then
    # the song is gone): never both.
    assert statuses in (Counter({200: 1, 412: 1}), Counter({204: 1, 404: 1}))


async def test_concurrent_songs_by_one_new_artist_share_it(committing_client: AsyncClient) -> None:
    client = committing_client
    spellings = ["Sigur Rós", "sigur ros", "SIGUR RÓS", "Sigur Ros", "sigur rós"] * 2

    responses = await asyncio.gather(
        *(
            client.post("/songs", json={"name": f"Track {number}", "artist": spelling, "year": "2021"})
            for number, spelling in enumerate(spellings)
        )
    )

    assert [response.status_code for response in responses] == [201] * len(spellings)
    assert len({response.json()["artist_id"] for response in responses}) == 1
    found = await items(client, "/artists", name="sigur ros")
    assert len(found) == 1
    assert found[0]["id"] == responses[0].json()["artist_id"]
    assert len(await items(client, "/artists")) == 1
    assert {response.json()["artist"] for response in responses} == {found[0]["name"]}
    assert len(await items(client, f"/artists/{found[0]['id']}/songs")) == len(spellings)


async def test_concurrent_songs_with_one_new_genre_share_it(committing_client: AsyncClient) -> None:
    client = committing_client
    artist = await make_artist(client)

    responses = await asyncio.gather(
        *(
            client.post("/songs", json={"name": f"T{n}", "artist_id": artist["id"], "genres": [name]})
            for n, name in enumerate(["Post-rock", "post-rock", "POST-ROCK", "Post-Rock"] * 2)
        )
    )

    assert [response.status_code for response in responses] == [201] * 8
    assert len(await items(client, "/genres")) == 1
