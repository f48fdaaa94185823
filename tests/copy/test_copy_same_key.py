"""Records of one batch for the same key are copied one after another, never racing.

Each final write is conditional on what HeadObject saw for that key; two copies of one key at
once would race for that check (and an older artifact could win).
"""

from __future__ import annotations

import threading

from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import Artifact

KEY = "builds/app.zip"
OLD = "Wed, 01 Jan 2025 00:00:00 GMT"
NEW = "Thu, 02 Jan 2025 00:00:00 GMT"


def test_same_key_records_run_in_turn_and_the_newest_source_wins(buckets, source, sqs_event, run):
    # GIVEN one batch with an older and a newer artifact for the same key, and one for another
    # key; each source holds its answer until let go, and those of the key then take 0.3 s
    # (copies of the key running at once would overlap)
    key_gate, other_gate = threading.Event(), threading.Event()
    new = Artifact(b"new", etag='"n"', last_modified=NEW, gate=key_gate, stall=0.3)
    old = Artifact(b"old", etag='"o"', last_modified=OLD, gate=key_gate, stall=0.3)
    event = sqs_event(
        {"ArtifactUrl": source.add(DISTRIBUTION, "new", new), "ArtifactKey": KEY},
        {"ArtifactUrl": source.add(DISTRIBUTION, "old", old), "ArtifactKey": KEY},
        {
            "ArtifactUrl": source.add(DISTRIBUTION, "other", Artifact(b"other", gate=other_gate)),
            "ArtifactKey": "other.zip",
        },
    )
    # WHEN the batch is handled, the other key's download held until both of the key's are done
    results = []
    worker = threading.Thread(target=lambda: results.append(run(event)))
    worker.start()
    assert source.wait_until(lambda: source.in_flight == 2)  # the other key's, one of the key's
    key_gate.set()
    for name in ("new", "old"):
        assert source.wait_answered("GET", f"/{DISTRIBUTION}/{name}")
    other_gate.set()
    worker.join(timeout=30)
    # THEN nothing fails, the newer artifact is kept, and the older one is acknowledged as stale
    [(response, logs)] = results
    assert failed_ids(response) == set()
    assert buckets.stored(KEY)["Body"] == b"new"
    outcomes = [logs[record["messageId"]]["outcome"] for record in event["Records"]]
    assert outcomes == ["copied", "stale", "copied"]
    # AND the other key ran alongside, but the two copies of KEY never at once
    assert source.max_in_flight == 2
