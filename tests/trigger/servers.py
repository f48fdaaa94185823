"""Local HTTP endpoints on 127.0.0.1 that stand in for CloudFormation's ResponseURL and for AWS.

- `ResponseServer` captures every PUT (headers and body) and can fail the first N with a 5xx.
- `SilentServer` accepts connections and never answers: a ResponseURL that hangs.
- `DripServer` reads the PUT, then sends its 200 a byte at a time: a ResponseURL that answers, late.
- `SlowReader` reads the PUT a byte at a time and never answers.
- `FakeAws` answers AWS API calls with scripted responses (the real error XML/JSON), or holds
  them until released, for faults moto cannot produce (AccessDenied, throttling, a hang).
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

WAIT = 10  # seconds a held request waits at most, so a broken test cannot hang the suite


@dataclass
class Captured:
    """One HTTP request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Reply:
    """A scripted HTTP answer."""

    status: int
    body: str = ""
    content_type: str = "application/json"


class _Server(ThreadingHTTPServer):
    daemon_threads = True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def _capture(self) -> Captured:
        length = int(self.headers.get("Content-Length") or 0)
        headers = dict(self.headers.items())
        captured = Captured(self.command, self.path, headers, self.rfile.read(length))
        self.server.owner.received(captured)
        return captured

    def _answer(self, reply: Reply | None) -> None:
        if reply is None:  # released without an answer: drop the connection
            self.close_connection = True
            return
        data = reply.body.encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_PUT(self) -> None:
        self._answer(self.server.owner.reply(self._capture()))

    do_POST = do_PUT


@dataclass
class _Base:
    requests: list[Captured] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.02,), daemon=True
        )
        self._thread.start()

    def received(self, captured: Captured) -> None:
        self.requests.append(captured)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class ResponseServer(_Base):
    """CloudFormation's side of ResponseURL: 200 for every PUT after the first `fail_first`."""

    fail_first: int = 0
    arrived: threading.Event = field(default_factory=threading.Event)

    def reply(self, captured: Captured) -> Reply:
        if len(self.requests) <= self.fail_first:
            return Reply(503, "<Error><Code>SlowDown</Code></Error>", "application/xml")
        self.arrived.set()
        return Reply(200)

    @property
    def answers(self) -> list[dict]:
        """The response documents CloudFormation accepted (the PUTs that got a 200)."""
        return [r.json() for r in self.requests[self.fail_first :]]


@dataclass
class FakeAws(_Base):
    """An AWS endpoint that plays `replies` in order (the last one repeats).

    With `hold_until`, each request waits for that event first; with no replies, the connection
    is then dropped unanswered.
    """

    replies: list[Reply] = field(default_factory=list)
    hold_until: threading.Event | None = None

    def reply(self, captured: Captured) -> Reply | None:
        if self.hold_until is not None:
            self.hold_until.wait(WAIT)
        if not self.replies:
            return None
        return self.replies[min(len(self.requests), len(self.replies)) - 1]


class _TcpServer:
    """Accepts TCP connections on 127.0.0.1 and hands each to `serve` in its own thread."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.connections: list[socket.socket] = []
        self.closed = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self.connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self.serve(conn)
        except OSError:  # the client gave up, or close() closed the connection
            pass

    def serve(self, conn: socket.socket) -> None:
        """Talk to one client; return (or stop) once `closed` is set."""

    def close(self) -> None:
        self.closed.set()
        self._sock.close()
        for conn in self.connections:
            conn.close()


class SilentServer(_TcpServer):
    """Accepts TCP connections on 127.0.0.1 and never answers them."""


class DripServer(_TcpServer):
    """Reads a PUT whole, then sends a 200 one byte every `interval` seconds."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.requests: list[Captured] = []
        self.done = threading.Event()  # a 200 went out whole
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        self.requests.append(read_request(conn.makefile("rb")))
        for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n":
            if self.closed.wait(self.interval):
                return
            conn.sendall(bytes([byte]))
        self.done.set()


class SlowReader(_TcpServer):
    """Reads what the client sends one byte every `interval` seconds, and never answers."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        super().__init__()

    def serve(self, conn: socket.socket) -> None:
        while not self.closed.wait(self.interval) and conn.recv(1):
            pass


def read_request(stream) -> Captured:
    """One HTTP/1.1 request with a Content-Length body, read from a socket's file."""
    method, path, _ = stream.readline().decode("latin-1").split(" ", 2)
    headers = {}
    while (line := stream.readline().decode("latin-1").rstrip("\r\n")) != "":
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    body = stream.read(int(headers.get("Content-Length") or 0))
    return Captured(method, path, headers, body)


def sts_error(code: str, message: str, status: int = 403) -> Reply:
    """STS's query-protocol error document."""
    body = (
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
        f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
        "<RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>"
    )
    return Reply(status, body, "text/xml")


def sts_credentials(key_id: str, secret: str, token: str) -> Reply:
    """A successful AssumeRole answer carrying the given credentials."""
    body = (
        '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
        f"<Credentials><AccessKeyId>{key_id}</AccessKeyId><SecretAccessKey>{secret}"
        f"</SecretAccessKey><SessionToken>{token}</SessionToken>"
        "<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials>"
        "<AssumedRoleUser><AssumedRoleId>AROAEXAMPLE:initial-set</AssumedRoleId>"
        "<Arn>arn:aws:sts::111122223333:assumed-role/TriggerInitSetRole/initial-set</Arn>"
        "</AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId>"
        "</ResponseMetadata></AssumeRoleResponse>"
    )
    return Reply(200, body, "text/xml")


def sfn_error(code: str, message: str) -> Reply:
    """Step Functions' JSON 1.0 error document."""
    body = json.dumps({"__type": code, "message": message})
    return Reply(400, body, "application/x-amz-json-1.0")


def sfn_started(execution_arn: str) -> Reply:
    """A successful StartExecution answer."""
    body = json.dumps({"executionArn": execution_arn, "startDate": 1767225600.0})
    return Reply(200, body, "application/x-amz-json-1.0")
