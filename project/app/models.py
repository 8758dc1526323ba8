"""Imports every table model so that SQLModel's metadata knows them all (for Alembic)."""

from app.albums.models import Album
from app.artists.models import Artist
from app.genres.models import Genre, SongGenre
from app.idempotency.models import IdempotencyKey
from app.search.models import SearchTerm
from app.songs.models import Song

__all__ = ["Album", "Artist", "Genre", "IdempotencyKey", "SearchTerm", "Song", "SongGenre"]
