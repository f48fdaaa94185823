"""The query and its plan (generator/fleet/query.py): parts stay under the row cap, splits
cover exactly what they split, the text stays within StartQuery's 10,000 characters."""

from __future__ import annotations

from generator.fleet.model import Artifact, Consumer
from generator.fleet.query import MAX_ACCOUNTS, Part, plan, split, text
from testkit.insights import evaluate

ARTIFACTS = [Artifact(f"k{i}", "e") for i in range(1_000)]


def accounts(n: int) -> list[str]:
    return [f"{i:012d}" for i in range(n)]


def test_a_thousand_by_a_thousand_is_planned_in_parts_of_whole_accounts():
    consumers = [Consumer(account, "eu-west-1") for account in accounts(1_000)]
    parts = plan(consumers, ARTIFACTS, 0, 10, 50_000)
    assert len(parts) == 1_000 * 1_000 // 50_000
    assert sorted(a for part in parts for a in part.accounts) == accounts(1_000)
    assert all(part.regions is None for part in parts)


def test_an_account_in_many_regions_is_planned_by_region():
    regions = [f"r-{i}" for i in range(12)]
    parts = plan([Consumer("1" * 12, region) for region in regions], ARTIFACTS, 0, 10, 5_000)
    assert [len(part.regions) for part in parts] == [5, 5, 2]
    assert sorted(r for part in parts for r in part.regions) == sorted(regions)


def test_small_consumers_share_a_query_within_its_length_limit():
    consumers = [Consumer(account, "eu-west-1") for account in accounts(1_000)]
    parts = plan(consumers, ARTIFACTS[:1], 0, 10, 50_000)
    assert [len(part.accounts) for part in parts] == [MAX_ACCOUNTS, MAX_ACCOUNTS, 200]
    assert max(len(text(part)) for part in parts) < 10_000


def test_splits_halve_accounts_then_regions_then_time_then_stop():
    part = Part(("a", "b", "c"), None, 0, 9)
    assert split(part) == (Part(("a",), None, 0, 9), Part(("b", "c"), None, 0, 9))
    part = Part(("a",), ("r1", "r2"), 0, 9)
    assert split(part) == (Part(("a",), ("r1",), 0, 9), Part(("a",), ("r2",), 0, 9))
    assert split(Part(("a",), ("r1",), 0, 9)) == (
        Part(("a",), ("r1",), 0, 4),
        Part(("a",), ("r1",), 5, 9),
    )
    assert split(Part(("a",), None, 7, 7)) is None


def test_the_query_counts_receipts_of_its_accounts_and_regions_only():
    def event(account, region, source="build-artifact-consumer", key="k"):
        detail = {"key": key, "sourceETag": '"e"'}
        return {"source": source, "detail-type": "Artifact Stored", "account": account,
                "region": region, "detail": detail}  # fmt: skip

    events = [event("a", "r1"), event("a", "r1"), event("a", "r2"), event("b", "r1"),
              event("a", "r1", source="other"), event("a", "r1", key=None)]  # fmt: skip
    rows = evaluate(text(Part(("a",), ("r1",), 0, 1)), events)
    assert rows == [
        {"account": "a", "region": "r1", "detail.key": "k", "detail.sourceETag": '"e"',
         "receipts": 2}
    ]  # fmt: skip
