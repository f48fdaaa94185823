"""A failed record's next try comes soon, then later; an expired URL is named (issue 19).

The copy function changes a failed record's message visibility by its ApproximateReceiveCount
(RETRY_DELAYS: 30 s, 2, 8 and 32 min, then at once to the dead-letter queue), in one
ChangeMessageVisibilityBatch per invocation, on the queue the record's eventSourceARN names.
Stored records are left to Lambda. A change that fails fails nothing more: the record waits the
queue's visibility timeout and its log line says why. Each test runs against moto's SQS, with the
handler's calls also observed through boto3's default session (what it asked for, exactly).
"""

from __future__ import annotations

import json

import boto3
import pytest

from tests.copy.conftest import DISTRIBUTION, REGION, failed_ids
from tests.copy.source import Artifact
from tests.support.copy_function import ACCOUNT

QUEUE = "consumer-queue"
SCHEDULE = (30, 120, 480, 1920, 0)  # seconds after the 1st, ..., 5th failed receive
EXPIRED = {
    "presigned-url-expired": b"<Error><Code>AccessDenied</Code><Message>Request has expired"
    b"</Message><X-Amz-Expires>3600</X-Amz-Expires></Error>",
    "session-token-expired": b"<Error><Code>ExpiredToken</Code><Message>The provided token has "
    b"expired.</Message></Error>",
}


@pytest.fixture
def calls(monkeypatch) -> list[dict]:
    """GIVEN a fresh boto3 default session that notes every ChangeMessageVisibilityBatch call."""
    session = boto3.Session()
    noted: list[dict] = []
    session.events.register(
        "provide-client-params.sqs.ChangeMessageVisibilityBatch",
        lambda params, **_: noted.append(params),
    )
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", session)
    return noted


@pytest.fixture
def queue(buckets, aws) -> Queue:
    """GIVEN the function's queue in moto, whose messages are visible again at once."""
    return Queue(boto3.client("sqs", region_name=REGION, endpoint_url=aws))


class Queue:
    """The consumer's queue in moto; records as Lambda builds them from its messages."""

    def __init__(self, sqs):
        self.sqs = sqs
        attributes = {"VisibilityTimeout": "0"}
        self.url = sqs.create_queue(QueueName=QUEUE, Attributes=attributes)["QueueUrl"]

    def record(self, body: dict, receives: int = 1) -> dict:
        """An SQS record of a new message carrying `body`, as its `receives`th receive gives it."""
        sent = self.sqs.send_message(QueueUrl=self.url, MessageBody=json.dumps(body))
        for _ in range(receives):  # all visible (VisibilityTimeout 0): pick this one out
            answer = self.sqs.receive_message(
                QueueUrl=self.url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
            )
            [message] = [m for m in answer["Messages"] if m["MessageId"] == sent["MessageId"]]
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message["Attributes"],
            "messageAttributes": {},
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{QUEUE}",
            "awsRegion": REGION,
        }

    def visible(self) -> set[str]:
        """Ids of the messages a receive gets now (VisibilityTimeout 0: none hidden by it)."""
        messages = self.sqs.receive_message(QueueUrl=self.url, MaxNumberOfMessages=10)
        return {m["MessageId"] for m in messages.get("Messages", [])}


def failing(source, name: str) -> dict:
    """A message body whose source answers 404: the record fails on every try."""
    url = source.add(
        DISTRIBUTION, name, Artifact(body=b"<Error><Code>NoSuchKey</Code>", status=404)
    )
    return {"ArtifactUrl": url, "ArtifactKey": name}


def good(source, name: str) -> dict:
    """A message body the copy stores."""
    return {"ArtifactUrl": source.add(DISTRIBUTION, name, Artifact(body=b"x")), "ArtifactKey": name}


def test_the_schedule_is_within_an_hour_first_retry_within_a_minute(copy_files):
    assert copy_files.RETRY_DELAYS == SCHEDULE
    assert SCHEDULE[0] <= 60 and list(SCHEDULE[:4]) == sorted(SCHEDULE[:4])
    assert sum(SCHEDULE) < 3600 and SCHEDULE[-1] == 0  # then the dead-letter queue, at once


@pytest.mark.parametrize("receives", [1, 2, 3, 4, 5, 6])
def test_a_failed_record_waits_its_receive_counts_delay(receives, queue, calls, source, run):
    # GIVEN a record on its Nth receive whose source keeps failing
    record = queue.record(failing(source, "gone.zip"), receives)
    assert record["attributes"]["ApproximateReceiveCount"] == str(receives)
    # WHEN it is handled
    response, logs = run({"Records": [record]})
    # THEN it is reported failed, and its message hidden for the schedule's delay, in one call
    delay = SCHEDULE[min(receives, 5) - 1]
    assert failed_ids(response) == {record["messageId"]}
    [call] = calls
    assert call["QueueUrl"].endswith(f"/{ACCOUNT}/{QUEUE}")
    assert call["Entries"] == [
        {"Id": "0", "ReceiptHandle": record["receiptHandle"], "VisibilityTimeout": delay}
    ]
    # AND SQS applied it: hidden until then; after the last try visible at once (the DLQ's turn)
    assert queue.visible() == (set() if delay else {record["messageId"]})
    # AND its log line says when the next try comes
    entry = logs[record["messageId"]]
    assert entry["retryIn"] == delay and "retryError" not in entry
    assert entry["reason"] == "source answered HTTP 404 NoSuchKey"


def test_one_call_for_the_failed_records_and_stored_ones_are_left_to_lambda(
    queue, calls, buckets, source, run
):
    # GIVEN a batch of two failing records (first and third receive) and two good ones
    bad = [queue.record(failing(source, f"bad{i}"), receives) for i, receives in ((0, 1), (1, 3))]
    stored = [queue.record(good(source, f"good{i}")) for i in range(2)]
    # WHEN it is handled
    response, logs = run({"Records": [bad[0], stored[0], bad[1], stored[1]]})
    # THEN one ChangeMessageVisibilityBatch names the failed records alone, each with its delay
    assert failed_ids(response) == {r["messageId"] for r in bad}
    [call] = calls
    entries = {e["ReceiptHandle"]: e["VisibilityTimeout"] for e in call["Entries"]}
    assert entries == {bad[0]["receiptHandle"]: 30, bad[1]["receiptHandle"]: 480}
    # AND the stored records' messages are untouched (Lambda deletes them), the failed hidden
    assert queue.visible() == {r["messageId"] for r in stored}
    assert sorted(buckets.keys()) == ["good0", "good1"]
    assert all("retryIn" not in logs[r["messageId"]] for r in stored)


def test_a_visibility_change_that_fails_fails_nothing_more(queue, calls, source, run):
    # GIVEN two failing records and a good one, when SQS refuses the whole call (queue gone)
    records = [queue.record(failing(source, f"bad{i}")) for i in range(2)]
    records.append(queue.record(good(source, "good")))
    queue.sqs.delete_queue(QueueUrl=queue.url)
    # WHEN the batch is handled
    response, logs = run({"Records": records})
    # THEN the batch's result is what it would be anyway: the failed records, nothing more
    assert failed_ids(response) == {r["messageId"] for r in records[:2]}
    assert len(calls) == 1
    # AND each failed record's log line says its visibility was not changed, and why
    for record in records[:2]:
        entry = logs[record["messageId"]]
        assert entry["retryIn"] is None
        assert (
            "NonExistentQueue" in entry["retryError"] or "QueueDoesNotExist" in entry["retryError"]
        )
        assert entry["retryError"].endswith("the next try comes after the visibility timeout")
    assert logs[records[2]["messageId"]]["outcome"] == "copied"


def test_a_stale_receipt_handle_fails_only_its_own_change(queue, calls, source, run):
    # GIVEN two failing records, one with a receipt handle SQS does not know (stale)
    fresh, stale = (queue.record(failing(source, f"bad{i}")) for i in range(2))
    stale["receiptHandle"] = "AQEBstale" + stale["receiptHandle"][-8:]
    # WHEN they are handled
    response, logs = run({"Records": [fresh, stale]})
    # THEN both are failed as before; the fresh one's change is made, the stale one's is refused
    assert failed_ids(response) == {fresh["messageId"], stale["messageId"]}
    assert logs[fresh["messageId"]]["retryIn"] == 30
    assert logs[stale["messageId"]]["retryIn"] is None
    assert "ReceiptHandleIsInvalid" in logs[stale["messageId"]]["retryError"]
    assert queue.visible() == {stale["messageId"]}  # the stale one was never hidden


def test_a_record_without_a_queue_arn_is_failed_with_the_reason_logged(calls, source, run, aws):
    # GIVEN a hand-made record with no eventSourceARN or receipt handle
    record = {"messageId": "m1", "eventSource": "aws:sqs", "body": json.dumps(failing(source, "x"))}
    # WHEN it is handled THEN it fails, its log saying the visibility could not be changed
    response, logs = run({"Records": [record]})
    assert failed_ids(response) == {"m1"}
    assert logs["m1"]["retryIn"] is None and "AttributeError" in logs["m1"]["retryError"]
    assert calls == []


@pytest.mark.parametrize("case", sorted(EXPIRED))
def test_an_expired_url_is_named_with_the_recovery_that_works(case, buckets, source, run, queue):
    # GIVEN a source that answers 403 because the URL (or its session token) expired
    url = source.add(DISTRIBUTION, "app.zip", Artifact(body=EXPIRED[case], status=403))
    record = queue.record({"ArtifactUrl": url, "ArtifactKey": "app.zip"})
    # WHEN it is handled
    response, logs = run({"Records": [record]})
    # THEN it fails, the reason saying the URL expired and what to do: ask the distributor again
    reason = logs[record["messageId"]]["reason"]
    assert failed_ids(response) == {record["messageId"]}
    assert reason.startswith("ArtifactUrl expired (source answered HTTP 403 ")
    assert "ask the distributor for the artifacts again (a new TriggerVersion)" in reason
    assert buckets.keys() == []


def test_a_403_that_is_not_an_expiry_is_not_called_one(buckets, source, run, queue):
    body = b"<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
    url = source.add(DISTRIBUTION, "app.zip", Artifact(body=body, status=403))
    record = queue.record({"ArtifactUrl": url, "ArtifactKey": "app.zip"})
    _, logs = run({"Records": [record]})
    assert logs[record["messageId"]]["reason"] == "source answered HTTP 403 AccessDenied"
