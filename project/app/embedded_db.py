"""A private PostgreSQL server kept in a data folder of the project.

Used when no ``DATABASE_URL`` is given (``manage.py serve``) and by the test suite when no
``TEST_DATABASE_URL`` is given. It prefers the machine's own PostgreSQL binaries (they ship the
contrib extensions search uses) and falls back to the server binaries of the ``pgserver``
wheel, so a laptop with nothing but Python can run the service.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import re
import shutil
import socket
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_DIR / ".data" / "postgres"
DEFAULT_PORT = 54329
SUPERUSER = "postgres"
# Postgres refuses to run as root; when we are root we run it as this system user.
SERVICE_USER = "songs-postgres"
_REQUIRED_BINARIES = ("initdb", "pg_ctl", "postgres")


class EmbeddedPostgresError(RuntimeError):
    """A problem starting the embedded server, worded for the person running the command."""


def _has_binaries(bin_dir: Path) -> bool:
    return all((bin_dir / name).is_file() for name in _REQUIRED_BINARIES)


def _version_key(path: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", path.parent.name) or ["0"])


def _system_bin_dirs() -> list[Path]:
    found: list[Path] = []
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        found.append(Path(pg_ctl).resolve().parent)
    for pattern in (
        "/usr/lib/postgresql/*/bin",
        "/usr/pgsql-*/bin",
        "/opt/homebrew/opt/postgresql*/bin",
    ):
        root = Path("/")
        found.extend(sorted(root.glob(pattern.lstrip("/")), key=_version_key, reverse=True))
    return found


def _wheel_bin_dir() -> Path | None:
    # Located without importing pgserver: its import has side effects (lock files in $HOME).
    spec = importlib.util.find_spec("pgserver")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def find_bin_dir() -> Path:
    """Pick the PostgreSQL binaries: ``EMBEDDED_PG_BIN``, the machine's own, then the wheel's.

    ``EMBEDDED_PG_SOURCE=wheel`` skips the machine's binaries (to try what a fresh laptop gets).
    """
    explicit = os.environ.get("EMBEDDED_PG_BIN")
    if explicit:
        if not _has_binaries(Path(explicit)):
            raise EmbeddedPostgresError(f"EMBEDDED_PG_BIN={explicit} has no initdb/pg_ctl/postgres")
        return Path(explicit)
    candidates = [] if os.environ.get("EMBEDDED_PG_SOURCE") == "wheel" else _system_bin_dirs()
    wheel = _wheel_bin_dir()
    if wheel is not None:
        candidates.append(wheel)
    for candidate in candidates:
        if _has_binaries(candidate):
            return candidate
    raise EmbeddedPostgresError(
        "No PostgreSQL server binaries found: install the project's dependencies "
        "(they include the 'pgserver' wheel) or set DATABASE_URL to an existing server."
    )


def port_is_free(port: int) -> bool:
    """Whether a server could listen on ``127.0.0.1:port`` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # As PostgreSQL does: a port held only by TIME_WAIT connections of a stopped server is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback port nobody listens on now (the operating system's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _pid_is_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _process_name(pid: int) -> str | None:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return None


def _ensure_service_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                SERVICE_USER,
            ],
            check=True,
            capture_output=True,
        )
        return pwd.getpwnam(SERVICE_USER)


def _make_ancestors_traversable(path: Path) -> None:
    """Let the service user reach ``path``: add o+x to ancestors that lack it (root only)."""
    for ancestor in reversed(path.resolve().parents):
        mode = ancestor.stat().st_mode
        if not mode & stat.S_IXOTH:
            ancestor.chmod(mode | stat.S_IXOTH)


@dataclass
class EmbeddedPostgres:
    """One server on ``127.0.0.1:port`` whose cluster lives in ``data_dir``."""

    data_dir: Path = DEFAULT_DATA_DIR
    port: int = DEFAULT_PORT
    started_here: bool = False
    # A port chosen by the user is kept or refused; the default gives way to a free one.
    port_is_explicit: bool = True

    @classmethod
    def from_env(cls) -> EmbeddedPostgres:
        data_dir = Path(os.environ.get("EMBEDDED_PG_DATA", DEFAULT_DATA_DIR))
        explicit = os.environ.get("EMBEDDED_PG_PORT")
        port = int(explicit) if explicit else DEFAULT_PORT
        return cls(data_dir=data_dir, port=port, port_is_explicit=explicit is not None)

    @property
    def log_file(self) -> Path:
        return self.data_dir / "server.log"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run(self, bin_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
        owner = _ensure_service_user() if os.geteuid() == 0 else None
        return subprocess.run(
            [str(bin_dir / args[0]), *args[1:]],
            check=False,
            capture_output=True,
            text=True,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            extra_groups=[] if owner else None,
            cwd=self.data_dir.parent,
        )

    def _running_pid(self) -> int | None:
        """The pid in ``postmaster.pid`` if that server still runs; removes a stale lock file."""
        lock = self.data_dir / "postmaster.pid"
        try:
            lines = lock.read_text().splitlines()
            first_line = lines[0]
        except (OSError, IndexError):
            return None
        pid = int(first_line) if first_line.strip().isdigit() else 0
        if pid and _pid_is_alive(pid):
            name = _process_name(pid)
            if name is None or name.startswith("postgres"):
                # The running server's port (4th line) wins: it may have started on another one.
                if len(lines) > 3 and lines[3].strip().isdigit():
                    self.port = int(lines[3])
                return pid
            raise EmbeddedPostgresError(
                f"{lock} names process {pid} ({name}), which is not PostgreSQL. If no server runs "
                f"on this data folder, delete that file and start again."
            )
        print(f"embedded-postgres: removing stale lock {lock} (process {pid} is gone)")
        lock.unlink(missing_ok=True)
        return None

    def start(self) -> None:
        """Initialise the cluster on first use, then start it unless it already runs."""
        bin_dir = find_bin_dir()
        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            owner = _ensure_service_user()
            self.data_dir.mkdir(mode=0o700, exist_ok=True)
            _make_ancestors_traversable(self.data_dir)
            _make_ancestors_traversable(bin_dir)
            os.chown(self.data_dir, owner.pw_uid, owner.pw_gid)
        if not (self.data_dir / "PG_VERSION").exists():
            result = self._run(
                bin_dir, "initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                "--encoding=UTF8", "--no-locale",
            )  # fmt: skip
            if result.returncode != 0:
                raise EmbeddedPostgresError(f"initdb failed:\n{result.stderr or result.stdout}")
        if self._running_pid() is not None:
            return
        if not port_is_free(self.port) and not self.port_is_explicit:
            busy, self.port = self.port, free_port()
            print(f"embedded-postgres: port {busy} is taken by another program; using {self.port}")
        if not port_is_free(self.port):
            raise EmbeddedPostgresError(
                f"Port {self.port} on 127.0.0.1 is already in use by another program. "
                f"Stop it, or choose another port with EMBEDDED_PG_PORT=<port>."
            )
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
        result = self._run(
            bin_dir, "pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data_dir),
            "-l", str(self.log_file), "-o", options,
        )  # fmt: skip
        if result.returncode != 0:
            log_tail = ""
            with contextlib.suppress(OSError):
                log_tail = "\n".join(self.log_file.read_text().splitlines()[-15:])
            raise EmbeddedPostgresError(
                f"PostgreSQL did not start ({self.log_file}):\n{result.stderr}\n{log_tail}"
            )
        self.started_here = True

    def stop(self) -> None:
        """Stop the server if this process started it (a server found running is left alone)."""
        if self.started_here:
            self._run(find_bin_dir(), "pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))
            self.started_here = False
