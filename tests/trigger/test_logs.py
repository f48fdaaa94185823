"""Logs: one JSON object per line, naming the request, never carrying a credential."""

from __future__ import annotations

import json

import pytest

from tests.trigger.conftest import (
    DISTRIBUTION_REGION,
    MACHINE,
    PRESIGNED_SIGNATURE,
    PRESIGNED_TOKEN,
)
from tests.trigger.servers import sfn_error, sfn_started, sts_credentials

KEY_ID, SECRET, TOKEN = "ASIATRIGGERKEYID0001", "trigger-secret-key-0001", "trigger-session-token"
NEVER_LOGGED = (SECRET, TOKEN, PRESIGNED_TOKEN, PRESIGNED_SIGNATURE, "X-Amz-")


@pytest.fixture
def create(initial_set_trigger, fake_aws, cfn_event, context, capsys):
    """Factory: run a Create with STS handing out known credentials and SFN answering `reply`;
    returns the event, the SFN calls and the raw log lines.
    """

    def run(reply) -> tuple:
        fake_aws("STS", sts_credentials(KEY_ID, SECRET, TOKEN))
        sfn = fake_aws("SFN", reply)
        event = cfn_event("Create")
        initial_set_trigger.handler(event, context())
        return event, sfn.requests, capsys.readouterr().out.splitlines()

    return run


def test_calls_use_the_assumed_role_and_logs_do_not_show_its_credentials(create, response_server):
    # GIVEN STS hands out known credentials for the distributor's role
    # WHEN a Create succeeds
    event, calls, lines = create(sfn_started(f"{MACHINE.replace('stateMachine', 'execution')}:x"))

    # THEN StartExecution was signed with them, for the distribution region
    [call] = calls
    assert f"Credential={KEY_ID}/" in call.headers["Authorization"]
    assert f"/{DISTRIBUTION_REGION}/states/aws4_request" in call.headers["Authorization"]
    assert call.headers["X-Amz-Security-Token"] == TOKEN
    assert response_server.answers[0]["Status"] == "SUCCESS"
    # AND every log line is a JSON object naming the request, and no line holds a secret
    records = [json.loads(line) for line in lines]
    assert [r["message"] for r in records] == ["request received", "answering", "answer sent"]
    assert all(r["RequestId"] == event["RequestId"] for r in records)
    assert records[0]["event"] == {k: v for k, v in event.items() if k != "ResponseURL"}
    assert all(r["level"] in ("INFO", "WARNING", "ERROR") for r in records)
    assert not [line for line in lines for secret in NEVER_LOGGED if secret in line]


def test_failure_logs_do_not_show_credentials_either(create, response_server):
    # GIVEN Step Functions denies the assumed role
    # WHEN a Create fails
    denied = sfn_error("AccessDeniedException", "not authorized to perform states:StartExecution")
    _, _, lines = create(denied)

    # THEN the failure is logged as an ERROR with its reason, and without a secret
    records = [json.loads(line) for line in lines]
    [answering] = [r for r in records if r["message"] == "answering"]
    assert answering["level"] == "ERROR"
    assert answering["reason"] == response_server.answers[0]["Reason"]
    assert answering["reason"].endswith(
        f"(this function's role) and allow states:StartExecution on {MACHINE}"
    )
    assert not [line for line in lines for secret in NEVER_LOGGED if secret in line]


P_TOKEN, P_SIGNATURE = PRESIGNED_TOKEN, PRESIGNED_SIGNATURE  # short names, for the table
HOSTILE_QUERIES = {  # a ResponseURL's query that http.client refuses or S3 would not make
    "CR/LF": f"X-Amz-Security-Token={P_TOKEN}\r\nX-Injected: 1&X-Amz-Signature={P_SIGNATURE}",
    "space": f"X-Amz-Security-Token={P_TOKEN} &X-Amz-Signature={P_SIGNATURE}",
    "tab": f"X-Amz-Security-Token={P_TOKEN}\t&X-Amz-Signature={P_SIGNATURE}",
    "non-ASCII": f"X-Amz-Security-Token={P_TOKEN}é&X-Amz-Signature=ü{P_SIGNATURE}",
    "quotes, backslash": f"X-Amz-Security-Token='{P_TOKEN}\\\r&X-Amz-Signature=\"{P_SIGNATURE}",
    "encoded CR/LF": f"X-Amz-Security-Token={P_TOKEN}%0d%0aX:%201&X-Amz-Signature={P_SIGNATURE}",
    "very long": f"X-Amz-Security-Token={P_TOKEN * 400}\r\n&X-Amz-Signature={P_SIGNATURE * 100}",
}


def lines_of_delete(trigger, cfn_event, context, capsys, response_url: str, **fields) -> list:
    """The raw log lines of a Delete (no AWS call) answered to `response_url`."""
    trigger.handler(cfn_event("Delete", ResponseURL=response_url, **fields), context())
    return capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("query", HOSTILE_QUERIES.values(), ids=HOSTILE_QUERIES.keys())
def test_no_log_line_shows_any_part_of_a_hostile_response_urls_query(
    initial_set_trigger, response_server, cfn_event, context, capsys, query
):
    # GIVEN a ResponseURL whose query carries characters that urllib puts into its exceptions
    url = f"{response_server.url}/cloudformation-custom-resource-response/x?{query}"

    # WHEN the trigger answers a request with it (and the PUT fails, or not)
    lines = lines_of_delete(initial_set_trigger, cfn_event, context, capsys, url)

    # THEN the trigger tried, and said how it ended, in JSON lines
    records = [json.loads(line) for line in lines]
    assert {"answer sent", "gave up sending the answer"} & {r["message"] for r in records}
    # AND no line holds a part of the query, whatever exception text carried it
    assert not [line for line in lines for secret in (P_TOKEN, P_SIGNATURE) if secret in line]
    # AND a failed PUT still says what failed, with the URL's parts replaced
    for failure in [r for r in records if r["message"] == "answer PUT failed"]:
        assert failure["error"].startswith(("InvalidURL(", "UnicodeEncodeError("))
        assert "[redacted]" in failure["error"]


def test_a_response_url_copied_into_another_field_is_redacted_there_too(
    initial_set_trigger, response_server, cfn_event, context, capsys
):
    # GIVEN a request whose RequestType is its own presigned ResponseURL
    event = cfn_event("Delete")
    event["RequestType"] = event["ResponseURL"]

    # WHEN the trigger answers it
    initial_set_trigger.handler(event, context())

    # THEN the request and the FAILED reason are logged without the URL's path and query
    lines = capsys.readouterr().out.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["message"] for r in records] == ["request received", "answering", "answer sent"]
    assert records[1]["reason"].startswith("reading the request failed: unknown RequestType ")
    assert not [line for line in lines for secret in NEVER_LOGGED if secret in line]
    # AND CloudFormation's answer (not a log) still names what was wrong
    assert P_TOKEN in response_server.answers[0]["Reason"]


def test_a_response_url_too_long_to_be_cloudformations_is_refused_unlogged(
    initial_set_trigger, response_server, cfn_event, context, capsys
):
    # GIVEN a ResponseURL of 20,000 characters (CloudFormation's are far shorter)
    url = f"{response_server.url}/response?X-Amz-Security-Token={P_TOKEN * 1500}"

    # WHEN the trigger is invoked with it
    [line] = lines_of_delete(initial_set_trigger, cfn_event, context, capsys, url)

    # THEN it refuses the request in one line that holds no part of the URL, and PUTs nothing
    assert json.loads(line)["message"] == "not a custom resource request: ResponseURL over 8192"
    assert P_TOKEN not in line
    assert response_server.requests == []
