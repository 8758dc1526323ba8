#!/usr/bin/env python3
"""The project's two entry points, runnable with nothing but Python 3.11+.

    python3 project/manage.py serve   # run the API (embedded PostgreSQL unless DATABASE_URL is set)
    python3 project/manage.py test    # ruff, mypy --strict and the whole pytest suite
    python3 project/manage.py bench   # the benchmark (bench/run.py; --quick to check it works)

On first use (and whenever the lock file changes) it installs uv into ``project/.tools`` and
the locked dependencies into ``project/.venv``. Only the standard library is used here.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

PROJECT = Path(__file__).resolve().parent
TOOLS = PROJECT / ".tools"
VENV = PROJECT / ".venv"
UV_VERSION = "0.13.9"
BIN = "Scripts" if os.name == "nt" else "bin"
STAMP = VENV / ".installed-lock"

if sys.version_info < (3, 11):  # noqa: UP036 - this file must explain itself on old Pythons
    sys.exit(f"Python 3.11 or newer is needed (this is {sys.version.split()[0]}).")


def _run(*command: str | Path, **kwargs: object) -> None:
    result = subprocess.run([str(part) for part in command], check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        sys.exit(result.returncode)


def _uv() -> Path:
    uv = TOOLS / BIN / "uv"
    if not uv.exists():
        print(f"manage.py: installing uv {UV_VERSION} into {TOOLS} ...", flush=True)
        venv.EnvBuilder(with_pip=True, clear=True).create(TOOLS)
        _run(TOOLS / BIN / "python", "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", f"uv=={UV_VERSION}")  # fmt: skip
    return uv


def ensure_environment() -> Path:
    """Install the locked dependencies into .venv unless they already match uv.lock."""
    lock_digest = hashlib.sha256(
        (PROJECT / "uv.lock").read_bytes() + (PROJECT / "pyproject.toml").read_bytes()
    ).hexdigest()
    python = VENV / BIN / "python"
    if not python.exists() or not STAMP.exists() or STAMP.read_text() != lock_digest:
        print("manage.py: installing locked dependencies into .venv ...", flush=True)
        env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(VENV)}
        _run(_uv(), "sync", "--frozen", "--python", sys.executable, "--quiet",
             cwd=PROJECT, env=env)  # fmt: skip
        STAMP.write_text(lock_digest)
    return python


def main() -> None:
    usage = "usage: python3 project/manage.py {serve,test,bench,alembic} [args...]"
    if len(sys.argv) < 2 or sys.argv[1] not in {"serve", "test", "bench", "alembic"}:
        sys.exit(usage)
    command, args = sys.argv[1], sys.argv[2:]
    python = ensure_environment()
    os.chdir(PROJECT)
    if command == "serve":
        os.execv(python, [str(python), "-m", "app.cli", "serve", *args])  # noqa: S606
    if command == "bench":
        os.execv(python, [str(python), "-m", "bench.run", *args])  # noqa: S606
    if command == "alembic":
        os.execv(python, [str(python), "-m", "alembic", *args])  # noqa: S606
    os.execv(python, [str(python), "-m", "tests.run_all", *args])  # noqa: S606


if __name__ == "__main__":
    main()
