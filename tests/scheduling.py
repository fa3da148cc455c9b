"""The scheduler's test helpers: a two-briefing schedule, and a build stand-in that
publishes a complete-looking folder with the real inputs hash and logs each call."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace

from conftest import write_dataset

from briefings.build.fingerprint import inputs_hash
from briefings.build.folder import BuildFolder, DatasetRecord, Manifest
from briefings.build.publish import new_staging, publish
from briefings.data.params import prepare
from briefings.exceptions import BuildError
from briefings.schedule.runner import Outcome, run_schedule

MONDAY = datetime(2026, 1, 5, 7, 0, tzinfo=UTC)  # an hour after the weekly fire time
SPEC = """\
defaults: {formats: [html], keep: 2}
briefings:
  weekly:
    cron: "0 6 * * 1"
    params: {data_dir: data}
  monthly:
    cron: "0 5 1 * *"
    params: {data_dir: data, start: 2020-01-01, end: 2020-12-31}
"""


def fake_build(raw, *, formats, out, keep, force, notebook, origin):
    """Stands in for build_briefing: publishes a folder with a real inputs hash.

    It logs each call to calls.jsonl beside reports/, with what the scheduler handed it,
    and fails like a broken notebook when the marking is 'fail'.
    """
    # The placeholder states.csv written below is not a state table: leave it unchecked.
    params, dataset = prepare({**raw, "previous_states": None}, origin=origin, notebook=notebook)
    previous = Path(raw["previous_states"])
    with (out.parent.parent / "calls.jsonl").open("a", encoding="utf-8") as log:
        call = {
            "name": out.name,
            "build_date": raw["build_date"],
            "previous": previous.read_text() if previous.is_file() else None,
            "force": force,
        }
        log.write(json.dumps(call) + "\n")
    if params.marking == "fail":
        raise BuildError(f"{notebook}: cell 3 failed: ZeroDivisionError: division by zero")
    folder = BuildFolder(new_staging(out))
    folder.briefing("html").write_text("<p>briefing</p>")
    folder.state_table.write_text(f"states of {out.name} built {raw['build_date']}\n")
    manifest = Manifest(
        built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        inputs_hash=inputs_hash(params, dataset, formats, notebook),
        dataset=DatasetRecord(hash="x"),
    )
    folder.write_manifest(manifest)
    return SimpleNamespace(build_dir=publish(folder.path, out, keep=keep))


def write_schedule(folder: Path, text: str = SPEC) -> Path:
    """A schedule file `text` beside a small dataset in `data/`; its path."""
    write_dataset(folder / "data")
    path = folder / "briefings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def schedule(spec: Path, now: datetime, **options) -> dict[str, Outcome]:
    options.setdefault("jobs", 1)
    outcomes = run_schedule(spec, now=now, build=fake_build, **options)
    return {o.name: o for o in outcomes}


def calls(spec: Path) -> list[dict]:
    log = spec.parent / "calls.jsonl"
    if not log.is_file():
        return []
    return [json.loads(line) for line in log.read_text().splitlines()]
