"""A model of the network one Lambda function sees, applied by the endpoint to every byte it moves.

Two token buckets pace each transfer: one per TCP connection and direction (what one stream to
S3 reaches) and one for the whole function and direction, shared by all its connections (the
function's network share; a Firecracker microVM, which runs a Lambda function, limits its network
interface's receiving and sending with separate buckets). The endpoint serves only the function
under test, so its connections are the function's. Before it sends or receives a slice of at most
SLICE bytes, a connection takes that many tokens from both buckets, sleeping until they are
there. A connection's bucket starts empty with each body, so no body goes faster than the rate
from its first byte; the buckets refill by the wall clock and hold up to DEPTH, so the endpoint's
own work on a slice overlaps the wait for the next one, and a late wake-up (a loaded machine) is
made up at once, up to DEPTH. The first-byte latency per request is the endpoint's `--latency`.
"""

from __future__ import annotations

import threading
import time

SLICE = 64 * 1024  # bytes paced at once (about 1.3 ms at 48 MiB/s)
DEPTH = 1 << 20  # tokens a bucket holds at most: about 20 ms of a connection's rate


class TokenBucket:
    """`rate` bytes per second, holding at most DEPTH tokens; starts empty.

    A taker reserves its tokens before it sleeps (the level may go below zero), so takers that
    share a bucket pass in the order they asked, each at its share of the rate.
    """

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.lock = threading.Lock()
        self.restart()

    def restart(self) -> None:
        """Empty: what the bucket held while idle is gone."""
        with self.lock:
            self.level, self.stamp = 0.0, time.monotonic()

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

    def start(self) -> None:
        """A body begins: the connection's own bucket starts empty."""
        if self.own:
            self.own.restart()

    def pace(self, amount: int) -> None:
        """Wait until `amount` bytes (at most SLICE) may cross this connection."""
        buckets = (bucket for bucket in (self.own, self.shared) if bucket)
        wait = max((bucket.reserve(amount) for bucket in buckets), default=0.0)
        if wait:
            time.sleep(wait)


def slices(view: memoryview) -> list[memoryview]:
    """`view` cut into pieces of at most SLICE bytes."""
    return [view[start : start + SLICE] for start in range(0, len(view), SLICE)]
