"""Reading a file the user named: only a regular file, never more than a limit, never waiting.

Every input the tool reads or hashes (dataset files, params files, briefings.yaml, the
notebook) comes through `read_input`. A named pipe would make a plain read wait forever
for a writer, a link to /dev/zero would read until memory runs out, and a stray 5 GB file
would be read whole: each is refused at once with one line saying what the path really is.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from briefings.exceptions import Problem, ProblemsError

# A hand-kept input is small; anything larger is a mistake (a wrong file), not data.
MAX_FILE_BYTES = 32 * 1024 * 1024

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def read_input(
    path: str | Path,
    *,
    limit: int = MAX_FILE_BYTES,
    missing: str = "file is missing",
    limit_reason: str = "for a hand-written file",
    follow: bool = True,
) -> bytes:
    """The bytes of a regular file (a link to one is fine unless not `follow`); ProblemsError,
    one line, if not.

    The file is opened without blocking (a FIFO answers at once), checked to be a regular
    file on the open descriptor, and read no further than `limit` bytes. The tool's own
    files in reports/ are read with `follow=False` (O_NOFOLLOW): see nofollow.
    """
    path = Path(path)
    name = str(path)
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP and not follow:
            reason = "is a symbolic link, which briefings does not follow here"
            raise ProblemsError([Problem(name, reason)]) from None
        raise ProblemsError([Problem(name, _unopenable(path, error, missing))]) from None
    try:
        info = os.fstat(fd)
        mode = info.st_mode
        if not stat.S_ISREG(mode):
            raise ProblemsError([Problem(name, f"{_what_it_is(path, mode)}, not a regular file")])
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise ProblemsError([Problem(name, f"cannot read the file ({error.strerror})")]) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        size = max(info.st_size, len(data))
        raise ProblemsError(
            [
                Problem(
                    name,
                    f"file is {size / 2**20:.0f} MB; the limit is {limit // 2**20} MB "
                    f"{limit_reason}",
                )
            ]
        )
    return data


def _what_it_is(path: Path, mode: int) -> str:
    kind = next((label for test, label in _KINDS if test(mode)), "not a regular file")
    if path.is_symlink():
        return f"is a link to {path.readlink()}, {kind}"
    return f"is {kind}"


def _unopenable(path: Path, error: OSError, missing: str) -> str:
    if error.errno == errno.ELOOP:
        return "is a symbolic link that loops back on itself (directly or through other links)"
    if error.errno == errno.ENOENT and path.is_symlink():
        return f"is a link to {path.readlink()}, which does not exist"
    if error.errno == errno.ENOENT:
        return missing
    if error.errno == errno.ENXIO:
        return "is a socket, not a regular file"
    return f"cannot read the file ({error.strerror})"


def files_hash(paths: Iterable[Path]) -> str:
    """sha256 over the names and bytes of files, in the order given, each read as
    `read_input` reads it (a regular file within the size limit, else ProblemsError)."""
    sha256 = hashlib.sha256()
    for path in paths:
        sha256.update(path.name.encode() + b"\0" + read_input(path) + b"\0")
    return sha256.hexdigest()
