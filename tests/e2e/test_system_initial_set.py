"""An initial set larger than one listing page and one function run, end to end on moto.

GIVEN the distributor holding 1,050 artifacts for everyone and 20 for another account, and an
 InitialSetFunction whose timeout leaves it about two seconds of work per run
WHEN a new consumer is deployed (its trigger starts InitialDistributionSetMachine, which loops
 over the function while it returns a ContinuationToken)
THEN the consumer holds exactly the 1,050 artifacts for everyone, each once, byte for byte, and
 the receipt log group has a receipt for each.
"""

from __future__ import annotations

import time

import boto3
import pytest

from tests.e2e.moto_glue import MOTO_GAP_WARNINGS
from tests.e2e.system import LATE_CONSUMER, launched

pytestmark = [pytest.mark.e2e, MOTO_GAP_WARNINGS]

FOR_EVERYONE = 1_050  # more than S3 lists in one page (1,000)
ELSEWHERE = 20
# InitialSetFunction stops when less than its STOP_MARGIN_MS (60 s) is left: a 62 s timeout
# leaves about 2 s of work per run, so the set takes many runs of the loop.
SHORT_TIMEOUT = 62


def content(index: int) -> bytes:
    return f"artifact {index:04d}\n".encode() * 8


@pytest.fixture(scope="module")
def bulk(moto_endpoint, tmp_path_factory):
    """The system after a late consumer received a 1,050-artifact initial set; the seconds."""
    with launched(moto_endpoint, tmp_path_factory.mktemp("bulk")) as system:
        system.put_all(
            [(f"bulk/{i:04d}.bin", content(i), None) for i in range(FOR_EVERYONE)]
            + [
                (f"elsewhere/{i:02d}.bin", b"x", {"account": "111111111111"})
                for i in range(ELSEWHERE)
            ]
        )
        # Announced before any consumer exists, these reach no one: the initial set is what
        # brings them to the new consumer, so the publisher's runs are left out here.
        while not system.deliveries.empty():
            system.deliveries.get_nowait()
        with system.distributor_account():
            boto3.client("lambda").update_function_configuration(
                FunctionName=system.distributor.physical_id("InitialSetFunction"),
                Timeout=SHORT_TIMEOUT,
            )
        started = time.monotonic()
        system.deploy_consumer(*LATE_CONSUMER)
        system.drain()
        yield system, time.monotonic() - started


def test_the_new_consumer_holds_exactly_the_artifacts_for_everyone(bulk):
    system, seconds = bulk
    held = system.held(*LATE_CONSUMER)
    assert len(held) == FOR_EVERYONE
    assert held == {f"bulk/{i:04d}.bin": content(i) for i in range(FOR_EVERYONE)}
    print(f"initial set of {FOR_EVERYONE} artifacts: {seconds:.0f} s, pages {system.pages}")


def test_the_set_took_many_runs_of_the_loop_and_each_artifact_went_out_once(bulk):
    system, _ = bulk
    (runs,) = system.pages  # one execution
    assert runs > 2
    poller = system.pollers[LATE_CONSUMER]
    assert len(poller.deliveries) == FOR_EVERYONE  # one message per artifact
    assert set(poller.deliveries.values()) == {1}  # each received once: none failed


def test_every_artifact_has_its_receipt_in_the_log_group(bulk):
    system, _ = bulk
    keys = [event["detail"]["key"] for event in system.receipts()]
    assert sorted(keys) == [f"bulk/{i:04d}.bin" for i in range(FOR_EVERYONE)]
