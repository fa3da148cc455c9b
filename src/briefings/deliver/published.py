"""What a schedule has published, as the feed, the notices and the index list it.

The scheduler hands delivery plain values: each briefing's name, the folder it is
published at and the title its schedule gives it (`Publication`), and for the feed the
schedule file and its reports folder (`Catalogue`). From those, `builds` finds the
complete kept builds of a briefing with links relative to reports/.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from briefings.build.folder import BuildFolder
from briefings.build.publish import kept_builds, published_build


@dataclass(frozen=True)
class Publication:
    """One briefing as its readers see it: its name, the folder it is published at (a
    link to its current build, the history beside it) and its title parameter, if set."""

    name: str
    out: Path
    title: str = ""


@dataclass(frozen=True)
class Catalogue:
    """Every briefing of a schedule file, in its order, published under `reports`."""

    source: Path  # the schedule file
    reports: Path
    publications: tuple[Publication, ...]


@dataclass(frozen=True)
class BuildLink:
    """One complete build of a briefing: when it was made and its files, relative to reports/."""

    build_id: str
    built_at: str
    files: tuple[tuple[str, str], ...]  # (label, relative href)
    current: bool


def builds(out: Path, reports: Path) -> list[BuildLink]:
    """The complete kept builds of the briefing published at `out`, newest first (staging
    folders excluded)."""
    current = published_build(out)
    found = []
    for folder in reversed(kept_builds(out)):
        manifest = BuildFolder(folder).read_manifest()
        if manifest is None:
            continue
        is_current = current is not None and folder.name == current.name
        base = BuildFolder(out if is_current else folder)
        files = tuple(
            (kind.upper(), _href(base.briefing(kind), reports))
            for kind in BuildFolder(folder).formats()
        )
        found.append(BuildLink(folder.name, manifest.built_at, files, is_current))
    return found


def _href(path: Path, reports: Path) -> str:
    return quote(os.path.relpath(path, reports).replace(os.sep, "/"))
