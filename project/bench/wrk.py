"""Driving a service with wrk: the Lua scripts of the scenarios, and reading wrk's report."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WRK_MISSING = (
    "wrk not found: install it with 'sudo apt-get install wrk' (Debian/Ubuntu) or 'brew install wrk' (macOS)"
)
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}

# One artist name of a few hundred per new song: most requests find the artist, some create it.
POST_BODY_LUA = (
    'string.format(\'{"name":"Bench Take %s %d","artist":"Bench Artist %d","year":%d,"duration_ms":%d}\', '
    "tag, counter, math.random(1, 300), math.random(1960, 2025), math.random(60000, 400000))"
)


def find_wrk() -> str | None:
    return shutil.which("wrk")


def random_ids_script(first_id: int, last_id: int) -> str:
    """GET /songs/{id} for ids drawn uniformly from the loaded songs."""
    return f"""
math.randomseed(os.time())
request = function()
    return wrk.format("GET", "/songs/" .. math.random({first_id}, {last_id}))
end
"""


def post_songs_script(tag: str) -> str:
    """POST /songs, each request a new song (a counter and the run's tag make every name new)."""
    return f"""
math.randomseed(os.time())
counter = 0
tag = "{tag}"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
    counter = counter + 1
    return wrk.format("POST", "/songs", nil, {POST_BODY_LUA})
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    requests: int
    errors: int  # socket errors plus non-2xx/3xx responses

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    """Read the numbers of ``wrk --latency``'s report."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    percentiles = dict(re.findall(r"^\s+(50|90|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if not rps or not total or set(percentiles) != {"50", "90", "99"}:
        raise ValueError(f"could not read wrk's report:\n{output}")
    errors = sum(int(count) for count in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return WrkResult(
        requests_per_second=float(rps.group(1)),
        p50_ms=_duration_ms(percentiles["50"]),
        p90_ms=_duration_ms(percentiles["90"]),
        p99_ms=_duration_ms(percentiles["99"]),
        requests=int(total.group(1)),
        errors=errors + (int(non_2xx.group(1)) if non_2xx else 0),
    )


def run_wrk(
    wrk: str, url: str, *, connections: int, duration: float, script: Path | None = None
) -> WrkResult:
    command = [
        wrk,
        "-t1",
        f"-c{connections}",
        f"-d{max(1, round(duration))}s",
        "--latency",
        "--timeout",
        "10s",
    ]
    if script is not None:
        command += ["-s", str(script)]
    result = subprocess.run(
        [*command, url], capture_output=True, text=True, check=False, timeout=duration + 60
    )
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    return parse_wrk(result.stdout)
