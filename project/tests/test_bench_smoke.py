"""The benchmark's quick mode: every scenario answers correctly on every service (not how fast).

It runs ``python -m bench.run --quick`` as a real subprocess, with its own PostgreSQL data
folder and free ports, so it never touches the development or test databases.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.run import SCENARIOS
from bench.services import SERVICES
from tests.test_embedded_db import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent


def test_quick_benchmark_checks_every_scenario(tmp_path: Path) -> None:
    results = tmp_path / "results"
    command = [
        sys.executable, "-m", "bench.run", "--quick", "--songs", "2000",
        "--pg-data", str(tmp_path / "bench-postgres"), "--pg-port", str(free_port()),
        "--ports", str(free_port()), str(free_port()), str(free_port()),
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
    checks = json.loads(report.read_text())["checks"]
    assert len(checks) == len(SCENARIOS) * len(SERVICES) + 1
    assert all(check["ok"] for check in checks), checks
