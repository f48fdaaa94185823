"""Every place where the e2e harness reaches into moto's internals, each with the reason why.

Everything else in tests/e2e talks to moto only through its public AWS APIs over HTTP.
moto gaps the harness works around without internals (measured with moto 5.2.1):
- AWS::SNS::Subscription, AWS::SQS::QueuePolicy, AWS::S3::BucketPolicy and AWS::CloudWatch::Alarm
  are accepted but not created; `stack.py` creates the subscription from the template's own
  properties, and the flow needs none of the others (moto enforces no resource policies).
- moto's SQS event source mapping deletes the whole batch whenever the invocation succeeds,
  ignoring `batchItemFailures`; `lambda_runtime.py` disables it through the Lambda API and polls
  the queue itself, the way Lambda's event source mapping does.
- moto's SNS delivers to SQS only within one account (a subscription is stored with, and delivers
  through, the subscriber's account), so the simulated distributor's topic lives in the consumer's
  account, in the distributor's region; its role, state machine and bucket are in another account.
- AWS::Events::Rule and AWS::CloudWatch::Dashboard are created (the rule named by its logical id,
  the dashboard's body after Fn::Sub). moto's EventBridge enforces neither the rule's role nor the
  bus's resource policy; it delivers to targets while PutEvents runs; the events it delivers
  lack the `account` field, and one forwarded to another bus carries that bus's region, not the
  sender's. A PutEvents whose rule forwards to a bus that does not exist fails, so `consumer.py`
  creates the central bus before deploying a stack that forwards to it (`receipts.py`).
"""

from __future__ import annotations

import json
import queue
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from moto.awslambda.models import LambdaFunction

# moto warns for each resource type it accepts without creating; the gaps above are known.
MOTO_GAP_WARNINGS = pytest.mark.filterwarnings(
    "ignore:Tried to parse AWS.* but it's not supported by moto:UserWarning"
)


@dataclass(frozen=True)
class Invocation:
    """One event that moto would have sent to a deployed function."""

    function_arn: str
    event: dict


def capture_invocations(monkeypatch: pytest.MonkeyPatch) -> queue.Queue[Invocation]:
    """Make moto hand every Lambda invocation to the test instead of running it in Docker.

    Why internals: moto invokes a custom resource's function from a thread of its own, with an
    event (RequestId, ResponseURL, resolved ResourceProperties) that no public API exposes, and it
    can only run code in Docker, which this machine lacks. The moto server runs in this process,
    so replacing `LambdaFunction.invoke` captures that exact event; `lambda_runtime.py` then runs
    the deployed function's own code with it. The captured call reports a function error, so
    that moto's own SQS event source mapping, should it ever poll, never deletes a message.
    """
    captured: queue.Queue[Invocation] = queue.Queue()

    def invoke(function, body, request_headers, response_headers):  # moto's signature
        captured.put(Invocation(function.function_arn, json.loads(body) if body else {}))
        response_headers["x-amz-function-error"] = "Unhandled"
        return b""

    monkeypatch.setattr(LambdaFunction, "invoke", invoke)
    return captured


def local_response_url(response_url: str, endpoint: str) -> str:
    """The custom resource's ResponseURL with its scheme and host replaced by `endpoint`'s.

    Why: moto writes the ResponseURL for a function running in a Docker container
    (`http://host.docker.internal:5000/cloudformation_<region>/cfnresponse?stack=...`). The
    function runs in this process instead; path and query (which name the stack) stay moto's.
    """
    url, target = urlsplit(response_url), urlsplit(endpoint)
    return urlunsplit((target.scheme, target.netloc, url.path, url.query, url.fragment))


def deliver_response(moto_endpoint: str, path: str, body: bytes) -> None:
    """Hand a custom resource's response document to moto, which then completes the stack.

    Why: moto's cfnresponse handler looks the stack up in the region it parses from the request's
    host (`.<region>.amazonaws.com`) or User-Agent (`region/<name>`), else in us-east-1. A
    loopback host names no region, so the User-Agent carries the stack's, taken from the stack
    ARN that moto itself put in the ResponseURL's query.
    """
    url = f"{moto_endpoint}{path}"
    stack_arn = parse_qs(urlsplit(url).query)["stack"][0]
    region = stack_arn.split(":")[3]
    answer = requests.put(
        url,
        data=body,
        headers={"Content-Type": "", "User-Agent": f"e2e region/{region}"},
        timeout=10,
    )
    assert answer.status_code == 200, f"moto refused the response: {answer.text[:500]}"
