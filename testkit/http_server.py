"""The base of the local HTTP endpoints that stand in for AWS and CloudFormation in tests.

`LocalServer` serves on 127.0.0.1 (a free port unless told) in threads of its own, from creation
until `close()` (it is a context manager), and keeps what it saw: the requests its handler
recorded, and which of them it has answered. A subclass names its handler class, a subclass of
`RequestHandler`, which reads bodies, records requests and answers them.
"""

from __future__ import annotations

import json
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self

WAIT = 10.0  # seconds a wait for a server lasts at most, so a broken test cannot hang the run

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


@dataclass
class Request:
    """One HTTP request as a local server received it."""

    method: str
    path: str  # the request target: path and query
    headers: dict[str, str]
    body: bytes = b""  # what the handler read and kept of it
    client_port: int = 0  # tells the client's connections apart

    @property
    def route(self) -> str:
        """The path without its query."""
        return self.path.partition("?")[0]

    def json(self) -> dict:
        return json.loads(self.body)


class RequestHandler(BaseHTTPRequestHandler):
    """Handles the requests of one connection: HTTP/1.1 (keep-alive, `Expect: 100-continue`
    answered), no log lines.
    """

    protocol_version = "HTTP/1.1"
    server: _Server
    _recorded: Request | None = None

    @property
    def local(self) -> LocalServer:
        """The LocalServer this handler serves for."""
        return self.server.owner

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.local.opened(self.connection)

    def handle_one_request(self) -> None:
        """Serve one request; once its method returned, what `record` kept counts as answered."""
        self._recorded = None
        super().handle_one_request()
        if self._recorded is not None:
            self.local.settled(self._recorded)

    def log_message(self, format: str, *args) -> None:
        """Quiet: pytest's output, and the benchmark's hot path, have no room for access logs."""

    def read_body(self) -> bytes:
        """The request body, as long as Content-Length says."""
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def record(self, body: bytes = b"") -> Request:
        """Keep this request (and `body`, if the handler read it) in the server's `requests`."""
        self._recorded = Request(
            self.command, self.path, dict(self.headers.items()), body, self.client_address[1]
        )
        self.local.received(self._recorded)
        return self._recorded

    def answer(
        self, status: int, body: bytes = b"", headers: Headers = (), reason: str | None = None
    ) -> None:
        """Send a whole response; Content-Length is the body's unless `headers` say otherwise.

        A HEAD gets the headers only.
        """
        pairs = list(headers.items() if isinstance(headers, Mapping) else headers)
        self.send_response(status, reason)
        if not any(name.lower() == "content-length" for name, _ in pairs):
            pairs.append(("Content-Length", str(len(body))))
        for name, value in pairs:
            self.send_header(name, value)
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of connections must not wait for SYN retries
    owner: LocalServer

    def handle_error(self, request, client_address) -> None:
        """A client that hung up, or a connection `close` ended, is no error worth a traceback."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class LocalServer:
    """An HTTP server on 127.0.0.1 from creation until closed; `url` is where it listens.

    `requests` lists what the handler recorded, as it arrived; `answered` the same requests once
    the handler was done with them (answered, or dropped on purpose). `closed` is set by `close`,
    for handlers that hold a request until then.
    """

    handler: type[RequestHandler] = RequestHandler

    def __init__(self, port: int = 0) -> None:
        self.requests: list[Request] = []
        self.answered: list[Request] = []
        self.connections: list[socket.socket] = []
        self.closed = threading.Event()
        self._changed = threading.Condition()
        self._server = _Server(("127.0.0.1", port), self.handler)
        self._server.owner = self
        self.port: int = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True).start()

    @contextmanager
    def changing(self) -> Iterator[None]:
        """Hold the server's lock while changing what it saw; `wait_until` then checks again."""
        with self._changed:
            yield
            self._changed.notify_all()

    def opened(self, connection: socket.socket) -> None:
        with self.changing():
            self.connections.append(connection)

    def received(self, request: Request) -> None:
        with self.changing():
            self.requests.append(request)

    def settled(self, request: Request) -> None:
        with self.changing():
            self.answered.append(request)

    def wait_until(self, condition: Callable[[], bool], timeout: float = WAIT) -> bool:
        """Whether `condition()` came true within `timeout`; checked again after each change."""
        with self._changed:
            return self._changed.wait_for(condition, timeout)

    def wait_answered(self, method: str, route: str, timeout: float = WAIT) -> bool:
        """Whether a `method` request of `route` (a path without query) was answered in time."""
        return self.wait_until(
            lambda: any(r.method == method and r.route == route for r in self.answered), timeout
        )

    def close(self) -> None:
        """Stop serving, and end the connections handlers still hold."""
        self.closed.set()
        self._server.shutdown()
        self._server.server_close()
        with self._changed:
            connections = list(self.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:  # the client, or the handler, closed it already
                pass

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()
