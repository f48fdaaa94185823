"""Deterministic pseudo-random artifact bytes: byte i of every artifact is POOL[i % len(POOL)].

The pool is generated once per process from a fixed seed, so the endpoint that serves an artifact
and the runner that checks its digest agree without sending anything. Its length is not a power of
two, so two equal-sized parts swapped or repeated would change the digest.
"""

from __future__ import annotations

import random
import zlib
from collections.abc import Iterator
from functools import cache

SEED = 20261127
POOL_SIZE = (8 << 20) + 4099  # 8 MiB and a prime-ish tail
SLICE = 1 << 20  # largest piece handed to sendall/hash at once


@cache
def pool() -> memoryview:
    """The block every artifact repeats, generated once (about 10 ms)."""
    return memoryview(random.Random(SEED).randbytes(POOL_SIZE))


def pieces(start: int, end: int) -> Iterator[memoryview]:
    """Zero-copy views covering bytes [start, end) of an artifact, at most SLICE bytes each."""
    view = pool()
    pos = start
    while pos < end:
        offset = pos % POOL_SIZE
        size = min(end - pos, POOL_SIZE - offset, SLICE)
        yield view[offset : offset + size]
        pos += size


def materialize(size: int) -> bytes:
    """The whole artifact of `size` bytes in memory (for the in-memory reference upload)."""
    return b"".join(pieces(0, size))


def crc32(start: int, end: int) -> int:
    """CRC-32 of bytes [start, end) of an artifact, to check a stored part against its source."""
    crc = 0
    for piece in pieces(start, end):
        crc = zlib.crc32(piece, crc)
    return crc
