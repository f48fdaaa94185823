"""Records addressed to another consumer are never copied, and never acknowledged.

SNS applies a new subscription's filter policy within minutes, so right after the stack is
created the queue may still receive artifacts meant for other accounts or regions. The contract
acknowledges only what is stored: these are reported as failures and end in the dead-letter
queue, where the reason says whom they were for.
"""

from __future__ import annotations

import pytest

from tests.copy.conftest import DISTRIBUTION, REGION, failed_ids, sqs_record
from tests.copy.source import Artifact
from tests.support.copy_function import ACCOUNT

OWN_ACCOUNT = ACCOUNT  # the account in every record's eventSourceARN


def addressed(body: dict, account: str, region: str) -> dict:
    """An SQS record carrying the distributor's account/region message attributes."""
    record = sqs_record(body)
    record["messageAttributes"] = {
        name: {"stringValue": value, "dataType": "String"}
        for name, value in (("account", account), ("region", region))
    }
    return record


@pytest.mark.parametrize(
    ("account", "region"),
    [(OWN_ACCOUNT, REGION), ("ALL", REGION), (OWN_ACCOUNT, "ALL"), ("ALL", "ALL")],
)
def test_records_addressed_to_this_consumer_are_copied(buckets, run, account, region):
    # GIVEN a record addressed to this account and region, directly or through ALL
    url = buckets.publish("mine.zip", b"for me")
    record = addressed({"ArtifactUrl": url, "ArtifactKey": "mine.zip"}, account, region)
    # WHEN it is handled
    response, logs = run({"Records": [record]})
    # THEN it is stored
    assert response == {"batchItemFailures": []}
    assert buckets.stored("mine.zip")["Body"] == b"for me"
    assert logs[record["messageId"]]["outcome"] == "copied"


@pytest.mark.parametrize(
    ("account", "region", "reason"),
    [
        ("210987654321", REGION, "addressed to account 210987654321"),
        ("ALL", "us-east-1", "addressed to region us-east-1"),
        (OWN_ACCOUNT, "eu-west-1", "addressed to region eu-west-1"),
    ],
)
def test_records_addressed_elsewhere_are_reported_and_never_copied(
    buckets, source, run, account, region, reason
):
    # GIVEN a record for another consumer, before the filter policy took effect
    url = source.add(DISTRIBUTION, "artifact.zip", Artifact(body=b"an artifact"))
    record = addressed({"ArtifactUrl": url, "ArtifactKey": "theirs.zip"}, account, region)
    mine = addressed({"ArtifactUrl": url, "ArtifactKey": "mine.zip"}, "ALL", "ALL")
    # WHEN it is handled in a batch with one of ours
    response, logs = run({"Records": [record, mine]})
    # THEN it is reported as failed with the reason, never downloaded nor stored
    assert failed_ids(response) == {record["messageId"]}
    assert logs[record["messageId"]]["outcome"] == "failed"
    assert reason in logs[record["messageId"]]["reason"]
    assert buckets.keys() == ["mine.zip"]
    assert len([r for r in source.requests if r.method == "GET"]) == 1
