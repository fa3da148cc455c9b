"""One try to deliver a message, bounded as a whole.

A socket's timeout bounds each read, not a conversation: a webhook that sends its headers
and then one byte every two seconds, or an SMTP server that repeats `220-hello` for ever,
answers every read in time and never finishes. Here every socket of a try (plain or TLS,
for SMTP and for HTTP) sets its timeout, before each read, write and handshake, to what is
left of the try, and refuses to go on once none is left. Name lookup is the one step no
socket timeout reaches.
"""

from __future__ import annotations

import http.client
import smtplib
import socket
import ssl
import time
import urllib.request


class Deadline:
    """The moment one try must be over, `seconds` from now."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left; TimeoutError once there are none."""
        left = self._end - time.monotonic()
        if left <= 0:
            raise TimeoutError("timed out")  # as a socket's timeout says it
        return left

    def connect(
        self,
        address: tuple[str, int],
        timeout: float | None = None,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        """A connected socket whose every operation ends by the deadline (the signature of
        socket.create_connection, which http.client and smtplib call)."""
        # http.client passes a sentinel for "the default timeout" when none is given.
        step = timeout if isinstance(timeout, int | float) else self.seconds
        plain = socket.create_connection(address, min(step, self.left()), source_address)
        bounded = _Socket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        bounded.deadline = self
        bounded.settimeout(self.left())
        return bounded

    def tls(self) -> ssl.SSLContext:
        """A default TLS context (certificates checked) whose sockets keep the deadline."""
        context = ssl.create_default_context()
        context.sslsocket_class = type("DeadlineSSLSocket", (_SSLSocket,), {"deadline": self})
        return context

    def smtp(self, host: str, port: int, security: str) -> smtplib.SMTP:
        """An SMTP connection (TLS from the start for 'ssl', after STARTTLS for 'starttls')."""
        if security == "ssl":
            return _SMTPSSL(self, host, port, context=self.tls())
        smtp = _SMTP(self, host, port)
        try:
            if security == "starttls":
                smtp.starttls(context=self.tls())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def opener(self) -> urllib.request.OpenerDirector:
        """urllib's opener (proxies, redirects, errors as usual) with connections that keep
        the deadline."""
        return urllib.request.build_opener(_HTTPHandler(self), _HTTPSHandler(self))


class _Bounded:
    """Before each blocking call, the socket's timeout becomes what is left of the try."""

    deadline: Deadline

    def _in_time(self) -> None:
        self.settimeout(self.deadline.left())

    def recv(self, *args):
        self._in_time()
        return super().recv(*args)

    def recv_into(self, *args):
        self._in_time()
        return super().recv_into(*args)

    def send(self, *args):
        self._in_time()
        return super().send(*args)

    def sendall(self, *args):
        self._in_time()
        return super().sendall(*args)


class _Socket(_Bounded, socket.socket):
    pass


class _SSLSocket(_Bounded, ssl.SSLSocket):
    def do_handshake(self, *args):
        self._in_time()
        return super().do_handshake(*args)


class _SMTP(smtplib.SMTP):
    def __init__(self, deadline: Deadline, host: str, port: int):
        self.deadline = deadline
        super().__init__(host, port, timeout=deadline.seconds)

    def _get_socket(self, host, port, timeout):
        return self.deadline.connect((host, port), timeout, self.source_address)


class _SMTPSSL(smtplib.SMTP_SSL, _SMTP):
    """SMTP_SSL wraps the socket _SMTP makes in its context's (bounded) TLS socket."""

    def __init__(self, deadline: Deadline, host: str, port: int, *, context: ssl.SSLContext):
        self.deadline = deadline  # SMTP_SSL.__init__ calls SMTP's, not _SMTP's
        smtplib.SMTP_SSL.__init__(self, host, port, timeout=deadline.seconds, context=context)


def _connection(kind: type[http.client.HTTPConnection], deadline: Deadline):
    def make(host: str, **kwargs) -> http.client.HTTPConnection:
        connection = kind(host, **kwargs)
        connection._create_connection = deadline.connect
        return connection

    return make


class _HTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, deadline: Deadline):
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):
        return self.do_open(_connection(http.client.HTTPConnection, self.deadline), req)


class _HTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, deadline: Deadline):
        super().__init__(context=deadline.tls())
        self.deadline = deadline

    def https_open(self, req):
        connection = _connection(http.client.HTTPSConnection, self.deadline)
        return self.do_open(connection, req, context=self._context)
