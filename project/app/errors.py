"""Domain errors. Services raise these; ``app.problems`` maps each to an HTTP problem."""

from __future__ import annotations


class DomainError(Exception):
    """Base of the errors a client can cause; ``detail`` is safe to show them."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class NotFoundError(DomainError):
    def __init__(self, resource: str, identifier: object) -> None:
        super().__init__(f"{resource} {identifier} does not exist.")
        self.resource = resource
        self.identifier = identifier


class ConflictError(DomainError):
    def __init__(self, detail: str, *, constraint: str | None = None) -> None:
        super().__init__(detail)
        self.constraint = constraint


class PreconditionFailedError(DomainError):
    pass


class BadRequestError(DomainError):
    def __init__(self, detail: str, *, parameter: str | None = None, column: int | None = None) -> None:
        super().__init__(detail)
        self.parameter = parameter
        self.column = column  # where in the parameter's value the problem is (1-based)


class InvalidReferenceError(DomainError):
    """A field names a related resource that does not exist (answered as a 422)."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail)
        self.field = field


class ServiceUnavailableError(Exception):
    """The service cannot answer now through no fault of the request; retrying later will work.

    Answered as a 503 problem with ``Retry-After`` (see ``app.problems``)."""

    slug = "database-unavailable"
    detail = "The database cannot be reached right now."
    retry_after = 5


class DatabaseUnavailableError(ServiceUnavailableError):
    """The connection broke or could not be made (a restart, an outage)."""

    retry_after = 2


class DatabaseBusyError(ServiceUnavailableError):
    """Every pooled connection stayed busy for ``DB_POOL_TIMEOUT`` seconds."""

    slug = "database-busy"
    detail = "Every database connection is busy; the request waited too long for one."
    retry_after = 2


class DatabaseTimeoutError(ServiceUnavailableError):
    """A statement ran past ``DB_STATEMENT_TIMEOUT_MS`` (often: waiting for a lock held elsewhere)."""

    slug = "database-timeout"
    detail = "The database did not answer in time (a row may be locked by another change)."
    retry_after = 2
