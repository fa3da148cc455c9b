"""The server's token, as Jupyter's: without it, no page, file or build.

The token comes from BRIEFINGS_TOKEN or is made at start and printed in the server's
address. A request shows it as `?token=` (which also sets an HttpOnly, SameSite=Strict
cookie, so the pages reached from there need no token in their address) or as the
header `Authorization: token T`. A form carries a second value, derived from the token:
a page of another site can make a browser post to the server, but cannot know it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

from briefings.exceptions import ConfigError

TOKEN_BYTES = 24  # a made token: 48 hex digits, as Jupyter's
MIN_TOKEN_CHARS = 16
TOKEN_VARIABLE = "BRIEFINGS_TOKEN"


def make_token() -> str:
    """A new random token."""
    return secrets.token_hex(TOKEN_BYTES)


def check_token(token: str) -> str:
    """A token given in BRIEFINGS_TOKEN, checked: ConfigError, one line, if it is too short
    to guard anything or cannot travel in an address or a header."""
    if len(token) < MIN_TOKEN_CHARS:
        raise ConfigError(
            f"{TOKEN_VARIABLE}: the token has {len(token)} characters; use at least "
            f"{MIN_TOKEN_CHARS} (or unset it, and the server makes one)"
        )
    if not all(c.isascii() and (c.isalnum() or c in "-._~") for c in token):
        raise ConfigError(
            f"{TOKEN_VARIABLE}: use only letters, digits and - . _ ~ in the token, "
            "which travels in addresses and headers"
        )
    return token


def matches(given: str | None, token: str) -> bool:
    """Whether `given` is the token (compared in constant time)."""
    return given is not None and hmac.compare_digest(given.encode(), token.encode())


def form_key(token: str) -> str:
    """The value every form of the server carries and every post must return."""
    return hmac.new(token.encode(), b"briefings serve form", hashlib.sha256).hexdigest()


def cookie_name(port: int) -> str:
    """The token's cookie, one per port: browsers share cookies between the ports of a host."""
    return f"briefings-token-{port}"


def token_from_header(header: str) -> str | None:
    """The token in an `Authorization: token T` header, or None."""
    scheme, _, value = header.strip().partition(" ")
    return value.strip() if scheme.lower() == "token" else None


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` (127.0.0.1, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
