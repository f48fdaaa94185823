"""The initial-set trigger: its function, role and the custom resource that runs it once."""

from __future__ import annotations

from typing import ClassVar

from troposphere import AWS_ACCOUNT_ID, AWS_REGION, GetAtt, Ref, Template
from troposphere.cloudformation import CustomResource
from troposphere.validators import integer

from generator import policies
from generator.consumer.messaging import Messaging
from generator.functions import FunctionIds, FunctionSpec, PythonFunction, add_python_function
from generator.inline import InlinedCode

TRIGGER_FUNCTION = FunctionIds(
    function="InitialSetTriggerFunction",
    log_group="InitialSetTriggerFunctionLogGroup",
    role="InitialSetTriggerFunctionRole",
)
TRIGGER = "InitialSetTrigger"
# Seconds: AssumeRole and StartExecution with botocore's retries; the handler answers FAILED
# at most 10 s before this runs out.
TRIGGER_TIMEOUT = 60
TRIGGER_MEMORY = 128
# CloudFormation invokes the function asynchronously; a run that dies without answering (crash,
# out of memory) is retried by Lambda twice, 1 and then 2 minutes later. CloudFormation waits for
# all three runs and those pauses, plus a minute of queueing slack, before it gives up (<= 3600).
SERVICE_TIMEOUT = 3 * TRIGGER_TIMEOUT + 60 + 120 + 60
TRIGGER_SKIPS = (
    ("CKV_AWS_115", "One run per request"),
    ("CKV_AWS_116", "Answers CloudFormation"),
)


class InitialSetTrigger(CustomResource):
    """Custom::InitialSetTrigger: a new Version asks the distributor for the initial set again."""

    resource_type = "Custom::InitialSetTrigger"
    props: ClassVar[dict] = {
        "ServiceToken": (str, True),
        "ServiceTimeout": (integer, False),
        "Version": (str, True),
    }


def add_initial_set(
    template: Template, params: dict, code: InlinedCode, messaging: Messaging
) -> None:
    """Add the trigger function and the custom resource, created only once subscribed."""
    trigger = add_python_function(template, _spec(params, code))
    template.add_resource(_trigger(params, trigger, messaging))


def _spec(params: dict, code: InlinedCode) -> FunctionSpec:
    role = Ref(params["InitialDistributionRole"])
    return FunctionSpec(
        ids=TRIGGER_FUNCTION,
        code=code,
        description="Asks the distributor for the initial set of artifacts",
        environment={
            "INITIAL_DISTRIBUTION_ROLE": role,
            "INITIAL_DISTRIBUTION_MACHINE": Ref(params["InitialDistributionSetMachine"]),
            "DISTRIBUTION_REGION": Ref(params["DistributionRegion"]),
            "CONSUMER_ACCOUNT_ID": Ref(AWS_ACCOUNT_ID),
            "CONSUMER_REGION": Ref(AWS_REGION),
        },
        statements=(policies.assume_role(role),),
        timeout=TRIGGER_TIMEOUT,
        memory=TRIGGER_MEMORY,
        checkov_skips=TRIGGER_SKIPS,
    )


def _trigger(params: dict, trigger: PythonFunction, messaging: Messaging) -> InitialSetTrigger:
    # DependsOn the subscription: the distributor must not publish before the queue listens.
    return InitialSetTrigger(
        TRIGGER,
        DependsOn=[messaging.subscription.title],
        ServiceToken=GetAtt(trigger.function, "Arn"),
        ServiceTimeout=SERVICE_TIMEOUT,
        Version=Ref(params["TriggerVersion"]),
    )
