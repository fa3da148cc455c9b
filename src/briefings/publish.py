"""Publishing a finished build atomically, and keeping a short history.

`reports/<slug>` is a symbolic link to `reports/.builds/<slug>/<build_id>/`. A build
is written into a staging folder beside the history; only when it is complete does
the link switch to it, in one rename, so a reader never sees half a briefing
and a failed or killed build leaves the last good one in place.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from .exceptions import OutputError

_STAGING_PREFIX = ".staging-"


def history_dir(out: Path) -> Path:
    """The folder that holds the kept builds of the briefing published at `out`."""
    return out.parent / ".builds" / out.name


def new_staging(out: Path) -> Path:
    """Create an empty staging folder for a build to be published at `out`.

    Its name carries the builder's pid, so leftovers of a killed build can be told
    from a build still running (see `prune`).
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging = history_dir(out) / f"{_STAGING_PREFIX}{stamp}-{os.getpid()}"
    try:
        staging.mkdir(parents=True)
    except OSError as error:
        raise OutputError(
            f"{out.parent}: cannot create the output folder "
            f"({error.strerror}); check that it exists and is writable"
        ) from None
    return staging


def published_build(out: Path) -> Path | None:
    """The build folder currently published at `out`, or None."""
    if out.is_symlink() or out.is_dir():
        target = out.resolve()
        return target if target.is_dir() else None
    return None


def read_manifest(folder: Path) -> dict | None:
    """The manifest.json of a build folder; None when missing or unreadable."""
    try:
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def publish(staging: Path, out: Path, *, keep: int) -> Path:
    """Move a complete staging folder into the history and point `out` at it."""
    build_id = staging.name.removeprefix(_STAGING_PREFIX).rsplit("-", 1)[0]
    final = staging.with_name(build_id)
    staging.replace(final)
    if out.exists() and not out.is_symlink():
        # A plain folder from before publishing used links: keep it as history.
        out.replace(history_dir(out) / f"{build_id}-previous")
    link = out.with_name(f".{out.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(final, out.parent), target_is_directory=True)
    link.replace(out)
    prune(out, keep=keep)
    return final


def prune(out: Path, *, keep: int) -> None:
    """Keep the newest `keep` builds (never the published one's removal) and drop the
    staging folders of builders that are no longer alive."""
    history = history_dir(out)
    if not history.is_dir():
        return
    current = published_build(out)
    builds = sorted(p for p in history.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in builds[: max(len(builds) - keep, 0)]:
        if old != current:
            shutil.rmtree(old, ignore_errors=True)
    for staging in history.glob(f"{_STAGING_PREFIX}*"):
        if not _alive(int(staging.name.rsplit("-", 1)[1])):
            shutil.rmtree(staging, ignore_errors=True)


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed build."""
    shutil.rmtree(staging, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
