"""A ResponseURL that answers slowly, or never, does not keep the function past its time.

What the trigger may spend on its answer is measured against the Lambda context's own clock:
the handler must have returned while the context still has time left.
"""

from __future__ import annotations

import json

import pytest

from tests.trigger.conftest import (
    PRESIGNED_QUERY,
    PRESIGNED_SIGNATURE,
    PRESIGNED_TOKEN,
    PUT_ATTEMPTS,
)
from tests.trigger.logs import WAIT, raw_lines_until
from tests.trigger.servers import DripServer, SilentServer, SlowReader

SECRETS = (PRESIGNED_TOKEN, PRESIGNED_SIGNATURE)
RESPONSE_BYTES = 56  # of DripServer's 200


@pytest.fixture
def drip_server():
    """Sends its 200 over about 3.9 s: longer than the function's 3 s."""
    server = DripServer(interval=3.9 / RESPONSE_BYTES)
    yield server
    server.close()


@pytest.fixture(params=["silent", "slow reader"])
def mute_server(request):
    """A ResponseURL that never answers: it reads nothing, or the PUT a byte every 0.1 s."""
    server = SilentServer() if request.param == "silent" else SlowReader(interval=0.1)
    yield server
    server.close()


def run_delete(trigger, server, cfn_event, context) -> int:
    """Answer a Delete (no AWS call) to `server` with 3 s left; the milliseconds left after it."""
    lambda_context = context(3)
    trigger.handler(
        cfn_event("Delete", ResponseURL=f"{server.url}/r?{PRESIGNED_QUERY}"), lambda_context
    )
    return lambda_context.get_remaining_time_in_millis()


def test_a_response_url_dripping_its_answer_is_left_before_the_deadline_and_sent_once(
    initial_set_trigger, drip_server, cfn_event, context, capsys
):
    # GIVEN a ResponseURL that reads the PUT, then sends its 200 a byte at a time, for longer
    # than the function's time
    # WHEN the trigger answers with 3 s left
    left = run_delete(initial_set_trigger, drip_server, cfn_event, context)

    # THEN the handler returned before the function's time ran out, the 200 still dripping
    assert left > 0
    assert not drip_server.done.is_set()
    # AND once the 200 is complete, the PUT counts as sent: one PUT, never a second attempt
    assert drip_server.done.wait(WAIT)
    lines = raw_lines_until(capsys, "answer sent")
    assert [put.json()["Status"] for put in drip_server.requests] == ["SUCCESS"]
    assert [json.loads(line)["message"] for line in lines] == [
        "request received",
        "answering",
        "answer still being sent at the deadline: returning",
        "answer sent",
    ]
    assert not [line for line in lines for secret in SECRETS if secret in line]


def test_a_response_url_that_never_answers_is_left_before_the_deadline(
    initial_set_trigger, mute_server, cfn_event, context, capsys
):
    # GIVEN a ResponseURL that accepts the connection and never answers
    # WHEN the trigger answers with 3 s left
    left = run_delete(initial_set_trigger, mute_server, cfn_event, context)

    # THEN the handler returned before the function's time ran out
    assert left > 0
    # AND the time, not the attempt count, ended the retries; the trigger says it gave up
    lines = raw_lines_until(capsys, "gave up sending the answer")
    assert 1 <= len(mute_server.connections) < PUT_ATTEMPTS
    records = [json.loads(line) for line in lines]
    assert [r["message"] for r in records].count("gave up sending the answer") == 1
    assert all("timed out" in r["error"] for r in records if "error" in r)
    assert not [line for line in lines for secret in SECRETS if secret in line]
