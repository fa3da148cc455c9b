"""Publishing a finished build atomically, keeping a short history, and touching nothing else.

`reports/<name>` is a symbolic link to `reports/history/<name>/<build_id>/`. A build is
written into a staging folder beside the history; only when it is complete does the
link switch to it, in one rename, so a reader never sees half a briefing and a failed
or killed build leaves the last good one in place. The history folder is not hidden, so
JupyterLab serves what the link points to.

The tool replaces and deletes only what it made: `out` must not exist yet or be a link
this module made (one pointing at a marked build folder in its history), and pruning
deletes only folders that carry the marker file written when the build began. Nothing
inside the history is followed if it is a link (see nofollow).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from briefings.build.folder import MANIFEST, BuildFolder
from briefings.exceptions import OutputError, ProblemsError
from briefings.inputs.nofollow import (
    is_real_file,
    is_real_folder,
    read_own_text,
    real_folder,
    write_atomic,
)

# The one place the history's name is set: the index, the scheduler and the build read it
# through history_dir(). Not hidden, so JupyterLab's file server follows links into it.
HISTORY = "history"
DEFAULT_KEEP = 5  # builds kept in a briefing's history
# The longest name a briefing may be published under: file systems allow 255 bytes per
# name, and the longest the tool makes from it is its temporary link (`.<name>.link-<pid>-
# <8 hex>`, 23 more) or the temporary file of `<name>.failed.ipynb` (27 more).
MAX_NAME = 200
# Where builds were kept before the history was visible; links into it are still ours.
_LEGACY_HISTORY = ".builds"
# Written into every build folder when it is created: pruning deletes nothing without it.
MARKER = ".briefings-build"
_MARKER_TEXT = "A build folder made by `briefings build`; pruning the history removes it.\n"
# A failed build keeps its executed notebook beside its output as <name> + this.
FAILED_SUFFIX = ".failed.ipynb"
_STAGING_PREFIX = ".staging-"
# A build being removed is renamed to this prefix first, so one whose removal was cut
# short (a SIGKILL) is still known to be ours, without its marker, and swept next time.
_TRASH_PREFIX = ".trash-"
# The history's own rule, written by a build asked to keep a number (a schedule's `keep`):
# a build not asked for one keeps as many, so a manual build never prunes a scheduled
# briefing's history with its own default.
KEEP_FILE = ".briefings-keep"
_BUILD_ID = re.compile(r"\d{8}T\d{12}Z")


def history_dir(out: Path) -> Path:
    """The folder that holds the kept builds of the briefing published at `out`."""
    return out.parent / HISTORY / out.name


def failed_notebook(out: Path) -> Path:
    """Where the executed notebook of a failed build of `out` is kept until the next success."""
    return out.with_name(f"{out.name}{FAILED_SUFFIX}")


def check_out(out: Path, formats: Sequence[str]) -> None:
    """Refuse, before any work, an output the tool may not replace with a build of `formats`.

    `out` must be a new name or a briefing this tool published, outside any build; `.`,
    `..` and the name of the history folder are folders, not briefing names. A build never
    removes a format the published build has.
    """
    if out.name in ("", ".", "..") or out.name == HISTORY:
        raise OutputError(
            f"{out}: is a folder, not a briefing name; publishing puts a link at the name "
            "it is given, so give a new one (e.g. reports/my-briefing)"
        )
    if len(os.fsencode(out.name)) > MAX_NAME:
        raise OutputError(
            f"{out.parent / (out.name[:40] + '…')}: the name is {len(os.fsencode(out.name))} "
            f"bytes long; at most {MAX_NAME} (the files made beside it must fit the file "
            "system's limit of 255), so give a shorter one"
        )
    if any(_is_build(folder) or published_build(folder) for folder in out.parents):
        raise OutputError(
            f"{out}: is inside a published build, which is never changed once published; "
            "give a name outside it"
        )
    current = published_build(out)
    if current is None and os.path.lexists(out):
        what = "a link" if out.is_symlink() else "a folder" if out.is_dir() else "a file"
        raise OutputError(
            f"{out}: is {what} that briefings did not publish, and publishing would replace "
            "it; give a name that does not exist yet"
        )
    manifest = None if current is None else BuildFolder(current).read_manifest()
    missing = [f for f in manifest.formats if f not in formats] if manifest is not None else []
    if missing:
        raise OutputError(
            f"{out}: its published build also has {' and '.join(map(str, missing)).upper()}, "
            f"which a build of {' and '.join(formats).upper()} alone would remove; build "
            "every format it has, or look at changes with `briefings build --preview`"
        )


def new_staging(out: Path) -> Path:
    """Create an empty, marked staging folder for a build to be published at `out`.

    Its name carries the builder's pid, so leftovers of a killed build can be told
    from a build still running (see `prune`).
    """
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    history = real_folder(history_dir(out), below=out.parent)
    staging = history / f"{_STAGING_PREFIX}{stamp}-{os.getpid()}"
    _sweep(history)
    try:
        staging.mkdir()
    except OSError as error:
        raise OutputError(f"{staging}: cannot create the folder ({error.strerror})") from None
    write_atomic(staging / MARKER, _MARKER_TEXT)
    return staging


def published_build(out: Path) -> Path | None:
    """The build folder published at `out`, if `out` is a link this module made; else None.

    Ours means: a relative link `history/<name>/<build_id>` (or the older
    `.builds/<name>/<build_id>`) to a marked build folder, every folder on the way real.
    """
    if not out.is_symlink():
        return None
    target = out.readlink()
    if target.is_absolute() or len(target.parts) != 3:
        return None
    root, name, build_id = target.parts
    if root not in (HISTORY, _LEGACY_HISTORY) or name != out.name:
        return None
    if not (_BUILD_ID.fullmatch(build_id) and is_real_folder(out.parent / root)):
        return None
    folder = out.parent / target
    marker = MARKER if root == HISTORY else MANIFEST
    if is_real_folder(folder.parent) and is_real_folder(folder) and is_real_file(folder / marker):
        return folder
    return None


def kept_builds(out: Path) -> list[Path]:
    """The complete build folders in the history of `out`, oldest first.

    Only real, marked folders named as builds count: a link or a folder of someone
    else's placed in the history is neither listed nor ever deleted.
    """
    history = history_dir(out)
    if not (is_real_folder(history.parent) and is_real_folder(history)):
        return []
    return sorted(p for p in history.iterdir() if _BUILD_ID.fullmatch(p.name) and _is_build(p))


def publish(
    staging: Path, out: Path, *, keep: int | None, default_keep: int = DEFAULT_KEEP
) -> Path:
    """Move a complete staging folder into the history and point `out` at it, then prune
    the history to `keep` builds, which becomes its rule; without `keep`, to the history's
    rule (`history_keep`), or `default_keep` when it has none.

    `out` is checked again first, against the formats the staging manifest lists:
    something may have appeared there during the build. A successful build also clears
    the failed notebook an earlier attempt left.
    """
    manifest = BuildFolder(staging).read_manifest()
    check_out(out, manifest.formats if manifest is not None else ())
    build_id = staging.name.removeprefix(_STAGING_PREFIX).rsplit("-", 1)[0]
    final = staging.with_name(build_id)
    staging.replace(final)
    link = out.with_name(f".{out.name}.link-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        link.symlink_to(os.path.relpath(final, out.parent), target_is_directory=True)
        link.replace(out)  # a rename: it replaces the old link itself, never what it points at
    except OSError:  # no inode or space for the link: no unpublished build may stay in history
        with contextlib.suppress(OSError):  # the error may be the link's own name
            link.unlink()
        final.replace(staging)  # back where the caller discards it
        raise
    failed_notebook(out).unlink(missing_ok=True)
    if keep is None:
        keep = history_keep(out) or default_keep
    elif keep != history_keep(out):
        write_atomic(history_dir(out) / KEEP_FILE, f"{keep}\n")
    prune(out, keep=keep)
    return final


def history_keep(out: Path) -> int | None:
    """How many builds the history of `out` keeps, as the last build asked to keep a
    number recorded it; None when none did (or the record is not ours)."""
    try:
        text = read_own_text(history_dir(out) / KEEP_FILE).strip()
    except (ProblemsError, ValueError):
        return None
    count = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else 0
    return count or None


def prune(out: Path, *, keep: int) -> None:
    """Keep the newest `keep` builds (never removing the published one) and drop the
    staging folders of builders that are no longer alive; only marked folders go."""
    history = history_dir(out)
    if not (is_real_folder(history.parent) and is_real_folder(history)):
        return
    current = published_build(out)
    builds = kept_builds(out)
    for old in builds[: max(len(builds) - keep, 0)]:
        if current is None or old.name != current.name:
            _remove(old)
    for staging in history.glob(f"{_STAGING_PREFIX}*"):
        pid = staging.name.rsplit("-", 1)[1]
        if pid.isdigit() and not _alive(int(pid)) and _is_build(staging):
            _remove(staging)
    _sweep(history)


def unpublish(out: Path) -> None:
    """Remove a briefing this tool published at `out`: the link, its kept builds and the
    failed notebook beside it. Only what `published_build` and `kept_builds` call ours
    goes: a folder of someone else's in its history stays, and the history with it."""
    if published_build(out) is None:
        return
    out.unlink()
    for build in kept_builds(out):
        _remove(build)
    _sweep(history_dir(out))
    (history_dir(out) / KEEP_FILE).unlink(missing_ok=True)
    failed_notebook(out).unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # not empty: something else is kept there
        history_dir(out).rmdir()


def discard(staging: Path) -> None:
    """Remove a staging folder after a failed build."""
    _remove(staging)


def _remove(folder: Path) -> None:
    """Remove one of our folders in a history: renamed to a trash name first, so a removal
    cut short leaves a folder `_sweep` knows to finish, never half a build."""
    trash = folder.with_name(f"{_TRASH_PREFIX}{folder.name}-{secrets.token_hex(4)}")
    try:
        folder.rename(trash)
    except OSError:  # gone already (another pruner), or the history is not writable
        return
    shutil.rmtree(trash, ignore_errors=True)


def _sweep(history: Path) -> None:
    """Finish the removals a killed process left in `history` (real folders only)."""
    if is_real_folder(history):
        for trash in history.glob(f"{_TRASH_PREFIX}*"):
            if is_real_folder(trash):
                shutil.rmtree(trash, ignore_errors=True)


def _is_build(folder: Path) -> bool:
    """A real folder carrying the marker this module writes into every build."""
    return is_real_folder(folder) and is_real_file(folder / MARKER)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
