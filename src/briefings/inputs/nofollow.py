"""Reading and writing the tool's own files without following symbolic links.

`reports/` may come from a cache restore or a shared folder, so anyone may have planted a
link in it: a link named like a status file, a lock or a history folder would otherwise
make the tool truncate, overwrite or delete a file elsewhere. Every file the tool keeps
there is opened with O_NOFOLLOW (or created with O_EXCL, which never follows a link),
and every folder it keeps there is checked to be a real folder before use.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from pathlib import Path

from briefings.exceptions import OutputError
from briefings.inputs.inputfile import read_input
from briefings.inputs.jsonfile import load_json

# Status files, manifests and locks are a few kilobytes; anything larger is not ours.
MAX_OWN_FILE = 4 * 1024 * 1024


def real_folder(folder: Path, *, below: Path) -> Path:
    """Make sure `folder` and each folder between `below` and it is a real folder (not a
    link), creating the missing ones; raise OutputError naming the first that is not.

    `below` itself is the user's (e.g. reports/ or the parent of --out): it is created if
    missing, and may be a link.
    """
    try:
        below.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        # mkdir(exist_ok=True) says "File exists" when a file is in the way.
        reason = os.strerror(errno.ENOTDIR) if isinstance(error, FileExistsError) else None
        raise OutputError(
            f"{below}: cannot create the output folder ({reason or error.strerror}); "
            "check that it exists and is writable"
        ) from None
    current = below
    for part in folder.relative_to(below).parts:
        current = current / part
        try:
            current.mkdir()
        except FileExistsError:
            pass
        except OSError as error:  # named as above: the folder that could not be written in
            raise OutputError(
                f"{current.parent}: cannot create the output folder ({error.strerror}); "
                "check that it exists and is writable"
            ) from None
        if not is_real_folder(current):
            what = "a symbolic link" if current.is_symlink() else "not a folder"
            raise OutputError(
                f"{current}: is {what}; briefings keeps its own files there and never "
                "follows a link it did not make, so remove it"
            )
    return folder


def is_real_folder(path: Path) -> bool:
    """Whether `path` is a folder itself, not a link to one."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def is_real_file(path: Path) -> bool:
    """Whether `path` is a regular file itself, not a link to one."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def open_own(path: Path, flags: int = os.O_RDONLY) -> int:
    """Open a regular file without following a link; a file descriptor.

    Raises OSError for a link (ELOOP) and for anything that is not a regular file, before
    reading: a FIFO would block and a device would never end.
    """
    fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path}: not a regular file")
    os.set_blocking(fd, True)
    return fd


def open_below(root: Path, relative: str) -> int:
    """Open the regular file at `relative` (a /-separated path) inside `root`, following
    only links that stay inside `root`; a file descriptor.

    Each name is opened with O_NOFOLLOW relative to the folder before it, and a link is
    read and its relative target walked the same way, so neither an absolute link, nor
    `..` above `root`, nor a link swapped in meanwhile reaches a file elsewhere. Raises
    FileNotFoundError for those, and OSError for anything that is not a regular file.
    """
    parts = _parts(relative)
    folders = [os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)]
    links = 0
    try:
        while parts:
            name = parts.pop(0)
            if name == "..":
                if len(folders) == 1:
                    raise FileNotFoundError(errno.ENOENT, "outside the folder", relative)
                os.close(folders.pop())
                continue
            try:
                fd = os.open(name, _NO_LINK, dir_fd=folders[-1])
            except OSError as error:
                if error.errno != errno.ELOOP:
                    raise
                target = os.readlink(name, dir_fd=folders[-1])
                links += 1
                if target.startswith("/") or links > _MAX_LINKS:
                    raise FileNotFoundError(errno.ENOENT, "a link out", relative) from None
                parts = _parts(target) + parts
                continue
            mode = os.fstat(fd).st_mode
            if parts and stat.S_ISDIR(mode):
                folders.append(fd)
                continue
            if parts or not stat.S_ISREG(mode):
                os.close(fd)
                raise FileNotFoundError(errno.ENOENT, "not a regular file", relative)
            os.set_blocking(fd, True)
            return fd
        raise IsADirectoryError(errno.EISDIR, "a folder, not a file", relative)
    finally:
        for folder in folders:
            os.close(folder)


# A FIFO opened without O_NONBLOCK would wait for a writer; the mode is checked after.
_NO_LINK = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_MAX_LINKS = 40  # as the kernel's own limit on links in one path


def _parts(path: str) -> list[str]:
    return [part for part in path.split("/") if part not in ("", ".")]


def read_own_text(path: Path) -> str:
    """The text of one of the tool's own small files, read without following a link.

    Raises ProblemsError when it is missing, a link, not a regular file or too large,
    and ValueError when it is not UTF-8.
    """
    return read_input(path, limit=MAX_OWN_FILE, follow=False).decode("utf-8")


def read_own_json(path: Path) -> object:
    """The value of one of the tool's own small JSON files, read without following a link.

    Raises ProblemsError when it is missing, a link, not a regular file, too large or
    nested too deep (see jsonfile), and ValueError when it is not UTF-8 JSON.
    """
    return load_json(read_own_text(path), str(path))


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write to a new temporary file beside `path`, then rename it over `path`.

    The temporary file is created with O_EXCL under a random name, so a planted link is
    never written through; the rename replaces a link at `path` rather than its target.
    """
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temporary = None
    try:
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o644)  # mkstemp makes it private
            handle.write(payload)
        Path(temporary).replace(path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise OutputError(
            f"{path}: cannot write ({error.strerror}); check that {path.parent} is writable"
        ) from None
