"""CloudFormation's end of a custom resource: a local endpoint that records response PUTs.

The custom resource's function answers here; the harness checks that it answered exactly once,
with SUCCESS, and only then hands the answer to moto (see moto_glue.deliver_response).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Response:
    """One PUT to a ResponseURL."""

    path: str
    content_type: str | None
    body: bytes

    @property
    def document(self) -> dict:
        return json.loads(self.body)


@dataclass
class ResponseEndpoint:
    """Where custom resources answer; `responses` lists every answer received."""

    url: str
    responses: list[Response] = field(default_factory=list)


@contextmanager
def response_endpoint() -> Iterator[ResponseEndpoint]:
    """Serve a ResponseURL endpoint on 127.0.0.1 for the duration of the block."""
    endpoint = ResponseEndpoint(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_PUT(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            endpoint.responses.append(Response(self.path, self.headers.get("Content-Type"), body))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        server.shutdown()
        server.server_close()
