"""A burst of 1,000 messages with faults: every artifact ends stored or in the dead-letter queue.

GIVEN a deployed consumer (created bucket) and a distributor that announces 1,000 artifacts at
 once: most good, some announced before their upload (they fail, then are stored on a retry), some
 never uploaded (poison), some announced twice; and two invocations that time out as a whole
WHEN the queue is drained the way Lambda's event source mapping does, on a virtual clock that
 honours each failed message's next try (lambda_runtime.QueuePoller)
THEN nothing is lost: every good artifact is stored byte for byte, every poison message is in the
 dead-letter queue after five tries within the hour, spaced by the retry schedule, and no message
 was received before its next try was due.
"""

from __future__ import annotations

import boto3
import pytest

from tests.e2e.consumer import CASES, deploy_consumer
from tests.e2e.distributor import ALL, INITIAL_SET
from tests.e2e.lambda_runtime import QueuePoller
from tests.e2e.moto_glue import MOTO_GAP_WARNINGS

pytestmark = [pytest.mark.e2e, MOTO_GAP_WARNINGS]

MESSAGES = 1000
LATE, POISON, TWICE = 20, 10, 10  # uploaded after the first tries, never uploaded, sent twice
SCHEDULE = (30, 120, 480, 1920)  # waits between the five tries of a record that keeps failing
UPLOAD_LATE_AT = 100.0  # virtual seconds: the late artifacts exist from then on


@pytest.fixture(scope="module")
def burst(template_body, moto_endpoint):
    """Deploy, announce the burst, drain the queue; returns what the test needs to look at."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        consumer = deploy_consumer(CASES[0], template_body, moto_endpoint, monkeypatch)
        distributor = consumer.distributor
        good = MESSAGES - LATE - POISON - 2 * TWICE
        late = {f"burst/late-{i:02d}.bin": b"late %d\n" % i * 50 for i in range(LATE)}
        artifacts = [(f"burst/good-{i:04d}.bin", b"%d\n" % i * 50) for i in range(good)]
        artifacts += [(key, None) for key in late]  # announced before the object exists: 404
        artifacts += [(f"burst/poison-{i:02d}.bin", None) for i in range(POISON)]
        twice = [(f"burst/twice-{i:02d}.bin", b"twice %d\n" % i) for i in range(TWICE)]
        artifacts += twice + twice  # the same artifact announced twice
        published = distributor.publish_many([(k, c, ALL, ALL) for k, c in artifacts])
        assert len(published) == MESSAGES
        poison = [p for p in published if p.key.startswith("burst/poison-")]
        stack = consumer.stack
        poller = QueuePoller.of_stack(stack, stack.of_type("AWS::Lambda::EventSourceMapping")[0])
        poller.crash = {3, 40}  # two invocations time out: their whole batch is retried
        _drain_until(poller, UPLOAD_LATE_AT)
        s3 = distributor.session.client("s3")
        for key, content in late.items():
            s3.put_object(Bucket=distributor.bucket, Key=key, Body=content)
        poller.drain(max_polls=2000)
        expected = {p.key: p.content for p in published if p not in poison} | late
        yield consumer, poller, expected, poison


def _drain_until(poller: QueuePoller, moment: float) -> None:
    """Drain while the virtual clock is before `moment` (the next due try is later)."""
    for _ in range(2000):
        if poller.poll() == 0:
            upcoming = [due for due, _ in poller.hidden.values()]
            if not upcoming or min(upcoming) >= moment:
                poller.clock = max(poller.clock, moment)
                return
            poller._wake_next()
    raise AssertionError("the burst did not settle")


def stored(bucket: str) -> dict[str, bytes]:
    s3 = boto3.client("s3")
    keys = [
        o["Key"]
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket)
        for o in page.get("Contents", [])
    ]
    return {key: s3.get_object(Bucket=bucket, Key=key)["Body"].read() for key in keys}


def dead_letters(url: str) -> list[dict]:
    sqs, messages = boto3.client("sqs"), {}
    for _ in range(20):
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=30)
        for message in answer.get("Messages", []):
            messages[message["MessageId"]] = message
    return list(messages.values())


def test_every_artifact_is_stored_or_dead_lettered_and_nothing_is_lost(burst):
    consumer, poller, expected, poison = burst
    outputs = consumer.stack.outputs()
    held = stored(outputs["BucketName"])
    dead = {m["Body"] for m in dead_letters(outputs["DeadLetterQueueUrl"])}
    # every good, late and twice-announced artifact stored byte for byte (and the initial set)
    assert {key: held.get(key) for key in expected} == expected
    assert set(held) == set(expected) | set(INITIAL_SET)
    # every poison message in the dead-letter queue, and nothing else there
    assert dead == {p.body for p in poison}
    assert poller.errors and all(isinstance(e, TimeoutError) for e in poller.errors)


def test_failed_tries_are_spaced_by_the_schedule_and_end_within_the_hour(burst):
    _, poller, _, _ = burst
    assert poller.early == []  # SQS hid every failed message until its next try was due
    poisoned = [m for m, times in poller.receives.items() if len(times) >= 5]
    assert len(poisoned) == POISON
    for message_id in poisoned:
        retries, times = poller.retries[message_id], poller.receives[message_id]
        # each failed try hid its message for its receive's delay; a timed-out invocation
        # (None) changed nothing (here the message comes back at once; on AWS after the
        # queue's visibility timeout)
        assert len(retries) == len(times) == 5
        assert all(r in (None, due) for r, due in zip(retries, (*SCHEDULE, 0), strict=True))
        for start, end, retry in zip(times, times[1:], retries, strict=False):
            assert end - start == (retry or 0)
        assert times[-1] - times[0] <= 3600  # five tries within the hour, then the DLQ


def test_late_artifacts_recover_on_a_retry(burst):
    _, poller, _, _ = burst
    recovered = [
        m
        for m, retries in poller.retries.items()
        if retries[0] == 30 and len(poller.receives[m]) == len(retries) + 1
    ]
    assert len(recovered) == LATE  # failed first, hidden 30 s, stored on a later try
