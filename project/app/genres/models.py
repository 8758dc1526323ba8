"""Genre models: the table, the link table to songs, and the client-facing shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel

from app.core.columns import Versioned
from app.validation import Name


class Genre(Versioned, table=True):
    __tablename__ = "genres"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    # Unique folded name: "Post-Rock" and "post-rock" are one genre.
    name_key: str = Field(max_length=200, unique=True)


class SongGenre(SQLModel, table=True):
    __tablename__ = "song_genres"

    song_id: int = Field(foreign_key="songs.id", primary_key=True, ondelete="CASCADE")
    genre_id: int = Field(foreign_key="genres.id", primary_key=True, ondelete="RESTRICT", index=True)


class GenreCreate(BaseModel):
    """A new genre (also the body of PUT and PATCH: a genre has one field)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"name": "Post-rock"}]})

    name: Name


class GenrePublic(BaseModel):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": 3, "name": "Post-rock"}]}
    )

    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    version: int
