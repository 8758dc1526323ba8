"""SQL written with SQLAlchemy Core, compiled once, run by asyncpg.

SQLAlchemy builds and compiles each statement (so it is written once, with the same tables and
expressions as the migrations); we keep the compiled text and the order of its parameters and
send it straight to asyncpg, which prepares and caches it per connection by its text. That
skips SQLAlchemy's per-execution work (the ORM session, result processing, greenlet hops),
which is most of the time of a short request.

Values go to asyncpg as they are, without SQLAlchemy's type processing: pass what asyncpg
takes for the column (JSON as text, for instance).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ClauseElement
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.schema import ScalarElementColumnDefault

_DIALECT = PGDialect_asyncpg()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class Prepared:
    sql: str
    parameter_names: tuple[str, ...]
    fixed_values: Mapping[str, Any]  # values the statement carries itself (literals)

    @classmethod
    def compile(cls, statement: ClauseElement, *, expand_lists: bool = False) -> Prepared:
        """Compile for reuse with new values; ``expand_lists`` renders IN lists of values
        inline, for statements compiled for one execution only."""
        options = {"render_postcompile": True} if expand_lists else {}
        compiled = statement.compile(dialect=_DIALECT, compile_kwargs=options)
        assert isinstance(compiled, SQLCompiler)  # asyncpg's $n style is positional
        if "POSTCOMPILE" in compiled.string:  # an IN list expands per execution: not reusable
            raise ValueError("statements with IN lists of values cannot be prepared once; use = ANY()")
        fixed = dict(compiled.params)
        # Python-side column defaults (a new row's version = 1) are bound values SQLAlchemy
        # fills in when it executes; we execute, so we fill them in here.
        for column in (*compiled.insert_prefetch, *compiled.update_prefetch):
            default = column.default if column in compiled.insert_prefetch else column.onupdate
            if not isinstance(default, ScalarElementColumnDefault):
                raise ValueError(f"{column.key}: only constant Python-side defaults can be prepared")
            fixed[column.key] = default.arg
        return cls(compiled.string, tuple(compiled.positiontup or ()), fixed)

    @classmethod
    def of(cls, statement: Statement) -> Prepared:
        """``statement`` itself when prepared, else compiled for this one execution."""
        if isinstance(statement, Prepared):
            return statement
        return cls.compile(statement, expand_lists=True)

    def arguments(self, parameters: Mapping[str, Any]) -> list[Any]:
        fixed = self.fixed_values
        return [parameters[name] if name in parameters else fixed[name] for name in self.parameter_names]


Statement = Prepared | ClauseElement
