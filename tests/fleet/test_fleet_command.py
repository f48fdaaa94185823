"""`fleet` against moto: consumers from the topic's subscriptions, artifacts from the bucket,
receipts from the log group (ARCHITECTURE.md, Fleet status)."""

from __future__ import annotations

import json

import pytest

from testkit.fleet import Distributor, deploy, receipt_event

A = ("111111111111", "eu-west-1")  # holds everything
B = ("222222222222", "us-east-1")  # missed lib.tar
C = ("333333333333", "ap-southeast-2")  # holds an older app.zip
D = ("444444444444", "eu-central-1")  # never answered for 1.2
APP, LIB, ONLY_B, OLD = (
    "releases/1.2/app.zip",
    "releases/1.2/lib.tar",
    "releases/1.2/only-b.json",
    "releases/1.1/old.zip",
)


@pytest.fixture
def fleet_setup(aws) -> Distributor:
    """Four consumers (one subscribed twice, plus an e-mail subscription), four artifacts."""
    distributor = deploy()
    for account, region in (A, B, C, D):
        distributor.subscribe(account, region)
    distributor.subscribe(*A, name="second-queue")  # the same consumer counts once
    distributor.session.client("sns").subscribe(
        TopicArn=distributor.outputs["DistributionTopic"], Protocol="email", Endpoint="a@b.c"
    )
    old_app = distributor.put(APP, b"app 1.2.0")
    app = distributor.put(APP, b"app 1.2.1")  # the current version
    lib = distributor.put(LIB, b"lib")
    only_b = distributor.put(ONLY_B, b"b", account=B[0])
    old = distributor.put(OLD, b"old")
    for consumer in (A, B, C, D):  # two minutes earlier, so that time can split a query
        distributor.receipt(*consumer, OLD, old, age=120)
    distributor.receipt(*A, APP, app)
    distributor.receipt(*A, LIB, lib, outcome="duplicate")
    distributor.receipt(*B, APP, app.strip('"'))  # quotes or not: the same ETag
    distributor.receipt(*B, ONLY_B, only_b)
    distributor.receipt(*C, APP, old_app)
    distributor.receipt(*C, LIB, lib, outcome="stale")
    # Not receipts of D: another application's event, a receipt of an unsubscribed account.
    distributor.receipt(*D, APP, app, source="team.other")
    distributor.receipt("555555555555", D[1], LIB, lib)
    return distributor


def consumer(account_region, held, outdated, missing) -> dict:
    account, region = account_region
    return {
        "account": account,
        "region": region,
        "held": held,
        "outdated": outdated,
        "missing": missing,
    }


def gap(account_region, key) -> dict:
    return {"account": account_region[0], "region": account_region[1], "key": key}


EXPECTED = {
    "consumers": [
        consumer(A, 2, 0, 0),
        consumer(B, 2, 0, 1),
        consumer(C, 1, 1, 0),
        consumer(D, 0, 0, 2),
    ],
    "missing": [gap(B, LIB), gap(D, APP), gap(D, LIB)],
    "outdated": [gap(C, APP)],
}


def test_json_names_every_missing_and_outdated_artifact(fleet_setup, fleet):
    run = fleet("--prefix", "releases/1.2/", "--json")
    assert (run.status, run.err) == (1, "")
    assert json.loads(run.out) == EXPECTED


def test_table_has_a_line_per_consumer_then_every_gap(fleet_setup, fleet):
    run = fleet("--prefix", "releases/1.2/")
    assert run.status == 1
    lines = run.out.splitlines()
    assert lines[0].startswith("4 consumers, 3 artifacts under 'releases/1.2/'")
    assert lines[2].split() == [*A, "2", "0", "0"]
    assert lines[5].split() == [*D, "0", "0", "2"]
    assert lines[6:] == [
        "missing (3):",
        f"  {B[0]}  {B[1]:<15} {LIB}",
        f"  {D[0]}  {D[1]:<15} {APP}",
        f"  {D[0]}  {D[1]:<15} {LIB}",
        "outdated (1):",
        f"  {C[0]}  {C[1]:<15} {APP}",
        "1 of 4 consumers hold every artifact addressed to them; 3 missing, 1 outdated",
    ]


def test_without_prefix_every_artifact_counts(fleet_setup, fleet):
    run = fleet("--json")
    counts = {(c["account"], c["region"]): c["held"] for c in json.loads(run.out)["consumers"]}
    assert counts == {A: 3, B: 3, C: 2, D: 1}  # OLD is held by all


def test_a_release_everyone_holds_exits_0(fleet_setup, fleet):
    run = fleet("--prefix", "releases/1.1/")
    assert (run.status, run.err) == (0, "")
    assert run.out.splitlines()[-1].startswith("4 of 4 consumers hold every artifact")


def test_answers_at_the_row_limit_are_split_until_complete(fleet_setup, fleet, insights):
    insights.row_cap = 3
    run = fleet("--prefix", "releases/1.2/", "--json", "--query-rows", "3")
    assert json.loads(run.out) == EXPECTED
    texts = [text for text, _, _ in insights.queries]
    assert sum(f'account in ["{A[0]}"]' in text for text in texts) > 1  # A's 3 groups: in time
    assert len(texts) > len(set(texts))  # the same query over two halves of the time range


def test_more_groups_than_the_row_limit_in_one_second_cannot_be_told(fleet_setup, fleet, insights):
    insights.row_cap = 2
    run = fleet("--prefix", "releases/1.2/", "--query-rows", "2")
    assert (run.status, run.out) == (2, "")
    assert run.err.startswith("error: cannot tell the fleet status: more than 1 receipt groups")


def test_receipts_before_the_oldest_artifact_count_only_with_since(aws, fleet):
    distributor = deploy()
    distributor.subscribe(*A)
    etag = distributor.put(APP, b"app")
    distributor.write([receipt_event(*A, APP, etag)], age=86_400)  # a day before the artifact
    assert fleet().status == 1
    since = fleet("--since", "2000-01-01", "--json")
    assert since.status == 0
    assert json.loads(since.out)["consumers"] == [consumer(A, 1, 0, 0)]
