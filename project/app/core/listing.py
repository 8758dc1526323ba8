"""The query parameters every list endpoint shares, and the page it answers with."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from app.core.pagination import DEFAULT_LIMIT, MAX_LIMIT

Item = TypeVar("Item")


class ListParams(BaseModel):
    """Unknown query parameters are rejected (422), never silently ignored."""

    model_config = ConfigDict(extra="forbid")

    cursor: str | None = Field(
        default=None, description="`next_cursor` of the previous page; omit for the first page."
    )
    limit: int = Field(default=DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Page size.")
    sort: str | None = Field(
        default=None,
        description="Comma-separated fields, `-` for descending, e.g. `-year,name`. "
        "The id always breaks ties.",
    )

    def filter_values(self) -> dict[str, Any]:
        """The filters given, by name in the resource's filters, with the values their
        conditions take; lists with filters override this."""
        return {}


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page. "
        'The same URL is in the `Link: <...>; rel="next"` header.'
    )
