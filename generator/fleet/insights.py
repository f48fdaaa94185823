"""One CloudWatch Logs Insights query: start it, wait for it, return its rows.

StartQuery takes epoch seconds (both ends inclusive) and at most `ROW_CAP` rows; an account runs
at most 30 queries at once (LimitExceededException beyond), so a refused start waits and retries.
"""

from __future__ import annotations

import itertools
import threading
import time

from botocore.exceptions import ClientError

from generator.fleet.model import FleetError

ROW_CAP = 10_000  # the most rows one query returns (StartQuery's documented `limit`)
DONE = {"Complete", "Failed", "Cancelled", "Timeout", "Unknown"}
POLL_SECONDS = (0.2, 0.5, 1.0, 2.0)  # waits between GetQueryResults, the last one repeated
START_TRIES = 8


def start(logs, log_group: str, query: str, span: tuple[int, int], deadline: float) -> str:
    """Start the query; when the account's concurrent-query limit refuses it, wait and retry."""
    for attempt in range(START_TRIES):
        try:
            return logs.start_query(
                logGroupName=log_group,
                startTime=span[0],
                endTime=span[1],
                queryString=query,
                limit=ROW_CAP,
            )["queryId"]
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code != "LimitExceededException" or time.monotonic() + 2**attempt > deadline:
                raise
            time.sleep(2**attempt)
    raise FleetError("Logs Insights refused to start a query: too many concurrent queries")


def wait(logs, query_id: str, deadline: float, stop: threading.Event) -> list[dict[str, str]]:
    """Poll until the query is done; its rows as field -> value; FleetError unless Complete."""
    for attempt in itertools.count():
        answer = logs.get_query_results(queryId=query_id)
        status = answer["status"]
        if status in DONE:
            if status != "Complete":
                raise FleetError(f"Logs Insights query {query_id} ended {status}")
            return [{cell["field"]: cell.get("value") for cell in row} for row in answer["results"]]
        if stop.is_set() or time.monotonic() > deadline:
            stop_quietly(logs, query_id)
            raise FleetError(f"Logs Insights query {query_id} still {status} at the deadline")
        time.sleep(POLL_SECONDS[min(attempt, len(POLL_SECONDS) - 1)])
    raise AssertionError("itertools.count() ended")


def stop_quietly(logs, query_id: str) -> None:
    """Stop a query we no longer wait for (it costs while it scans); a failure changes nothing."""
    try:
        logs.stop_query(queryId=query_id)
    except ClientError:
        pass


def run(
    logs, log_group: str, query: str, span: tuple[int, int], deadline: float, stop: threading.Event
) -> list[dict[str, str]]:
    """Start `query` over `span` (epoch seconds, inclusive) and return its rows."""
    return wait(logs, start(logs, log_group, query, span, deadline), deadline, stop)
