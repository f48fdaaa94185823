"""Run a deployed function's own code in this process, and feed it from SQS like Lambda does.

moto stores functions but can only run them in Docker. Here the code is the `Code.ZipFile` of the
template the stack was created from, and the environment is the one CloudFormation resolved for
the function (GetFunctionConfiguration), plus what the Lambda runtime itself sets.
"""

from __future__ import annotations

import io
import json
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import boto3

from testkit.lambda_context import LambdaContext

HANDLER = "index.handler"  # ARCHITECTURE.md: both functions are index.handler from Code.ZipFile


@contextmanager
def environment(variables: dict[str, str]) -> Iterator[None]:
    """Set `variables` in os.environ for the block, then restore exactly what was there."""
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class DeployedFunction:
    """A function of a deployed stack: its code from the stack's template, its resolved config."""

    code: str
    configuration: dict
    endpoint: str
    _module: ModuleType | None = None
    logs: list[dict] = field(default_factory=list)  # the JSON lines of the last invocation

    @classmethod
    def of_stack(cls, stack: Any, logical_id: str) -> DeployedFunction:
        """The function `logical_id` of `stack` (a `stack.Stack`)."""
        name = stack.physical_id(logical_id)
        configuration = boto3.client("lambda").get_function_configuration(FunctionName=name)
        assert configuration["Handler"] == HANDLER
        code = stack.template["Resources"][logical_id]["Properties"]["Code"]["ZipFile"]
        return cls(code=code, configuration=configuration, endpoint=stack.endpoint)

    @property
    def arn(self) -> str:
        return self.configuration["FunctionArn"]

    @property
    def environment(self) -> dict[str, str]:
        """CloudFormation's resolved variables plus those the Lambda runtime sets."""
        config = self.configuration
        region = self.arn.split(":")[3]
        # moto keeps a Ref to a Number parameter as a number; Lambda's variables are strings.
        variables = config.get("Environment", {}).get("Variables", {})
        return {
            **{name: str(value) for name, value in variables.items()},
            "AWS_REGION": region,
            "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": config["FunctionName"],
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(config["MemorySize"]),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            # Stands in for the regional AWS endpoints a real function reaches.
            "AWS_ENDPOINT_URL": self.endpoint,
        }

    def invoke(self, event: dict) -> Any:
        """Run `index.handler(event, context)` like a warm Lambda container would."""
        config = self.configuration
        context = LambdaContext(
            config["Timeout"],
            function_name=config["FunctionName"],
            invoked_function_arn=self.arn,
            memory_limit_in_mb=config["MemorySize"],
        )
        printed = io.StringIO()
        try:
            with environment(self.environment), redirect_stdout(printed):
                return self._index().handler(event, context)
        finally:
            lines = printed.getvalue().splitlines()
            self.logs = [json.loads(line) for line in lines if line.startswith("{")]

    def _index(self) -> ModuleType:
        if self._module is None:  # imported once, inside the function's environment
            module = ModuleType("index")
            module.__file__ = "index.py"
            exec(compile(self.code, "index.py", "exec"), module.__dict__)
            self._module = module
        return self._module


@dataclass
class QueuePoller:
    """Lambda's SQS event source mapping, driven by the test with the deployed mapping's settings.

    It receives batches of up to BatchSize, invokes the function, and deletes the messages the
    invocation succeeded for: with ReportBatchItemFailures, all but the reported ones; without
    it, the whole batch. A function error, or a response naming a message not in the batch,
    fails the whole batch. Failed messages stay, and the queue's redrive policy moves them to the
    dead-letter queue after maxReceiveCount receives.

    Time is simulated: the queue's visibility timeout is 0, a failed message the function hid
    (its log line's `retryIn`, applied by SQS: a hidden message is not received) waits on a
    virtual clock, and when nothing is visible the clock jumps to the next one due, which is
    made visible. `receives` keeps each message's receive times on that clock; `early` any
    message received before it was due.
    """

    mapping: dict
    function: DeployedFunction
    queue_url: str
    deliveries: Counter = field(default_factory=Counter)  # receives by message id
    bodies: set[str] = field(default_factory=set)  # every body the function was given
    errors: list[Exception] = field(default_factory=list)
    clock: float = 0.0  # virtual seconds since the first poll
    hidden: dict[str, tuple[float, str]] = field(default_factory=dict)  # id: (due, handle)
    receives: dict[str, list[float]] = field(default_factory=dict)  # id: virtual receive times
    retries: dict[str, list[int | None]] = field(default_factory=dict)  # id: logged retryIn
    early: list[str] = field(default_factory=list)
    crash: set[int] = field(default_factory=set)  # polls whose invocation fails as a whole
    polls: int = 0

    @classmethod
    def of_stack(cls, stack: Any, logical_id: str) -> QueuePoller:
        """The event source mapping `logical_id` of `stack`, its queue retried without delay."""
        mapping = boto3.client("lambda").get_event_source_mapping(
            UUID=stack.physical_id(logical_id)
        )
        function = DeployedFunction.of_stack(stack, stack.function_with_arn(mapping["FunctionArn"]))
        sqs = boto3.client("sqs")
        _, _, _, _, owner, name = mapping["EventSourceArn"].split(":")
        queue_url = sqs.get_queue_url(QueueName=name, QueueOwnerAWSAccountId=owner)["QueueUrl"]
        # The deployed visibility timeout (6 x 900 s) would make each retry wait 90 minutes.
        sqs.set_queue_attributes(QueueUrl=queue_url, Attributes={"VisibilityTimeout": "0"})
        return cls(mapping=mapping, function=function, queue_url=queue_url)

    def poll(self) -> int:
        """One receive-invoke-delete round; returns how many messages it received."""
        sqs = boto3.client("sqs")
        messages = sqs.receive_message(
            QueueUrl=self.queue_url,
            MaxNumberOfMessages=self.mapping["BatchSize"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        self.deliveries.update(m["MessageId"] for m in messages)
        self.bodies.update(m["Body"] for m in messages)
        for message in messages:
            due, _ = self.hidden.pop(message["MessageId"], (0.0, ""))
            if due > self.clock:
                self.early.append(message["MessageId"])
            self.receives.setdefault(message["MessageId"], []).append(self.clock)
        self.polls += 1
        failed = self._failed(messages) if messages else set()
        for message in messages:
            if message["MessageId"] not in failed:
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        self._note_retries(messages, failed)
        return len(messages)

    def drain(self, max_polls: int = 100) -> None:
        """Poll until the queue is empty: every message deleted or moved to the DLQ."""
        for _ in range(max_polls):
            if self.poll() == 0 and not self._wake_next() and self._queue_empty():
                return
        raise AssertionError(f"queue not drained after {max_polls} polls")

    def _note_retries(self, messages: list[dict], failed: set[str]) -> None:
        """Hide on the virtual clock each failed message the function set a next try for."""
        logged = {line["messageId"]: line for line in self.function.logs if "messageId" in line}
        for message in messages:
            retry_in = logged.get(message["MessageId"], {}).get("retryIn")
            if message["MessageId"] in failed:
                self.retries.setdefault(message["MessageId"], []).append(retry_in)
            if message["MessageId"] in failed and retry_in:
                due = self.clock + retry_in
                self.hidden[message["MessageId"]] = (due, message["ReceiptHandle"])

    def _wake_next(self) -> bool:
        """Move the clock to the next hidden message's due time and make those due visible."""
        if not self.hidden:
            return False
        self.clock = max(self.clock, min(due for due, _ in self.hidden.values()))
        sqs = boto3.client("sqs")
        for _, (due, handle) in list(self.hidden.items()):
            if due <= self.clock:
                sqs.change_message_visibility(
                    QueueUrl=self.queue_url, ReceiptHandle=handle, VisibilityTimeout=0
                )
        return True

    def _failed(self, messages: list[dict]) -> set[str]:
        """Ids of the messages the invocation did not succeed for."""
        batch = {m["MessageId"] for m in messages}
        try:
            if self.polls in self.crash:  # as when the invocation runs out of time
                self.function.logs = []
                raise TimeoutError(f"poll {self.polls}: the invocation timed out")
            response = self.function.invoke(self._event(messages))
        except Exception as error:
            self.errors.append(error)
            return batch
        if "ReportBatchItemFailures" not in self.mapping.get("FunctionResponseTypes", []):
            return set()
        failed = {f.get("itemIdentifier") for f in (response or {}).get("batchItemFailures", [])}
        return failed if failed <= batch else batch

    def _event(self, messages: list[dict]) -> dict:
        region = self.mapping["EventSourceArn"].split(":")[3]
        return {"Records": [self._record(m, region) for m in messages]}

    def _record(self, message: dict, region: str) -> dict:
        attributes = {
            name: {"stringValue": value.get("StringValue"), "dataType": value["DataType"]}
            for name, value in message.get("MessageAttributes", {}).items()
        }
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": attributes,
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.mapping["EventSourceArn"],
            "awsRegion": region,
        }

    def _queue_empty(self) -> bool:
        names = ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
        attributes = boto3.client("sqs").get_queue_attributes(
            QueueUrl=self.queue_url, AttributeNames=names
        )["Attributes"]
        return all(attributes[name] == "0" for name in names)
