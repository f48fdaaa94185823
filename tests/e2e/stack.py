"""Deploy the emitted template on moto's CloudFormation and fill in what moto leaves undone.

The harness plays the parts moto cannot: it runs custom resources' functions in-process, and it
creates the SNS subscription from the template's own (resolved) properties. CloudFormation
creates resources in parallel unless one depends on another, so a subscription the custom
resource does not depend on is created only after the custom resource has run (the worst case).
"""

from __future__ import annotations

import json
import queue
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import boto3

from tests.e2e.lambda_runtime import DeployedFunction
from tests.e2e.moto_glue import Invocation, deliver_response, local_response_url
from tests.support.response_url import ResponseServer

SUBSCRIPTION = "AWS::SNS::Subscription"
CUSTOM_RESOURCE = re.compile(r"^(Custom::.+|AWS::CloudFormation::CustomResource)$")
SUBSCRIPTION_ATTRIBUTES = {  # CloudFormation property -> SNS subscription attribute
    "DeliveryPolicy",
    "FilterPolicy",
    "FilterPolicyScope",
    "RawMessageDelivery",
    "RedrivePolicy",
    "ReplayPolicy",
    "SubscriptionRoleArn",
}
NO_VALUE = object()  # what Ref AWS::NoValue resolves to: the property is left out
INVOCATION_TIMEOUT = 10  # seconds moto takes at most to invoke a custom resource's function


@dataclass
class Stack:
    """A stack as deployed: its template, parameters, outputs and physical resources."""

    stack_id: str
    template: dict
    parameters: dict[str, str]
    endpoint: str

    @classmethod
    def load(cls, stack_id: str, endpoint: str) -> Stack:
        """The stack `stack_id` with the template and parameters CloudFormation holds for it."""
        cfn = boto3.client("cloudformation")
        template = cfn.get_template(StackName=stack_id)["TemplateBody"]
        if isinstance(template, str):
            template = json.loads(template)
        described = cfn.describe_stacks(StackName=stack_id)["Stacks"][0]
        parameters = {p["ParameterKey"]: p["ParameterValue"] for p in described["Parameters"]}
        return cls(stack_id, template, parameters, endpoint)

    @property
    def account(self) -> str:
        return self.stack_id.split(":")[4]

    @property
    def region(self) -> str:
        return self.stack_id.split(":")[3]

    def describe(self) -> dict:
        """DescribeStacks of this stack: status, parameters, outputs."""
        return boto3.client("cloudformation").describe_stacks(StackName=self.stack_id)["Stacks"][0]

    def outputs(self) -> dict[str, str]:
        """The stack's outputs by key."""
        return {o["OutputKey"]: o["OutputValue"] for o in self.describe().get("Outputs", [])}

    def resources(self) -> dict[str, dict]:
        """Resource summaries by logical id (moto lists resources it did not create unnamed)."""
        pages = boto3.client("cloudformation").get_paginator("list_stack_resources")
        summaries = [
            s
            for page in pages.paginate(StackName=self.stack_id)
            for s in page["StackResourceSummaries"]
        ]
        return {s["LogicalResourceId"]: s for s in summaries if s["LogicalResourceId"]}

    def physical_id(self, logical_id: str) -> str:
        """The physical id CloudFormation gave resource `logical_id`."""
        return self.resources()[logical_id]["PhysicalResourceId"]

    def of_type(self, resource_type: str | re.Pattern) -> list[str]:
        """Logical ids of the template's resources of one type."""
        match = (
            re.compile(re.escape(resource_type))
            if isinstance(resource_type, str)
            else resource_type
        )
        return [
            lid
            for lid, resource in self.template["Resources"].items()
            if match.fullmatch(resource["Type"])
        ]

    def function_with_arn(self, arn: str) -> str:
        """Logical id of the template's function whose ARN is `arn`."""
        functions = self.of_type("AWS::Lambda::Function")
        return next(f for f in functions if self.resolve({"Fn::GetAtt": [f, "Arn"]}) == arn)

    def resolve(self, value: Any) -> Any:
        """`value` with intrinsic functions resolved for this stack, as CloudFormation would."""
        if isinstance(value, list):
            return [r for r in map(self.resolve, value) if r is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1 and (intrinsic := next(iter(value))) in self._intrinsics:
            return self._intrinsics[intrinsic](value[intrinsic])
        if any(key.startswith("Fn::") for key in value):
            raise NotImplementedError(f"the e2e harness cannot resolve {value}")
        resolved = {key: self.resolve(item) for key, item in value.items()}
        return {key: item for key, item in resolved.items() if item is not NO_VALUE}

    @property
    def _intrinsics(self) -> dict[str, Callable[[Any], Any]]:
        return {
            "Ref": self._ref,
            "Fn::GetAtt": lambda args: self._get_att(*args),
            "Fn::If": lambda args: self.resolve(args[1] if self.condition(args[0]) else args[2]),
            "Fn::Sub": self._sub,
            "Fn::Equals": lambda args: self.resolve(args[0]) == self.resolve(args[1]),
            "Fn::Or": lambda args: any(map(self.resolve, args)),
            "Fn::And": lambda args: all(map(self.resolve, args)),
            "Fn::Not": lambda args: not self.resolve(args[0]),
            "Condition": self.condition,
        }

    def condition(self, name: str) -> bool:
        """Whether the template's condition `name` holds for this stack's parameters."""
        return bool(self.resolve(self.template["Conditions"][name]))

    def _sub(self, args: str | list) -> str:
        text, variables = (args, {}) if isinstance(args, str) else args
        values = {name: self.resolve(value) for name, value in variables.items()}

        def value(match: re.Match) -> str:
            name = match.group(1)
            if name in values:
                return values[name]
            if "." in name:
                return self._get_att(*name.split(".", 1))
            return self._ref(name)

        return re.sub(r"\$\{([^}!]+)\}", value, text)

    def _ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        pseudo = {
            "AWS::AccountId": self.account,
            "AWS::Region": self.region,
            "AWS::Partition": "aws",
            "AWS::StackId": self.stack_id,
        }
        if name in pseudo:
            return pseudo[name]
        if name in self.parameters:
            return self.parameters[name]
        return self.physical_id(name)

    def _get_att(self, logical_id: str, attribute: str) -> str:
        resource_type = self.template["Resources"][logical_id]["Type"]
        if (resource_type, attribute) == ("AWS::SQS::Queue", "Arn"):
            return boto3.client("sqs").get_queue_attributes(
                QueueUrl=self.physical_id(logical_id), AttributeNames=["QueueArn"]
            )["Attributes"]["QueueArn"]
        if (resource_type, attribute) == ("AWS::Lambda::Function", "Arn"):
            return boto3.client("lambda").get_function_configuration(
                FunctionName=self.physical_id(logical_id)
            )["FunctionArn"]
        raise NotImplementedError(f"the e2e harness cannot resolve GetAtt {logical_id}.{attribute}")

    def depends_on(self, logical_id: str, other: str) -> bool:
        """Whether CloudFormation must create `other` before `logical_id` (directly or not)."""
        seen, todo = set(), [logical_id]
        while todo:
            current = todo.pop()
            for dependency in self._dependencies(current) - seen:
                seen.add(dependency)
                todo.append(dependency)
        return other in seen

    def _dependencies(self, logical_id: str) -> set[str]:
        resource = self.template["Resources"][logical_id]
        depends = resource.get("DependsOn", [])
        names = set([depends] if isinstance(depends, str) else depends)
        text = json.dumps(resource.get("Properties", {}))
        names |= set(re.findall(r'\{"Ref": "([^"]+)"\}', text))
        names |= set(re.findall(r'\{"Fn::GetAtt": \["([^"]+)"', text))
        names |= set(re.findall(r"\$\{([A-Za-z0-9]+)[}.]", text))
        return names & set(self.template["Resources"])


def create_subscription(stack: Stack, logical_id: str) -> str:
    """Subscribe as the template's AWS::SNS::Subscription says, with its properties resolved."""
    properties = stack.resolve(stack.template["Resources"][logical_id]["Properties"])
    unknown = (
        set(properties) - SUBSCRIPTION_ATTRIBUTES - {"Protocol", "Endpoint", "TopicArn", "Region"}
    )
    if unknown:
        raise NotImplementedError(f"the e2e harness does not create subscriptions with {unknown}")
    attributes = {
        name: json.dumps(value) if isinstance(value, dict | list | bool) else str(value)
        for name, value in properties.items()
        if name in SUBSCRIPTION_ATTRIBUTES
    }
    # The stack's own account subscribes, in the region the template names.
    sns = boto3.client("sns", region_name=properties.get("Region", stack.region))
    return sns.subscribe(
        TopicArn=properties["TopicArn"],
        Protocol=properties["Protocol"],
        Endpoint=properties["Endpoint"],
        Attributes=attributes,
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]


def disable_event_source_mappings(stack: Stack) -> None:
    """Switch off moto's event source mappings: they would delete whole batches (see moto_glue)."""
    client = boto3.client("lambda")
    for logical_id in stack.of_type("AWS::Lambda::EventSourceMapping"):
        client.update_event_source_mapping(UUID=stack.physical_id(logical_id), Enabled=False)


def run_custom_resource(
    stack: Stack, logical_id: str, invocations: queue.Queue[Invocation]
) -> dict:
    """Run the deployed function on the request moto made; returns the function's answer.

    The answer must be exactly one SUCCESS document; it then goes to moto like CloudFormation
    would take it from the ResponseURL.
    """
    invocation = invocations.get(timeout=INVOCATION_TIMEOUT)
    event = invocation.event
    assert event["LogicalResourceId"] == logical_id, event
    function = DeployedFunction.of_stack(stack, stack.function_with_arn(invocation.function_arn))
    with ResponseServer() as endpoint:
        moto_url = event["ResponseURL"]
        function.invoke({**event, "ResponseURL": local_response_url(moto_url, endpoint.url)})
    assert len(endpoint.requests) == 1, f"{logical_id} answered {len(endpoint.requests)} times"
    response = endpoint.requests[0]
    document = response.json()
    assert document["Status"] == "SUCCESS", f"{logical_id} failed: {document.get('Reason')}"
    deliver_response(stack.endpoint, response.path, response.body)
    return document


def deploy(
    name: str,
    template_body: str,
    parameters: dict[str, str],
    invocations: queue.Queue[Invocation],
    endpoint: str,
    after_custom_resource: Callable[[], None] = lambda: None,
) -> Stack:
    """Create the stack, play CloudFormation's missing parts, and wait for CREATE_COMPLETE."""
    stack_id = boto3.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=template_body,
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
        Capabilities=["CAPABILITY_IAM"],
    )["StackId"]
    stack = Stack.load(stack_id, endpoint)
    disable_event_source_mappings(stack)
    pending = stack.of_type(SUBSCRIPTION)
    for custom in stack.of_type(CUSTOM_RESOURCE):
        for subscription in [s for s in pending if stack.depends_on(custom, s)]:
            create_subscription(stack, subscription)
            pending.remove(subscription)
        run_custom_resource(stack, custom, invocations)
        after_custom_resource()
    for subscription in pending:
        create_subscription(stack, subscription)
    wait_for(stack, "CREATE_COMPLETE")
    return stack


def wait_for(stack: Stack, status: str, timeout: float = 10) -> None:
    """Wait until the stack reaches `status`; fail with the status it is stuck in."""
    deadline = time.monotonic() + timeout
    while (current := stack.describe()["StackStatus"]) != status:
        assert time.monotonic() < deadline, f"stack is {current}, expected {status}"
        time.sleep(0.1)
