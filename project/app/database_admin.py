"""Creating and dropping whole databases: used by the run command and the test suite."""

from __future__ import annotations

import asyncpg
from sqlalchemy.engine import make_url


def _server_dsn(url: str) -> tuple[str, str]:
    """The asyncpg DSN of the server's ``postgres`` database, and the database named in ``url``."""
    parsed = make_url(url)
    if not parsed.database:
        raise ValueError(f"{url!r} names no database")
    server = parsed.set(drivername="postgresql", database="postgres")
    return server.render_as_string(hide_password=False), parsed.database


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def create_database(url: str, *, drop_existing: bool = False) -> bool:
    """Create the database named in ``url``; returns whether it was created."""
    dsn, name = _server_dsn(url)
    connection = await asyncpg.connect(dsn)
    try:
        if drop_existing:
            await connection.execute(f"DROP DATABASE IF EXISTS {_quote_identifier(name)} WITH (FORCE)")
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if exists:
            return False
        await connection.execute(f"CREATE DATABASE {_quote_identifier(name)}")
        return True
    finally:
        await connection.close()
