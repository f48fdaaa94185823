"""The values the fleet status joins: consumers, artifacts, receipts, and the one error type."""

from __future__ import annotations

from dataclasses import dataclass

ALL = "ALL"  # an artifact's `account`/`region` tag that addresses every consumer (or no tag)


class FleetError(Exception):
    """The status cannot be told (unknown stack, no access, wrong Outputs, a failed query)."""


@dataclass(frozen=True, order=True)
class Consumer:
    """One subscribed consumer stack: an account in a region."""

    account: str
    region: str


@dataclass(frozen=True)
class Artifact:
    """A current object of the distribution bucket and whom its tags address it to."""

    key: str
    etag: str  # without quotes
    account: str = ALL
    region: str = ALL

    def addressed_to(self, consumer: Consumer) -> bool:
        """The subscription filter policy's rule (ARCHITECTURE.md, Message): ALL or its own."""
        return self.account in (ALL, consumer.account) and self.region in (ALL, consumer.region)


@dataclass(frozen=True)
class Distributor:
    """What the distributor stack's Outputs name."""

    topic_arn: str
    region: str
    bucket: str
    log_group: str


def bare_etag(etag: str) -> str:
    """An ETag without its quotes (S3 and a receipt's `sourceETag` may carry them)."""
    return etag.strip().strip('"')
