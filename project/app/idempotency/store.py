"""Claiming, completing and releasing idempotency keys, each in a short transaction of its own.

The claim commits before the request is handled, so a concurrent repeat sees it at once and is
told the first is still in flight instead of running twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import BindParameter, Text, bindparam, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert

from app.core.prepared import Prepared
from app.db import ConnectionSource, transaction
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


_key: BindParameter[str] = bindparam("key")
_EXPIRE = Prepared.compile(delete(table).where(table.c.created_at < func.now() - KEY_LIFETIME))
_CLAIM = Prepared.compile(
    pg_insert(table)
    .values(key=_key, fingerprint=bindparam("fingerprint"))
    .on_conflict_do_nothing(index_elements=["key"])
    .returning(table.c.key)
)
# JSON crosses as text both ways, so no connection-level JSON codec is assumed.
_CLAIMED = Prepared.compile(
    select(
        table.c.fingerprint,
        table.c.status_code,
        cast(table.c.response_headers, Text).label("response_headers"),
        table.c.response_body,
    )
    .where(table.c.key == _key)
    .with_for_update()
)
_TAKE_OVER = Prepared.compile(
    update(table)
    .where(table.c.key == _key, table.c.created_at < func.now() - ABANDONED_AFTER)
    .values(created_at=func.now())
    .returning(table.c.key)
)
_COMPLETE = Prepared.compile(
    update(table)
    .where(table.c.key == _key)
    .values(
        status_code=bindparam("status_code"),
        response_headers=cast(bindparam("response_headers", type_=Text), JSONB),
        response_body=bindparam("response_body"),
    )
)
_RELEASE = Prepared.compile(delete(table).where(table.c.key == _key))


class IdempotencyStore:
    def __init__(self, database: ConnectionSource) -> None:
        self.database = database

    async def claim(self, key: str, fingerprint: str) -> Claim:
        async with transaction(self.database) as db:
            await db.execute(_EXPIRE)
            if await db.fetchval(_CLAIM, {"key": key, "fingerprint": fingerprint}) is not None:
                return Claimed()
            row = await db.fetchrow(_CLAIMED, {"key": key})
            assert row is not None
            if row["fingerprint"] != fingerprint:
                return Mismatch()
            if row["status_code"] is not None:
                headers = [(name, value) for name, value in orjson.loads(row["response_headers"])]
                return StoredResponse(row["status_code"], headers, row["response_body"])
            taken_over = await db.fetchval(_TAKE_OVER, {"key": key})
            return Claimed() if taken_over is not None else InFlight()

    async def complete(self, key: str, response: StoredResponse) -> None:
        values = {
            "key": key,
            "status_code": response.status_code,
            "response_headers": orjson.dumps([list(header) for header in response.headers]).decode(),
            "response_body": response.body,
        }
        async with transaction(self.database) as db:
            await db.execute(_COMPLETE, values)

    async def release(self, key: str) -> None:
        """Forget a claim whose request failed, so that a retry runs it afresh."""
        async with transaction(self.database) as db:
            await db.execute(_RELEASE, {"key": key})
