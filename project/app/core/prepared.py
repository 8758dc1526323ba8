"""Statements compiled once and run straight on asyncpg: the hot read paths.

SQLAlchemy builds and compiles the SQL (so it is written once, with the same tables and
expressions as everywhere else); for a statement that is reused with new parameter values, we
keep the compiled text and send it on the session's own driver connection. That skips the
per-execution work of the ORM session, which is most of the time of a short read, while the
statement still runs on the session's connection (and so inside a test's transaction).
asyncpg prepares and caches the statement on each connection by its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import ClauseElement
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql.compiler import SQLCompiler
from sqlmodel.ext.asyncio.session import AsyncSession

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True)
class Prepared:
    sql: str
    parameter_names: tuple[str, ...]
    fixed_values: Mapping[str, Any]  # values the statement carries itself (literals)

    @classmethod
    def compile(cls, statement: ClauseElement) -> Prepared:
        compiled = statement.compile(dialect=_DIALECT)
        assert isinstance(compiled, SQLCompiler)  # asyncpg's $n style is positional
        if "POSTCOMPILE" in compiled.string:  # an IN list expands per execution: not reusable
            raise ValueError("statements with IN lists of values cannot be prepared once")
        return cls(compiled.string, tuple(compiled.positiontup or ()), dict(compiled.params))

    async def fetch(self, session: AsyncSession, parameters: Mapping[str, Any]) -> list[asyncpg.Record]:
        connection = await session.connection()
        driver: asyncpg.Connection = (await connection.get_raw_connection()).driver_connection  # type: ignore[assignment]
        values = {**self.fixed_values, **parameters}
        return await driver.fetch(self.sql, *(values[name] for name in self.parameter_names))
