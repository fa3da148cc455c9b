"""Watching the notebook and its dataset for saves, for the preview of `serve --watch`.

Polling: a few files' sizes and modification times, looked at a few times a second,
cost nothing, and need no library and no kernel support (JupyterLab saves by writing a
new file and renaming it over the old one, which some watchers lose track of). A burst
of saves (JupyterLab's save, then an analyst's second thought) is one change: `changed`
is called once the files have been quiet for QUIET seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from briefings.data.params import request_parameters
from briefings.exceptions import BriefingsError

POLL_SECONDS = 0.2
# Saves closer together than this are one change: three saves in a second give one build.
QUIET_SECONDS = 1.0

Snapshot = tuple[tuple[str, int, int, int], ...]


def dataset_folder(notebook: Path, fallback: Path) -> Path:
    """The dataset folder the notebook's parameters cell names, or `fallback` (the one
    watched before) while the cell cannot be read, as in the middle of a save."""
    try:
        return request_parameters({}, notebook=notebook).params.data_dir
    except BriefingsError:
        return fallback


def watched_files(notebook: Path, folder: Path) -> list[Path]:
    """The notebook and the files of the dataset folder (hidden ones left out)."""
    try:
        files = sorted(entry for entry in folder.iterdir() if not entry.name.startswith("."))
    except OSError:
        files = []
    return [notebook, *files]


def snapshot(paths: list[Path]) -> Snapshot:
    """What a save changes of each file: size, modification time, inode (a rename over it)."""
    seen = []
    for path in paths:
        try:
            info = path.stat()
        except OSError:
            seen.append((str(path), -1, -1, -1))
            continue
        seen.append((str(path), info.st_size, info.st_mtime_ns, info.st_ino))
    return tuple(seen)


class Burst:
    """Tells from successive looks at the files when a burst of saves has ended."""

    def __init__(self, quiet: float = QUIET_SECONDS) -> None:
        self.quiet = quiet
        self._seen: Snapshot | None = None
        self._changed_at: float | None = None

    def look(self, now: Snapshot, at: float) -> bool:
        """Take in the files as they are `at` (seconds); whether a burst ended: they changed,
        then stayed as they are for `quiet` seconds. The first look only takes them in."""
        if self._seen is None or now != self._seen:
            self._changed_at = None if self._seen is None else at
            self._seen = now
            return False
        if self._changed_at is not None and at - self._changed_at >= self.quiet:
            self._changed_at = None
            return True
        return False


class Watcher:
    """Calls `changed()` once per burst of saves to the notebook or its dataset."""

    def __init__(self, notebook: Path, dataset: Path, changed: Callable[[], None]) -> None:
        self.notebook = notebook
        self._folder = dataset
        self._changed = changed
        self._burst = Burst()
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        """Take in the files as they are now, and watch them (on the running event loop)."""
        self._burst.look(self._look(), time.monotonic())
        self._task = asyncio.create_task(self._watch())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None

    async def _watch(self) -> None:
        while True:
            await asyncio.sleep(POLL_SECONDS)
            now = await asyncio.to_thread(self._look)
            if self._burst.look(now, time.monotonic()):
                self._changed()

    def _look(self) -> Snapshot:
        self._folder = dataset_folder(self.notebook, self._folder)
        return snapshot(watched_files(self.notebook, self._folder))
