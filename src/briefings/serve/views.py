"""The views folder: `reports/views/`, where the views ordered from the form are published.

A view is published as `briefings build --out reports/views/<name>` publishes it (a link
to its one kept build), under the name `briefings build` gives its parameters, so one
view is one folder and one address. The folder keeps the newest `keep` views and removes
the oldest. It lies apart from the schedule's briefings: the index, the feed and the
notifications list only those.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefings.build.folder import BuildFolder
from briefings.build.publish import published_build, unpublish
from briefings.data.moments import readable, stored_time
from briefings.data.params import PARAMETERS
from briefings.inputs.nofollow import is_real_folder
from briefings.paths import VIEWS

if TYPE_CHECKING:  # pandas
    from briefings.data.dataset import Dataset
    from briefings.data.params import Parameters

DEFAULT_KEEP_VIEWS = 50
# The names `briefings build` gives (lower-case slugs), and nothing that could climb out.
_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,199}")


@dataclass(frozen=True)
class PublishedView:
    """A view as the views page lists it."""

    name: str
    build_id: str
    built_at: str  # for people: 'Thu 3 Dec 2026, 17:24 UTC'
    title: str
    parameters: tuple[tuple[str, str], ...]  # (name, value as text), paths left out
    formats: tuple[str, ...]


def is_view_name(name: str) -> bool:
    """Whether `name` could be a view's name."""
    return _NAME.fullmatch(name) is not None


def view_out(reports: Path, name: str) -> Path:
    """Where the view `name` is published."""
    return reports / VIEWS / name


def is_current(
    out: Path, params: Parameters, dataset: Dataset, formats: tuple[str, ...], notebook: Path
) -> bool:
    """Whether the view published at `out` is complete and was built from these very
    inputs, so that ordering it again builds nothing (as `briefings build` would answer)."""
    from briefings.build.builder import published_result
    from briefings.build.fingerprint import inputs_hash  # importlib.metadata: not for --help

    return published_result(out, inputs_hash(params, dataset, formats, notebook)) is not None


def published_views(reports: Path) -> list[PublishedView]:
    """Every complete published view, the newest first."""
    folder = reports / VIEWS
    if not is_real_folder(folder):
        return []
    found = [published_view(reports, out.name) for out in folder.iterdir()]
    # Build ids are UTC timestamps: their order is the order the views were built in.
    return sorted(filter(None, found), key=lambda view: view.build_id, reverse=True)


def published_view(reports: Path, name: str) -> PublishedView | None:
    """The view `name` if it is published and complete, else None."""
    build = published_build(view_out(reports, name)) if is_view_name(name) else None
    manifest = None if build is None else BuildFolder(build).read_manifest()
    if manifest is None or not BuildFolder(build).complete(manifest):
        return None
    return PublishedView(
        name=name,
        build_id=build.name,
        built_at=_readable(manifest.built_at),
        title=manifest.title,
        parameters=shown_parameters(manifest.parameters),
        formats=tuple(manifest.formats),
    )


def shown_parameters(parameters: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """A build's parameters for a reader: in the order they are listed, as text, those
    not set left out, and paths left out (they are the server's, not the reader's)."""
    shown = []
    for name, (kind, _help) in PARAMETERS.items():
        value = parameters.get(name)
        if kind == "path" or value in (None, "", []):
            continue
        shown.append((name, ", ".join(map(str, value)) if isinstance(value, list) else str(value)))
    return tuple(shown)


def _readable(text: str) -> str:
    moment = stored_time(text)
    return readable(moment) if moment is not None else text


def prune_views(reports: Path, *, keep: int, busy: set[str]) -> list[str]:
    """Remove the oldest views beyond the newest `keep` (never one in `busy`, being built
    or waiting); return their names."""
    removed = []
    for view in published_views(reports)[keep:]:
        if view.name not in busy:
            unpublish(view_out(reports, view.name))
            removed.append(view.name)
    return removed
