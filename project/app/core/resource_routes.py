"""The routes every catalog resource shares, declared once: create, list, get, replace,
change and delete, with their ETags, conditional requests, cursor pages and problems.

Each domain package describes itself with a :class:`Resource` and keeps only what is its own
(its service functions, filters, nested lists).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Generic, TypeVar

import asyncpg
from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict
from sqlalchemy import ColumnElement, select

from app.core.conditional import IfMatch, IfNoneMatch, accepted_versions, etag, not_modified
from app.core.listing import ListParams, Page
from app.core.pagination import Ordering, Sortable, fetch_page
from app.core.repository import Repository
from app.core.responses import CHANGE_PROBLEMS, ITEM_PROBLEMS, LIST_PROBLEMS, NOT_MODIFIED, documents_page
from app.db import Db, DbDep, Queries, ReadDbDep

Create = TypeVar("Create", bound=BaseModel)
Update = TypeVar("Update", bound=BaseModel)
Accepted = list[int] | None
Written = asyncpg.Record  # the row's document, version and id, as Repository returns them

MAX_ID = 2**31 - 1


class NoQuery(BaseModel):
    """No query parameters: any that is sent is an error (422), as on every list."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Resource(Generic[Create, Update]):
    noun: str  # "artist": names the path parameter (artist_id) and the summaries
    rows: Repository
    public: type[BaseModel]  # the documents' schema, for the docs (PostgreSQL renders them)
    create_body: type[Create]
    update_body: type[Update]
    list_params: type[ListParams]
    sortable: Mapping[str, Sortable]
    create: Callable[[Db, Create], Awaitable[Written]]
    replace: Callable[[Db, int, Create, Accepted], Awaitable[Written]]
    update: Callable[[Db, int, Update, Accepted], Awaitable[Written]]
    delete: Callable[[Db, int, Accepted], Awaitable[None]]
    delete_refused_when: str  # when a delete is a 409, for the docs
    filters: Mapping[str, ColumnElement[bool]] = field(default_factory=dict)

    @property
    def id_param(self) -> str:
        return f"{self.noun}_id"

    def article(self) -> str:
        return "an" if self.noun[0] in "aeiou" else "a"

    async def page(
        self, request: Request, db: Queries, params: ListParams, scope: Mapping[str, Any] | None = None
    ) -> Response:
        """A page of documents: the list's filters (and a ``scope`` among ``filters``), sorted."""
        filters = {**params.filter_values(), **(scope or {})}
        names = sorted(filters)
        shape: Hashable = (self.noun, tuple(names))
        rows, next_cursor = await fetch_page(
            db,
            select(self.rows.document).where(*(self.filters[name] for name in names)),
            Ordering.parse(params.sort, self.sortable),
            cursor=params.cursor,
            limit=params.limit,
            parameters=filters,
            shape=shape,
        )
        return documents_page(request, rows, next_cursor)


def document_response(row: Written, status_code: int = 200) -> Response:
    """A resource as PostgreSQL rendered it, with its ETag."""
    return Response(
        row["document"], status_code=status_code, media_type="application/json",
        headers={"ETag": etag(row["version"])},
    )  # fmt: skip


def _typed(function: Callable[..., Any], **annotations: Any) -> Callable[..., Any]:
    """Give a route function the classes of its resource as parameter annotations (FastAPI
    reads them to validate the body and query and to document them)."""
    function.__annotations__.update(annotations)
    return function


def add_resource_routes(router: APIRouter, resource: Resource[Create, Update]) -> Any:
    """Add the six routes to ``router`` (whose prefix is the collection's path); returns the
    dependency that reads the resource named in the path or answers 404."""
    noun, a_noun = resource.noun, f"{resource.article()} {resource.noun}"
    item_path = f"/{{{resource.id_param}}}"
    item_id = Annotated[int, Path(alias=resource.id_param, ge=1, le=MAX_ID, description=f"The {noun}'s id.")]
    public_model = resource.public

    async def existing(row_id: int, db: ReadDbDep) -> Written:
        """The resource named in the path, or a 404 problem: the one place that checks it."""
        return await resource.rows.get(db, row_id)

    async def create(data: Any, db: DbDep) -> Response:
        row = await resource.create(db, data)
        response = document_response(row, status_code=status.HTTP_201_CREATED)
        response.headers["Location"] = f"{router.prefix}/{row['id']}"
        return response

    async def list_all(request: Request, db: ReadDbDep, params: Any) -> Response:
        return await resource.page(request, db, params)

    async def get(row: Any, _: Annotated[NoQuery, Query()], if_none_match: IfNoneMatch = None) -> Response:
        if not_modified(if_none_match, etag(row["version"])):
            return Response(status_code=304, headers={"ETag": etag(row["version"])})
        return document_response(row)

    async def replace(row_id: int, data: Any, db: DbDep, if_match: IfMatch = None) -> Response:
        return document_response(await resource.replace(db, row_id, data, accepted_versions(if_match)))

    async def update(row_id: int, data: Any, db: DbDep, if_match: IfMatch = None) -> Response:
        return document_response(await resource.update(db, row_id, data, accepted_versions(if_match)))

    async def delete(row_id: int, db: DbDep, if_match: IfMatch = None) -> Response:
        await resource.delete(db, row_id, accepted_versions(if_match))
        return Response(status_code=204)

    _typed(existing, row_id=item_id)
    routes: list[tuple[str, str, Callable[..., Any], dict[str, Any]]] = [
        ("POST", "", _typed(create, data=resource.create_body),
         {"status_code": status.HTTP_201_CREATED, "summary": f"Create {a_noun}", "responses": CHANGE_PROBLEMS,
          "response_model": public_model}),
        ("GET", "", _typed(list_all, params=Annotated[resource.list_params, Query()]),
         {"summary": f"List {noun}s", "responses": LIST_PROBLEMS, "response_model": Page[public_model]}),  # type: ignore[valid-type]
        ("GET", item_path, _typed(get, row=Annotated[Any, Depends(existing)]),
         {"summary": f"Get {a_noun}", "responses": {**ITEM_PROBLEMS, **NOT_MODIFIED},
          "response_model": public_model}),
        ("PUT", item_path, _typed(replace, row_id=item_id, data=resource.create_body),
         {"summary": f"Replace {a_noun}", "responses": CHANGE_PROBLEMS, "response_model": public_model}),
        ("PATCH", item_path, _typed(update, row_id=item_id, data=resource.update_body),
         {"summary": f"Change some fields of {a_noun}", "responses": CHANGE_PROBLEMS,
          "response_model": public_model}),
        ("DELETE", item_path, _typed(delete, row_id=item_id),
         {"status_code": 204, "summary": f"Delete {a_noun}", "responses": CHANGE_PROBLEMS,
          "description": f"Refused with 409 while {resource.delete_refused_when}."}),
    ]  # fmt: skip
    for method, path, endpoint, options in routes:
        name = f"{endpoint.__name__}_{noun}"
        router.add_api_route(path, endpoint, methods=[method], name=name, **options)
    return existing
