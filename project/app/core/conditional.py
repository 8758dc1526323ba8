"""RFC 9110 conditional requests: strong ETags from a resource's version."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from app.errors import PreconditionFailedError

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="Only change the resource if its current ETag is one of these (or `*`).",
        examples=['"3"'],
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(alias="If-None-Match", description="Answer 304 if the ETag still matches."),
]


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip() for tag in header.split(",") if tag.strip()]


def accepted_versions(if_match: str | None) -> list[int] | None:
    """The versions an ``If-Match`` header accepts; None means no condition (absent or ``*``).

    Weak tags never match If-Match (RFC 9110 13.1.1 uses the strong comparison), so a header
    made only of weak or foreign tags accepts nothing and the change fails with 412.
    """
    if if_match is None or if_match.strip() == "*":
        return None
    return [
        int(tag[1:-1])
        for tag in _tags(if_match)
        if tag.startswith('"') and tag.endswith('"') and tag[1:-1].isdigit()
    ]


def require_match(accepted: list[int] | None, version: int, resource: str) -> None:
    if accepted is not None and version not in accepted:
        raise PreconditionFailedError(
            f"The {resource} has changed: its ETag is now {etag(version)}. "
            "Fetch it again and reapply your change."
        )


def not_modified(if_none_match: str | None, current: str) -> bool:
    """Whether ``If-None-Match`` names the representation's current ETag (``current``)."""
    if if_none_match is None:
        return False
    tags = _tags(if_none_match)
    # If-None-Match uses the weak comparison: W/"3" matches "3".
    return "*" in tags or any(tag.removeprefix("W/") == current for tag in tags)
