"""The embedded PostgreSQL: first start, restart with data kept, stale locks and busy ports.

Each test runs its own server in a temporary data folder on a free port, so it never touches
the server the rest of the suite uses.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from app.embedded_db import EmbeddedPostgres, EmbeddedPostgresError, _system_bin_dirs, free_port


def _dsn(server: EmbeddedPostgres) -> str:
    return server.url("postgres").replace("postgresql+asyncpg", "postgresql")


@pytest.fixture(params=["system", "wheel"])
def binaries_source(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both the machine's PostgreSQL (when it has one) and the pgserver wheel's binaries."""
    source = str(request.param)
    if source == "system" and not any((d / "initdb").exists() for d in _system_bin_dirs()):
        pytest.skip("this machine has no PostgreSQL of its own")
    monkeypatch.setenv("EMBEDDED_PG_SOURCE", source)
    return source


@pytest.fixture
def server(tmp_path: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(data_dir=tmp_path / "pgdata", port=free_port())
    yield server
    server.started_here = True  # whatever the test did, stop what runs in this folder
    if (server.data_dir / "postmaster.pid").exists():
        server.stop()


async def test_data_survives_a_restart(server: EmbeddedPostgres, binaries_source: str) -> None:
    server.start()
    assert server.started_here
    connection = await asyncpg.connect(_dsn(server))
    await connection.execute("CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')")
    await connection.close()

    server.stop()
    assert not (server.data_dir / "postmaster.pid").exists()
    server.start()

    connection = await asyncpg.connect(_dsn(server))
    assert await connection.fetchval("SELECT value FROM kept") == "still here"
    await connection.close()


def test_a_running_server_is_reused_and_left_running(server: EmbeddedPostgres) -> None:
    server.start()
    second = EmbeddedPostgres(data_dir=server.data_dir, port=server.port)
    second.start()
    assert not second.started_here
    second.stop()
    assert (server.data_dir / "postmaster.pid").exists()


def test_stale_lock_file_is_removed_with_a_message(
    server: EmbeddedPostgres, capsys: pytest.CaptureFixture[str]
) -> None:
    server.start()
    server.stop()
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)  # fmt: skip
    dead_pid = finished.stdout.strip()
    lock = server.data_dir / "postmaster.pid"
    lock.write_text(f"{dead_pid}\n{server.data_dir}\n")

    server.start()

    assert "stale lock" in capsys.readouterr().out
    assert server.started_here


def test_lock_held_by_another_program_is_a_clear_error(server: EmbeddedPostgres) -> None:
    server.start()
    server.stop()
    (server.data_dir / "postmaster.pid").write_text(f"{Path('/proc/self').resolve().name}\n")

    with pytest.raises(EmbeddedPostgresError, match=r"postmaster\.pid.*not PostgreSQL"):
        server.start()


def test_port_in_use_is_a_clear_error(server: EmbeddedPostgres) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", server.port))
        squatter.listen()
        with pytest.raises(EmbeddedPostgresError, match=f"Port {server.port}.*EMBEDDED_PG_PORT"):
            server.start()
    assert not server.started_here


def test_default_port_gives_way_when_taken(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        taken = squatter.getsockname()[1]
        server = EmbeddedPostgres(data_dir=tmp_path / "pgdata", port=taken, port_is_explicit=False)
        try:
            server.start()
            assert server.port != taken
            assert f"port {taken} is taken" in capsys.readouterr().out

            again = EmbeddedPostgres(data_dir=server.data_dir, port=taken, port_is_explicit=False)
            again.start()  # finds the running server, and the port it really listens on
            assert (again.started_here, again.port) == (False, server.port)
        finally:
            server.stop()
