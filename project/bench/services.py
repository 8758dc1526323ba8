"""Starting the three services under test, each with uvicorn on its own loopback port."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from bench.common import PROJECT_DIR, SECRET_KEY

# Our service is started exactly as production starts it (docker-compose.yml's command).
FACTORIES = {
    "ours": "app.main:create_app",
    "raw": "bench.raw_service:create_app",
    "tutorial": "bench.tutorial_service:create_app",
}
SERVICES = tuple(FACTORIES)
STARTUP_SECONDS = 60
# What uvicorn logs as each worker process starts, and once its app's lifespan has started.
_WORKER_STARTED = re.compile(r"Started server process \[(\d+)\]")
_WORKER_READY = "Application startup complete."


@dataclass
class Service:
    name: str
    port: int
    workers: int
    process: subprocess.Popen[bytes]
    log_path: Path
    log: IO[bytes] = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _log_text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 20) -> str:
        return "\n".join(self._log_text().splitlines()[-lines:])

    def worker_pids(self) -> list[int]:
        """The uvicorn worker processes started so far (by the log; one pid each)."""
        return [int(pid) for pid in _WORKER_STARTED.findall(self._log_text())]

    def workers_ready(self) -> int:
        """How many worker processes have finished starting their app."""
        return self._log_text().count(_WORKER_READY)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.log.close()


def start_service(
    name: str, port: int, database_url: str, *, workers: int, pool_size: int, max_overflow: int, log_dir: Path
) -> Service:
    """Start ``name`` with uvicorn (``--factory --proxy-headers``, as in production)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "ENVIRONMENT": "production",
        "SECRET_KEY": SECRET_KEY,
        "DB_POOL_SIZE": str(pool_size),
        "DB_MAX_OVERFLOW": str(max_overflow),
        "PYTHONPATH": str(PROJECT_DIR),
    }
    command = [
        sys.executable, "-m", "uvicorn", FACTORIES[name], "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--proxy-headers", "--workers", str(workers),
    ]  # fmt: skip
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    log = log_path.open("wb")
    # Its own process group, so that stopping it also stops uvicorn's worker processes.
    process = subprocess.Popen(
        command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return Service(name=name, port=port, workers=workers, process=process, log_path=log_path, log=log)


def wait_until_ready(service: Service, deadline_seconds: float = STARTUP_SECONDS) -> None:
    """Wait until every worker has started its app and the service answers ``/ping``.

    /ping alone is not enough with several workers: the first one answers while the others
    are still importing, and a measurement started then would run on fewer workers.
    """
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"{service.name} exited ({service.process.returncode}):\n{service.log_tail()}")
        if service.workers_ready() >= service.workers:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{service.base_url}/ping", timeout=2).status_code == 200:
                    return
        time.sleep(0.2)
    raise RuntimeError(
        f"{service.name}: {service.workers_ready()} of {service.workers} workers started, or no answer "
        f"to /ping, within {deadline_seconds} s:\n{service.log_tail()}"
    )
