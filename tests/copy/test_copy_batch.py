"""Batches: records copied concurrently by a bounded pool; one JSON log line per record."""

from __future__ import annotations

import json
import threading
import time

from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import Artifact

SECRET_MARKERS = ("X-Amz-Signature", "X-Amz-Credential", "s3cr3t", "AKIAEXAMPLE", "?")


def test_batch_is_copied_concurrently_by_a_bounded_pool(
    copy_files, buckets, source, sqs_event, capsys
):
    # GIVEN more records than the pool has workers, each source holding its answer at a gate
    gate = threading.Event()
    count = copy_files.BATCH_SIZE + 4
    bodies = [
        {
            "ArtifactUrl": source.add(DISTRIBUTION, f"a{i}", Artifact(body=b"%d" % i, gate=gate)),
            "ArtifactKey": f"batch/a{i}",
        }
        for i in range(count)
    ]
    results = []
    worker = threading.Thread(
        target=lambda: results.append(copy_files.handler(sqs_event(*bodies), None))
    )
    # WHEN the batch is handled
    worker.start()
    source.wait_until(lambda: source.in_flight >= copy_files.BATCH_SIZE)
    time.sleep(0.2)  # room for any GET beyond the pool's bound to arrive
    in_flight_at_gate = source.in_flight
    gate.set()
    worker.join(timeout=30)
    # THEN exactly BATCH_SIZE downloads were in flight at once, never more, and all were copied
    assert in_flight_at_gate == source.max_in_flight == copy_files.BATCH_SIZE
    assert results == [{"batchItemFailures": []}]
    assert sorted(buckets.keys()) == sorted(f"batch/a{i}" for i in range(count))
    capsys.readouterr()


def test_one_json_line_per_record_without_query_strings(aws, buckets, source, sqs_event, run):
    # GIVEN a batch with a copied (really presigned), a refused, a failing and a bad record
    ok = buckets.publish("ok.zip", b"fine").replace(aws, source.url)
    assert "X-Amz-Signature=" in ok
    forbidden = "https://other.s3.amazonaws.com/x.zip?X-Amz-Signature=s3cr3t"
    denied = source.add(
        DISTRIBUTION, "gone", Artifact(body=b"<Code>AccessDenied</Code>", status=403)
    )
    event = sqs_event(
        {"ArtifactUrl": ok, "ArtifactKey": "ok.zip"},
        {"ArtifactUrl": forbidden, "ArtifactKey": "no.zip"},
        {"ArtifactUrl": denied, "ArtifactKey": "denied.zip"},
        "not json",
    )
    # WHEN it is handled
    response, logs = run(event)
    # THEN each record has exactly one structured line with outcome, key, bytes, seconds
    ids = [record["messageId"] for record in event["Records"]]
    assert set(logs) == set(ids)
    assert failed_ids(response) == set(ids[1:])
    assert {k: logs[ids[0]][k] for k in ("outcome", "key", "bytes")} == {
        "outcome": "copied",
        "key": "ok.zip",
        "bytes": 4,
    }
    for message_id in ids[1:]:
        assert logs[message_id]["outcome"] == "failed" and logs[message_id]["reason"]
    assert all(isinstance(entry["seconds"], float) for entry in logs.values())
    # AND no query string (a credential) appears anywhere in the log
    text = json.dumps(list(logs.values()))
    assert not any(marker in text for marker in SECRET_MARKERS), text
