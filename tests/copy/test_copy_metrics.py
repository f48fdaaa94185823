"""Metrics, opt-in: with EMIT_METRICS=true, one Embedded Metric Format document per invocation.

The document is a log line that CloudWatch Logs turns into metrics of namespace
BuildArtifactConsumer with the one dimension FunctionName (what the stack's dashboard reads), so
it must be valid EMF: an invalid one is kept as text and its metrics are lost without a word.
"""

from __future__ import annotations

import copy
import json

import pytest

from generator.consumer.monitoring import METRICS_DIMENSION, METRICS_NAMESPACE
from tests.copy.conftest import DISTRIBUTION, failed_ids
from tests.copy.source import Artifact
from tests.support.emf import InvalidEmf, is_emf, validate_emf
from tests.support.events_endpoint import Script

FUNCTION = "consumer-CopyFunction-1A2B3C4D5E6F"
METRICS = {
    "ArtifactsStored": "Count",
    "ArtifactsFailed": "Count",
    "BytesCopied": "Bytes",
    "CopyDuration": "Milliseconds",
}


@pytest.fixture
def handle(copy_files, capsys, monkeypatch):
    """Invoke the handler as Lambda runs it; returns (response, EMF documents, record lines)."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", FUNCTION)

    def invoke(event: dict):
        response = copy_files.handler(event, None)
        lines = capsys.readouterr().out.splitlines()
        documents = [validate_emf(line) for line in lines if is_emf(line)]
        records = [json.loads(line) for line in lines if not is_emf(line)]
        return response, documents, records

    return invoke


def mixed_batch(source, buckets, sqs_event) -> dict:
    """Two records copied (3 and 5 bytes), one duplicate of a held key, one failing."""
    held = Artifact(body=b"held", etag='"held"')
    buckets.s3.put_object(
        Bucket=buckets.target, Key="held.bin", Body=b"held", Metadata={"source-etag": '"held"'}
    )
    denied = Artifact(body=b"<Code>AccessDenied</Code>", status=403)
    return sqs_event(
        {"ArtifactUrl": source.add(DISTRIBUTION, "a", Artifact(body=b"aaa")), "ArtifactKey": "a"},
        {"ArtifactUrl": source.add(DISTRIBUTION, "b", Artifact(body=b"bbbbb")), "ArtifactKey": "b"},
        {"ArtifactUrl": source.add(DISTRIBUTION, "held", held), "ArtifactKey": "held.bin"},
        {"ArtifactUrl": source.add(DISTRIBUTION, "denied", denied), "ArtifactKey": "denied"},
    )


def test_one_valid_document_per_invocation_with_the_batchs_metrics(
    buckets, source, sqs_event, handle, monkeypatch
):
    # GIVEN metrics turned on, and a batch with two copies, a duplicate and a failure
    monkeypatch.setenv("EMIT_METRICS", "true")
    event = mixed_batch(source, buckets, sqs_event)
    # WHEN it is handled
    response, documents, records = handle(event)
    # THEN exactly one valid EMF document comes out, in the namespace and dimension the
    # dashboard reads, with every metric in its unit
    assert len(failed_ids(response)) == 1
    [document] = documents
    [directive] = document["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == METRICS_NAMESPACE
    assert directive["Dimensions"] == [[METRICS_DIMENSION]]
    assert {m["Name"]: m["Unit"] for m in directive["Metrics"]} == METRICS
    assert document["FunctionName"] == FUNCTION
    # AND it counts the acknowledged and the failed records, the bytes written, and each
    # record's duration in milliseconds
    assert (document["ArtifactsStored"], document["ArtifactsFailed"]) == (3, 1)
    assert document["BytesCopied"] == 3 + 5
    assert len(document["CopyDuration"]) == 4
    assert all(isinstance(ms, int) and ms >= 0 for ms in document["CopyDuration"])
    # AND nothing of a record (a key) is a dimension, and the per-record lines stay
    assert set(document) == {"_aws", "FunctionName", *METRICS}
    assert sorted(r["key"] for r in records) == ["a", "b", "denied", "held.bin"]


def test_each_invocation_has_its_own_document(buckets, source, sqs_event, handle, monkeypatch):
    # GIVEN metrics turned on
    monkeypatch.setenv("EMIT_METRICS", "true")
    # WHEN two invocations copy one artifact each
    for name in ("one", "two"):
        url = source.add(DISTRIBUTION, name, Artifact(body=name.encode()))
        _, documents, _ = handle(sqs_event({"ArtifactUrl": url, "ArtifactKey": name}))
        # THEN each prints one document, counting only its own record
        [document] = documents
        assert (document["ArtifactsStored"], document["BytesCopied"]) == (1, len(name))


@pytest.mark.parametrize("value", ["false", None, "", "TRUE", "yes", "1"])
def test_without_emit_metrics_true_there_is_no_document(
    value, buckets, source, sqs_event, handle, monkeypatch
):
    # GIVEN EMIT_METRICS false, missing (a stack from before the variable) or not exactly "true"
    if value is None:
        monkeypatch.delenv("EMIT_METRICS", raising=False)
    else:
        monkeypatch.setenv("EMIT_METRICS", value)
    url = source.add(DISTRIBUTION, "a", Artifact(body=b"aaa"))
    # WHEN a record is copied
    response, documents, records = handle(sqs_event({"ArtifactUrl": url, "ArtifactKey": "a"}))
    # THEN it is copied and logged as ever, with no metrics document
    assert response == {"batchItemFailures": []}
    assert documents == []
    assert [r["outcome"] for r in records] == ["copied"]


def test_a_record_whose_receipt_was_refused_counts_as_failed_its_bytes_as_written(
    buckets, source, sqs_event, handle, eventbridge, monkeypatch
):
    # GIVEN metrics turned on, and an EventBridge that refuses every receipt
    monkeypatch.setenv("EMIT_METRICS", "true")
    eventbridge(Script(refuse={0}))
    url = source.add(DISTRIBUTION, "a", Artifact(body=b"aaa"))
    # WHEN a record is copied
    response, [document], _ = handle(sqs_event({"ArtifactUrl": url, "ArtifactKey": "a"}))
    # THEN it is a failure (SQS retries it), though its bytes were written
    assert len(failed_ids(response)) == 1
    assert (document["ArtifactsStored"], document["ArtifactsFailed"]) == (0, 1)
    assert document["BytesCopied"] == 3


def valid_document() -> dict:
    """A document as the copy function writes it."""
    return {
        "_aws": {
            "Timestamp": 1_764_000_000_000,
            "CloudWatchMetrics": [
                {
                    "Namespace": METRICS_NAMESPACE,
                    "Dimensions": [[METRICS_DIMENSION]],
                    "Metrics": [{"Name": name, "Unit": unit} for name, unit in METRICS.items()],
                }
            ],
        },
        "FunctionName": FUNCTION,
        "ArtifactsStored": 1,
        "ArtifactsFailed": 0,
        "BytesCopied": 3,
        "CopyDuration": [12],
    }


def broken(change) -> str:
    document = copy.deepcopy(valid_document())
    change(document)
    return json.dumps(document)


def directive(document: dict) -> dict:
    return document["_aws"]["CloudWatchMetrics"][0]


@pytest.mark.parametrize(
    "line",
    [
        broken(lambda d: d["_aws"].update(Timestamp=1_764_000_000)),  # seconds
        broken(lambda d: d["_aws"].update(Timestamp="1764000000000")),
        broken(lambda d: d["_aws"].pop("CloudWatchMetrics")),
        broken(lambda d: directive(d).pop("Namespace")),
        broken(lambda d: directive(d).update(Dimensions=[[f"D{i}" for i in range(31)]])),
        broken(lambda d: d.pop("FunctionName")),
        broken(lambda d: d.update(FunctionName=7)),
        broken(lambda d: d.pop("BytesCopied")),
        broken(lambda d: d.update(BytesCopied="3")),
        broken(lambda d: d.update(CopyDuration=list(range(101)))),
        broken(lambda d: directive(d)["Metrics"][0].update(Unit="Artifacts")),
        broken(lambda d: directive(d)["Metrics"].extend({"Name": f"M{i}"} for i in range(100))),
        "[]",
    ],
)
def test_the_validator_rejects_what_cloudwatch_would_not_extract(line):
    # The validator the tests above rely on must fail for each broken rule of the format
    assert validate_emf(json.dumps(valid_document()))
    with pytest.raises(InvalidEmf):
        validate_emf(line)
