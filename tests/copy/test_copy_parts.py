"""Part sizes of a streamed copy: within S3's limits, small for mid-size artifacts, the last part
about half the others (so the copy ends soon after its download); 8 MiB from 256 MiB."""

from __future__ import annotations

import os

import pytest

from tests.copy.conftest import failed_ids
from tests.copy.source import BLOCK, Artifact

MIB = 1024 * 1024
GIB = 1024 * MIB
MIN_PART = 5 * MIB  # S3's smallest part, but for the last
MAX_PART = 5 * GIB
MAX_PARTS = 10_000
KEY = "images/appliance.img"
BLOCK_DATA = os.urandom(BLOCK)


@pytest.mark.parametrize("mib", [6, 16, 40])
def test_mid_size_artifacts_go_in_small_parts_the_last_about_half(
    buckets, source, sqs_event, run, mib
):
    # GIVEN a mid-size artifact
    artifact = Artifact(body=BLOCK_DATA, repeat=mib)
    url = source.add(buckets.distribution, "appliance.img", artifact)
    # WHEN it is copied
    response, _ = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN it is stored whole, in parts of S3's smallest size or a little more, the last one about
    # half the others (for 6 MiB, the 1 MiB left over), within S3's limits
    assert response == {"batchItemFailures": []}
    assert buckets.s3.head_object(Bucket=buckets.target, Key=KEY)["ContentLength"] == mib * MIB
    parts = source.parts()
    assert sum(parts) == mib * MIB and len(parts) >= 2
    assert all(MIN_PART <= part < 7 * MIB for part in parts[:-1])
    if mib == 6:
        assert parts == [5 * MIB, MIB]
    else:
        assert 0.45 < parts[-1] / parts[0] < 0.55


@pytest.mark.parametrize("gib", [0.25, 1, 5, 100])
def test_large_artifacts_go_in_8_mib_parts_or_what_10000_parts_need(
    buckets, source, sqs_event, run, gib
):
    # GIVEN a large artifact whose source sends 24 MiB, then ends early (once the copy has
    # uploaded two parts, so that their size is seen without moving gigabytes)
    size = int(gib * GIB)
    artifact = Artifact(body=BLOCK_DATA, repeat=24, content_length=size, parts_before_end=2)
    url = source.add(buckets.distribution, "appliance.img", artifact)
    # WHEN it is copied
    response, logs = run(sqs_event({"ArtifactUrl": url, "ArtifactKey": KEY}))
    # THEN its parts were 8 MiB (s3transfer's default) or, beyond 78 GiB, what keeps the
    # artifact within 10,000 parts of at most 5 GiB
    first, second = source.parts()[:2]
    assert first == second and -(-size // first) <= MAX_PARTS and first <= MAX_PART
    assert first == 8 * MIB if gib < 78 else first > 8 * MIB
    # AND the short body fails the record, leaving nothing behind
    [entry] = logs.values()
    assert failed_ids(response) == {entry["messageId"]}
    assert buckets.open_uploads() == [] and buckets.keys() == []
