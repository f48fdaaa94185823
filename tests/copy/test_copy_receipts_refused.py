"""Receipts are at least once: a record is acknowledged only when EventBridge accepted its receipt.

A refused receipt (an entry with an ErrorCode, an HTTP error, no answer) fails its record even
though the artifact is stored: SQS delivers it again, the copy finds the key holding this source
and sends the receipt then, as a duplicate. The receipts of one invocation go in calls of up to
10 entries (PutEvents' limit), answered entry by entry, in order.
"""

from __future__ import annotations

import pytest

from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import Artifact
from tests.support.events_endpoint import Script


def copies(source, sqs_event, count: int) -> dict:
    """An event of `count` records, each copying a small artifact to its own key."""
    urls = [source.add(DISTRIBUTION, f"a{i}", Artifact(body=b"%d" % i)) for i in range(count)]
    bodies = [{"ArtifactUrl": url, "ArtifactKey": f"k{i}"} for i, url in enumerate(urls)]
    return sqs_event(*bodies)


def ids_of(event: dict) -> list[str]:
    return [record["messageId"] for record in event["Records"]]


def test_a_refused_entry_fails_its_own_record_which_is_receipted_when_redelivered(
    buckets, source, sqs_event, run, eventbridge, receipts, monkeypatch
):
    # GIVEN an EventBridge that refuses the second entry of every PutEvents call
    endpoint = eventbridge(Script(refuse={1}))
    event = copies(source, sqs_event, 3)
    # WHEN a batch of three is handled
    response, logs = run(event)
    # THEN only the record whose receipt was refused is reported, the entries mapping back to
    # the records by position; every artifact is stored
    [call] = endpoint.calls
    refused = endpoint.details[1]["messageId"]
    assert failed_ids(response) == {refused}
    assert sorted(buckets.keys()) == ["k0", "k1", "k2"]
    assert len(call) == 3
    # AND its log line says that the receipt failed, and why
    assert logs[refused]["outcome"] == "failed"
    assert "receipt not accepted: InternalFailure" in logs[refused]["reason"]
    # WHEN SQS delivers that record again, and EventBridge accepts receipts
    monkeypatch.delenv("AWS_ENDPOINT_URL_EVENTBRIDGE")
    [record] = [r for r in event["Records"] if r["messageId"] == refused]
    response, logs = run({"Records": [record]})
    # THEN it is acknowledged as a duplicate, and its receipt reaches the bus
    assert response == {"batchItemFailures": []}
    assert logs[refused]["outcome"] == "duplicate"
    [receipt] = receipts.events()
    assert (receipt["detail"]["messageId"], receipt["detail"]["outcome"]) == (refused, "duplicate")


@pytest.mark.parametrize(
    "script",
    [Script(status=500), Script(hang=True), Script(answered=1)],
    ids=["http-500", "no-answer", "answer-missing-entries"],
)
def test_a_call_not_accepted_fails_every_record_it_does_not_answer_for(
    script, buckets, source, sqs_event, run, eventbridge
):
    # GIVEN an EventBridge that answers PutEvents with HTTP 500, not at all (the client times
    # out), or with fewer entries than it was given
    endpoint = eventbridge(script)
    event = copies(source, sqs_event, 2)
    # WHEN a batch of two is handled
    response, logs = run(event)
    # THEN every record without an accepted receipt is reported failed, its artifact stored
    answered = [endpoint.details[0]["messageId"]] if script.answered else []
    assert failed_ids(response) == set(ids_of(event)) - set(answered)
    assert sorted(buckets.keys()) == ["k0", "k1"]
    assert all("receipt not accepted" in logs[i]["reason"] for i in failed_ids(response))
    # AND botocore retried a failed call (standard retries: 3 attempts)
    assert len(endpoint.calls) == (1 if script.answered else 3)


@pytest.mark.parametrize(("records", "calls"), [(10, [10]), (14, [10, 4])], ids=["10", "14"])
def test_receipts_go_in_calls_of_at_most_ten(
    records, calls, buckets, source, sqs_event, run, eventbridge
):
    # GIVEN an EventBridge that accepts everything
    endpoint = eventbridge(Script())
    event = copies(source, sqs_event, records)
    # WHEN a batch is handled
    response, _ = run(event)
    # THEN a full batch of 10 costs one PutEvents call, and no call has more than 10 entries
    assert response == {"batchItemFailures": []}
    assert [len(call) for call in endpoint.calls] == calls
    assert sorted(d["messageId"] for d in endpoint.details) == sorted(ids_of(event))
