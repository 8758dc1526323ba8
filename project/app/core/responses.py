"""What list and item routes share: the problems they document and the next-page Link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request, Response

from app.core.documents import page_json
from app.core.pagination import Row, next_link
from app.problems import problem_responses

# Documented on every route that takes a body or an id.
ITEM_PROBLEMS = problem_responses(404, 422)
CHANGE_PROBLEMS = problem_responses(404, 409, 412, 422)
LIST_PROBLEMS = problem_responses(400, 422)


def describe_page(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        response.headers["Link"] = next_link(request.url, next_cursor)


def documents_page(request: Request, rows: Sequence[Row], next_cursor: str | None) -> Response:
    """A page of documents PostgreSQL rendered (each row's ``document``), with its next-page Link."""
    body = page_json([row["document"] for row in rows], next_cursor)
    response = Response(body, media_type="application/json")
    describe_page(request, response, next_cursor)
    return response


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not Modified (ETag matches)"}}
