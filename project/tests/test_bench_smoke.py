"""The benchmark's quick mode: every scenario answers correctly on every service (not how fast).

It runs ``python -m bench.run --quick --workers 2`` as a real subprocess, with its own
PostgreSQL data folder and free ports, so it never touches the development or test databases,
and checks what a full run also makes: the table, the JSON summary and the chart beside it.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.embedded_db import free_port
from bench import framework, run
from bench.run import DESCRIPTIONS, SCENARIOS
from bench.services import SERVICES

PROJECT_DIR = Path(__file__).resolve().parent.parent
WORKERS = 2


def test_quick_benchmark_checks_every_scenario(tmp_path: Path) -> None:
    results = tmp_path / "results"
    command = [
        sys.executable, "-m", "bench.run", "--quick", "--songs", "2000", "--workers", str(WORKERS),
        "--pg-data", str(tmp_path / "bench-postgres"), "--pg-port", str(free_port()),
        "--results-dir", str(results),
    ]  # fmt: skip
    finished = subprocess.run(
        command, cwd=PROJECT_DIR, capture_output=True, text=True, timeout=180, check=False
    )
    output = finished.stdout + finished.stderr
    assert finished.returncode == 0, output
    for scenario in SCENARIOS:
        for service in SERVICES:
            assert any(line.split()[:3] == ["OK", scenario, service] for line in output.splitlines()), (
                f"{scenario} on {service} not OK:\n{output}"
            )
    assert "search_latency" in output
    (report,) = results.glob("quick-*.json")
    record = json.loads(report.read_text())
    checks = record["checks"]
    assert len(checks) == len(SCENARIOS) * len(SERVICES) + 1
    assert all(check["ok"] for check in checks), checks

    # Each service ran the workers asked for, each worker with the pool size given.
    assert (record["workers"], record["pool_size"]) == (WORKERS, 10)
    for name in SERVICES:
        pids = record["services"][name]["worker_pids"]
        assert len(set(pids)) == WORKERS, (name, pids)
    assert f"{WORKERS} uvicorn workers per service, a pool of 10 (+0 overflow) per worker" in output
    assert f"{WORKERS} workers each" in output

    # The table and the summary, as a full run makes them, with a row per scenario and service.
    for scenario in SCENARIOS:
        for name in SERVICES:
            row = record["summary"][scenario][name]
            assert row["requests_per_second"] > 0
            assert 0 < row["p50_ms"] <= row["p99_ms"]
            assert row["errors"] == 0, (scenario, name, row)
            assert any(
                line.startswith(DESCRIPTIONS[scenario]) and line.split()[-7] == name
                for line in output.splitlines()
            ), f"no table row for {scenario} on {name}:\n{output}"

    # The chart beside the JSON, named in the output, showing every scenario and service.
    svg, png = report.with_suffix(".svg"), report.with_suffix(".png")
    assert f"chart: {svg}" in output
    assert f"chart: {png}" in output
    assert png.read_bytes().startswith(b"\x89PNG")
    root = ET.parse(svg).getroot()  # noqa: S314 - written by the run above
    ids = {element.get("id") for element in root.iter()}
    for scenario in SCENARIOS:
        for name in SERVICES:
            assert {f"rps-{scenario}-{name}", f"p99-{scenario}-{name}"} <= ids


def test_ports_another_program_holds_are_refused() -> None:
    # A service that cannot bind its port would leave the other program to answer the load.
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        held = other.getsockname()[1]
        with pytest.raises(SystemExit, match="in use"):
            run.service_ports([held, free_port(), free_port()])
    with pytest.raises(SystemExit, match="repeated"):
        run.service_ports([held, held, free_port()])
    chosen = run.service_ports(None)  # free ones, one per service
    assert len(set(chosen)) == len(SERVICES)
    assert run.service_ports(chosen) == chosen


async def test_the_framework_benchmark_times_answered_requests() -> None:
    figures = await framework.measure(requests=200)
    # Every request answered 200 (measure raises otherwise), through both apps and both paths.
    assert set(figures) == {"/songs/1", "/songs"}
    assert all(set(by_app) == {"ours", "starlette"} for by_app in figures.values())
