"""What the reports folder says about each scheduled briefing: its status file and the index.

`reports/.status/<name>.json` records the last attempt and the last success of a
briefing (the scheduler writes it); `reports/index.html` lists every briefing of the
schedule with its latest good build, the last attempt and the kept history. Both are
written to a temporary file and moved into place, so a reader never sees half of one.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from html import escape
from pathlib import Path
from urllib.parse import quote

from .exceptions import ProblemsError
from .nofollow import read_own_text, real_folder, write_atomic
from .publish import kept_builds, published_build, read_manifest
from .spec import INDEX_FILE, Briefing, Spec

STATUS_DIR = ".status"
_OUTPUTS = (("briefing.html", "HTML"), ("briefing.pdf", "PDF"))
_CURRENT = ' class="bf-current" title="published"'

_CSS = """
body { font: 15px/1.45 "DejaVu Sans", system-ui, sans-serif; color: #1a1a1a; margin: 0;
  background: #fafafa; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
.bf-generated { color: #555; margin: 0 0 1.5rem; }
.bf-index-entry { background: #fff; border: 1px solid #ddd; border-radius: 4px;
  padding: .75rem 1rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
.bf-index-entry h2 { font-size: 1.1rem; margin: 0 0 .25rem; }
.bf-index-entry dl { display: grid; grid-template-columns: 9rem 1fr; gap: .2rem .75rem;
  margin: .5rem 0; }
.bf-index-entry dt { color: #555; }
.bf-index-entry dd { margin: 0; }
.bf-status-built { color: #006b4f; font-weight: bold; }
.bf-status-failed { color: #a3001b; font-weight: bold; }
.bf-history { margin: .25rem 0 0; padding-left: 1.2rem; }
.bf-current { font-weight: bold; }
a { color: #0050a0; }
"""


@dataclass(frozen=True)
class BuildLink:
    """One complete build of a briefing: when it was made and its files, relative to reports/."""

    build_id: str
    built_at: str
    files: tuple[tuple[str, str], ...]  # (label, relative href)
    current: bool


def status_path(reports: Path, name: str) -> Path:
    """The status file of briefing `name`."""
    return reports / STATUS_DIR / f"{name}.json"


def read_status(reports: Path, name: str) -> dict:
    """The recorded status of a briefing; empty when none was recorded or it is unreadable."""
    try:
        data = json.loads(read_own_text(status_path(reports, name)))
    except (ProblemsError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def record_attempt(reports: Path, name: str, attempt: dict) -> dict:
    """Record a build attempt (`status`, `at`, `duration`, `reason`, `build`); return the status.

    A successful attempt also becomes `last_success`, which the scheduler's "due" test and
    the index read.
    """
    status = read_status(reports, name)
    status["briefing"] = name
    status["last_attempt"] = attempt
    if attempt.get("status") == "built":
        status["last_success"] = attempt
    real_folder(reports / STATUS_DIR, below=reports)
    write_atomic(status_path(reports, name), json.dumps(status, indent=2, sort_keys=True) + "\n")
    return status


def builds(briefing: Briefing, reports: Path) -> list[BuildLink]:
    """The complete kept builds of a briefing, newest first (staging folders excluded)."""
    current = published_build(briefing.out)
    found = []
    for folder in reversed(kept_builds(briefing.out)):
        manifest = read_manifest(folder)
        if manifest is None:
            continue
        is_current = current is not None and folder.name == current.name
        base = briefing.out if is_current else folder
        files = tuple(
            (label, _href(base / name, reports))
            for name, label in _OUTPUTS
            if (folder / name).is_file()
        )
        found.append(BuildLink(folder.name, str(manifest.get("built_at", "")), files, is_current))
    return found


def render_index(spec: Spec, *, now: datetime) -> str:
    """The index page: every briefing of the schedule, in the schedule's order."""
    entries = "".join(_entry(b, spec.reports) for b in spec.briefings)
    generated = now.strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>Briefings</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n<main>\n<h1>Briefings</h1>\n"
        f'<p class="bf-generated">Index written {escape(generated)} from '
        f"{escape(spec.path.name)}: {len(spec.briefings)} briefings.</p>\n"
        f"{entries}</main>\n</body>\n</html>\n"
    )


def write_index(spec: Spec, *, now: datetime) -> Path:
    """Write `reports/index.html` for a schedule; return its path."""
    path = spec.reports / INDEX_FILE
    write_atomic(path, render_index(spec, now=now))
    return path


def _entry(briefing: Briefing, reports: Path) -> str:
    kept = builds(briefing, reports)
    current = next((b for b in kept if b.current), None)
    status = read_status(reports, briefing.name)
    rows = []
    if current is not None:
        rows.append(("Latest", f"{escape(current.built_at)} {_links(current.files)}"))
    else:
        rows.append(("Latest", "not built yet"))
    attempt = status.get("last_attempt")
    if isinstance(attempt, dict):
        outcome = str(attempt.get("status", ""))
        text = (
            f'<span class="bf-status-{escape(outcome)}">{escape(outcome)}</span> '
            f"{escape(str(attempt.get('at', '')))}"
        )
        if attempt.get("reason"):
            text += f" – {escape(str(attempt['reason']))}"
        rows.append(("Last attempt", text))
    rows.append(("Schedule", f"<code>{escape(briefing.cron)}</code> (UTC)"))
    if kept:
        items = "".join(
            f"<li{_CURRENT if b.current else ''}>"
            f"{escape(b.built_at or b.build_id)} {_links(b.files)}</li>"
            for b in kept
        )
        rows.append(("History", f'<ol class="bf-history">{items}</ol>'))
    details = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    description = f"<p>{escape(briefing.description)}</p>" if briefing.description else ""
    return (
        f'<section class="bf-index-entry" id="{escape(briefing.name)}">'
        f"<h2>{escape(briefing.name)}</h2>{description}<dl>{details}</dl></section>\n"
    )


def _links(files: tuple[tuple[str, str], ...]) -> str:
    return " ".join(f'<a href="{escape(href)}">{escape(label)}</a>' for label, href in files)


def _href(path: Path, reports: Path) -> str:
    return quote(os.path.relpath(path, reports).replace(os.sep, "/"))
