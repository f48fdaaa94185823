"""A local EventBridge endpoint that answers PutEvents as a test scripts it.

moto accepts every receipt; this endpoint refuses them the ways EventBridge can: some entries of
an answer with an ErrorCode (FailedEntryCount > 0), an HTTP error for the whole call, an answer
with fewer entries than were put, or no answer at all. It keeps the entries of every request it
got (botocore's retries included). Point the copy function at it with
AWS_ENDPOINT_URL_EVENTBRIDGE.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JSON_11 = "application/x-amz-json-1.1"  # EventBridge's protocol


@dataclass
class Script:
    """How the endpoint answers every PutEvents request."""

    refuse: set[int] = field(default_factory=set)  # positions answered with an ErrorCode
    status: int = 200  # anything else: an error document for the whole call
    answered: int | None = None  # answer only the first `answered` entries
    hang: bool = False  # never answer; the client gives up (read timeout)


@dataclass
class EventsEndpoint:
    """A running endpoint: its URL, the script it follows, and what it received."""

    url: str
    script: Script
    requests: list[list[dict]] = field(default_factory=list)  # the Entries of each request
    released: threading.Event = field(default_factory=threading.Event)

    @property
    def details(self) -> list[dict]:
        """The Detail of every entry received, parsed, in order (retries repeat theirs)."""
        return [json.loads(entry["Detail"]) for entries in self.requests for entry in entries]


class PutEventsHandler(BaseHTTPRequestHandler):
    """Answers `AWSEvents.PutEvents` according to the endpoint's script."""

    protocol_version = "HTTP/1.1"
    endpoint: EventsEndpoint

    def log_message(self, format, *args):  # keep pytest output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers["X-Amz-Target"] != "AWSEvents.PutEvents":
            self.answer(400, {"__type": "UnknownOperationException"})
            return
        entries, script = body["Entries"], self.endpoint.script
        self.endpoint.requests.append(entries)
        if script.hang:
            self.endpoint.released.wait(timeout=30)
            self.close_connection = True
            return
        if script.status != 200:
            self.answer(script.status, {"__type": "InternalException", "message": "try again"})
            return
        answers = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "refused by the test"}
            if index in script.refuse
            else {"EventId": str(uuid.uuid4())}
            for index in range(len(entries))
        ][: script.answered]
        failed = sum("ErrorCode" in answer for answer in answers)
        self.answer(200, {"FailedEntryCount": failed, "Entries": answers})

    def answer(self, status: int, document: dict) -> None:
        payload = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", JSON_11)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)


@contextmanager
def events_endpoint(script: Script) -> Iterator[EventsEndpoint]:
    """Run an endpoint that follows `script` for the duration of the block."""
    endpoint = EventsEndpoint(url="", script=script)
    handler = type("BoundPutEventsHandler", (PutEventsHandler,), {"endpoint": endpoint})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    endpoint.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield endpoint
    finally:
        endpoint.released.set()
        server.shutdown()
        server.server_close()
