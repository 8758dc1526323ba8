"""The whole check suite: ruff, mypy --strict, then pytest (last, so its summary closes the run)."""

from __future__ import annotations

import subprocess
import sys


def main(pytest_args: list[str]) -> int:
    python = sys.executable
    steps = [
        ("ruff check", [python, "-m", "ruff", "check", "."]),
        ("ruff format", [python, "-m", "ruff", "format", "--check", "."]),
        (
            "mypy --strict",
            [python, "-m", "mypy", "--strict", "app", "migrations", "tests", "bench", "manage.py"],
        ),
    ]
    failed = []
    for name, command in steps:
        print(f"==> {name}", flush=True)
        if subprocess.run(command, check=False).returncode != 0:
            failed.append(name)
    print("==> pytest", flush=True)
    pytest_status = subprocess.run([python, "-m", "pytest", *pytest_args], check=False).returncode
    if failed:
        print(f"FAILED static checks: {', '.join(failed)}", flush=True)
    return pytest_status or (1 if failed else 0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
