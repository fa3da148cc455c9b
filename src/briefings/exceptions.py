"""The project's own errors: each carries the facts a user needs to fix the input."""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass

# One problem is one readable line: a 100,000-character value is shown by its ends.
MAX_LINE = 1000
# A web address in a message, in parts: the login before the host (`user:token@`, up to
# the last @, as a password may hold one), and the query and fragment, where services put
# their keys (`?token=…`, `#access_token=…`).
_URL = re.compile(
    r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<login>[^/?#\s'\"]*@)?"
    r"(?P<place>[^?#\s'\"]*)(?P<query>\?[^#\s'\"]*)?(?P<fragment>#[^\s'\"]*)?"
)


class _Quote(reprlib.Repr):
    """repr, cut short, of text with no secret of a web address in it."""

    def repr_str(self, x: str, level: int) -> str:
        return super().repr_str(without_secrets(x), level)


_QUOTE = _Quote()
_QUOTE.maxstring = _QUOTE.maxother = 60
_QUOTE.maxlist = _QUOTE.maxtuple = _QUOTE.maxdict = _QUOTE.maxset = 4
_QUOTE.maxlevel = 2


def quoted(value: object) -> str:
    """A value as a message shows it: its repr, cut short (a long text or a big structure
    costs no more to show than a short one), without a web address's login, query or
    fragment (see `without_secrets`)."""
    return _QUOTE.repr(value)


def without_secrets(text: str) -> str:
    """`text` with every web address's login (`user:pass@`) left out and its query and
    fragment shown as `?…` and `#…`: a value quoted from a file may be a credential."""

    def shown(url: re.Match) -> str:
        query = "?…" if url["query"] else ""
        fragment = "#…" if url["fragment"] else ""
        return f"{url['scheme']}{url['place']}{query}{fragment}"

    return _URL.sub(shown, text) if "://" in text else text


def one_line(text: str, limit: int = MAX_LINE) -> str:
    """`text` on one line (breaks shown as escapes, no web address's secrets), its middle
    left out past `limit`."""
    text = without_secrets(text).replace("\r", "\\r").replace("\n", "\\n")
    if len(text) <= limit:
        return text
    half = (limit - 40) // 2
    return f"{text[:half]}…[{len(text) - 2 * half:,} characters left out]…{text[-half:]}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located as precisely as the input allows."""

    file: str
    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        if self.column is not None:
            where = f"{where}: column '{self.column}'"
        # Line breaks inside quoted values are shown as escapes: one problem, one line.
        # A problem with no file (a value given on the command line) is its message alone.
        return one_line(f"{where}: {self.message}" if where else self.message)


class BriefingsError(Exception):
    """Base of every error caused by the user's input or environment, not by a bug."""

    def lines(self) -> list[str]:
        """The message, one line per problem, as the command line prints it."""
        return [one_line(str(self))]

    def summary(self) -> str:
        """The first line, saying how many more problems there are (for a status line)."""
        lines = self.lines()
        more = f" (and {len(lines) - 1} more problems)" if len(lines) > 1 else ""
        return (lines[0] if lines else type(self).__name__) + more


class ProblemsError(BriefingsError):
    """An input with one or more located problems; all are reported at once."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]


class DatasetError(ProblemsError):
    """The dataset folder breaks the dataset contract."""


class ParameterError(ProblemsError):
    """A briefing parameter is unknown, mistyped or impossible."""


class SpecError(ProblemsError):
    """briefings.yaml (the schedule) is malformed."""


class ConfigError(BriefingsError):
    """An environment variable that configures the tool is malformed."""


class ScheduleError(BriefingsError):
    """A scheduler run was asked for something it must refuse (an implausible `--now`)."""


class OutputError(BriefingsError):
    """An output folder cannot be created or written."""


class LockError(OutputError):
    """A briefing's lock file cannot be opened (for one, a link planted in its place)."""


class BuildError(BriefingsError):
    """The briefing notebook failed; the last good briefing is left in place."""

    def __init__(
        self,
        message: str,
        *,
        cell_index: int | None = None,
        ename: str | None = None,
        notebook: str | None = None,
    ):
        self.cell_index = cell_index
        self.ename = ename
        self.notebook = notebook
        super().__init__(message)
