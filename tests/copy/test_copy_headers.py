"""The copy keeps how the source is encoded and presented, not only its bytes."""

from __future__ import annotations

import gzip

from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import BLOCK, Artifact


def test_content_encoding_and_disposition_are_kept(buckets, source, sqs_event, run):
    # GIVEN a gzip-encoded artifact served with its encoding and a download name, small and large
    body = gzip.compress(b"x" * 100_000)
    headers = {"Content-Encoding": "gzip", "Content-Disposition": 'attachment; filename="a.txt"'}
    small = source.add(DISTRIBUTION, "a.txt", Artifact(body=body, extra_headers=headers))
    large = Artifact(body=b"y" * BLOCK, repeat=9, extra_headers=headers)
    event = sqs_event(
        {"ArtifactUrl": small, "ArtifactKey": "a.txt"},
        {"ArtifactUrl": source.add(DISTRIBUTION, "b.txt", large), "ArtifactKey": "b.txt"},
    )
    # WHEN they are copied
    response, _ = run(event)
    # THEN the stored objects are the same bytes, served the same way
    assert failed_ids(response) == set()
    for key in ("a.txt", "b.txt"):
        stored = buckets.stored(key)
        assert stored["ContentEncoding"] == "gzip"
        assert stored["ContentDisposition"] == 'attachment; filename="a.txt"'
    assert buckets.stored("a.txt")["Body"] == body
