"""HTTP route for /search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.core.listing import ListParams
from app.core.responses import LIST_PROBLEMS, describe_page
from app.core.routing import PlannedRoute
from app.db import ReadDbDep
from app.search import service
from app.search.kinds import KINDS

router = APIRouter(tags=["search"], route_class=PlannedRoute)

QUERY_HELP = (
    'Words (all must match, any order; the last one may be unfinished), `"exact phrase"`, '
    "`-excluded`, `OR`, parentheses, and fields: `artist:`, `album:`, `name:`, `genre:`, "
    "`isrc:`, `year:2021`, `year:1990..1999`."
)


def _known_kinds(value: str) -> str:
    for part in value.split(","):
        if part.strip() not in KINDS:
            raise ValueError(f"unknown type {part.strip()!r}; choose from song, artist, album")
    return value


class SearchParams(ListParams):
    model_config = ConfigDict(extra="forbid")

    q: str = Field(min_length=1, max_length=500, description=QUERY_HELP, examples=["mogwai midn"])
    type: Annotated[str, AfterValidator(_known_kinds)] = Field(
        default="song,artist,album", description="Which kinds of results, comma-separated."
    )
    match: Literal["fuzzy", "exact"] = Field(default="fuzzy", description="`exact` turns typo tolerance off.")
    sort: None = Field(default=None, description="Search results are always by relevance.")

    def kinds(self) -> list[str]:
        return list(dict.fromkeys(part.strip() for part in self.type.split(",")))


class SearchHit(BaseModel):
    kind: Literal["song", "artist", "album"]
    id: int
    score: float = Field(description="Relevance; higher is better. Matches without typos score 100+.")
    name: str = Field(description="The song's name, the artist's name or the album's title.")
    artist: str | None = Field(description="For songs and albums: the artist's name.")
    album: str | None = Field(description="For songs: the album's title.")
    year: int | None
    country: str | None = Field(description="For artists.")


class SearchPage(BaseModel):
    items: list[SearchHit]
    next_cursor: str | None
    fuzzy: bool = Field(description="Whether typo tolerance was on for this search.")
    corrections: dict[str, list[str]] = Field(description="Words that were also matched as these.")


@router.get("/search", summary="Search songs, artists and albums", responses=LIST_PROBLEMS)
async def search(
    request: Request, response: Response, db: ReadDbDep, params: Annotated[SearchParams, Query()]
) -> SearchPage:
    fuzzy = params.match == "fuzzy" and await service.fuzzy_search_available(request.app, db)
    plan = await service.make_plan(db, params.q, fuzzy=fuzzy)
    rows, next_cursor = await service.search(
        db, plan, kinds=params.kinds(), fuzzy=fuzzy, cursor=params.cursor, limit=params.limit
    )
    describe_page(request, response, next_cursor)
    hits = [SearchHit.model_validate({key: row[key] for key in SearchHit.model_fields}) for row in rows]
    return SearchPage(items=hits, next_cursor=next_cursor, fuzzy=fuzzy, corrections=plan.corrections)
