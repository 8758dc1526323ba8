"""Bar charts of a benchmark's results: requests/s and p99 latency per scenario and service.

    python -m bench.chart bench/results/bench-20261123T101500Z.json      # .svg and .png beside it
    python -m bench.chart RESULTS.json --out bench/figures/benchmark.svg  # the README's copy

``bench.run`` calls :func:`write_charts` after every run, so a chart lies next to each results
JSON; this command draws one again from a JSON kept from an earlier run. The format follows
the file's suffix (``.svg`` or ``.png``). Matplotlib draws without a display or a browser (its
Agg and SVG backends, used through :class:`~matplotlib.figure.Figure`, never through pyplot).

The SVG keeps its text as text (searchable, selectable) and is reproducible: no date, fixed
element ids, so redrawing an unchanged JSON gives an identical file. Each bar is a group with
the id ``<metric>-<scenario>-<service>`` (see :func:`bar_id`).
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import matplotlib
from matplotlib.figure import Figure

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

FORMATS = ("svg", "png")
# Bars in this order within each scenario, each service in its own colour (colour-blind safe).
SERVICE_ORDER = ("ours", "raw", "tutorial")
COLOURS = ("#0072b2", "#999999", "#e69f00", "#009e73", "#cc79a7", "#56b4e9")
# (key in the summary, short name used in bar ids, axis label)
METRICS = (
    ("requests_per_second", "rps", "requests/s (higher is better)"),
    ("p99_ms", "p99", "p99 latency, ms (lower is better)"),
)
RC: dict[RcKeyType, Any] = {
    "svg.fonttype": "none",  # text stays text, not glyph outlines
    "svg.hashsalt": "bench-chart",  # stable ids: an unchanged JSON redraws to the same file
    # DejaVu Sans ships with matplotlib, so every machine draws alike; the SVG names it with
    # the generic sans-serif after it, for viewers that lack it.
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "font.size": 9,
}


class ChartError(ValueError):
    """The results file has nothing to draw (e.g. a quick run from before charts existed)."""


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, read from a results record (see :func:`chart_data`)."""

    title: str
    subtitle: str
    scenarios: list[tuple[str, str]]  # (key, label), in drawing order
    services: list[str]
    values: dict[str, dict[str, dict[str, float]]]  # scenario -> service -> summary key -> number


def bar_id(metric: str, scenario: str, service: str) -> str:
    """The SVG id of one bar, e.g. ``rps-first_page-ours`` or ``p99-search-raw``."""
    return f"{metric}-{scenario}-{service}"


def _is_scenario(value: object) -> bool:
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(row, dict) and "requests_per_second" in row for row in value.values())
    )


def chart_data(record: Mapping[str, Any]) -> ChartData:
    """The scenarios, services and numbers of a ``bench.run`` results record.

    Reads ``record["summary"]`` (scenario -> service -> medians); ``record["scenarios"]``, when
    present, gives the order and the labels of the scenarios.
    """
    summary = record.get("summary")
    if not isinstance(summary, dict):
        raise ChartError("no 'summary' in these results: nothing to draw")
    described: dict[str, str] = dict(record.get("scenarios") or {})
    keys = [key for key in described if _is_scenario(summary.get(key))]
    keys += [key for key, value in summary.items() if key not in described and _is_scenario(value)]
    if not keys:
        raise ChartError("the summary has no scenario with requests_per_second")
    seen = {service for key in keys for service in summary[key]}
    services = [name for name in SERVICE_ORDER if name in seen]
    services += sorted(seen - set(services))
    values = {
        key: {
            service: {metric: float(row[metric]) for metric, _, _ in METRICS}
            | {"errors": float(row.get("errors", 0))}
            for service, row in summary[key].items()
        }
        for key in keys
    }
    return ChartData(
        title=_title(record),
        subtitle=_subtitle(record),
        scenarios=[(key, described.get(key, key)) for key in keys],
        services=services,
        values=values,
    )


def _title(record: Mapping[str, Any]) -> str:
    songs = record.get("songs")
    size = f"{songs:,} songs" if isinstance(songs, int) else "benchmark"
    kind = "quick check, not a benchmark" if record.get("quick") else "benchmark"
    started = str(record.get("started_at", ""))[:10]
    return f"Songs catalog {kind}: {size}" + (f", {started}" if started else "")


def _subtitle(record: Mapping[str, Any]) -> str:
    parts = []
    if "workers" in record:
        workers = record["workers"]
        parts.append(f"{workers} uvicorn worker{'s' if workers != 1 else ''} per service")
    if "pool_size" in record:
        parts.append(f"pool of {record['pool_size']} per worker")
    if record.get("load"):
        parts.append(str(record["load"]))
    elif "connections" in record and "duration" in record:
        parts.append(f"wrk -t1 -c{record['connections']} -d{record['duration']:g}s")
    rounds = record.get("rounds")
    if isinstance(rounds, int):
        parts.append("one round" if rounds == 1 else f"median of {rounds} rounds")
    return "; ".join(parts)


def _label(value: float, errors: int) -> str:
    text = f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"
    return f"{text}\n{errors} err" if errors else text


def draw(data: ChartData) -> Figure:
    """A figure of two bar charts sharing the scenarios: requests/s above, p99 below."""
    groups = len(data.scenarios)
    width = 0.8 / len(data.services)
    figure = Figure(figsize=(max(7.0, 2.0 * groups + 1.5), 7.0), layout="constrained")
    figure.suptitle(f"{data.title}\n{data.subtitle}" if data.subtitle else data.title)
    axes = figure.subplots(len(METRICS), 1, sharex=True)
    for ax, (metric, short, axis_label) in zip(axes, METRICS, strict=True):
        for index, service in enumerate(data.services):
            offset = (index - (len(data.services) - 1) / 2) * width
            present = [key for key, _ in data.scenarios if service in data.values[key]]
            positions = [number + offset for number, (key, _) in enumerate(data.scenarios) if key in present]
            rows = [data.values[key][service] for key in present]
            bars = ax.bar(
                positions,
                [row[metric] for row in rows],
                width,
                label=service,
                color=COLOURS[index % len(COLOURS)],
            )
            for bar, key in zip(bars, present, strict=True):
                bar.set_gid(bar_id(short, key, service))
            ax.bar_label(
                bars,
                labels=[_label(row[metric], int(row["errors"])) for row in rows],
                padding=2,
                fontsize=7,
            )
        ax.set_ylabel(axis_label)
        ax.set_ylim(0, ax.get_ylim()[1] * 1.12)  # room for the labels above the tallest bar
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)
        ax.spines[["top", "right"]].set_visible(False)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, title="service", loc="outside right upper", frameon=False)
    axes[-1].set_xticks(range(groups), [_tick(label) for _, label in data.scenarios])
    return figure


def _tick(label: str) -> str:
    """A scenario's label on two lines: "GET /songs" above "(first page of 50)"."""
    head, paren, rest = label.partition(" (")
    lines = [head, paren.strip() + rest] if paren else [label]
    return "\n".join(textwrap.fill(line, 24, break_long_words=False) for line in lines)


def render(record: Mapping[str, Any], path: Path) -> Path:
    """Draw the chart of ``record`` into ``path`` (SVG or PNG, from the suffix)."""
    fmt = path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise ChartError(f"{path}: the chart is written as .svg or .png, not {path.suffix or 'no suffix'}")
    data = chart_data(record)
    with matplotlib.rc_context(RC):
        figure = draw(data)
        # No date (SVG) or software version (PNG) in the file: the same JSON draws the same file.
        metadata: dict[str, str | None] = {"Title": data.title}
        metadata |= {"Date": None} if fmt == "svg" else {"Software": None}
        path.parent.mkdir(parents=True, exist_ok=True)
        figure.savefig(path, format=fmt, metadata=metadata, dpi=120)
    return path


def write_charts(record: Mapping[str, Any], results_json: Path) -> list[Path]:
    """The chart next to ``results_json``, as SVG and PNG (same name, other suffix)."""
    return [render(record, results_json.with_suffix(f".{fmt}")) for fmt in FORMATS]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.chart", description=__doc__.split("\n")[0])
    parser.add_argument("results", type=Path, help="a results JSON written by bench.run")
    parser.add_argument(
        "--out",
        type=Path,
        action="append",
        help="where to write the chart (.svg or .png; repeat for both). "
        "Default: .svg and .png next to the JSON",
    )
    args = parser.parse_args(argv)
    try:
        record = json.loads(args.results.read_text())
        paths = [render(record, out) for out in args.out] if args.out else write_charts(record, args.results)
    except (OSError, ValueError) as exc:  # ChartError and json's errors are ValueErrors
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in paths:
        print(f"chart: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
