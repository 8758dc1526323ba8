"""``python -m app.cli serve``: run the service, on an embedded PostgreSQL if no DATABASE_URL."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import uvicorn

from app.database_admin import create_database
from app.embedded_db import EmbeddedPostgres, EmbeddedPostgresError
from app.migrate import upgrade
from app.settings import get_settings

EMBEDDED_DATABASE = "songs"


def serve(host: str, port: int, workers: int, reload: bool) -> int:
    embedded: EmbeddedPostgres | None = None
    try:
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
    serve_parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "1")))
    serve_parser.add_argument("--reload", action="store_true", help="restart on code changes")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, args.workers, args.reload)
    return 2


if __name__ == "__main__":
    sys.exit(main())
