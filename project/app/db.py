"""The async engine, the session factory and the per-request session dependency."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from app.settings import Settings

metadata: MetaData = SQLModel.metadata  # naming convention set in app/__init__.py


def create_engine(settings: Settings) -> AsyncEngine:
    connect_args: dict[str, object] = {"server_settings": {"application_name": "songs-catalog"}}
    if settings.db_statement_timeout_ms:
        server_settings = connect_args["server_settings"]
        assert isinstance(server_settings, dict)
        server_settings["statement_timeout"] = str(settings.db_statement_timeout_ms)
    return create_async_engine(
        settings.require_database_url(),
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout,
        echo=settings.db_echo,
        connect_args=connect_args,
    )


def create_sessionmaker(engine: AsyncEngine, *, autocommit: bool = False) -> async_sessionmaker[AsyncSession]:
    bind = engine.execution_options(isolation_level="AUTOCOMMIT") if autocommit else engine
    return async_sessionmaker(bind, class_=AsyncSession, expire_on_commit=False)


def create_gate(settings: Settings) -> asyncio.Semaphore:
    """A first-come, first-served queue in front of the pool.

    When more requests than pooled connections arrive, SQLAlchemy's async pool lets a newcomer
    take a connection just returned before a request that was already waiting: under load some
    requests then wait for seconds (p99 of 1.5 s against a p50 of 15 ms, measured). Waiting here
    instead, in order, keeps the tail short.
    """
    return asyncio.Semaphore(settings.db_pool_size + settings.db_max_overflow)


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One transaction per request: committed when the handler succeeds, rolled back otherwise."""
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.sessionmaker
    async with request.app.state.db_gate, sessionmaker() as session, session.begin():
        yield session


async def get_read_session(request: Request) -> AsyncIterator[AsyncSession]:
    """For read-only requests on hot paths: no BEGIN/COMMIT round trips around their query.

    Each statement is atomic on its own; requests that write use ``SessionDep``.
    """
    sessionmaker: async_sessionmaker[AsyncSession] = request.app.state.read_sessionmaker
    async with request.app.state.db_gate, sessionmaker() as session:
        yield session


# scope="function": the transaction ends (commit or rollback) when the handler returns, before
# the response is sent. With FastAPI's default ("request") it would end after the response is
# sent: a client could read before the commit, and a failed commit would follow a 201.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
ReadSessionDep = Annotated[AsyncSession, Depends(get_read_session, scope="function")]
