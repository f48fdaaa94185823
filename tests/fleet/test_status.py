"""The join alone (generator/fleet/status.py): no AWS, every verdict and the addressing rule."""

from __future__ import annotations

from generator.fleet.model import Artifact, Consumer, bare_etag
from generator.fleet.status import ConsumerStatus, Gap, fleet_status

ONE = Consumer("111111111111", "eu-west-1")
TWO = Consumer("222222222222", "us-east-1")


def test_held_outdated_missing():
    artifacts = [Artifact("a", "e1"), Artifact("b", "e2"), Artifact("c", "e3")]
    receipts = {(ONE.account, ONE.region, "a"): {"e0", "e1"}, (ONE.account, ONE.region, "b"): {"x"}}
    status = fleet_status([ONE], artifacts, receipts)
    assert status.consumers == [ConsumerStatus(ONE.account, ONE.region, 1, 1, 1)]
    assert status.outdated == [Gap(ONE.account, ONE.region, "b")]
    assert status.missing == [Gap(ONE.account, ONE.region, "c")]
    assert not status.complete


def test_tags_address_an_account_a_region_or_both():
    artifacts = [
        Artifact("to-one", "e", account=ONE.account),
        Artifact("to-us-east-1", "e", region="us-east-1"),
        Artifact("to-one-in-us-east-1", "e", account=ONE.account, region="us-east-1"),
    ]
    status = fleet_status([ONE, TWO], artifacts, {})
    assert status.missing == [
        Gap(ONE.account, ONE.region, "to-one"),
        Gap(TWO.account, TWO.region, "to-us-east-1"),
    ]


def test_a_receipt_of_another_consumer_or_key_counts_for_nothing():
    receipts = {(TWO.account, ONE.region, "a"): {"e"}, (ONE.account, ONE.region, "b"): {"e"}}
    status = fleet_status([ONE], [Artifact("a", "e")], receipts)
    assert status.consumers == [ConsumerStatus(ONE.account, ONE.region, 0, 0, 1)]


def test_consumers_once_each_in_order_and_nothing_addressed_is_complete():
    status = fleet_status([TWO, ONE, TWO], [Artifact("a", "e", account="999999999999")], {})
    assert [c.account for c in status.consumers] == [ONE.account, TWO.account]
    assert status.complete


def test_etags_compare_without_quotes():
    assert bare_etag('"abc-2"') == "abc-2" == bare_etag("abc-2")
