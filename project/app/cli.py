"""``python -m app.cli serve``: run the service, on an embedded PostgreSQL if no DATABASE_URL.

Worker processes: ``--workers``, else ``WEB_CONCURRENCY``, else 1 when ``ENVIRONMENT`` is
``development`` and one per CPU available to the process otherwise (see :func:`default_workers`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping

import uvicorn

from app.database_admin import create_database
from app.embedded_db import EmbeddedPostgres, EmbeddedPostgresError
from app.migrate import upgrade
from app.settings import get_settings

EMBEDDED_DATABASE = "songs"
WORKERS_HELP = (
    "worker processes (default: $WEB_CONCURRENCY; if that is unset, 1 when ENVIRONMENT is "
    "development, its default, as one process is simpler to debug and --reload runs one anyway; "
    "otherwise one per CPU this process may use, {cpus} here: a Python process runs its code on "
    "one core at a time). Each worker has its own pool of DB_POOL_SIZE connections: keep "
    "workers x DB_POOL_SIZE below PostgreSQL's max_connections."
)


def available_cpus() -> int:
    """The CPUs this process may run on: its affinity mask (cpuset) where the OS has one.

    Like ``nproc``, and ``os.process_cpu_count()`` of Python 3.13; a CPU quota (e.g.
    ``docker run --cpus``) is not seen, so set WEB_CONCURRENCY when limiting CPUs that way.
    """
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def default_workers(environment: str) -> int:
    """Workers when neither --workers nor WEB_CONCURRENCY says: 1 in development, else per CPU."""
    return 1 if environment == "development" else available_cpus()


def workers_from_env(environ: Mapping[str, str]) -> int | None:
    """WEB_CONCURRENCY as a number of workers; None when unset or empty."""
    value = environ.get("WEB_CONCURRENCY", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise ValueError(f"WEB_CONCURRENCY must be a whole number of at least 1, not {value!r}")
    return int(value)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def serve(host: str, port: int, workers: int | None, reload: bool) -> int:
    embedded: EmbeddedPostgres | None = None
    try:
        if workers is None:
            environment = get_settings().environment
            workers = default_workers(environment)
            why = "1 in development" if environment == "development" else "one per CPU"
            print(f"workers: {workers} ({why}, ENVIRONMENT={environment}; WEB_CONCURRENCY sets it)")
        else:
            print(f"workers: {workers}")
        database_url = get_settings().database_url
        if not database_url:
            embedded = EmbeddedPostgres.from_env()
            embedded.start()
            database_url = embedded.url(EMBEDDED_DATABASE)
            asyncio.run(create_database(database_url))
            print(f"embedded PostgreSQL: {database_url} (data in {embedded.data_dir})")
            os.environ["DATABASE_URL"] = database_url
            get_settings.cache_clear()
        upgrade(database_url)
        uvicorn.run(
            "app.main:create_app", factory=True, host=host, port=port, workers=workers,
            reload=reload, proxy_headers=True, log_level=get_settings().log_level,
        )  # fmt: skip
    except EmbeddedPostgresError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="app.cli", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve_parser = commands.add_parser("serve", help="migrate the database, then serve the API")
    serve_parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    serve_parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8004")))
    serve_parser.add_argument(
        "--workers", type=_positive, default=None, help=WORKERS_HELP.format(cpus=available_cpus())
    )
    serve_parser.add_argument("--reload", action="store_true", help="restart on code changes")
    args = parser.parse_args(argv)
    if args.command == "serve" and args.workers is None:
        try:
            args.workers = workers_from_env(os.environ)
        except ValueError as exc:
            serve_parser.error(str(exc))
    if args.command == "serve":
        return serve(args.host, args.port, args.workers, args.reload)
    return 2


if __name__ == "__main__":
    sys.exit(main())
