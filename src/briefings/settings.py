"""The environment variables that configure the tool, each read when a command needs it.

Every `BRIEFINGS_*` variable is declared here once: its name, what it sets, its type,
allowed range and default. `read()` returns its value, the default when the variable is
unset or empty, and otherwise raises ConfigError in one line naming the variable, the
bad value and what is allowed. Nothing is read at import, so a malformed variable fails
only the commands that read it: `BRIEFINGS_CELL_TIMEOUT=abc` stops `briefings build`,
not `briefings schedule --dry-run`. Mail and chat delivery read theirs when they send.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from briefings.exceptions import ConfigError, quoted

Environment = Mapping[str, str]

DAY = 86_400  # seconds
_WHOLE = re.compile(r"[0-9]+")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?|\.[0-9]+")


@dataclass(frozen=True)
class Setting:
    """One environment variable: its name and what it sets (for messages and docs)."""

    name: str
    meaning: str

    def text(self, environ: Environment | None = None, *, strip: bool = True) -> str | None:
        """The variable's text; None when it is unset or empty."""
        value = (os.environ if environ is None else environ).get(self.name, "")
        return (value.strip() if strip else value) or None

    def refused(self, text: str, allowed: str) -> ConfigError:
        """The one-line error for a value that is not `allowed`."""
        return ConfigError(f"{self.name}={quoted(text)} is not {allowed}")


@dataclass(frozen=True)
class Number(Setting):
    """A number within [low, high]: whole (digits only) or decimal (digits and a point)."""

    default: float | None = None
    low: float = 1
    high: float = DAY
    unit: str = ""
    whole: bool = True

    def read(self, environ: Environment | None = None) -> float | None:
        text = self.text(environ)
        if text is None:
            return self.default
        value: float | None = None
        if (_WHOLE if self.whole else _DECIMAL).fullmatch(text):
            try:
                value = int(text) if self.whole else float(text)
            except ValueError:  # more digits than Python converts: out of range anyway
                value = None
        if value is None or not self.low <= value <= self.high:
            raise self.refused(text, self.allowed())
        return value

    def allowed(self) -> str:
        kind = "a whole number" if self.whole else "a number"
        unit = f" of {self.unit}" if self.unit else ""
        default = "" if self.default is None else f" (default {_shown(self.default)} when unset)"
        return f"{kind}{unit} from {_shown(self.low)} to {_shown(self.high)}{default}"


def _shown(number: float) -> str:
    """A number as written in a message: 300, 0.1, 1073741824 (no exponent)."""
    return str(int(number)) if float(number).is_integer() else str(number)


@dataclass(frozen=True)
class Choice(Setting):
    """One word of a fixed few, in any case."""

    default: str = ""
    choices: tuple[str, ...] = ()

    def read(self, environ: Environment | None = None) -> str:
        text = self.text(environ)
        if text is None:
            return self.default
        if text.lower() not in self.choices:
            raise self.refused(text, f"one of {', '.join(self.choices)}")
        return text.lower()


@dataclass(frozen=True)
class Text(Setting):
    """Free text; `strip=False` keeps surrounding spaces (a password may have them)."""

    strip: bool = True

    def read(self, environ: Environment | None = None) -> str | None:
        return self.text(environ, strip=self.strip)


@dataclass(frozen=True)
class Address(Setting):
    """An http(s) address, without its trailing slash (paths are appended to it)."""

    def read(self, environ: Environment | None = None) -> str | None:
        text = self.text(environ)
        if text is None:
            return None
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise self.refused(text, "an http:// or https:// address")
        return text.rstrip("/")


@dataclass(frozen=True)
class Folder(Setting):
    """An existing folder."""

    def read(self, environ: Environment | None = None) -> Path | None:
        text = self.text(environ, strip=False)
        if text is None:
            return None
        if not Path(text).is_dir():
            raise self.refused(text, f"a folder ({self.meaning})")
        return Path(text)


@dataclass(frozen=True)
class Token(Setting):
    """A secret that travels in addresses and headers: long enough to guard something, of
    characters an address keeps as they are. A refusal does not show the value."""

    min_chars: int = 16

    def read(self, environ: Environment | None = None) -> str | None:
        text = self.text(environ, strip=False)
        if text is None:
            return None
        if len(text) < self.min_chars:
            raise ConfigError(
                f"{self.name}: the token has {len(text)} characters; use at least "
                f"{self.min_chars} (or unset it, and the server makes one)"
            )
        if not all(c.isascii() and (c.isalnum() or c in "-._~") for c in text):
            raise ConfigError(
                f"{self.name}: use only letters, digits and - . _ ~ in the token, "
                "which travels in addresses and headers"
            )
        return text


ROOT = Folder(
    "BRIEFINGS_ROOT",
    "the project folder, holding briefings.yaml, data/ and notebooks/; "
    "by default the one the working folder is in",
)
CELL_TIMEOUT = Number(
    "BRIEFINGS_CELL_TIMEOUT",
    "how long one notebook cell may run before the build stops it",
    default=300,
    unit="seconds",
)
RENDER_TIMEOUT = Number(
    "BRIEFINGS_RENDER_TIMEOUT",
    "how long rendering the chart file, HTML and PDF may take",
    default=120,
    unit="seconds",
)
SMTP_HOST = Text("BRIEFINGS_SMTP_HOST", "the SMTP server mail is sent through")
SMTP_PORT = Number(
    "BRIEFINGS_SMTP_PORT", "its port (default: 587, 465 for ssl, 25 for none)", high=65535
)
SMTP_SECURITY = Choice(
    "BRIEFINGS_SMTP_SECURITY",
    "starttls, ssl (TLS from the start) or none",
    default="starttls",
    choices=("none", "starttls", "ssl"),
)
SMTP_USER = Text("BRIEFINGS_SMTP_USER", "the login, when the server wants one")
SMTP_PASSWORD = Text("BRIEFINGS_SMTP_PASSWORD", "the login's password", strip=False)
MAIL_FROM = Text("BRIEFINGS_MAIL_FROM", "the sender address of mail")
BASE_URL = Address(
    "BRIEFINGS_BASE_URL", "where reports/ is served; mails, posts and the feed link there"
)
MAIL_MAX_ATTACHMENT = Number(
    "BRIEFINGS_MAIL_MAX_ATTACHMENT",
    "the largest PDF attached to a mail; a larger one is linked",
    default=10 * 1024 * 1024,
    high=1024**3,
    unit="bytes",
)
NOTIFY_TIMEOUT = Number(
    "BRIEFINGS_NOTIFY_TIMEOUT",
    "how long each try to deliver a message may take",
    default=20,
    low=0.1,
    high=3600,
    unit="seconds",
    whole=False,
)
NOTIFY_ATTEMPTS = Number(
    "BRIEFINGS_NOTIFY_ATTEMPTS", "tries per message", default=3, high=20, unit="tries"
)
# Checked by serve.auth.check_token, which says what a token may hold.
TOKEN = Token(
    "BRIEFINGS_TOKEN",
    "the token briefings serve asks for (default: a new one, printed)",
)

# Every variable the tool reads, in the order the documentation lists them.
SETTINGS: tuple[Setting, ...] = (
    ROOT,
    CELL_TIMEOUT,
    RENDER_TIMEOUT,
    SMTP_HOST,
    SMTP_PORT,
    SMTP_SECURITY,
    SMTP_USER,
    SMTP_PASSWORD,
    MAIL_FROM,
    BASE_URL,
    MAIL_MAX_ATTACHMENT,
    NOTIFY_TIMEOUT,
    NOTIFY_ATTEMPTS,
    TOKEN,
)
