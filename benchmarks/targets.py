"""The table `make bench` prints: each case's median and peak, and the targets of issues 7,
14 and 26 as PASS/FAIL (or met / NOT MET with the figure), from bench.py's cases."""

from __future__ import annotations

import os
import platform
from datetime import date
from pathlib import Path


def machine() -> str:
    model = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"{cpus} CPUs ({model}), {platform.system()} {platform.machine()}, "
        f"Python {platform.python_version()}"
    )


def table(cases: dict, stopped: dict, runs: int, briefings: int) -> str:
    """The cases' table, the ratios, and each issue's targets with PASS or FAIL."""
    lines = [
        f"Machine: {machine()}; {date.today().isoformat()}; median of {runs} runs after a "
        "warm-up unless noted",
        "",
        "| case | what | median s | peak MB | note |",
        "|---|---|---:|---:|---|",
    ]
    for case in cases.values():
        lines.append(
            f"| {case.key} | {case.label} | {case.median:.2f} | {case.peak_mb:.0f} | {case.note} |"
        )
    e, d = cases["e"].median, cases["d"].median
    floor = cases["b"].median + cases["c"].median
    lines += [
        "",
        f"Ratios: e/d = {e / d:.2f}; e/(b+c) = {e / floor:.2f}"
        + (f"; h(10,000)/e = {cases['h10000'].median / e:.2f}" if "h10000" in cases else ""),
        "",
        "| target | measured | result |",
        "|---|---|---|",
    ]

    def target(name: str, measured: str, ok: bool) -> None:
        lines.append(f"| {name} | {measured} | {'PASS' if ok else 'FAIL'} |")

    target("e ≤ 0.6 × d", f"{e:.2f} s ≤ {0.6 * d:.2f} s", e <= 0.6 * d)
    target("e ≤ 1.5 × (b + c)", f"{e:.2f} s ≤ {1.5 * floor:.2f} s", e <= 1.5 * floor)
    f = cases["f"].median
    target("f ≤ 0.5 s", f"{f:.2f} s", f <= 0.5)
    g = cases["g"].median
    target("g ≤ 1 s (every shipped briefing)", f"{g:.2f} s", g <= 1.0)
    if "h10000" in cases:
        h = cases["h10000"]
        ok = h.median <= 2 * e
        target("10,000 events: build ≤ 2 × e", f"{h.median:.2f} s ≤ {2 * e:.2f} s", ok)
        target("10,000 events: peak ≤ 500 MB", f"{h.peak_mb:.0f} MB", h.peak_mb <= 500)
    if "h100000" in cases:
        h = cases["h100000"]
        if 100_000 in stopped:
            ok = stopped[100_000] == 1  # the message is in the table's note
            target("100,000 events: stops with a clear limit", f"{h.median:.2f} s", ok)
        else:
            target("100,000 events: completes", f"{h.median:.2f} s, {h.peak_mb:.0f} MB", True)
    lines += ["", "Issue 14 (a fleet of briefings, a cold build near its floor):", ""]
    lines += ["| target | measured | result |", "|---|---|---|"]
    s, n = cases["s"].median, briefings
    target(f"s ≤ 0.2 × ({n} × e)", f"{s:.2f} s ≤ {0.2 * n * e:.2f} s", s <= 0.2 * n * e)
    target("e ≤ 0.4 × d", f"{e:.2f} s ≤ {0.4 * d:.2f} s", e <= 0.4 * d)
    if "h10000" in cases:
        h = cases["h10000"]
        ok = h.median <= 1.5 * e
        target("10,000 events: build ≤ 1.5 × e", f"{h.median:.2f} s ≤ {1.5 * e:.2f} s", ok)
        target("10,000 events: peak ≤ 300 MB", f"{h.peak_mb:.0f} MB", h.peak_mb <= 300)
    if "h100000" in cases and 100_000 not in stopped:
        h = cases["h100000"]
        ok = h.peak_mb <= 500
        target(
            "100,000 events: completes, peak ≤ 500 MB", f"{h.median:.2f} s, {h.peak_mb:.0f} MB", ok
        )
    lines += issue_26(cases, n)
    return "\n".join(lines)


STAGES = ("check", "execute", "html", "pdf", "total")


def issue_26(cases: dict, briefings: int) -> list[str]:
    """Issue 26's targets (the PDF through Typst), and where the builds' time went: the
    stage timings each build recorded in its manifest, medians over the runs."""
    e, d, s = cases["e"], cases["d"].median, cases["s"].median
    rows = [
        (
            "PDF stage of the shipped briefing (in the build process)",
            "≤ 0.25 s",
            f"{e.stage('pdf'):.3f} s",
            e.stage("pdf") <= 0.25,
        ),
        (
            "one cold build (HTML + PDF)",
            "≤ 0.35 × the hand-made chain",
            f"e = {e.median:.2f} s = {e.median / d:.2f} × d ({d:.2f} s)",
            e.median <= 0.35 * d,
        ),
        (
            f"{briefings} shipped briefings, `schedule --force --jobs 2`",
            f"≤ 0.2 × ({briefings} × one cold build)",
            f"s = {s:.2f} s = {s / (briefings * e.median):.2f} × {briefings}e",
            s <= 0.2 * briefings * e.median,
        ),
    ]
    if "h10000" in cases:
        h = cases["h10000"]
        rows.append(
            (
                "10,000 events",
                "≤ 1.5 × the shipped build, peak ≤ 300 MB",
                f"{h.median:.2f} s = {h.median / e.median:.2f} × e, {h.peak_mb:.0f} MB",
                h.median <= 1.5 * e.median and h.peak_mb <= 300,
            )
        )
    lines = ["", "Issue 26 (the PDF through Typst):", ""]
    lines += ["| case | target | measured | result |", "|---|---|---|---|"]
    lines += [f"| {c} | {t} | {m} | {'met' if ok else 'NOT MET'} |" for c, t, m, ok in rows]
    lines += ["", "Where the time went (the builds' manifests, medians; s):", ""]
    lines += ["| build | " + " | ".join(STAGES) + " |", "|---|" + "---:|" * len(STAGES)]
    for case in (cases[key] for key in ("e", "h10000") if key in cases):
        figures = " | ".join(f"{case.stage(stage):.2f}" for stage in STAGES)
        lines.append(f"| {case.key} | {figures} |")
    return lines
