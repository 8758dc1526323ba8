"""Reading, inserting, versioned updating and deleting one row of a resource table.

Shared by every resource. Rows come back as their public JSON document rendered by PostgreSQL
(``app.core.documents``) with the version that is their ETag, in the same statement that
reads or writes them: a write is one round trip, with no ORM flush or refresh.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from typing import Any

import asyncpg
from sqlalchemy import ColumnElement, Integer, any_, bindparam, delete, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from app.core.cache import LruCache
from app.core.conditional import require_match
from app.core.documents import resource_document
from app.core.prepared import Prepared
from app.db import Db, Queries
from app.errors import NotFoundError

Accepted = list[int] | None  # the versions If-Match accepts; None: no condition


def _bound(values: Mapping[str, Any]) -> dict[str, Any]:
    return {f"v_{name}": value for name, value in values.items()}


class Repository:
    """Row access for one table with ``id`` and ``version`` columns.

    Updates and deletes are single statements guarded by the accepted versions, so two editors
    holding the same ETag cannot both succeed: the second one's guard no longer matches.
    Statements are compiled once per set of columns written.
    """

    def __init__(self, table: Any, resource: str, public_columns: Collection[str]) -> None:
        self.table = table
        self.resource = resource
        self.document: ColumnElement[str] = resource_document(table, public_columns).label("document")
        self._returned = (self.document, table.c.version, table.c.id)
        by_id = table.c.id == bindparam("row_id")
        self._get = Prepared.compile(select(*self._returned).where(by_id))
        self._row = Prepared.compile(select(table).where(by_id))
        self._row_for_update = Prepared.compile(select(table).where(by_id).with_for_update())
        self._statements: LruCache[Hashable, Prepared] = LruCache(256)

    def _statement(self, key: Hashable, build: Any) -> Prepared:
        found = self._statements.get(key)
        return found if found is not None else self._statements.put(key, Prepared.compile(build()))

    async def get(self, db: Queries, row_id: int) -> asyncpg.Record:
        """``document``, ``version`` and ``id`` of the row, or a 404 problem."""
        found = await db.fetchrow(self._get, {"row_id": row_id})
        if found is None:
            raise NotFoundError(self.resource, row_id)
        return found

    async def row(self, db: Queries, row_id: int, *, for_update: bool = False) -> asyncpg.Record:
        """Every column of the row (locked when ``for_update``), or a 404 problem."""
        statement = self._row_for_update if for_update else self._row
        found = await db.fetchrow(statement, {"row_id": row_id})
        if found is None:
            raise NotFoundError(self.resource, row_id)
        return found

    async def insert(self, db: Db, values: Mapping[str, Any]) -> asyncpg.Record:
        statement = self._statement(
            ("insert", frozenset(values)),
            lambda: (
                insert(self.table)
                .values({name: bindparam(f"v_{name}") for name in values})
                .returning(*self._returned)
            ),
        )
        created = await db.fetchrow(statement, _bound(values))
        assert created is not None
        return created

    async def update(
        self, db: Db, row_id: int, values: Mapping[str, Any], accepted_versions: Accepted
    ) -> asyncpg.Record:
        def build() -> Any:
            statement = (
                update(self.table)
                .where(self.table.c.id == bindparam("row_id"))
                .values(
                    {**{name: bindparam(f"v_{name}") for name in values}, "version": self.table.c.version + 1}
                )
                .returning(*self._returned)
            )
            return statement.where(self._accepted) if accepted_versions is not None else statement

        statement = self._statement(("update", frozenset(values), accepted_versions is None), build)
        arguments = {**_bound(values), "row_id": row_id, "accepted": accepted_versions}
        updated = await db.fetchrow(statement, arguments)
        if updated is None:
            await self._fail_guard(db, row_id)
        assert updated is not None
        return updated

    async def delete(self, db: Db, row_id: int, accepted_versions: Accepted) -> None:
        def build() -> Any:
            statement = delete(self.table).where(self.table.c.id == bindparam("row_id"))
            if accepted_versions is not None:
                statement = statement.where(self._accepted)
            return statement.returning(self.table.c.id)

        statement = self._statement(("delete", accepted_versions is None), build)
        deleted = await db.fetchval(statement, {"row_id": row_id, "accepted": accepted_versions})
        if deleted is None:
            await self._fail_guard(db, row_id)

    @property
    def _accepted(self) -> ColumnElement[bool]:
        accepted: ColumnElement[bool] = self.table.c.version == any_(
            bindparam("accepted", type_=ARRAY(Integer))
        )
        return accepted

    async def _fail_guard(self, db: Queries, row_id: int) -> None:
        current = await self.get(db, row_id)  # 404 when it is gone
        require_match([], int(current["version"]), self.resource.lower())
