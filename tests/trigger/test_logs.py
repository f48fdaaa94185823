"""Logs: one JSON object per line, naming the request, never carrying a credential."""

from __future__ import annotations

import json

from tests.trigger.conftest import DISTRIBUTION_REGION, MACHINE
from tests.trigger.servers import sfn_error, sfn_started, sts_credentials

KEY_ID, SECRET, TOKEN = "ASIATRIGGERKEYID0001", "trigger-secret-key-0001", "trigger-session-token"
NEVER_LOGGED = (SECRET, TOKEN, "PRESIGNEDTOKEN", "PRESIGNEDSIGNATURE", "X-Amz-")


def run(initial_set_trigger, fake_aws, cfn_event, context, capsys, sfn_reply) -> tuple:
    """Run a Create with STS handing out known credentials; return the SFN calls and log lines."""
    fake_aws("STS", sts_credentials(KEY_ID, SECRET, TOKEN))
    sfn = fake_aws("SFN", sfn_reply)
    event = cfn_event("Create")
    initial_set_trigger.handler(event, context())
    return event, sfn.requests, capsys.readouterr().out.splitlines()


def test_calls_use_the_assumed_role_and_logs_do_not_show_its_credentials(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, capsys
):
    # GIVEN STS hands out known credentials for the distributor's role
    # WHEN a Create succeeds
    event, calls, lines = run(
        initial_set_trigger,
        fake_aws,
        cfn_event,
        context,
        capsys,
        sfn_started(f"{MACHINE.replace('stateMachine', 'execution')}:x"),
    )

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


def test_failure_logs_do_not_show_credentials_either(
    initial_set_trigger, fake_aws, response_server, cfn_event, context, capsys
):
    # GIVEN Step Functions denies the assumed role
    # WHEN a Create fails
    _, _, lines = run(
        initial_set_trigger,
        fake_aws,
        cfn_event,
        context,
        capsys,
        sfn_error("AccessDeniedException", "not authorized to perform states:StartExecution"),
    )

    # THEN the failure is logged as an ERROR with its reason, and without a secret
    records = [json.loads(line) for line in lines]
    [answering] = [r for r in records if r["message"] == "answering"]
    assert answering["level"] == "ERROR"
    assert answering["reason"] == response_server.answers[0]["Reason"]
    assert answering["reason"].endswith(
        f"(this function's role) and allow states:StartExecution on {MACHINE}"
    )
    assert not [line for line in lines for secret in NEVER_LOGGED if secret in line]
