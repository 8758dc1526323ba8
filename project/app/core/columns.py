"""Columns every resource table has: timestamps set by the database and a version counter."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, text
from sqlmodel import Field, SQLModel


class Versioned(SQLModel):
    """``created_at``/``updated_at`` come from PostgreSQL (a trigger sets ``updated_at``);
    ``version`` starts at 1 and every update adds one; it is the ETag of the resource."""

    created_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": text("now()"), "nullable": False},
    )
    updated_at: datetime | None = Field(
        default=None,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": text("now()"), "nullable": False},
    )
    version: int = Field(default=1, sa_column_kwargs={"server_default": text("1")})
