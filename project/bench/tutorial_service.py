"""The tutorial baseline: the seed tutorial's design, grown to the catalog's schema.

FastAPI with a SQLModel ``AsyncSession`` per request (a dependency), ORM ``select`` of ``Song``
joined with its ``Artist``, a second query for the page's genre names, and a Pydantic model
built for every row, serialised by FastAPI's ``response_model``. Same endpoints and JSON as our
service for the benchmarked requests (cursor pages of 50 by id; search is a plain ``tsquery``
ranked by ``ts_rank``, songs only).

    DATABASE_URL=postgresql+asyncpg://... uvicorn bench.tutorial_service:create_app --factory
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, func, literal_column
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import registry
from sqlmodel import Field as SQLField
from sqlmodel import SQLModel, select
from sqlmodel.ext.asyncio.session import AsyncSession

from app.core.text import match_key

PAGE_SIZE = 50
_WORDS = re.compile(r"\w+", re.UNICODE)


class TutorialModel(SQLModel, registry=registry()):
    """Tables of this baseline, on their own metadata (never mixed with the app's models)."""


class Artist(TutorialModel, table=True):
    __tablename__ = "artists"

    id: int | None = SQLField(default=None, primary_key=True)
    name: str
    name_key: str
    sort_name: str


class Song(TutorialModel, table=True):
    __tablename__ = "songs"

    id: int | None = SQLField(default=None, primary_key=True)
    name: str
    name_key: str | None = None
    artist_id: int = SQLField(foreign_key="artists.id")
    album_id: int | None = None
    track_number: int | None = None
    disc_number: int | None = None
    duration_ms: int | None = None
    year: int | None = None
    isrc: str | None = None
    created_at: datetime | None = SQLField(default=None, sa_column_kwargs={"server_default": func.now()})
    updated_at: datetime | None = SQLField(default=None, sa_column_kwargs={"server_default": func.now()})
    version: int | None = SQLField(default=None, sa_column_kwargs={"server_default": literal_column("1")})


class Album(TutorialModel, table=True):
    __tablename__ = "albums"

    id: int | None = SQLField(default=None, primary_key=True)
    title: str


class Genre(TutorialModel, table=True):
    __tablename__ = "genres"

    id: int | None = SQLField(default=None, primary_key=True)
    name: str
    name_key: str


class SongGenre(TutorialModel, table=True):
    __tablename__ = "song_genres"

    song_id: int = SQLField(primary_key=True)
    genre_id: int = SQLField(primary_key=True)


class SongCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    artist: str = Field(min_length=1, max_length=200)
    album_id: int | None = None
    track_number: int | None = Field(default=None, ge=1)
    disc_number: int | None = Field(default=None, ge=1)
    duration_ms: int | None = Field(default=None, ge=1)
    year: int | None = Field(default=None, ge=1000, le=2100)
    isrc: str | None = None
    genres: list[str] = Field(default_factory=list)


class SongRead(BaseModel):
    id: int
    name: str
    artist: str
    artist_id: int
    album_id: int | None
    track_number: int | None
    disc_number: int | None
    duration_ms: int | None
    year: int | None
    isrc: str | None
    genres: list[str]
    created_at: datetime
    updated_at: datetime
    version: int


class SongPage(BaseModel):
    items: list[SongRead]
    next_cursor: str | None


class SearchHit(BaseModel):
    kind: str
    id: int
    score: float
    name: str
    artist: str | None
    album: str | None
    year: int | None
    country: str | None


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


SessionDep = Annotated[AsyncSession, Depends(get_session)]


def encode_cursor(song_id: int) -> str:
    return base64.urlsafe_b64encode(orjson.dumps({"after": song_id})).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        after = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["after"]
    except (ValueError, KeyError, TypeError, binascii.Error) as exc:
        raise HTTPException(400, "The cursor is not valid.") from exc
    if not isinstance(after, int) or isinstance(after, bool) or not 0 <= after < 2**31:
        raise HTTPException(400, "The cursor is not valid.")
    return after


async def genre_names(session: AsyncSession, song_ids: Sequence[int]) -> dict[int, list[str]]:
    statement = (
        select(SongGenre.song_id, Genre.name)
        .join(Genre, Genre.id == SongGenre.genre_id)  # type: ignore[arg-type]
        .where(SongGenre.song_id.in_(song_ids))  # type: ignore[attr-defined]
        .order_by(Genre.name)
    )
    names: dict[int, list[str]] = {song_id: [] for song_id in song_ids}
    for song_id, name in (await session.exec(statement)).all():
        names[song_id].append(name)
    return names


def song_read(song: Song, artist_name: str, genres: list[str]) -> SongRead:
    return SongRead(**song.model_dump(exclude={"name_key"}), artist=artist_name, genres=genres)


async def read_songs(session: AsyncSession, after: int | None, limit: int) -> list[SongRead]:
    statement = select(Song, Artist.name).join(Artist, Artist.id == Song.artist_id)  # type: ignore[arg-type]
    if after is not None:
        statement = statement.where(Song.id > after)  # type: ignore[operator]
    statement = statement.order_by(Song.id).limit(limit)  # type: ignore[arg-type]
    rows = (await session.exec(statement)).all()
    genres = await genre_names(session, [song.id for song, _ in rows if song.id is not None])
    return [song_read(song, artist, genres[song.id or 0]) for song, artist in rows]


async def read_song(session: AsyncSession, song_id: int) -> SongRead:
    statement = select(Song, Artist.name).join(Artist, Artist.id == Song.artist_id).where(Song.id == song_id)  # type: ignore[arg-type]
    row = (await session.exec(statement)).first()
    if row is None:
        raise HTTPException(404, f"Song {song_id} does not exist.")
    song, artist = row
    return song_read(song, artist, (await genre_names(session, [song_id]))[song_id])


def sort_name(name: str) -> str:
    for article in ("the ", "a ", "an "):
        if name.lower().startswith(article) and len(name) > len(article):
            return f"{name[len(article) :]}, {name[: len(article) - 1]}"
    return name


def create_app() -> FastAPI:
    url = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+asyncpg://", 1)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine: AsyncEngine = create_async_engine(
            url,
            pool_size=int(os.environ.get("DB_POOL_SIZE", "10")),
            max_overflow=int(os.environ.get("DB_MAX_OVERFLOW", "10")),
        )
        app.state.sessionmaker = async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
        try:
            yield
        finally:
            await engine.dispose()

    app = FastAPI(title="Songs (tutorial baseline)", lifespan=lifespan)

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"ping": "pong!"}

    @app.get("/songs", response_model=SongPage)
    async def get_songs(session: SessionDep, cursor: str | None = None) -> SongPage:
        after = decode_cursor(cursor) if cursor else None
        songs = await read_songs(session, after, PAGE_SIZE + 1)
        next_cursor = encode_cursor(songs[PAGE_SIZE - 1].id) if len(songs) > PAGE_SIZE else None
        return SongPage(items=songs[:PAGE_SIZE], next_cursor=next_cursor)

    @app.get("/songs/{song_id}", response_model=SongRead)
    async def get_song(song_id: int, session: SessionDep, response: Response) -> SongRead:
        song = await read_song(session, song_id)
        response.headers["ETag"] = f'"{song.version}"'
        return song

    @app.post("/songs", response_model=SongRead, status_code=201)
    async def add_song(data: SongCreate, session: SessionDep, response: Response) -> SongRead:
        artist_name = data.artist.strip()
        key = match_key(artist_name)
        await session.exec(select(func.pg_advisory_xact_lock(func.hashtextextended(key, 0))))
        artist = (
            await session.exec(select(Artist).where(Artist.name_key == key).order_by(Artist.id).limit(1))  # type: ignore[arg-type]
        ).first()
        if artist is None:
            artist = Artist(name=artist_name, name_key=key, sort_name=sort_name(artist_name))
            session.add(artist)
            await session.flush()
        assert artist.id is not None
        name = data.name.strip()
        isrc = data.isrc.replace("-", "").upper() if data.isrc else None
        disc = data.disc_number or (1 if data.album_id and data.track_number else None)
        song = Song(
            name=name, name_key=match_key(name), artist_id=artist.id, album_id=data.album_id,
            track_number=data.track_number, disc_number=disc, duration_ms=data.duration_ms,
            year=data.year, isrc=isrc,
        )  # fmt: skip
        session.add(song)
        await session.flush()
        assert song.id is not None
        if data.genres:
            by_key = {match_key(genre): genre.strip() for genre in data.genres}
            await session.exec(
                pg_insert(Genre)
                .values([{"name": genre, "name_key": genre_key} for genre_key, genre in by_key.items()])
                .on_conflict_do_nothing(index_elements=["name_key"])
            )
            genre_ids = (await session.exec(select(Genre.id).where(Genre.name_key.in_(by_key)))).all()  # type: ignore[attr-defined]
            for genre_id in genre_ids:
                assert genre_id is not None
                session.add(SongGenre(song_id=song.id, genre_id=genre_id))
        await session.commit()
        await session.refresh(song)
        response.headers["Location"] = f"/songs/{song.id}"
        return await read_song(session, song.id)

    @app.get("/search", response_model=SearchPage)
    async def search(session: SessionDep, q: str) -> SearchPage:
        words = _WORDS.findall(match_key(q))
        if not words:
            raise HTTPException(422, "q: words to search for are required")
        query = func.to_tsquery("simple", " & ".join(f"'{word}'" for word in words) + ":*")
        vector: ColumnElement[Any] = literal_column("songs.search_vector")
        score = func.ts_rank(vector, query).label("score")
        columns: list[Any] = [Song.id, score, Song.name, Artist.name, Album.title, Song.year]
        statement = (
            sa_select(*columns)
            .join(Artist, Artist.id == Song.artist_id)  # type: ignore[arg-type]
            .outerjoin(Album, Album.id == Song.album_id)  # type: ignore[arg-type]
            .where(vector.op("@@")(query))
            .order_by(score.desc(), Song.id.desc())  # type: ignore[union-attr]
            .limit(PAGE_SIZE)
        )
        rows = (await session.execute(statement)).all()
        hits: list[Any] = [
            SearchHit(kind="song", id=song_id, score=score, name=name, artist=artist,
                      album=album, year=year, country=None)
            for song_id, score, name, artist, album, year in rows
        ]  # fmt: skip
        return SearchPage(items=hits, next_cursor=None)

    return app
