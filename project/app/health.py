"""Liveness and readiness probes. Readiness asks the database, not just the process."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import literal, select

from app.core.prepared import Prepared
from app.core.routing import PlannedRoute
from app.db import ConnectionSource, Db
from app.problems import is_database_unavailable, problem_response, problem_responses
from app.search.service import fuzzy_search_available

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/health", tags=["health"], route_class=PlannedRoute)
_SELECT_1 = Prepared.compile(select(literal(1)))


@router.get("/live", summary="Is the process up?")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/ready",
    summary="Can the service answer requests? Runs `SELECT 1` on the database.",
    responses=problem_responses(503),
)
async def ready(request: Request) -> Any:
    database: ConnectionSource = request.app.state.database
    try:
        async with database.connection() as connection:
            db = Db(connection)
            await db.fetchval(_SELECT_1)
            typo_tolerance = await fuzzy_search_available(request.app, db)
    except Exception as exc:
        if not is_database_unavailable(exc):
            raise
        # What went wrong goes to the log; the probe's answer names no internals.
        logger.warning("readiness: database check failed: %r", exc)
        return problem_response(
            request, 503, slug="database-unavailable", detail="The database cannot be reached right now.",
            headers={"Retry-After": "5"}, checks={"database": "unavailable"},
        )  # fmt: skip
    checks = {"database": "ok", "search": {"typo_tolerance": typo_tolerance}}
    return JSONResponse({"status": "ok", "checks": checks})
