"""Real servers on 127.0.0.1 for the delivery tests: SMTP (aiosmtpd), webhooks (http.server),
and a socket that accepts and never answers."""

from __future__ import annotations

import json
import socket
import ssl
import threading
import time
from contextlib import contextmanager
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Inbox:
    """An aiosmtpd handler that keeps every message, or refuses every recipient."""

    def __init__(self, refuse: bool = False):
        self.refuse = refuse
        self.messages: list[dict] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            {
                "from": envelope.mail_from,
                "to": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.content, policy=policy.default),
            }
        )
        return "250 Message accepted"


@contextmanager
def smtp_server(*, refuse: bool = False, tls: ssl.SSLContext | None = None, implicit=False):
    """An SMTP server on 127.0.0.1; yields (port, inbox). With `tls`, it requires STARTTLS,
    or with `implicit` speaks TLS from the first byte (port 465 style)."""
    inbox = _Inbox(refuse)
    if tls is None:
        secure = {}
    elif implicit:
        secure = {"ssl_context": tls}
    else:
        secure = {"tls_context": tls, "require_starttls": True}
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **secure)
    controller.start()
    try:
        yield controller.port, inbox
    finally:
        controller.stop()


@contextmanager
def silent_server():
    """Accepts connections and never says a word (a hung SMTP or HTTP server); yields the port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.1)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        for connection in held:
            connection.close()
        listener.close()


class _QuietHTTPServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """Say nothing: the timeout tests' client hangs up on /slow on purpose, and the
        handler's broken pipe, printed from its thread seconds later, would land in the
        captured stderr of whichever test runs then."""


@contextmanager
def webhook_server():
    """An HTTP server on 127.0.0.1: /ok answers 200, /fail 500, /slow answers after 5 s,
    /flaky/<n> 503 to its first n posts and 200 after.

    Yields (base URL, list of received posts as (path, parsed JSON body))."""
    received: list[tuple[str, object]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"null")
            received.append((self.path, body))
            if self.path == "/slow":
                time.sleep(5)
            code = 500 if self.path == "/fail" else 200
            if self.path.startswith("/flaky/"):
                failures = int(self.path.rsplit("/", 1)[1])
                code = 503 if [p for p, _ in received].count(self.path) <= failures else 200
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok" if code == 200 else b"error")

        def log_message(self, *args):  # keep the test output clean
            pass

    server = _QuietHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def trickling_server(*, smtp: bool):
    """A server that never finishes its answer: for HTTP, a 200 status line and headers,
    then one byte of body every 0.2 s; for SMTP, `220-hello` lines (a greeting that never
    ends) every 0.2 s. Each read on its socket returns in time, so only a limit on the try
    as a whole ends a delivery to it. Yields (port, an Event set when a client connects)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop, connected = threading.Event(), threading.Event()

    def trickle(connection: socket.socket) -> None:
        with connection:
            try:
                if not smtp:
                    connection.recv(65536)  # the request
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
                while not stop.wait(0.2):
                    connection.sendall(b"220-hello\r\n" if smtp else b".")
            except OSError:  # the client gave up: what the test wants
                pass

    def accept() -> None:
        while not stop.is_set():
            try:
                connection = listener.accept()[0]
            except TimeoutError:
                continue
            connected.set()
            threading.Thread(target=trickle, args=(connection,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], connected
    finally:
        stop.set()
        thread.join()
        listener.close()
