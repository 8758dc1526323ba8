"""What the benchmark programs share: the bench database (its own embedded server) and URLs."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from app.database_admin import create_database
from app.embedded_db import EmbeddedPostgres
from app.migrate import upgrade
from bench import dataset

PROJECT_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
DEFAULT_DATA_DIR = PROJECT_DIR / ".data" / "bench-postgres"
DEFAULT_PG_PORT = 54339
DATABASE = "songs_bench"
SECRET_KEY = "bench-secret-not-for-production"  # noqa: S105 - a loopback benchmark's secret


def asyncpg_dsn(url: str) -> str:
    """The plain ``postgresql://`` form of a SQLAlchemy URL, for asyncpg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class BenchDatabase:
    """The embedded server (started here unless it already ran) and the loaded database."""

    server: EmbeddedPostgres
    url: str  # postgresql+asyncpg://...
    songs: int

    @property
    def dsn(self) -> str:
        return asyncpg_dsn(self.url)

    def stop(self) -> None:
        self.server.stop()


def data_dir_from(value: str | None) -> Path:
    return Path(value or os.environ.get("BENCH_PG_DATA") or DEFAULT_DATA_DIR)


def pg_port_from(value: int | None) -> int:
    return value or int(os.environ.get("BENCH_PG_PORT") or DEFAULT_PG_PORT)


def prepare_database(data_dir: Path, port: int, songs: int, *, log: bool = True) -> BenchDatabase:
    """Start the bench server, create and migrate ``songs_bench``, load ``songs`` songs once.

    The caller must call ``stop()`` (in a ``finally``).
    """
    server = EmbeddedPostgres(data_dir=data_dir, port=port)
    server.start()
    bench = BenchDatabase(server=server, url=server.url(DATABASE), songs=songs)
    try:
        asyncio.run(create_database(bench.url))
        upgrade(bench.url)
        started = time.perf_counter()
        loaded = asyncio.run(dataset.ensure_loaded(bench.dsn, songs, log=print if log else None))
        if log:
            state = "loaded" if loaded else "already loaded"
            print(f"dataset: {songs:,} songs {state} ({time.perf_counter() - started:.1f} s)", flush=True)
    except BaseException:
        server.stop()
        raise
    return bench
