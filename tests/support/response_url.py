"""CloudFormation's end of a custom resource's ResponseURL: a local endpoint capturing each PUT."""

from __future__ import annotations

import threading

from testkit.http_server import LocalServer, RequestHandler

SLOW_DOWN = b"<Error><Code>SlowDown</Code></Error>"


class _ResponseHandler(RequestHandler):
    def do_PUT(self) -> None:
        self.record(self.read_body())
        if len(self.local.requests) <= self.local.fail_first:
            self.answer(503, SLOW_DOWN, {"Content-Type": "application/xml"})
            return
        self.local.arrived.set()
        self.answer(200)


class ResponseServer(LocalServer):
    """Answers 200 to every PUT after the first `fail_first`, which get a 503 SlowDown.

    `requests` are the PUTs (headers and body); `arrived` is set once a PUT got its 200.
    """

    handler = _ResponseHandler

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.arrived = threading.Event()
        super().__init__()

    @property
    def answers(self) -> list[dict]:
        """The response documents CloudFormation accepted (the PUTs that got a 200)."""
        return [request.json() for request in self.requests[self.fail_first :]]
