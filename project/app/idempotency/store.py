"""Claiming, completing and releasing idempotency keys, each in a short transaction of its own.

The claim commits before the request is handled, so a concurrent repeat sees it at once and is
told the first is still in flight instead of running twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from app.idempotency.models import IdempotencyKey

KEY_LIFETIME = timedelta(hours=24)
# A claim this old with no response belongs to a request that died; a retry may take it over.
ABANDONED_AFTER = timedelta(minutes=5)

table: Any = IdempotencyKey.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True)
class Claimed:
    """The key is ours: handle the request, then complete or release the key."""


@dataclass(frozen=True)
class InFlight:
    """Another request with this key has not finished yet."""


@dataclass(frozen=True)
class Mismatch:
    """The key was first used with a different request."""


Claim = Claimed | InFlight | Mismatch | StoredResponse


class IdempotencyStore:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def claim(self, key: str, fingerprint: str) -> Claim:
        async with self.sessionmaker() as session, session.begin():
            expired = table.c.created_at < func.now() - KEY_LIFETIME
            await session.execute(delete(table).where(expired))
            claimed = await session.execute(
                pg_insert(table)
                .values(key=key, fingerprint=fingerprint)
                .on_conflict_do_nothing(index_elements=["key"])
                .returning(table.c.key)
            )
            if claimed.first() is not None:
                return Claimed()
            row = (await session.execute(select(table).where(table.c.key == key).with_for_update())).one()
            if row.fingerprint != fingerprint:
                return Mismatch()
            if row.status_code is not None:
                headers = [(name, value) for name, value in row.response_headers]
                return StoredResponse(row.status_code, headers, row.response_body)
            taken_over = await session.execute(
                update(table)
                .where(table.c.key == key, table.c.created_at < func.now() - ABANDONED_AFTER)
                .values(created_at=func.now())
                .returning(table.c.key)
            )
            return Claimed() if taken_over.first() is not None else InFlight()

    async def complete(self, key: str, response: StoredResponse) -> None:
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(table)
                .where(table.c.key == key)
                .values(
                    status_code=response.status_code,
                    response_headers=[list(header) for header in response.headers],
                    response_body=response.body,
                )
            )

    async def release(self, key: str) -> None:
        """Forget a claim whose request failed, so that a retry runs it afresh."""
        async with self.sessionmaker() as session, session.begin():
            await session.execute(delete(table).where(table.c.key == key))
