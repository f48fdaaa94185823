"""Records of one batch for the same key are copied one after another, never racing.

Each final write is conditional on what HeadObject saw for that key; two copies of one key at
once would race for that check (and an older artifact could win).
"""

from __future__ import annotations

from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import Artifact

KEY = "builds/app.zip"
OLD = "Wed, 01 Jan 2025 00:00:00 GMT"
NEW = "Thu, 02 Jan 2025 00:00:00 GMT"


def test_same_key_records_run_in_turn_and_the_newest_source_wins(buckets, source, sqs_event, run):
    # GIVEN one batch with an older and a newer artifact for the same key (each source answers
    # after 0.3 s, so copies running at once would overlap), and one for another key
    old = source.add(
        DISTRIBUTION, "old", Artifact(b"old", etag='"o"', last_modified=OLD, stall=0.3)
    )
    new = source.add(
        DISTRIBUTION, "new", Artifact(b"new", etag='"n"', last_modified=NEW, stall=0.3)
    )
    other = source.add(DISTRIBUTION, "other", Artifact(b"other", stall=0.3))
    event = sqs_event(
        {"ArtifactUrl": new, "ArtifactKey": KEY},
        {"ArtifactUrl": old, "ArtifactKey": KEY},
        {"ArtifactUrl": other, "ArtifactKey": "other.zip"},
    )
    # WHEN the batch is handled
    response, logs = run(event)
    # THEN nothing fails, the newer artifact is kept, and the older one is acknowledged as stale
    assert failed_ids(response) == set()
    assert buckets.stored(KEY)["Body"] == b"new"
    outcomes = [logs[record["messageId"]]["outcome"] for record in event["Records"]]
    assert outcomes == ["copied", "stale", "copied"]
    # AND the other key still ran alongside, but the two copies of KEY never at once
    assert source.max_in_flight == 2
