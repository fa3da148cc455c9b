"""The server's token, as Jupyter's: without it, no page, file or build.

The token comes from BRIEFINGS_TOKEN (settings.TOKEN, which checks it) or is made at
start and printed in the server's address. A request shows it as `?token=` (which also
sets an HttpOnly, SameSite=Strict cookie, so the pages reached from there need no token
in their address) or as the header `Authorization: token T`. A form carries a second
value, derived from the token: a page of another site can make a browser post to the
server, but cannot know it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets

TOKEN_BYTES = 24  # a made token: 48 hex digits, as Jupyter's


def make_token() -> str:
    """A new random token."""
    return secrets.token_hex(TOKEN_BYTES)


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
