"""The benchmark's chart (bench.chart): drawn from a small hand-made results record.

The SVG is read back as XML and measured: every scenario and service is named, and each
bar's height is proportional to its number, so the bars are ordered as the numbers are.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from bench import chart

SVG = "{http://www.w3.org/2000/svg}"
SERVICES = ("ours", "raw", "tutorial")
# Numbers chosen so that every metric orders the nine bars differently.
NUMBERS = {  # scenario -> service -> (requests/s, p99 ms)
    "first_page": {"ours": (400.0, 160.0), "raw": (600.0, 140.0), "tutorial": (160.0, 900.0)},
    "get_by_id": {"ours": (780.0, 117.0), "raw": (2300.0, 34.0), "tutorial": (320.0, 450.0)},
    "odd_one": {"ours": (55.5, 1380.0), "raw": (110.0, 230.0), "tutorial": (5.0, 860.0)},
}
DESCRIPTIONS = {
    "first_page": "GET /songs (first page of 50)",
    "get_by_id": "GET /songs/{id} (random ids)",
    "odd_one": "PATCH /odd <one & only>",  # XML-special characters must survive
}


def results_record(**extra: Any) -> dict[str, Any]:
    summary: dict[str, Any] = {
        scenario: {
            service: {"requests_per_second": rps, "p50_ms": p99 / 2, "p99_ms": p99, "errors": 0}
            for service, (rps, p99) in by_service.items()
        }
        for scenario, by_service in NUMBERS.items()
    }
    summary["deep_vs_first_p50"] = {"ours": 1.1, "raw": 1.2, "tutorial": 1.3}  # not a scenario
    return {
        "started_at": "2026-11-23T10:15:00+00:00",
        "songs": 1_000_000,
        "quick": False,
        "workers": 2,
        "pool_size": 10,
        "load": "wrk -t1 -c32 -d5s",
        "rounds": 3,
        "scenarios": DESCRIPTIONS,
        "summary": summary,
    } | extra


def texts(root: ET.Element) -> str:
    """All the text of the drawing, one line per text element."""
    return "\n".join("".join(element.itertext()) for element in root.iter(f"{SVG}text"))


def bar_box(root: ET.Element, bar_id: str) -> tuple[float, float, float]:
    """(left x, bottom y, height) of the rectangle drawn in the group ``bar_id``."""
    groups = [group for group in root.iter(f"{SVG}g") if group.get("id") == bar_id]
    assert len(groups) == 1, f"{bar_id}: {len(groups)} groups"
    (path,) = groups[0].iter(f"{SVG}path")
    numbers = [float(number) for number in re.findall(r"-?\d+(?:\.\d+)?", path.get("d", ""))]
    xs, ys = numbers[0::2], numbers[1::2]
    assert len(xs) == len(ys) == 4, f"{bar_id}: not a rectangle: {path.get('d')}"
    return min(xs), max(ys), max(ys) - min(ys)


def test_the_svg_names_every_scenario_and_service_and_bars_follow_the_numbers(tmp_path: Path) -> None:
    path = chart.render(results_record(), tmp_path / "chart.svg")
    root = ET.parse(path).getroot()  # noqa: S314 - a file this test just wrote
    assert root.tag == f"{SVG}svg"

    text = texts(root)
    lines = set(text.splitlines())
    for service in SERVICES:
        assert service in lines, f"no legend entry for {service}"
    for description in DESCRIPTIONS.values():
        # Tick labels are drawn on two lines: "GET /songs" and "(first page of 50)".
        head, _, rest = description.partition(" (")
        assert head in lines, description
        if rest:
            assert f"({rest}" in lines, description
    assert "2 uvicorn workers per service" in text
    assert "deep_vs_first_p50" not in text

    for metric, key in (("rps", 0), ("p99", 1)):
        bars = {
            (scenario, service): bar_box(root, chart.bar_id(metric, scenario, service))
            for scenario in NUMBERS
            for service in SERVICES
        }
        values = {pair: NUMBERS[pair[0]][pair[1]][key] for pair in bars}
        # Bars start at zero on a linear axis: height / value is the same for every bar ...
        scales = [bars[pair][2] / values[pair] for pair in bars]
        assert max(scales) == pytest.approx(min(scales), rel=0.01), (metric, scales)
        # ... so sorting by height sorts by the numbers.
        assert sorted(bars, key=lambda pair: bars[pair][2]) == sorted(bars, key=values.__getitem__)
        # All bars of a metric stand on the same baseline.
        assert len({round(box[1], 3) for box in bars.values()}) == 1
        # Left to right: scenarios in the record's order, services ours, raw, tutorial within each.
        order = sorted(bars, key=lambda pair: bars[pair][0])
        assert order == [(scenario, service) for scenario in DESCRIPTIONS for service in SERVICES]

    # The two panels are stacked: every requests/s bar lies above every p99 bar.
    assert max(bar_box(root, chart.bar_id("rps", s, n))[1] for s in NUMBERS for n in SERVICES) < min(
        bar_box(root, chart.bar_id("p99", s, n))[1] - bar_box(root, chart.bar_id("p99", s, n))[2]
        for s in NUMBERS
        for n in SERVICES
    )


def test_the_same_results_draw_the_same_svg(tmp_path: Path) -> None:
    first = chart.render(results_record(), tmp_path / "first.svg").read_bytes()
    second = chart.render(results_record(), tmp_path / "second.svg").read_bytes()
    assert first == second  # a committed chart only changes when its numbers do
    changed = results_record()
    changed["summary"]["odd_one"]["raw"]["p99_ms"] = 231.0
    assert chart.render(changed, tmp_path / "third.svg").read_bytes() != first


def test_write_charts_puts_svg_and_png_next_to_the_json(tmp_path: Path) -> None:
    results = tmp_path / "bench-20261123T101500Z.json"
    paths = chart.write_charts(results_record(), results)
    assert paths == [results.with_suffix(".svg"), results.with_suffix(".png")]
    ET.parse(paths[0])  # noqa: S314 - written by this test
    png = paths[1].read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert width > 600
    assert height > 400


def test_errors_and_a_scenario_missing_a_service_are_drawn(tmp_path: Path) -> None:
    record = results_record()
    record["summary"]["first_page"]["ours"]["errors"] = 7
    del record["summary"]["get_by_id"]["tutorial"]
    root = ET.parse(chart.render(record, tmp_path / "chart.svg")).getroot()  # noqa: S314
    assert "7 err" in texts(root).splitlines()
    ids = {group.get("id") for group in root.iter(f"{SVG}g")}
    assert chart.bar_id("rps", "get_by_id", "tutorial") not in ids
    assert chart.bar_id("rps", "odd_one", "tutorial") in ids


def test_an_old_json_without_descriptions_uses_the_scenario_keys(tmp_path: Path) -> None:
    record = results_record()
    del record["scenarios"]
    lines = texts(ET.parse(chart.render(record, tmp_path / "c.svg")).getroot()).splitlines()  # noqa: S314
    assert {"first_page", "get_by_id", "odd_one"} <= set(lines)


def test_the_command_redraws_a_results_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = tmp_path / "results" / "bench-20261123T101500Z.json"
    results.parent.mkdir()
    results.write_text(json.dumps(results_record()))
    docs = tmp_path / "docs" / "benchmark.svg"
    assert chart.main([str(results), "--out", str(docs)]) == 0
    assert f"chart: {docs}" in capsys.readouterr().out
    assert docs.read_bytes() == chart.render(results_record(), tmp_path / "again.svg").read_bytes()

    assert chart.main([str(results)]) == 0  # default: .svg and .png next to the JSON
    assert results.with_suffix(".svg").exists()
    assert results.with_suffix(".png").exists()


@pytest.mark.parametrize(
    ("record", "out", "message"),
    [
        ({"quick": True, "checks": []}, "c.svg", "no 'summary'"),
        ({"summary": {"deep_vs_first_p50": {"ours": 1.0}}}, "c.svg", "no scenario"),
        (results_record(), "c.pdf", ".svg or .png"),
    ],
)
def test_the_command_explains_what_it_cannot_draw(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], record: dict[str, Any], out: str, message: str
) -> None:
    results = tmp_path / "results.json"
    results.write_text(json.dumps(record))
    assert chart.main([str(results), "--out", str(tmp_path / out)]) == 1
    assert message in capsys.readouterr().err
    assert not (tmp_path / out).exists()
