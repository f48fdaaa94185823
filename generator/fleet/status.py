"""The join: for every consumer and every artifact addressed to it, held, outdated or missing.

A pure function of what was read, so the classification is tested without any AWS at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from generator.fleet.model import Artifact, Consumer

# (account, region, key) -> every sourceETag (without quotes) its receipts named
Receipts = Mapping[tuple[str, str, str], set[str]]


@dataclass(frozen=True)
class Gap:
    """An artifact a consumer lacks (missing) or holds in another version (outdated)."""

    account: str
    region: str
    key: str


@dataclass(frozen=True)
class ConsumerStatus:
    """One consumer's counts over the artifacts addressed to it."""

    account: str
    region: str
    held: int
    outdated: int
    missing: int


@dataclass(frozen=True)
class FleetStatus:
    """The whole answer: a line per consumer, then every gap."""

    consumers: list[ConsumerStatus] = field(default_factory=list)
    missing: list[Gap] = field(default_factory=list)
    outdated: list[Gap] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when every consumer holds the current version of every artifact addressed to it."""
        return not self.missing and not self.outdated


def classify(etags: set[str] | None, current: str) -> str:
    """held: a receipt names the current ETag; outdated: receipts, only other ETags; missing."""
    if not etags:
        return "missing"
    return "held" if current in etags else "outdated"


def fleet_status(
    consumers: Iterable[Consumer], artifacts: Iterable[Artifact], receipts: Receipts
) -> FleetStatus:
    """Join consumers, artifacts and receipts (ARCHITECTURE.md, Fleet status)."""
    artifacts = sorted(artifacts, key=lambda artifact: artifact.key)
    status = FleetStatus()
    for consumer in sorted(set(consumers)):
        counts = {"held": 0, "outdated": 0, "missing": 0}
        for artifact in artifacts:
            if not artifact.addressed_to(consumer):
                continue
            etags = receipts.get((consumer.account, consumer.region, artifact.key))
            verdict = classify(etags, artifact.etag)
            counts[verdict] += 1
            if verdict != "held":
                gap = Gap(consumer.account, consumer.region, artifact.key)
                getattr(status, verdict).append(gap)
        status.consumers.append(ConsumerStatus(consumer.account, consumer.region, **counts))
    return status
