"""A local S3 endpoint for fault injection: serves scripted artifacts, forwards the rest to moto.

The copy function only downloads from the distribution bucket on S3 or, path style, from the S3
endpoint boto3 itself uses (AWS_ENDPOINT_URL_S3). So the faulty source has to *be* that endpoint:
this server answers GETs of scripted keys itself (truncated, wrong, slow, erroring, generated on
the fly) and forwards every other request, byte for byte, to the moto server behind it. A
scripted write can lose its reply: forwarded to moto, which applies it, then the connection closes
without an answer, as when a network drops S3's reply.
"""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import parse_qs, quote, urlsplit

from testkit.http_server import LocalServer, RequestHandler

BLOCK = 1024 * 1024
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection"}


@dataclass
class LostReply:
    """A write whose reply is lost once: moto applies it, the client sees the connection close."""

    method: str  # PUT: PutObject; POST with an uploadId: CompleteMultipartUpload
    path: str
    retry_status: int | None = None  # answer the retry with this S3 error instead of moto's
    lost: int = 0  # replies dropped so far (at most one)
    refused: int = 0  # retries answered with retry_status (at most one)

    def matches(self, method: str, target: str) -> bool:
        parts = urlsplit(target)
        multipart = "uploadId=" in parts.query
        return (method, parts.path) == (self.method, self.path) and multipart == (method == "POST")


@dataclass
class Artifact:
    """What the source answers for one key: status, headers and a body it may cut short."""

    body: bytes = b""
    status: int = 200
    content_type: str = "application/octet-stream"
    etag: str = '"0123456789abcdef0123456789abcdef"'
    last_modified: str = "Wed, 01 Jan 2025 00:00:00 GMT"
    content_length: int | None = None  # default len(body); the header may lie; -1: no header
    send: int | None = None  # bytes actually sent before closing; default all
    repeat: int = 1  # body sent `repeat` times: large artifacts generated on the fly
    stall: float = 0.0  # seconds to wait before the status line
    gate: threading.Event | None = None  # hold the whole response until the event is set
    hold_body: threading.Event | None = None  # send the headers, hold the body until it is set
    trickle: float = 0.0  # seconds between 1 KiB pieces of the body: a source that crawls
    parts_before_end: int = 0  # after the body sent, wait until this many parts were uploaded
    extra_headers: dict = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.body) * self.repeat


class SourceHandler(RequestHandler):
    """Scripted answer for a scripted path; everything else goes to moto unchanged."""

    local: Source

    def _route(self) -> None:
        self.record()
        artifact = self.local.artifacts.get(urlsplit(self.path).path)
        if artifact is not None and self.command == "GET":
            self.local.enter()
            try:
                self._serve(artifact)
            finally:
                self.local.leave()
        else:
            self._forward()

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _route

    def _serve(self, artifact: Artifact) -> None:
        if artifact.gate is not None:
            artifact.gate.wait(timeout=30)
        time.sleep(artifact.stall)
        length = artifact.size if artifact.content_length is None else artifact.content_length
        self.send_response(artifact.status)
        self.send_header("Content-Type", artifact.content_type)
        if length >= 0:
            self.send_header("Content-Length", str(length))
        self.send_header("ETag", artifact.etag)
        self.send_header("Last-Modified", artifact.last_modified)
        for name, value in artifact.extra_headers.items():
            self.send_header(name, value)
        self.end_headers()
        if artifact.hold_body is not None:
            artifact.hold_body.wait(timeout=30)
        budget = artifact.size if artifact.send is None else artifact.send
        if artifact.trickle:
            return self._trickle(artifact, budget)
        for _ in range(artifact.repeat):
            chunk = artifact.body[:budget]
            if not chunk:
                break
            self.wfile.write(chunk)
            budget -= len(chunk)
        self.wfile.flush()
        self.local.wait_until(lambda: len(self.local.parts()) >= artifact.parts_before_end)
        self.close_connection = artifact.send is not None or length != artifact.size
        if length < 0:  # the body ends when the connection closes
            self.close_connection = True

    def _trickle(self, artifact: Artifact, budget: int) -> None:
        """Send the body 1 KiB at a time until done or the client hangs up; count what went."""
        body = (artifact.body * artifact.repeat)[:budget]
        path = urlsplit(self.path).path
        try:
            for start in range(0, len(body), 1024):
                self.wfile.write(body[start : start + 1024])
                self.wfile.flush()
                self.local.sent[path] = start + len(body[start : start + 1024])
                time.sleep(artifact.trickle)
        except OSError:  # the copy gave up and closed the connection
            pass
        self.close_connection = True

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        lost = self.local.lost_reply(self.command, self.path)
        if lost and lost.lost and lost.retry_status and not lost.refused:
            lost.refused += 1
            return self._s3_error(lost.retry_status, "PreconditionFailed")
        status, reason, answer_headers, payload = self._ask_moto(body)
        self.local.moto_answers.append((self.command, self.path, status))
        if lost and not lost.lost:  # moto applied it; the client never hears
            lost.lost += 1
            self.close_connection = True
            return None
        # A HEAD answer keeps moto's Content-Length: the object's size, not the empty payload's.
        dropped = HOP_BY_HOP | ({"content-length"} if self.command != "HEAD" else set())
        kept = [(k, v) for k, v in answer_headers if k.lower() not in dropped]
        return self.answer(status, payload, kept, reason)

    def _ask_moto(self, body: bytes | None) -> tuple:
        """Forward this request to moto; returns its status, reason, headers and body."""
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
        upstream = http.client.HTTPConnection(
            self.local.upstream.hostname, self.local.upstream.port, timeout=60
        )
        try:
            upstream.request(self.command, self.path, body=body, headers=headers)
            answer = upstream.getresponse()
            return answer.status, answer.reason, answer.getheaders(), answer.read()
        finally:
            upstream.close()

    def _s3_error(self, status: int, code: str) -> None:
        body = f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code></Error>".encode()
        self.answer(status, body, {"Content-Type": "application/xml"})


class Source(LocalServer):
    """An S3 endpoint in front of the moto server at `upstream`: script answers with `add` and
    `lose_reply`; `requests` and `answered` are what it saw, `moto_answers` what moto said.
    """

    handler = SourceHandler

    def __init__(self, upstream: str) -> None:
        self.upstream = urlsplit(upstream)
        self.artifacts: dict[str, Artifact] = {}
        self.lost_replies: list[LostReply] = []
        self.moto_answers: list[tuple[str, str, int]] = []  # (method, path, status) forwarded
        self.sent: dict[str, int] = {}  # path -> body bytes a trickling artifact got out
        self.in_flight = 0  # scripted GETs being answered
        self.max_in_flight = 0
        super().__init__()

    def add(self, bucket: str, key: str, artifact: Artifact) -> str:
        """Script the answer for bucket/key; returns a presigned-looking URL to it."""
        path = f"/{bucket}/{quote(key, safe='/~')}"
        self.artifacts[path] = artifact
        return f"{self.url}{path}?X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=s3cr3t"

    def lose_reply(self, operation: str, bucket: str, key: str, retry_status: int | None = None):
        """Lose the reply of the next PutObject or CompleteMultipartUpload of bucket/key."""
        method = {"PutObject": "PUT", "CompleteMultipartUpload": "POST"}[operation]
        lost = LostReply(method, f"/{bucket}/{quote(key, safe='/~')}", retry_status)
        self.lost_replies.append(lost)
        return lost

    def lost_reply(self, method: str, target: str) -> LostReply | None:
        """The scripted lost reply of this request, if any."""
        return next((lost for lost in self.lost_replies if lost.matches(method, target)), None)

    def parts(self) -> list[int]:
        """The sizes of the UploadPart requests answered so far, by part number."""
        numbered = {
            int(parse_qs(urlsplit(request.path).query)["partNumber"][0]): request
            for request in list(self.answered)
            if request.method == "PUT" and "partNumber=" in request.path
        }
        return [int(numbered[n].headers["Content-Length"]) for n in sorted(numbered)]

    def enter(self) -> None:
        with self.changing():
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self) -> None:
        with self.changing():
            self.in_flight -= 1
