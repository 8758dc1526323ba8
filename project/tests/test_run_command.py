"""The run command (what `manage.py serve` executes): embedded PostgreSQL, migrations, the API.

It runs as a real subprocess on free ports with its own data folder, and answers the seed
tutorial's requests; a restart keeps the data, and a busy port gets a message, not a traceback.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from app.embedded_db import free_port

PROJECT_DIR = Path(__file__).resolve().parent.parent
STARTUP_DEADLINE_SECONDS = 60


def _environment(data_dir: Path, pg_port: int, api_port: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    env.update(EMBEDDED_PG_DATA=str(data_dir), EMBEDDED_PG_PORT=str(pg_port), PORT=str(api_port))
    return env


@contextmanager
def running_service(env: dict[str, str]) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve"], cwd=PROJECT_DIR, env=env,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    base_url = f"http://127.0.0.1:{env['PORT']}"
    try:
        deadline = time.monotonic() + STARTUP_DEADLINE_SECONDS
        while True:
            assert process.poll() is None, process.communicate()[0]
            try:
                if httpx.get(f"{base_url}/health/ready").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the service did not become ready"
            time.sleep(0.2)
        yield base_url
    finally:
        process.send_signal(signal.SIGINT)
        output = process.communicate(timeout=30)[0]
        assert process.returncode == 0, output


def test_serves_the_seed_curls_and_keeps_data_across_restarts(tmp_path: Path) -> None:
    env = _environment(tmp_path / "pgdata", free_port(), free_port())

    with running_service(env) as base_url:
        assert httpx.get(f"{base_url}/ping").json() == {"ping": "pong!"}
        created = httpx.post(
            f"{base_url}/songs", json={"name": "Midnight Fit", "artist": "Mogwai", "year": "2021"}
        )
        assert created.status_code == 201
        song = created.json()
        assert httpx.get(f"{base_url}{created.headers['location']}").json() == song
        assert song in httpx.get(f"{base_url}/songs").json()["items"]

    assert not (tmp_path / "pgdata" / "postmaster.pid").exists(), "PostgreSQL was left running"

    with running_service(env) as base_url:
        assert httpx.get(f"{base_url}/songs/{song['id']}").json() == song


def test_busy_database_port_is_a_clear_message(tmp_path: Path) -> None:
    import socket

    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        env = _environment(tmp_path / "pgdata", squatter.getsockname()[1], free_port())
        result = subprocess.run(
            [sys.executable, "-m", "app.cli", "serve"], cwd=PROJECT_DIR, env=env,
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip

    assert result.returncode == 1
    assert "already in use" in result.stderr
    assert "EMBEDDED_PG_PORT" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


@pytest.mark.parametrize("argv", [["serve", "--port", "not-a-number"]])
def test_bad_arguments_are_reported_by_argparse(argv: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", *argv], cwd=PROJECT_DIR,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert "invalid int value" in result.stderr
