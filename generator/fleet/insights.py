"""One CloudWatch Logs Insights query: start it, wait for it, return all its rows.

StartQuery takes epoch seconds (both ends inclusive) and a `limit` of at most MAX_ROWS rows, which
GetQueryResults returns in pages of up to 10,000 (`nextToken`). An account runs at most 30
queries at once (LimitExceededException beyond), so a refused start waits and retries.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass

from botocore.exceptions import ClientError

from generator.fleet.model import FleetError

MAX_ROWS = 100_000  # the most rows one query returns (StartQuery's `limit`)
DONE = {"Complete", "Failed", "Cancelled", "Timeout", "Unknown"}
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0)  # waits between GetQueryResults, the last one repeated
START_TRIES = 8


@dataclass(frozen=True)
class Limits:
    """What every query of a run shares: its row limit, the deadline, the signal to give up."""

    rows: int
    deadline: float  # time.monotonic()
    stop: threading.Event


def start(logs, log_group: str, query: str, span: tuple[int, int], limits: Limits) -> str:
    """Start the query; when the account's concurrent-query limit refuses it, wait and retry."""
    for attempt in range(START_TRIES):
        try:
            return logs.start_query(
                logGroupName=log_group,
                startTime=span[0],
                endTime=span[1],
                queryString=query,
                limit=limits.rows,
            )["queryId"]
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code != "LimitExceededException" or time.monotonic() + 2**attempt > limits.deadline:
                raise
            time.sleep(2**attempt)
    raise FleetError("Logs Insights refused to start a query: too many concurrent queries")


def wait(logs, query_id: str, limits: Limits) -> list[dict[str, str]]:
    """Poll until the query is done; all its rows as field -> value; FleetError unless Complete."""
    for attempt in itertools.count():
        answer = logs.get_query_results(queryId=query_id)
        status = answer["status"]
        if status in DONE:
            if status != "Complete":
                raise FleetError(f"Logs Insights query {query_id} ended {status}")
            return [
                {cell["field"]: cell.get("value") for cell in row}
                for row in pages(logs, query_id, answer)
            ]
        if limits.stop.is_set() or time.monotonic() > limits.deadline:
            stop_quietly(logs, query_id)
            raise FleetError(f"Logs Insights query {query_id} still {status} at the deadline")
        time.sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])
    raise AssertionError("itertools.count() ended")


def pages(logs, query_id: str, answer: dict) -> list[list[dict]]:
    """The rows of a complete query: the answer's, then those of every further page."""
    rows = list(answer["results"])
    while token := answer.get("nextToken"):
        answer = logs.get_query_results(queryId=query_id, nextToken=token)
        rows += answer["results"]
    return rows


def stop_quietly(logs, query_id: str) -> None:
    """Stop a query we no longer wait for (it costs while it scans); a failure changes nothing."""
    try:
        logs.stop_query(queryId=query_id)
    except ClientError:
        pass


def run(
    logs, log_group: str, query: str, span: tuple[int, int], limits: Limits
) -> list[dict[str, str]]:
    """Start `query` over `span` (epoch seconds, inclusive) and return its rows."""
    return wait(logs, start(logs, log_group, query, span, limits), limits)
