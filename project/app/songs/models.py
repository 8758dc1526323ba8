"""Song models: the table, and the shapes clients send and receive.

The table is a SQLModel; the client-facing shapes are plain Pydantic models, which give
``extra="forbid"`` and OpenAPI examples through a typed ``model_config``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, JsonValue
from sqlmodel import Field, SQLModel

from app.validation import Name, Year

SONG_EXAMPLE: dict[str, JsonValue] = {"name": "Midnight Fit", "artist": "Mogwai", "year": 2021}


class SongBase(BaseModel):
    name: Name
    artist: Name
    year: Year | None = None


class SongCreate(SongBase):
    """What a client sends to create a song; unknown fields are rejected."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SONG_EXAMPLE]})


class SongPublic(SongBase):
    model_config = ConfigDict(
        from_attributes=True, json_schema_extra={"examples": [{"id": 1, **SONG_EXAMPLE}]}
    )

    id: int


class Song(SQLModel, table=True):
    __tablename__ = "songs"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    artist: str = Field(max_length=200)
    year: int | None = None
