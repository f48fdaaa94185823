"""What moto's Logs Insights never answers (it has no pages, no failed or refused query): the
client's handling of those answers, against botocore's Stubber, which checks every request and
response against the service model (generator/fleet/insights.py)."""

from __future__ import annotations

import threading
import time

import boto3
import pytest
from botocore.stub import Stubber

from generator.fleet import insights
from generator.fleet.model import FleetError

SPAN = (1_700_000_000, 1_700_003_600)
QUERY = 'filter source = "x"\n| stats count(*) as receipts by account'


def row(account: str) -> list[dict]:
    return [{"field": "account", "value": account}, {"field": "receipts", "value": "1"}]


@pytest.fixture
def logs():
    client = boto3.client("logs", region_name="eu-west-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


@pytest.fixture(autouse=True)
def no_waiting(monkeypatch):
    monkeypatch.setattr(insights.time, "sleep", lambda seconds: None)


def limits(rows: int = 100_000, seconds: float = 60) -> insights.Limits:
    return insights.Limits(rows, time.monotonic() + seconds, threading.Event())


def expect_start(stub, query_id: str = "q1") -> None:
    params = {"logGroupName": "g", "startTime": SPAN[0], "endTime": SPAN[1],
              "queryString": QUERY, "limit": 100_000}  # fmt: skip
    stub.add_response("start_query", {"queryId": query_id}, params)


def test_polls_until_complete_then_reads_every_page(logs):
    client, stub = logs
    expect_start(stub)
    stub.add_response("get_query_results", {"status": "Running", "results": []}, {"queryId": "q1"})
    stub.add_response(
        "get_query_results",
        {"status": "Complete", "results": [row("a")], "nextToken": "t1"},
        {"queryId": "q1"},
    )
    stub.add_response(
        "get_query_results",
        {"status": "Complete", "results": [row("b"), row("c")]},
        {"queryId": "q1", "nextToken": "t1"},
    )
    rows = insights.run(client, "g", QUERY, SPAN, limits())
    assert [r["account"] for r in rows] == ["a", "b", "c"]


@pytest.mark.parametrize("status", ["Failed", "Cancelled", "Timeout", "Unknown"])
def test_a_query_that_does_not_complete_is_an_error(logs, status):
    client, stub = logs
    expect_start(stub)
    stub.add_response("get_query_results", {"status": status, "results": []}, {"queryId": "q1"})
    with pytest.raises(FleetError, match=f"query q1 ended {status}"):
        insights.run(client, "g", QUERY, SPAN, limits())


def test_too_many_concurrent_queries_waits_and_starts_again(logs):
    client, stub = logs
    stub.add_client_error("start_query", "LimitExceededException", "30 concurrent queries")
    expect_start(stub, "q2")
    stub.add_response("get_query_results", {"status": "Complete", "results": []}, {"queryId": "q2"})
    assert insights.run(client, "g", QUERY, SPAN, limits()) == []


def test_other_refusals_are_not_retried(logs):
    client, stub = logs
    stub.add_client_error("start_query", "InvalidParameterException", "limit too large")
    with pytest.raises(Exception, match="limit too large"):
        insights.run(client, "g", QUERY, SPAN, limits())


def test_a_query_still_running_at_the_deadline_is_stopped(logs):
    client, stub = logs
    expect_start(stub)
    stub.add_response("get_query_results", {"status": "Running", "results": []}, {"queryId": "q1"})
    stub.add_response("stop_query", {"success": True}, {"queryId": "q1"})
    with pytest.raises(FleetError, match="still Running at the deadline"):
        insights.run(client, "g", QUERY, SPAN, limits(seconds=-1))
