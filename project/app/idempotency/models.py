"""The table remembering each idempotency key, its request fingerprint and first response."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, LargeBinary, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


class IdempotencyKey(SQLModel, table=True):
    __tablename__ = "idempotency_keys"

    key: str = Field(primary_key=True, max_length=255)
    # sha256 of method, path, query and body: the same key must come with the same request.
    fingerprint: str = Field(max_length=64)
    # NULL while the first request is still being handled.
    status_code: int | None = None
    response_headers: list[Any] | None = Field(default=None, sa_type=JSONB)
    response_body: bytes | None = Field(default=None, sa_type=LargeBinary)
    created_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": text("now()"), "nullable": False},
        index=True,
    )
