"""How many workers `manage.py serve` starts: --workers, else WEB_CONCURRENCY, else by ENVIRONMENT.

In development (the default) one worker; otherwise one per CPU the process may use. uvicorn is
replaced by a recorder, so these tests start no server.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from app import cli
from app.settings import Settings

PROJECT_DIR = Path(__file__).resolve().parent.parent
DATABASE_URL = "postgresql+asyncpg://songs:songs@db.invalid:5432/songs"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """What serve() hands to uvicorn.run, with migrations skipped and a fixed CPU count."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.append(kwargs))
    monkeypatch.setattr(cli, "upgrade", lambda url: None)
    monkeypatch.setattr(cli, "available_cpus", lambda: 3)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    return calls


def use_environment(monkeypatch: pytest.MonkeyPatch, environment: str) -> None:
    settings = Settings(
        _env_file=None, environment=environment, secret_key="s3cret-for-tests", database_url=DATABASE_URL
    )
    monkeypatch.setattr(cli, "get_settings", lambda: settings)


@pytest.mark.parametrize(
    ("environment", "web_concurrency", "argv", "workers"),
    [
        ("development", None, [], 1),  # a laptop: one process, simple to debug
        ("production", None, [], 3),  # one per CPU
        ("test", None, [], 3),  # anything but development is served as production
        ("production", "", [], 3),  # empty, as `${WEB_CONCURRENCY:-}` leaves it: unset
        ("production", "2", [], 2),
        ("development", "4", [], 4),
        ("production", "2", ["--workers", "5"], 5),  # the flag wins
        ("development", None, ["--workers", "2"], 2),
    ],
)
def test_workers_come_from_the_flag_then_web_concurrency_then_the_environment(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    served: list[dict[str, Any]],
    environment: str,
    web_concurrency: str | None,
    argv: list[str],
    workers: int,
) -> None:
    use_environment(monkeypatch, environment)
    if web_concurrency is not None:
        monkeypatch.setenv("WEB_CONCURRENCY", web_concurrency)
    assert cli.main(["serve", *argv]) == 0
    (call,) = served
    assert call["workers"] == workers
    assert f"workers: {workers}" in capsys.readouterr().out


def test_the_default_is_explained_where_it_is_used(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], served: list[dict[str, Any]]
) -> None:
    use_environment(monkeypatch, "production")
    cli.main(["serve"])
    assert (
        "workers: 3 (one per CPU, ENVIRONMENT=production; WEB_CONCURRENCY sets it)" in capsys.readouterr().out
    )
    use_environment(monkeypatch, "development")
    cli.main(["serve"])
    assert "workers: 1 (1 in development, ENVIRONMENT=development" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["0", "-1", "two", "1.5"])
def test_a_bad_web_concurrency_is_a_usage_error(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    served: list[dict[str, Any]],
    value: str,
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", value)
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve"])
    assert exit_info.value.code == 2
    assert "WEB_CONCURRENCY must be a whole number of at least 1" in capsys.readouterr().err
    assert not served


def test_available_cpus_follows_the_process_affinity(monkeypatch: pytest.MonkeyPatch) -> None:
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("no CPU affinity on this platform: os.cpu_count() is used")
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 2, 5})
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert cli.available_cpus() == 3


def test_available_cpus_without_affinity_is_the_cpu_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert cli.available_cpus() == 6
    monkeypatch.setattr(os, "cpu_count", lambda: None)  # "undeterminable"
    assert cli.available_cpus() == 1


def test_help_documents_the_default_with_this_machines_cpu_count() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "app.cli", "serve", "--help"], cwd=PROJECT_DIR,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    text = " ".join(result.stdout.split())
    assert "$WEB_CONCURRENCY" in text
    assert "1 when ENVIRONMENT is development" in text
    assert f"one per CPU this process may use, {cli.available_cpus()} here" in text
    assert "DB_POOL_SIZE" in text


@pytest.mark.parametrize(
    ("argv", "message"), [(["--workers", "0"], "at least 1"), (["--workers", "x"], "invalid")]
)
def test_bad_workers_flag_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["serve", *argv])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
