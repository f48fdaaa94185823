"""A local EventBridge endpoint that answers PutEvents as a test scripts it.

moto accepts every receipt; this endpoint refuses them the ways EventBridge can: some entries of
an answer with an ErrorCode (FailedEntryCount > 0), an HTTP error for the whole call, an answer
with fewer entries than were put, or no answer at all. It keeps every request it got (botocore's
retries included). Point the copy function at it with AWS_ENDPOINT_URL_EVENTBRIDGE.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from testkit.http_server import LocalServer, RequestHandler

JSON_11 = {"Content-Type": "application/x-amz-json-1.1"}  # EventBridge's protocol


@dataclass
class Script:
    """How the endpoint answers every PutEvents request."""

    refuse: set[int] = field(default_factory=set)  # positions answered with an ErrorCode
    status: int = 200  # anything else: an error document for the whole call
    answered: int | None = None  # answer only the first `answered` entries
    hang: bool = False  # never answer; the client gives up (read timeout)


class PutEventsHandler(RequestHandler):
    """Answers `AWSEvents.PutEvents` according to the endpoint's script."""

    local: EventsEndpoint

    def do_POST(self) -> None:
        request = self.record(self.read_body())
        if self.headers.get("X-Amz-Target") != "AWSEvents.PutEvents":
            self.reply(400, {"__type": "UnknownOperationException"})
            return
        script, entries = self.local.script, request.json()["Entries"]
        if script.hang:
            self.local.closed.wait()
            self.close_connection = True
            return
        if script.status != 200:
            self.reply(script.status, {"__type": "InternalException", "message": "try again"})
            return
        answers = [
            {"ErrorCode": "InternalFailure", "ErrorMessage": "refused by the test"}
            if index in script.refuse
            else {"EventId": str(uuid.uuid4())}
            for index in range(len(entries))
        ][: script.answered]
        failed = sum("ErrorCode" in answer for answer in answers)
        self.reply(200, {"FailedEntryCount": failed, "Entries": answers})

    def reply(self, status: int, document: dict) -> None:
        self.answer(status, json.dumps(document).encode(), JSON_11)


class EventsEndpoint(LocalServer):
    """A running endpoint: the script it follows, and what it received (`requests`)."""

    handler = PutEventsHandler

    def __init__(self, script: Script) -> None:
        self.script = script
        super().__init__()

    @property
    def calls(self) -> list[list[dict]]:
        """The Entries of each PutEvents request received, in order."""
        return [request.json()["Entries"] for request in self.requests]

    @property
    def details(self) -> list[dict]:
        """The Detail of every entry received, parsed, in order (retries repeat theirs)."""
        return [json.loads(entry["Detail"]) for entries in self.calls for entry in entries]
