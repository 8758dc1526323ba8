"""Search latency at scale: typical queries through the real app, in process, one at a time.

    python -m bench.search_latency [--songs 1000000] [--iterations 200] [--warmup 20]

Loads the catalog (once; see ``bench.dataset``) into the bench database, then sends each query
of :data:`QUERIES` to ``GET /search`` of ``app.main.create_app`` (production settings) through
httpx's ASGI transport: no network, no server, one request at a time on one core, so the time
measured is the app's and the database's. Prints p50/p95/p99 per query and overall, and
whether each query meets the target (p95 <= 20 ms at 1,000,000 songs).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import httpx

from app.main import create_app
from app.settings import Settings
from bench.common import RESULTS_DIR, SECRET_KEY, data_dir_from, pg_port_from, prepare_database

TARGET_P95_MS = 20.0
# (what it stands for, the query as typed)
QUERIES: tuple[tuple[str, str], ...] = (
    ("artist name", "radiohead"),
    ("title prefix, as typed", "midnight fi"),
    ("two words", "karma police"),
    ("typo'd artist", "radiohaed"),
    ("typo'd artist", "mogwia"),
    ("phrase", '"sigur ros"'),
    ("scoped", "artist:radiohead year:1990..1999"),
    ("OR", "mogwai OR slint"),
    ("common word", "love"),
    ("common words", "love night"),
)


def percentiles(samples: Sequence[float]) -> dict[str, float]:
    if len(samples) == 1:
        return {"p50": samples[0], "p95": samples[0], "p99": samples[0]}
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


async def measure(
    database_url: str, *, iterations: int, warmup: int, queries: Sequence[tuple[str, str]] = QUERIES
) -> dict[str, Any]:
    """Milliseconds per request for each query; each answer must be a 200 with results."""
    settings = Settings(database_url=database_url, environment="production", secret_key=SECRET_KEY)
    app = create_app(settings)
    timings: dict[str, list[float]] = {}
    hits: dict[str, int] = {}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client,
    ):
        for _label, query in queries:
            for _ in range(warmup):
                await client.get("/search", params={"q": query})
            samples: list[float] = []
            for _ in range(iterations):
                started = time.perf_counter()
                response = await client.get("/search", params={"q": query})
                samples.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    raise RuntimeError(f"q={query!r}: {response.status_code} {response.text[:300]}")
            timings[query] = samples
            hits[query] = len(response.json()["items"])
    return {"timings": timings, "hits": hits}


def report(measured: dict[str, Any], queries: Sequence[tuple[str, str]] = QUERIES) -> dict[str, Any]:
    """Print the table; return the summary (per query and overall)."""
    timings: dict[str, list[float]] = measured["timings"]
    rows: list[dict[str, Any]] = []
    print(f"\n{'query':<36} {'kind':<24} {'hits':>4} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}  target")
    for label, query in queries:
        stats = percentiles(timings[query])
        ok = stats["p95"] <= TARGET_P95_MS
        rows.append(
            {"query": query, "kind": label, "hits": measured["hits"][query], **stats, "meets_target": ok}
        )
        print(
            f"{query:<36} {label:<24} {measured['hits'][query]:>4} {stats['p50']:>8.2f} {stats['p95']:>8.2f} "
            f"{stats['p99']:>8.2f}  {'ok' if ok else 'SLOW'}"
        )
    overall = percentiles([sample for samples in timings.values() for sample in samples])
    print(f"{'overall':<65} {overall['p50']:>8.2f} {overall['p95']:>8.2f} {overall['p99']:>8.2f}")
    slow = [row["query"] for row in rows if not row["meets_target"]]
    print(
        f"target p95 <= {TARGET_P95_MS:g} ms per query: "
        + (f"NOT met by {slow}" if slow else "met by every query")
    )
    return {"queries": rows, "overall": overall, "target_p95_ms": TARGET_P95_MS, "slow": slow}


def pin_to_one_cpu() -> int | None:
    """Run on one core (Linux); the database server keeps the others."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.search_latency", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--songs", type=int, default=1_000_000)
    parser.add_argument("--iterations", type=int, default=200, help="timed requests per query")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per query first")
    parser.add_argument("--pg-data", help="data folder of the bench server (default .data/bench-postgres)")
    parser.add_argument("--pg-port", type=int, help="port of the bench server (default 54339)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin this process to one CPU")
    args = parser.parse_args(argv)
    bench = prepare_database(data_dir_from(args.pg_data), pg_port_from(args.pg_port), args.songs)
    try:
        cpu = None if args.no_pin else pin_to_one_cpu()
        where = f", on CPU {cpu}" if cpu is not None else ""
        print(
            f"search latency: {args.songs:,} songs, {args.iterations} requests per query after "
            f"{args.warmup} warm-up requests, sequential, in process{where}"
        )
        measured = asyncio.run(measure(bench.url, iterations=args.iterations, warmup=args.warmup))
        summary = report(measured)
    finally:
        bench.stop()
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"search-latency-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"songs": args.songs, "iterations": args.iterations, **summary}, indent=2))
    print(f"results: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
