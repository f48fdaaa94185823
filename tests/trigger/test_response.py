"""The answer: a PUT with an empty Content-Type, retried a bounded number of times."""

from __future__ import annotations

import pytest

from tests.trigger.conftest import PUT_ATTEMPTS, answer
from tests.trigger.logs import log_lines


def test_failed_puts_are_retried_with_the_same_body(
    initial_set_trigger, response_server, cfn_event, context, capsys
):
    # GIVEN CloudFormation's endpoint fails the first two PUTs with 503
    response_server.fail_first = 2
    event = cfn_event("Delete")

    # WHEN the trigger answers
    initial_set_trigger.handler(event, context())

    # THEN the third PUT carries the same answer and is accepted
    bodies = [put.body for put in response_server.requests]
    assert len(bodies) == 3
    assert bodies[0] == bodies[1] == bodies[2]
    assert response_server.answers == [answer(event, "SUCCESS")]
    assert all(put.headers["Content-Type"] == "" for put in response_server.requests)
    # AND each failure was logged
    puts = [
        (line["level"], line["message"], line["attempt"])
        for line in log_lines(capsys)
        if "attempt" in line
    ]
    assert puts == [
        ("WARNING", "answer PUT failed", 1),
        ("WARNING", "answer PUT failed", 2),
        ("INFO", "answer sent", 3),
    ]


def test_puts_are_never_retried_forever(
    initial_set_trigger, response_server, cfn_event, context, capsys
):
    # GIVEN CloudFormation's endpoint fails every PUT
    response_server.fail_first = 100

    # WHEN the trigger answers
    initial_set_trigger.handler(cfn_event("Delete"), context())

    # THEN it stops after a bounded number of attempts and says it gave up
    assert len(response_server.requests) == PUT_ATTEMPTS
    assert log_lines(capsys)[-1]["message"] == "gave up sending the answer"


@pytest.mark.parametrize("url", [None, "file:///etc/passwd", "ftp://127.0.0.1/x"])
def test_a_request_without_an_http_response_url_is_logged_not_answered(
    initial_set_trigger, cfn_event, context, capsys, url
):
    # GIVEN an event that is not a CloudFormation request
    event = cfn_event("Create", ResponseURL=url)

    # WHEN the trigger is invoked with it
    initial_set_trigger.handler(event, context())

    # THEN it says so in the log and does nothing else
    [line] = log_lines(capsys)
    assert line["level"] == "ERROR"
    assert line["message"] == "not a custom resource request: no http(s) ResponseURL"
