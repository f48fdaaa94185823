"""The initial-set function: every current object addressed to one consumer, once, in pages.

GIVEN a distribution bucket with objects addressed in every way, on moto
WHEN the function runs as the state machine runs it: with the execution's input, then again with
 its own output while that carries a ContinuationToken (source and inlined code)
THEN each object addressed to that account and region is published exactly once, with the
 attributes set to them, and nothing else is; a malformed input is refused before any work.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import pytest

from tests.distributor.conftest import context

ACCOUNT, REGION = "111122223333", "eu-west-1"
OTHER_ACCOUNT, OTHER_REGION = "444455556666", "us-east-1"
ADDRESSED = {
    "a/untagged.bin": None,
    "b/all-all.bin": {"account": "ALL", "region": "ALL"},
    "c/own-account.bin": {"account": ACCOUNT},
    "d/own-region.bin": {"region": REGION},
    "e/own-both.bin": {"account": ACCOUNT, "region": REGION},
    "f/own-account-all-regions.bin": {"account": ACCOUNT, "region": "ALL"},
}
ELSEWHERE = {
    "g/other-account.bin": {"account": OTHER_ACCOUNT},
    "h/other-region.bin": {"region": OTHER_REGION},
    "i/own-account-other-region.bin": {"account": ACCOUNT, "region": OTHER_REGION},
}
START = {"AccountId": ACCOUNT, "Region": REGION}


@dataclass
class Countdown:
    """A Lambda context with plenty of time for `calls` checks, and then too little."""

    calls: int

    def get_remaining_time_in_millis(self) -> int:
        self.calls -= 1
        return 900_000 if self.calls >= 0 else 1_000


def content(key: str) -> bytes:
    return f"content of {key}\n".encode() * 10


@pytest.fixture
def bucket(distribution):
    for key, tags in {**ADDRESSED, **ELSEWHERE}.items():
        distribution.put(key, content(key), tags)
    return distribution


def run_machine(initial_set, event: dict, checks_per_run: int | None = None) -> list[dict]:
    """Invoke the function as the machine does until no token comes back; every output."""
    outputs = []
    while True:
        ctx = Countdown(checks_per_run) if checks_per_run is not None else context(900)
        event = initial_set.handler(event, ctx)
        outputs.append(event)
        if "ContinuationToken" not in event:
            return outputs
        assert len(outputs) < 100, "the loop does not end"


def test_everything_addressed_to_the_consumer_is_published_once(initial_set, bucket):
    outputs = run_machine(initial_set, dict(START))
    assert outputs == [START]
    messages = bucket.messages()
    assert sorted(m["body"]["ArtifactKey"] for m in messages) == sorted(ADDRESSED)
    for message in messages:
        key = message["body"]["ArtifactKey"]
        assert message["attributes"] == {"account": ACCOUNT, "region": REGION}
        assert message["body"]["ArtifactSize"] == len(content(key))
        assert message["body"]["ArtifactSha256"] == hashlib.sha256(content(key)).hexdigest()


@pytest.mark.parametrize("checks_per_run", [1, 2, 4])
def test_a_run_out_of_time_continues_where_it_stopped_and_repeats_nothing(
    initial_set, bucket, checks_per_run
):
    # GIVEN a function that has time for only a few objects per invocation
    outputs = run_machine(initial_set, dict(START), checks_per_run)
    # THEN it returned tokens while objects remained, the input's identity each time
    assert len(outputs) > 1
    assert all(o["AccountId"] == ACCOUNT and o["Region"] == REGION for o in outputs)
    assert set(outputs[-1]) == {"AccountId", "Region"}
    # AND every addressed object went out exactly once over the whole run
    keys = [m["body"]["ArtifactKey"] for m in bucket.messages()]
    assert sorted(keys) == sorted(ADDRESSED)


def test_every_run_finishes_at_least_one_object_however_late(initial_set, bucket):
    outputs = run_machine(initial_set, dict(START), checks_per_run=0)
    assert len(outputs) == len(ADDRESSED) + len(ELSEWHERE)
    assert sorted(m["body"]["ArtifactKey"] for m in bucket.messages()) == sorted(ADDRESSED)


def test_an_object_with_bad_tags_is_logged_and_passed_over(initial_set, bucket, capsys):
    bucket.put("z/bad.bin", b"x", {"account": "everyone"})
    run_machine(initial_set, dict(START))
    assert "z/bad.bin" not in [m["body"]["ArtifactKey"] for m in bucket.messages()]
    logged = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (bad,) = [line for line in logged if line.get("key") == "z/bad.bin"]
    assert bad["level"] == "ERROR" and "account='everyone'" in bad["reason"]
    assert logged[-1]["refused"] == 1


def test_an_empty_bucket_ends_at_once(initial_set, distribution):
    assert run_machine(initial_set, dict(START)) == [START]
    assert distribution.messages() == []


def test_the_urls_never_reach_the_log(initial_set, bucket, capsys):
    run_machine(initial_set, dict(START))
    assert "X-Amz-" not in capsys.readouterr().out


def test_tokens_round_trip_any_key(initial_set):
    for key in ("a", "dir/file name+1.txt", "ünï/çødé", "x" * 1024):
        assert initial_set.key_of(initial_set.token_for(key)) == key


@pytest.mark.parametrize(
    ("event", "complaint"),
    [
        ({"AccountId": "1111", "Region": REGION}, "AccountId"),
        ({"AccountId": 111122223333, "Region": REGION}, "AccountId"),
        ({"Region": REGION}, "AccountId"),
        ({"AccountId": ACCOUNT, "Region": "Europe"}, "Region"),
        ({"AccountId": ACCOUNT}, "Region"),
        ({**START, "Extra": 1}, "unknown fields"),
        ({**START, "ContinuationToken": "%%%"}, "ContinuationToken"),
        ({**START, "ContinuationToken": ""}, "ContinuationToken"),
        ({**START, "ContinuationToken": 5}, "ContinuationToken"),
        ([ACCOUNT, REGION], "JSON object"),
    ],
)
def test_malformed_input_is_refused_before_any_work(initial_set, distribution, event, complaint):
    with pytest.raises(initial_set.InvalidInput, match=complaint):
        initial_set.handler(event, context())
    assert distribution.messages() == []
