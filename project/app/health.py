"""Liveness and readiness probes. Readiness asks the database, not just the process."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.problems import is_database_unavailable, problem_response, problem_responses
from app.search.service import fuzzy_search_available

router = APIRouter(prefix="/health", tags=["health"])


@router.get("/live", summary="Is the process up?")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Can the service answer requests? Runs `SELECT 1` on the database.",
    responses=problem_responses(503),
)
async def ready(request: Request) -> Any:
    engine: AsyncEngine = request.app.state.engine
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        async with request.app.state.sessionmaker() as session:
            typo_tolerance = await fuzzy_search_available(request.app, session)
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        return problem_response(
            request, 503, slug="database-unavailable", detail=f"Database check failed: {exc}",
            headers={"Retry-After": "5"}, checks={"database": "unavailable"},
        )  # fmt: skip
    checks = {"database": "ok", "search": {"typo_tolerance": typo_tolerance}}
    return JSONResponse({"status": "ok", "checks": checks})
