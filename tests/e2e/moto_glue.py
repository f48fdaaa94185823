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
The distributor's whole-system run (`system.py`) meets three more:
- moto's SNS delivers a topic's messages only to subscriptions made by the topic's own account;
  a consumer's subscription lives with the consumer's account. `deliver_across_accounts` hands
  each message to the other accounts' subscriptions of the topic too (moto's own filter policy
  and delivery code decide the rest).
- moto's EventBridge raises NotImplementedError for a Lambda target, which S3's notification
  code swallows, so `Object Created` reaches no function; `capture_rule_deliveries` hands those
  (rule matched by moto) to the test, which runs the deployed function's own code with them.
- moto's CloudFormation applies neither a bucket's
  NotificationConfiguration.EventBridgeConfiguration nor its VersioningConfiguration;
  `system.py` switches both on through the S3 API, which moto honours (and moto answers
  HeadObject with versionId=null, S3's id of an unversioned object, with 400). A Ref to a
  Number parameter reaches a function's environment as a number, which
  `lambda_runtime.py` turns into the string Lambda gives.
"""

from __future__ import annotations

import copy
import json
import queue
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit, urlunsplit

import pytest
import requests
from moto.awslambda.models import LambdaFunction
from moto.events.models import Rule
from moto.sns.models import Topic, sns_backends

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
    ARN that moto itself put in the ResponseURL's query; the account, likewise, goes in moto's
    `x-moto-account-id` header (the whole-system run deploys stacks in several accounts).
    """
    url = f"{moto_endpoint}{path}"
    stack_arn = parse_qs(urlsplit(url).query)["stack"][0]
    region, account = stack_arn.split(":")[3:5]
    # The PUT carries no credentials; moto takes the stack's account from its own header.
    headers = {
        "Content-Type": "",
        "User-Agent": f"e2e region/{region}",
        "x-moto-account-id": account,
    }
    answer = requests.put(url, data=body, headers=headers, timeout=10)
    assert answer.status_code == 200, f"moto refused the response: {answer.text[:500]}"


def capture_rule_deliveries(monkeypatch: pytest.MonkeyPatch) -> queue.Queue[Invocation]:
    """Hand the test every event an EventBridge rule would deliver to a Lambda target.

    Why internals: moto's rule delivery has no Lambda target (see above). The rule still matches
    with moto's own pattern code; its other targets (queues, log groups, buses) get the event
    from moto as before.
    """
    captured: queue.Queue[Invocation] = queue.Queue()
    original = Rule.send_to_targets

    def send_to_targets(self, original_event, transform_input=True):  # moto's signature
        if not self.event_pattern.matches_event(original_event):
            return
        functions = [t for t in self.targets if t["Arn"].split(":")[2] == "lambda"]
        for target in functions:
            captured.put(Invocation(target["Arn"], copy.deepcopy(original_event)))
        others = [t for t in self.targets if t not in functions]
        if others:
            saved, self.targets = self.targets, others
            try:
                original(self, original_event, transform_input)
            finally:
                self.targets = saved

    monkeypatch.setattr(Rule, "send_to_targets", send_to_targets)
    return captured


def deliver_across_accounts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let a topic deliver to the subscriptions other accounts made to it, as SNS does.

    Why internals: moto keeps a subscription with the subscribing account's SNS backend and a
    topic publishes only to its own account's subscriptions (see above).
    """
    original = Topic.publish

    def publish(self, message, subject=None, message_attributes=None, group_id=None,
                deduplication_id=None, message_structure=None):  # fmt: skip
        options = {
            "subject": subject,
            "message_attributes": message_attributes,
            "group_id": group_id,
            "deduplication_id": deduplication_id,
            "message_structure": message_structure,
        }
        message_id = original(self, message, **options)
        for account_id, regions in list(sns_backends.items()):
            if account_id == self.account_id:
                continue
            for backend in list(regions.values()):
                for subscription in list(backend.subscriptions.values()):
                    if subscription.topic.arn == self.arn:
                        subscription.publish(message, message_id, **options)
        return message_id

    monkeypatch.setattr(Topic, "publish", publish)
