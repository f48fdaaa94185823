"""Receipts: run the planned Logs Insights queries side by side, halve any answer that reached
the row cap, and collect every (account, region, key) -> sourceETags."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait

from generator.fleet import insights, query
from generator.fleet.model import FleetError, bare_etag
from generator.fleet.query import Part

PARALLEL_QUERIES = 10  # of the 30 Insights queries an account may run at once
Progress = Callable[[str], None]


def add_rows(receipts: dict, rows: list[dict[str, str]]) -> None:
    """Fold one answer's rows (one per account, region, key, sourceETag) into `receipts`."""
    for row in rows:
        account, region, key, etag = (row.get(name) for name in query.FIELDS)
        if account and region and key and etag:
            receipts[(account, region, key)].add(bare_etag(etag))


def read_receipts(
    logs, log_group: str, parts: list[Part], rows: int, timeout: float, progress: Progress
) -> dict[tuple[str, str, str], set[str]]:
    """Every receipt's (account, region, key) -> its sourceETags, over the planned parts, with
    at most `rows` rows per query."""
    limits = insights.Limits(rows, time.monotonic() + timeout, threading.Event())
    receipts: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    pool = ThreadPoolExecutor(PARALLEL_QUERIES)

    def submit(part: Part) -> Future:
        span = (part.start, part.end)
        return pool.submit(insights.run, logs, log_group, query.text(part), span, limits)

    pending = {submit(part): part for part in parts}
    done_count = 0
    try:
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                part = pending.pop(future)
                answer = future.result()
                if len(answer) >= rows:  # the query may have had more
                    pending.update((submit(half), half) for half in halves(part, rows))
                    continue
                add_rows(receipts, answer)
                done_count += 1
                progress(f"receipt queries: {done_count} done, {len(pending)} running or queued")
    finally:
        limits.stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
    return receipts


def halves(part: Part, rows: int) -> tuple[Part, Part]:
    """The two parts of an answer that reached the row limit; FleetError when it cannot split."""
    split = query.split(part)
    if split is None:
        raise FleetError(
            f"more than {rows - 1:,} receipt groups for account {part.accounts[0]} "
            f"in one second ({part.start}): cannot count them with Logs Insights"
        )
    return split
