"""Resources are rendered by PostgreSQL as compact JSON in the public models' field order."""

from __future__ import annotations

import json

from httpx import AsyncClient
from pydantic import BaseModel

from app.albums.models import AlbumPublic
from app.artists.models import ArtistPublic
from app.genres.models import GenrePublic
from app.songs.models import SongPublic
from tests.catalog_support import make_album, make_artist, make_song

AWKWARD = 'Ágætis byrjun: "Svefn-g-englar" / \\ \t ☃'


def _compact(body: bytes) -> str:
    """The body as the most compact JSON of what it holds, keys in the order given."""
    return json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False)


async def test_every_representation_is_compact_json_in_the_models_order(client: AsyncClient) -> None:
    artist = await make_artist(client, AWKWARD, country="IS")
    album = await make_album(client, artist["id"], AWKWARD, release_date="1999-06-12")
    song = await make_song(
        client, artist["id"], AWKWARD, album_id=album["id"], track_number=1, genres=[AWKWARD, "post-rock"]
    )
    genre_id = (await client.get("/genres", params={"sort": "name"})).json()["items"][0]["id"]
    paths: dict[str, type[BaseModel]] = {
        f"/songs/{song['id']}": SongPublic,
        f"/songs/{song['id']}?include=artist,album,genres": SongPublic,
        f"/artists/{artist['id']}": ArtistPublic,
        f"/albums/{album['id']}": AlbumPublic,
        f"/genres/{genre_id}": GenrePublic,
    }
    for path, model in paths.items():
        response = await client.get(path)
        assert response.status_code == 200, path
        assert response.text == _compact(response.content), path
        assert list(response.json()) == list(model.model_fields), path
        model.model_validate_json(response.content)  # the schema the docs promise
    for path in ("/songs", "/artists", "/albums", "/genres", f"/albums/{album['id']}/songs"):
        response = await client.get(path)
        assert response.text == _compact(response.content), path

    included = (await client.get(f"/songs/{song['id']}", params={"include": "artist,album,genres"})).json()
    assert included["name"] == included["included"]["album"]["title"] == AWKWARD
    assert sorted(included["genres"]) == sorted([AWKWARD, "post-rock"])
