"""What list and item routes share: the problems they document and the next-page Link."""

from __future__ import annotations

from typing import Any

from fastapi import Request, Response

from app.core.pagination import next_link
from app.problems import problem_responses

# Documented on every route that takes a body or an id.
ITEM_PROBLEMS = problem_responses(404, 422)
CHANGE_PROBLEMS = problem_responses(404, 409, 412, 422)
LIST_PROBLEMS = problem_responses(400, 422)


def describe_page(request: Request, response: Response, next_cursor: str | None) -> None:
    if next_cursor is not None:
        response.headers["Link"] = next_link(request.url, next_cursor)


NOT_MODIFIED: dict[int | str, dict[str, Any]] = {304: {"description": "Not Modified (ETag matches)"}}
