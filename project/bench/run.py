"""The benchmark: our service against a raw and a tutorial baseline, on one loaded catalog.

    python -m bench.run [--songs N] [--duration S] [--connections C] [--rounds R] [--workers W] [--quick]
    python3 project/manage.py bench [same options]

On loopback only: starts an embedded PostgreSQL in its own data folder and port
(``.data/bench-postgres``, 54339), creates, migrates and loads ``songs_bench`` (once per N),
starts our service exactly as production does (``uvicorn app.main:create_app --factory``,
``ENVIRONMENT=production``) and the two baselines (``bench.raw_service``,
``bench.tutorial_service``), each with the same number of uvicorn workers (``--workers``, 1 by
default) and the same pool size per worker, on free loopback ports unless ``--ports`` names
them, then drives each scenario with ``wrk`` in alternating rounds (ours, raw, tutorial, ours,
...) and prints requests/s, p50 and p99 with the ratio to raw (medians over the rounds), and
the deep-page / first-page latency ratio. Results go to ``bench/results/`` as JSON, with a bar
chart of requests/s and p99 beside it (``.svg`` and ``.png``; see ``bench.chart``).

``--quick`` checks that every scenario answers correctly on a small catalog, not how fast: no
wrk needed, a few requests per scenario and service, plus the search-latency queries once. It
then sends a few dozen requests per scenario and service from Python, so that the table, the
JSON summary and the chart are made as in a full run (their numbers mean little).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from app.core.pagination import Ordering
from app.embedded_db import free_port, port_is_free
from app.songs.service import SORTABLE
from bench import raw_service, search_latency
from bench.chart import ChartError, write_charts
from bench.common import RESULTS_DIR, BenchDatabase, data_dir_from, pg_port_from, prepare_database
from bench.services import SERVICES, Service, start_service, wait_until_ready
from bench.wrk import WRK_MISSING, WrkResult, find_wrk, post_songs_script, random_ids_script, run_wrk

QUICK_SONGS = 2_000
QUICK_REQUESTS = 40  # per scenario and service, after as many again to warm up
QUICK_CONCURRENCY = 4
DEEP_FRACTION = 0.9  # the deep page starts after row 900,000 of 1,000,000
SEARCH_QUERY = "midnight fit"
SONG_FIELDS = {
    "id", "name", "artist", "artist_id", "album_id", "track_number", "disc_number", "duration_ms",
    "year", "isrc", "genres", "created_at", "updated_at", "version",
}  # fmt: skip
SCENARIOS = ("first_page", "get_by_id", "deep_page", "search", "post")
DESCRIPTIONS = {
    "first_page": "GET /songs (first page of 50)",
    "get_by_id": "GET /songs/{id} (random ids)",
    "deep_page": "GET /songs?cursor= (after row 90 %)",
    "search": "GET /search?q=",
    "post": "POST /songs (a new song each)",
}


@dataclass
class Catalog:
    """What the scenarios need to know about the loaded data."""

    first_id: int
    last_id: int
    deep_after_id: int  # the id of the row at 90 %: the deep page starts after it
    deep_next_id: int
    cursors: dict[str, str] = field(default_factory=dict)  # per service
    max_connections: int = 100  # the server's, less those reserved for superusers


def ours_cursor(after_id: int) -> str:
    """A cursor of our service for the default sort, made with the service's own encoder."""
    return Ordering.parse(None, SORTABLE).encode_cursor([after_id])


async def describe_catalog(dsn: str, songs: int) -> Catalog:
    connection = await asyncpg.connect(dsn)
    try:
        bounds = await connection.fetchrow("SELECT min(id) AS first, max(id) AS last FROM songs")
        offset = max(0, int(songs * DEEP_FRACTION) - 1)
        # Paging by SQL to the row at 90 %: the id a client would have after that many rows.
        deep = await connection.fetch("SELECT id FROM songs ORDER BY id OFFSET $1 LIMIT 2", offset)
        max_connections = await connection.fetchval(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
        )
    finally:
        await connection.close()
    assert bounds is not None
    catalog = Catalog(bounds["first"], bounds["last"], deep[0]["id"], deep[1]["id"], {}, max_connections)
    catalog.cursors = {
        "ours": ours_cursor(catalog.deep_after_id),
        "raw": raw_service.encode_cursor(catalog.deep_after_id),
        # The tutorial baseline reads the same cursor format as the raw one.
        "tutorial": raw_service.encode_cursor(catalog.deep_after_id),
    }
    return catalog


# --- quick mode: does every scenario answer correctly? ------------------------------------------


class CheckError(AssertionError):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckError(message)


def check_song(song: Any, where: str) -> None:
    expect(isinstance(song, dict), f"{where}: a song is not an object")
    missing = SONG_FIELDS - set(song)
    expect(not missing, f"{where}: missing fields {sorted(missing)}")
    expect(isinstance(song["genres"], list), f"{where}: genres is not a list")
    expect(isinstance(song["artist"], str) and bool(song["artist"]), f"{where}: no artist name")


def check_first_page(client: httpx.Client, catalog: Catalog, reference: dict[str, Any]) -> None:
    response = client.get("/songs")
    expect(response.status_code == 200, f"status {response.status_code}: {response.text[:200]}")
    body = response.json()
    expect(set(body) >= {"items", "next_cursor"}, f"keys {sorted(body)}")
    expect(len(body["items"]) == 50, f"{len(body['items'])} items, not 50")
    for song in body["items"]:
        check_song(song, "first page")
    expect(body["items"][0]["id"] == catalog.first_id, "the first page does not start at the first song")
    expect(isinstance(body["next_cursor"], str), "no next_cursor")
    following = client.get("/songs", params={"cursor": body["next_cursor"]})
    expect(following.status_code == 200, f"next page: status {following.status_code}")
    expect(following.json()["items"][0]["id"] > body["items"][-1]["id"], "the next page does not follow")
    reference.setdefault("first_page", body["items"])
    expect(
        [_comparable(song) for song in body["items"]]
        == [_comparable(song) for song in reference["first_page"]],
        "the first page differs from our service's",
    )


def _comparable(song: dict[str, Any]) -> dict[str, Any]:
    """The fields every service returns (ours may add optional ones, such as ``included``)."""
    return {key: song[key] for key in SONG_FIELDS}


def check_get_by_id(client: httpx.Client, catalog: Catalog, reference: dict[str, Any]) -> None:
    rng = random.Random(7)
    for song_id in [
        catalog.first_id,
        catalog.last_id,
        *rng.sample(range(catalog.first_id, catalog.last_id), 3),
    ]:
        response = client.get(f"/songs/{song_id}")
        expect(response.status_code == 200, f"/songs/{song_id}: status {response.status_code}")
        song = response.json()
        check_song(song, f"/songs/{song_id}")
        expect(song["id"] == song_id, f"/songs/{song_id} answered song {song['id']}")
        expected = reference.setdefault(f"song_{song_id}", _comparable(song))
        expect(
            _comparable(song) == expected,
            f"/songs/{song_id} differs from our service's: {song} != {expected}",
        )
    missing = client.get(f"/songs/{catalog.last_id + 1_000_000}")
    expect(missing.status_code == 404, f"a missing song: status {missing.status_code}, not 404")


def check_deep_page(client: httpx.Client, catalog: Catalog, cursor: str) -> None:
    response = client.get("/songs", params={"cursor": cursor})
    expect(response.status_code == 200, f"status {response.status_code}: {response.text[:200]}")
    items = response.json()["items"]
    expect(bool(items), "the deep page is empty")
    expect(items[0]["id"] == catalog.deep_next_id, f"starts at {items[0]['id']}, not {catalog.deep_next_id}")
    for song in items:
        check_song(song, "deep page")


def check_search(client: httpx.Client, catalog: Catalog, reference: dict[str, Any]) -> None:
    for query, expected_name in ((SEARCH_QUERY, "Midnight Fit"), ("karma police", "Karma Police")):
        response = client.get("/search", params={"q": query})
        expect(response.status_code == 200, f"q={query!r}: status {response.status_code}")
        body = response.json()
        expect(set(body) >= {"items", "next_cursor"}, f"q={query!r}: keys {sorted(body)}")
        items = body["items"]
        expect(bool(items), f"q={query!r}: no results")
        expect(
            set(items[0]) >= {"kind", "id", "score", "name", "artist"},
            f"q={query!r}: item keys {sorted(items[0])}",
        )
        expect(items[0]["name"] == expected_name, f"q={query!r}: first result {items[0]['name']!r}")


def check_post(client: httpx.Client, catalog: Catalog, reference: dict[str, Any], service: str) -> None:
    created = []
    for index, artist in enumerate(("Mogwai", f"Bench Artist {service} {time.time_ns()}")):
        body = {
            "name": f"Bench Take {service} {index}",
            "artist": artist,
            "year": 2021,
            "duration_ms": 200_000,
        }
        response = client.post("/songs", json=body)
        expect(response.status_code == 201, f"status {response.status_code}: {response.text[:200]}")
        song = response.json()
        check_song(song, "POST /songs")
        expect(
            (song["name"], song["artist"], song["year"]) == (body["name"], artist, 2021), f"created {song}"
        )
        expect(song["id"] > catalog.last_id, f"the new song has an old id {song['id']}")
        expect(response.headers.get("location") == f"/songs/{song['id']}", "no Location")
        fetched = client.get(f"/songs/{song['id']}")
        expect(fetched.status_code == 200 and fetched.json() == song, "the created song does not read back")
        created.append(song)
    expect(created[0]["artist_id"] == 1, "Mogwai (artist 1) was not found by name")
    expect(created[1]["artist_id"] > 1, "the new artist was not created")
    invalid = client.post("/songs", json={"artist": "Mogwai"})
    expect(invalid.status_code in {400, 422}, f"a song without a name: status {invalid.status_code}")


def quick_checks(services: dict[str, Service], catalog: Catalog) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    reference: dict[str, Any] = {}
    checks: dict[str, Callable[[httpx.Client, str], None]] = {
        "first_page": lambda client, _name: check_first_page(client, catalog, reference),
        "get_by_id": lambda client, _name: check_get_by_id(client, catalog, reference),
        "deep_page": lambda client, name: check_deep_page(client, catalog, catalog.cursors[name]),
        "search": lambda client, _name: check_search(client, catalog, reference),
        "post": lambda client, name: check_post(client, catalog, reference, name),
    }
    for scenario in SCENARIOS:
        for name in SERVICES:  # ours first: it is the reference for the others
            with httpx.Client(base_url=services[name].base_url, timeout=30) as client:
                try:
                    checks[scenario](client, name)
                    results.append({"scenario": scenario, "service": name, "ok": True, "detail": ""})
                except (CheckError, httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
                    results.append({"scenario": scenario, "service": name, "ok": False, "detail": str(exc)})
            row = results[-1]
            print(f"{'OK  ' if row['ok'] else 'FAIL'} {scenario:<11} {name:<9} {row['detail']}", flush=True)
    return results


def quick_search_latency(bench: BenchDatabase) -> dict[str, Any]:
    try:
        measured = asyncio.run(search_latency.measure(bench.url, iterations=2, warmup=1))
    except Exception as exc:  # reported as a failed check, with what went wrong
        return {"scenario": "search_latency", "service": "ours", "ok": False, "detail": repr(exc)}
    empty = [query for query, hits in measured["hits"].items() if hits == 0 and "love" not in query]
    ok = not empty
    return {
        "scenario": "search_latency",
        "service": "ours",
        "ok": ok,
        "detail": f"no results for {empty}" if empty else "",
    }


def quick_request(
    scenario: str, service: str, catalog: Catalog, rng: random.Random, number: int
) -> tuple[str, str, dict[str, Any] | None]:
    """(method, path, JSON body) of one request of ``scenario``: what the wrk scripts send."""
    if scenario == "first_page":
        return "GET", "/songs", None
    if scenario == "get_by_id":
        return "GET", f"/songs/{rng.randint(catalog.first_id, catalog.last_id)}", None
    if scenario == "deep_page":
        return "GET", f"/songs?cursor={catalog.cursors[service]}", None
    if scenario == "search":
        return "GET", "/search?q=" + SEARCH_QUERY.replace(" ", "%20"), None
    body = {
        "name": f"Bench Take {service} quick {number}",
        "artist": f"Bench Artist {rng.randint(1, 300)}",
        "year": rng.randint(1960, 2025),
        "duration_ms": rng.randint(60_000, 400_000),
    }
    return "POST", "/songs", body


def _percentile(values: list[float], percent: float) -> float:
    """Nearest-rank percentile (what wrk reports), of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(percent / 100 * len(ordered) + 0.5) - 1))]


async def quick_load(
    service: Service, scenario: str, catalog: Catalog, *, requests: int, concurrency: int
) -> WrkResult:
    """``requests`` requests of ``scenario``, ``concurrency`` at a time, timed like a wrk run."""
    rng = random.Random(f"{scenario} {service.name}")
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30, limits=limits) as client:

        async def send(numbers: Iterator[int], record: bool) -> None:
            nonlocal errors
            for number in numbers:
                method, path, body = quick_request(scenario, service.name, catalog, rng, number)
                started = time.perf_counter()
                try:
                    failed = (await client.request(method, path, json=body)).status_code >= 400
                except httpx.HTTPError:
                    failed = True
                if record:
                    latencies.append((time.perf_counter() - started) * 1000)
                    errors += failed

        for record in (False, True):  # a warm-up round first: connections, caches, statements
            numbers = iter(range(requests * record, requests * (1 + record)))
            started = time.perf_counter()
            await asyncio.gather(*(send(numbers, record) for _ in range(concurrency)))
            elapsed = time.perf_counter() - started
    return WrkResult(
        requests_per_second=requests / elapsed,
        p50_ms=_percentile(latencies, 50),
        p90_ms=_percentile(latencies, 90),
        p99_ms=_percentile(latencies, 99),
        requests=requests,
        errors=errors,
    )


def quick_measure_all(
    services: dict[str, Service], catalog: Catalog, *, requests: int, concurrency: int
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """One round of :func:`quick_load` per scenario and service, shaped as :func:`measure_all`'s."""
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s: {n: [] for n in services} for s in SCENARIOS}
    for scenario in SCENARIOS:
        for name, service in services.items():
            result = asyncio.run(
                quick_load(service, scenario, catalog, requests=requests, concurrency=concurrency)
            )
            runs[scenario][name].append(result.as_dict())
    return runs


# --- full mode: how fast? ------------------------------------------------------------------------


def scenario_target(
    scenario: str, service: str, catalog: Catalog, scripts: Path, tag: str
) -> tuple[str, Path | None]:
    """The path (and Lua script) wrk requests for ``scenario`` on ``service``."""
    if scenario == "first_page":
        return "/songs", None
    if scenario == "deep_page":
        return f"/songs?cursor={catalog.cursors[service]}", None
    if scenario == "search":
        return "/search?q=" + SEARCH_QUERY.replace(" ", "%20"), None
    if scenario == "get_by_id":
        script = scripts / "get_by_id.lua"
        script.write_text(random_ids_script(catalog.first_id, catalog.last_id))
        return "/", script
    script = scripts / f"post_{service}_{tag}.lua"
    script.write_text(post_songs_script(f"{service} {tag}"))
    return "/", script


def measure_all(
    services: dict[str, Service],
    catalog: Catalog,
    *,
    wrk: str,
    connections: int,
    duration: float,
    rounds: int,
) -> dict[str, dict[str, list[dict[str, Any]]]]:
    runs: dict[str, dict[str, list[dict[str, Any]]]] = {s: {n: [] for n in services} for s in SCENARIOS}
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        scripts = Path(folder)
        for scenario in SCENARIOS:
            print(f"\n{DESCRIPTIONS[scenario]}", flush=True)
            for name, service in services.items():  # warm-up, not recorded
                path, script = scenario_target(scenario, name, catalog, scripts, "warmup")
                run_wrk(wrk, service.base_url + path, connections=connections, duration=1, script=script)
            for round_number in range(1, rounds + 1):
                for name, service in services.items():
                    path, script = scenario_target(scenario, name, catalog, scripts, f"r{round_number}")
                    result = run_wrk(
                        wrk,
                        service.base_url + path,
                        connections=connections,
                        duration=duration,
                        script=script,
                    )
                    runs[scenario][name].append(result.as_dict())
                    print(f"  round {round_number} {name:<9} {_line(result)}", flush=True)
    return runs


def _line(result: WrkResult) -> str:
    errors = f"  errors {result.errors}" if result.errors else ""
    return (
        f"{result.requests_per_second:>9.1f} req/s  p50 {result.p50_ms:>8.2f} ms  "
        f"p99 {result.p99_ms:>8.2f} ms{errors}"
    )


def summarise(runs: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for scenario, by_service in runs.items():
        medians = {
            name: {
                key: statistics.median(run[key] for run in results)
                for key in ("requests_per_second", "p50_ms", "p99_ms")
            }
            | {"errors": sum(run["errors"] for run in results)}
            for name, results in by_service.items()
        }
        raw = medians["raw"]
        for values in medians.values():
            values["rps_vs_raw"] = values["requests_per_second"] / raw["requests_per_second"]
            values["p50_vs_raw"] = values["p50_ms"] / raw["p50_ms"]
            values["p99_vs_raw"] = values["p99_ms"] / raw["p99_ms"]
        summary[scenario] = medians
    summary["deep_vs_first_p50"] = {
        name: summary["deep_page"][name]["p50_ms"] / summary["first_page"][name]["p50_ms"]
        for name in SERVICES
    }
    return summary


def describe_setup(record: dict[str, Any]) -> str:
    """The line above the table: catalog size, workers and pool per service, the load."""
    workers, pool = record["workers"], record["pool_size"]
    return (
        f"{record['songs']:,} songs; {workers} uvicorn worker{'s' if workers != 1 else ''} per service, "
        f"a pool of {pool} (+{record['max_overflow']} overflow) per worker; {record['load']}; "
        + ("one round" if record["rounds"] == 1 else f"median of {record['rounds']} rounds")
    )


def print_summary(summary: dict[str, Any], record: dict[str, Any]) -> None:
    print(f"\n{describe_setup(record)}")
    header = (
        f"{'scenario':<38} {'service':<9} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'req/s÷raw':>10} {'p50÷raw':>8} {'p99÷raw':>8}"
    )
    print(header)
    print("-" * len(header))
    for scenario in SCENARIOS:
        for name in SERVICES:
            values = summary[scenario][name]
            errors = f"  ({values['errors']} errors)" if values["errors"] else ""
            print(
                f"{DESCRIPTIONS[scenario]:<38} {name:<9} {values['requests_per_second']:>9.1f} "
                f"{values['p50_ms']:>8.2f} {values['p99_ms']:>8.2f} {values['rps_vs_raw']:>10.2f} "
                f"{values['p50_vs_raw']:>8.2f} {values['p99_vs_raw']:>8.2f}{errors}"
            )
    ratios = ", ".join(f"{name} {ratio:.2f}" for name, ratio in summary["deep_vs_first_p50"].items())
    print(f"deep page / first page, p50 latency: {ratios}")


# --- the command ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--songs", type=int, help=f"catalog size (default 1,000,000; {QUICK_SONGS:,} with --quick)"
    )
    parser.add_argument("--duration", type=float, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds per scenario (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="check every scenario answers correctly (no wrk)"
    )
    parser.add_argument(
        "--workers",
        type=_positive,
        default=1,
        help="uvicorn workers per service, each with its own pool of --pool-size (default 1)",
    )
    parser.add_argument(
        "--pool-size", type=int, default=10, help="DB_POOL_SIZE of every service (default 10)"
    )
    parser.add_argument(
        "--max-overflow", type=int, default=0, help="DB_MAX_OVERFLOW (default 0, as the service)"
    )
    parser.add_argument(
        "--pg-data", help="data folder of the bench PostgreSQL (default .data/bench-postgres)"
    )
    parser.add_argument("--pg-port", type=int, help="port of the bench PostgreSQL (default 54339)")
    parser.add_argument(
        "--ports",
        type=int,
        nargs=3,
        metavar=("OURS", "RAW", "TUTORIAL"),
        help="loopback ports of the three services (default: free ports chosen at start)",
    )
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR)
    return parser.parse_args(argv)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def service_ports(requested: list[int] | None) -> list[int]:
    """The ports to start the services on: the requested ones if free, else free ones.

    A port another program holds is refused up front: a service that fails to bind it would
    leave the other program to answer, and the benchmark would measure that instead.
    """
    if requested is None:
        ports: list[int] = []
        while len(ports) < len(SERVICES):
            if (port := free_port()) not in ports:
                ports.append(port)
        return ports
    if len(set(requested)) != len(requested):
        raise SystemExit(f"--ports: {requested} has a port repeated; name three ports")
    busy = [port for port in requested if not port_is_free(port)]
    if busy:
        raise SystemExit(f"--ports: {busy} in use by another program; name free ports or leave it out")
    return requested


def connections_needed(workers: int, pool_size: int, max_overflow: int) -> int:
    """The most connections the three services may hold at once (pools fill and stay open)."""
    return len(SERVICES) * workers * (pool_size + max_overflow)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    songs = args.songs or (QUICK_SONGS if args.quick else 1_000_000)
    wrk = find_wrk()
    if wrk is None and not args.quick:
        print(WRK_MISSING, file=sys.stderr)
        return 2
    ports = service_ports(args.ports)
    started_at = datetime.now(UTC)
    bench = prepare_database(data_dir_from(args.pg_data), pg_port_from(args.pg_port), songs)
    services: dict[str, Service] = {}
    try:
        catalog = asyncio.run(describe_catalog(bench.dsn, songs))
        needed = connections_needed(args.workers, args.pool_size, args.max_overflow)
        if needed >= catalog.max_connections:
            per_worker = args.pool_size + args.max_overflow
            print(
                f"error: {len(SERVICES)} services x {args.workers} workers x {per_worker} connections "
                f"= {needed}, but the bench server takes {catalog.max_connections}; "
                "lower --workers or --pool-size",
                file=sys.stderr,
            )
            return 2
        log_dir = args.results_dir / "logs"
        for name, port in zip(SERVICES, ports, strict=True):
            services[name] = start_service(
                name, port, bench.url, workers=args.workers, pool_size=args.pool_size,
                max_overflow=args.max_overflow, log_dir=log_dir,
            )  # fmt: skip
        for service in services.values():
            wait_until_ready(service)
        print(
            f"services: {', '.join(f'{s.name} {s.base_url}' for s in services.values())}, "
            f"{args.workers} worker{'s' if args.workers != 1 else ''} each (logs in {log_dir})"
        )
        record: dict[str, Any] = {
            "started_at": started_at.isoformat(), "songs": songs, "quick": args.quick,
            "workers": args.workers, "pool_size": args.pool_size, "max_overflow": args.max_overflow,
            "services": {
                name: {"url": s.base_url, "worker_pids": s.worker_pids()} for name, s in services.items()
            },
            "scenarios": DESCRIPTIONS,
        }  # fmt: skip
        if args.quick:
            checks = quick_checks(services, catalog)
            checks.append(quick_search_latency(bench))
            last = checks[-1]
            print(f"{'OK  ' if last['ok'] else 'FAIL'} {'search_latency':<11} {'ours':<9} {last['detail']}")
            failed = [check for check in checks if not check["ok"]]
            record["checks"] = checks
            status = 1 if failed else 0
            print(
                f"quick: {len(checks) - len(failed)}/{len(checks)} checks OK" + (", FAILED" if failed else "")
            )
            record |= {
                "load": f"quick: {QUICK_REQUESTS} requests, {QUICK_CONCURRENCY} at a time (httpx)",
                "rounds": 1,
            }
            runs = quick_measure_all(
                services, catalog, requests=QUICK_REQUESTS, concurrency=QUICK_CONCURRENCY
            )
        else:
            assert wrk is not None
            record |= {
                "duration": args.duration, "connections": args.connections, "rounds": args.rounds,
                "load": f"wrk -t1 -c{args.connections} -d{max(1, round(args.duration))}s",
            }  # fmt: skip
            runs = measure_all(
                services,
                catalog,
                wrk=wrk,
                connections=args.connections,
                duration=args.duration,
                rounds=args.rounds,
            )
            status = 0
        summary = summarise(runs)
        record |= {"runs": runs, "summary": summary}
        print_summary(summary, record)
    finally:
        for service in services.values():
            service.stop()
        bench.stop()
    args.results_dir.mkdir(parents=True, exist_ok=True)
    kind = "quick" if args.quick else "bench"
    path = args.results_dir / f"{kind}-{started_at:%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps(record, indent=2, default=str))
    print(f"results: {path}")
    try:
        for chart in write_charts(record, path):
            print(f"chart: {chart}")
    except (ChartError, OSError) as exc:
        print(f"error: the chart could not be written: {exc}", file=sys.stderr)
        status = status or 1
    return status


if __name__ == "__main__":
    sys.exit(main())
