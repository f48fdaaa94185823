"""Local endpoints on 127.0.0.1 that stand in for AWS and for a ResponseURL that misbehaves.

- `FakeAws` answers AWS API calls with scripted responses (the real error XML/JSON), or holds
  them until released, for faults moto cannot produce (AccessDenied, throttling, a hang).
- `SilentServer` accepts connections and never answers: a ResponseURL that hangs.
- `DripServer` reads the PUT, then sends its 200 a byte at a time: a ResponseURL that answers, late.
- `SlowReader` reads the PUT a byte at a time and never answers.

A ResponseURL that answers is `tests.support.response_url.ResponseServer`.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from testkit.http_server import WAIT, LocalServer, RequestHandler

DRIPPED = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


@dataclass
class Reply:
    """A scripted HTTP answer."""

    status: int
    body: str = ""
    content_type: str = "application/json"


class _ScriptedHandler(RequestHandler):
    def do_POST(self) -> None:
        reply = self.local.reply(self.record(self.read_body()))
        if reply is None:  # released without an answer: drop the connection
            self.close_connection = True
            return
        self.answer(reply.status, reply.body.encode(), {"Content-Type": reply.content_type})


class FakeAws(LocalServer):
    """An AWS endpoint that plays `replies` in order (the last one repeats).

    With `hold_until`, each request waits for that event first; with no replies, the connection
    is then dropped unanswered.
    """

    handler = _ScriptedHandler

    def __init__(self, replies: list[Reply], hold_until: threading.Event | None = None) -> None:
        self.replies = replies
        self.hold_until = hold_until
        super().__init__()

    def reply(self, request) -> Reply | None:
        if self.hold_until is not None:
            self.hold_until.wait(WAIT)
        if not self.replies:
            return None
        return self.replies[min(len(self.requests), len(self.replies)) - 1]


class _SilentHandler(RequestHandler):
    def handle(self) -> None:
        self.local.closed.wait()


class SilentServer(LocalServer):
    """Accepts TCP connections on 127.0.0.1 and never answers them."""

    handler = _SilentHandler


class _DripHandler(RequestHandler):
    def do_PUT(self) -> None:
        self.record(self.read_body())
        for byte in DRIPPED:
            if self.local.closed.wait(self.local.interval):
                return
            self.wfile.write(bytes([byte]))
        self.close_connection = True
        self.local.done.set()


class DripServer(LocalServer):
    """Reads a PUT whole, then sends a 200 one byte every `interval` seconds; `done` once sent."""

    handler = _DripHandler

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.done = threading.Event()
        super().__init__()


class _SlowReadingHandler(RequestHandler):
    def handle(self) -> None:
        while not self.local.closed.wait(self.local.interval) and self.connection.recv(1):
            pass


class SlowReader(LocalServer):
    """Reads what the client sends one byte every `interval` seconds, and never answers."""

    handler = _SlowReadingHandler

    def __init__(self, interval: float) -> None:
        self.interval = interval
        super().__init__()


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
