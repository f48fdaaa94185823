"""The Logs Insights query that counts receipts per consumer, key and source ETag, and the plan
that splits the fleet into queries whose answers stay under Insights' row cap.

Receipts are the EventBridge events the distributor's rule writes, one JSON message each
(ARCHITECTURE.md, Receipts): Insights reads `account`, `region`, `detail.key` and
`detail.sourceETag` from them, and the service side aggregates, so a query returns one row per
distinct (account, region, key, sourceETag) instead of every receipt.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace

from generator.fleet.model import Artifact, Consumer

SOURCE = "build-artifact-consumer"
DETAIL_TYPE = "Artifact Stored"
FIELDS = ("account", "region", "detail.key", "detail.sourceETag")
MAX_ACCOUNTS = 400  # 400 quoted account ids keep the query under its 10,000 characters


@dataclass(frozen=True)
class Part:
    """One query's share: these accounts (in these regions; None = any) over [start, end] s."""

    accounts: tuple[str, ...]
    regions: tuple[str, ...] | None
    start: int
    end: int


def text(part: Part) -> str:
    """The query string for `part`: filter the receipts, count them per FIELDS."""
    where = [
        f"source = {json.dumps(SOURCE)}",
        f"`detail-type` = {json.dumps(DETAIL_TYPE)}",
        f"account in {json.dumps(list(part.accounts))}",
    ]
    if part.regions is not None:
        where.append(f"region in {json.dumps(list(part.regions))}")
    where += [f"ispresent({name})" for name in FIELDS[2:]]
    return f"filter {' and '.join(where)}\n| stats count(*) as receipts by {', '.join(FIELDS)}"


def split(part: Part) -> tuple[Part, Part] | None:
    """Halve a part whose answer reached the cap: accounts, else regions, else time; None if
    it is one account, one region and one second."""
    if len(part.accounts) > 1:
        half = len(part.accounts) // 2
        return replace(part, accounts=part.accounts[:half]), replace(
            part, accounts=part.accounts[half:]
        )
    if part.regions is not None and len(part.regions) > 1:
        half = len(part.regions) // 2
        return replace(part, regions=part.regions[:half]), replace(
            part, regions=part.regions[half:]
        )
    if part.end > part.start:
        middle = (part.start + part.end) // 2
        return replace(part, end=middle), replace(part, start=middle + 1)
    return None


def plan(
    consumers: Iterable[Consumer], artifacts: list[Artifact], start: int, end: int, target: int
) -> list[Part]:
    """Parts of about `target` expected rows each (a row per consumer and addressed key): whole
    accounts packed together, an account with more expected rows split by its regions."""
    expected: dict[str, dict[str, int]] = defaultdict(dict)
    for consumer in consumers:
        rows = sum(artifact.addressed_to(consumer) for artifact in artifacts)
        expected[consumer.account][consumer.region] = max(rows, 1)
    parts: list[Part] = []
    batch: list[str] = []
    size = 0
    for account, regions in sorted(expected.items()):
        rows = sum(regions.values())
        if rows > target:
            parts += by_region(account, regions, start, end, target)
            continue
        if batch and (size + rows > target or len(batch) == MAX_ACCOUNTS):
            parts.append(Part(tuple(batch), None, start, end))
            batch, size = [], 0
        batch.append(account)
        size += rows
    if batch:
        parts.append(Part(tuple(batch), None, start, end))
    return parts


def by_region(
    account: str, regions: dict[str, int], start: int, end: int, target: int
) -> list[Part]:
    """One account's consumers in groups of regions of about `target` expected rows each."""
    parts: list[Part] = []
    group: list[str] = []
    size = 0
    for region, rows in sorted(regions.items()):
        if group and size + rows > target:
            parts.append(Part((account,), tuple(group), start, end))
            group, size = [], 0
        group.append(region)
        size += rows
    parts.append(Part((account,), tuple(group), start, end))
    return parts
