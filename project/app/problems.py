"""RFC 9457 problem details: the one place that turns errors into HTTP responses.

Every error the API returns, validation errors and unknown routes included, is an
``application/problem+json`` document with ``type``, ``title``, ``status`` and ``detail``.
"""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import (
    BadRequestError,
    ConflictError,
    DatabaseTimeoutError,
    DatabaseUnavailableError,
    DomainError,
    InvalidReferenceError,
    NotFoundError,
    PreconditionFailedError,
    ServiceUnavailableError,
)

logger = logging.getLogger(__name__)

PROBLEM_MEDIA_TYPE = "application/problem+json"

# slug -> (title, what it means); served at /problems/{slug} so every `type` URI resolves.
PROBLEM_TYPES: dict[str, tuple[str, str]] = {
    "validation-error": (
        "Your request is not valid",
        "One or more fields, query parameters or headers failed validation; `errors` lists "
        "each one with its location and the reason.",
    ),
    "not-found": ("Resource not found", "The resource does not exist (or no longer exists)."),
    "conflict": (
        "Conflict with the current state",
        "The request conflicts with existing data, e.g. a unique value already taken; "
        "`constraint` names the rule that was hit.",
    ),
    "precondition-failed": (
        "Precondition failed",
        "The resource changed since you read it (its ETag no longer matches If-Match).",
    ),
    "bad-request": ("Bad request", "The request cannot be understood as sent."),
    "idempotency-key-reused": (
        "Idempotency-Key reused",
        "This Idempotency-Key was first sent with a different request (method, path, query or "
        "body). Use a new key for a new request.",
    ),
    "idempotency-key-in-flight": (
        "Request still in flight",
        "The first request with this Idempotency-Key has not finished; retry shortly to get its response.",
    ),
    "database-unavailable": (
        "Database unavailable",
        "The service cannot reach its database right now; retry after a short wait.",
    ),
    "database-busy": (
        "Database busy",
        "Every database connection stayed busy longer than the service waits for one; retry after "
        "the time in `Retry-After`.",
    ),
    "database-timeout": (
        "Database timeout",
        "A statement ran longer than the service allows (often it waited for a row another change "
        "holds); nothing was changed. Retry after the time in `Retry-After`.",
    ),
    "internal-error": ("Internal server error", "An unexpected error; it has been logged."),
}


class ValidationIssue(BaseModel):
    field: str = Field(description="Dotted location, e.g. `body.year` or `query.limit`.")
    message: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem details document."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(default="about:blank", examples=["/problems/not-found"])
    title: str = Field(examples=["Resource not found"])
    status: int = Field(examples=[404])
    detail: str | None = Field(default=None, examples=["Song 42 does not exist."])
    instance: str | None = Field(default=None, examples=["/songs/42"])


class ValidationProblem(Problem):
    errors: list[ValidationIssue]


def problem_type(slug: str) -> str:
    return f"/problems/{slug}"


def problem_response(
    request: Request,
    status: int,
    *,
    slug: str | None = None,
    detail: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    title = PROBLEM_TYPES[slug][0] if slug else HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": problem_type(slug) if slug else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location)


def _validation_issues(exc: RequestValidationError) -> list[dict[str, str]]:
    issues = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid value"))
        if error.get("type") == "extra_forbidden":
            message = "Unknown field: not part of this resource's schema."
        issues.append(
            {"field": _field_path(tuple(error.get("loc", ()))), "message": message,
             "type": str(error.get("type", "value_error"))}
        )  # fmt: skip
    return issues


async def _on_validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    issues = _validation_issues(exc)
    summary = "; ".join(f"{issue['field']}: {issue['message']}" for issue in issues[:5])
    return problem_response(request, 422, slug="validation-error", detail=summary or None, errors=issues)


async def _on_http_exception(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    headers = dict(exc.headers) if exc.headers else None
    return problem_response(request, exc.status_code, detail=detail, headers=headers)


_DOMAIN_STATUS: dict[type[DomainError], tuple[int, str]] = {
    InvalidReferenceError: (422, "validation-error"),
    NotFoundError: (404, "not-found"),
    ConflictError: (409, "conflict"),
    PreconditionFailedError: (412, "precondition-failed"),
    BadRequestError: (400, "bad-request"),
}


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status, slug = next(
        (mapped for kind, mapped in _DOMAIN_STATUS.items() if isinstance(exc, kind)),
        (400, "bad-request"),
    )
    extra: dict[str, Any] = {}
    if isinstance(exc, ConflictError) and exc.constraint:
        extra["constraint"] = exc.constraint
    if isinstance(exc, BadRequestError) and exc.parameter:
        extra["parameter"] = exc.parameter
    if isinstance(exc, BadRequestError) and exc.column is not None:
        extra["column"] = exc.column
    if isinstance(exc, InvalidReferenceError):
        field = f"body.{exc.field}"
        extra["errors"] = [{"field": field, "message": exc.detail, "type": "invalid_reference"}]
        return problem_response(request, 422, slug=slug, detail=f"{field}: {exc.detail}", **extra)
    return problem_response(request, status, slug=slug, detail=exc.detail, **extra)


async def _on_integrity_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, asyncpg.IntegrityConstraintViolationError)
    constraint = exc.constraint_name
    return problem_response(
        request, 409, slug="conflict",
        detail=f"The change violates the constraint {constraint or 'of the database'}.",
        constraint=constraint,
    )  # fmt: skip


# The server is down, restarting, refusing or out of connection slots: retrying will work.
_CONNECTION_ERRORS = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
)


def as_service_unavailable(exc: BaseException) -> ServiceUnavailableError | None:
    """The 503 an error of the database stands for, or None when it is not the database's state."""
    if isinstance(exc, ServiceUnavailableError):
        return exc
    if isinstance(exc, asyncpg.QueryCanceledError):  # statement_timeout (lock waits included)
        return DatabaseTimeoutError()
    if isinstance(exc, _CONNECTION_ERRORS):
        return DatabaseUnavailableError()
    if isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc):  # used after it died
        return DatabaseUnavailableError()
    return None


def is_database_unavailable(exc: BaseException) -> bool:
    return as_service_unavailable(exc) is not None


def service_unavailable_response(request: Request, exc: ServiceUnavailableError) -> JSONResponse:
    return problem_response(
        request, 503, slug=exc.slug, detail=exc.detail, headers={"Retry-After": str(exc.retry_after)}
    )


async def _on_database_error(request: Request, exc: Exception) -> JSONResponse:
    unavailable = as_service_unavailable(exc)
    if unavailable is not None:
        logger.warning("database unavailable on %s %s: %r", request.method, request.url.path, exc)
        return service_unavailable_response(request, unavailable)
    logger.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, slug="internal-error")


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette logs and re-raises after this response: a bug still shows up in logs and tests.
    return problem_response(request, 500, slug="internal-error")


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(asyncpg.IntegrityConstraintViolationError, _on_integrity_error)
    # Connection failures surface as our own 503 errors (app.db), asyncpg's errors or plain
    # OSError/TimeoutError; statement timeouts as QueryCanceledError.
    for database_error in (
        ServiceUnavailableError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
        OSError,
        TimeoutError,
    ):
        app.add_exception_handler(database_error, _on_database_error)
    app.add_exception_handler(Exception, _on_unexpected_error)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the problems an endpoint can answer with."""
    documented: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        model = ValidationProblem if status == 422 else Problem
        documented[status] = {
            "model": model,
            "description": HTTPStatus(status).phrase,
            "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
    return documented
