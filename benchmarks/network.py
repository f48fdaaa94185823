"""A model of the network one Lambda function sees, applied by the endpoint to every byte it moves.

Two token buckets pace each transfer: one per TCP connection (what one stream to S3 reaches) and
one for the whole function, shared by all its connections in both directions (the function's
network share). The endpoint serves only the function under test, so its connections are the
function's. Before it sends or receives a slice of at most SLICE bytes, a connection takes that
many tokens from both buckets, sleeping until they are there. The buckets refill by the wall
clock, so the endpoint's own work on a slice overlaps the wait for the next one: it adds time only
when it is slower than the rate. The first-byte latency per request is the endpoint's `--latency`.
"""

from __future__ import annotations

import threading
import time

SLICE = 64 * 1024  # bytes paced at once (about 1.3 ms at 48 MiB/s)
DEPTH = 4 * SLICE  # a bucket's burst: what an idle connection may send at once


class TokenBucket:
    """`rate` bytes per second, at most DEPTH at once; `take(n)` waits until n bytes may pass.

    A taker reserves its tokens before it sleeps (the level may go below zero), so takers that
    share a bucket pass in the order they asked, each at its share of the rate.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.level = float(DEPTH)
        self.stamp = time.monotonic()
        self.lock = threading.Lock()

    def reserve(self, amount: int) -> float:
        """Take `amount` tokens now; returns the seconds until they exist (0: they do)."""
        with self.lock:
            now = time.monotonic()
            self.level = min(DEPTH, self.level + (now - self.stamp) * self.rate) - amount
            self.stamp = now
            return max(0.0, -self.level / self.rate)


class Link:
    """One connection's view of the network: its own bucket and the function's shared one."""

    def __init__(self, connection_rate: float, shared: TokenBucket | None) -> None:
        self.own = TokenBucket(connection_rate) if connection_rate else None
        self.shared = shared

    def pace(self, amount: int) -> None:
        """Wait until `amount` bytes (at most SLICE) may cross this connection."""
        buckets = (bucket for bucket in (self.own, self.shared) if bucket)
        wait = max((bucket.reserve(amount) for bucket in buckets), default=0.0)
        if wait:
            time.sleep(wait)


def slices(view: memoryview) -> list[memoryview]:
    """`view` cut into pieces of at most SLICE bytes."""
    return [view[start : start + SLICE] for start in range(0, len(view), SLICE)]
