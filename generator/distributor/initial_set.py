"""The initial set: InitialSetFunction, the machine that loops over it, and the consumers' role.

A consumer's trigger assumes InitialDistributionRole and starts InitialDistributionSetMachine
with `{"AccountId", "Region"}`. The machine invokes the function with its input; while the
function's output carries a ContinuationToken (it stopped before its time ran out), the
machine invokes it again with that output, so a set of any size is published in one run.
"""

from __future__ import annotations

import json

from troposphere import GetAtt, Ref, Sub, Template, iam, stepfunctions

from generator import policies
from generator.checkov import skips
from generator.distributor.parameters import Consumers
from generator.distributor.publishing import Publishing
from generator.functions import FunctionIds, FunctionSpec, PythonFunction, add_python_function
from generator.inline import InlinedCode

FUNCTION = FunctionIds(
    function="InitialSetFunction",
    log_group="InitialSetFunctionLogGroup",
    role="InitialSetFunctionRole",
)
MACHINE = "InitialDistributionSetMachine"
MACHINE_ROLE = "InitialDistributionSetMachineRole"
ROLE = "InitialDistributionRole"
FUNCTION_TIMEOUT = 900  # Lambda's maximum; the function stops a minute early with a token
FUNCTION_MEMORY = 256
# Errors worth another try of the same page; InvalidInput and Refused (configuration) are not.
RETRIED = [
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "ClientError",
    "EndpointConnectionError",
    "ReadTimeoutError",
    "ConnectTimeoutError",
]


def add_initial_set(
    template: Template, consumers: Consumers, bucket, publishing: Publishing, code: InlinedCode
) -> tuple[stepfunctions.StateMachine, iam.Role]:
    """Add the function, the looping machine with its role, and the role consumers assume."""
    function = add_python_function(template, _spec(code, bucket, publishing))
    machine_role = template.add_resource(
        policies.service_role(
            MACHINE_ROLE,
            "states.amazonaws.com",
            "InvokeInitialSetFunction",
            policies.invoke_function(function.function),
        )
    )
    machine = template.add_resource(_machine(function, machine_role))
    role = template.add_resource(_consumer_role(consumers, machine))
    return machine, role


def _spec(code: InlinedCode, bucket, publishing: Publishing) -> FunctionSpec:
    return FunctionSpec(
        ids=FUNCTION,
        code=code,
        description="Publishes the current artifacts addressed to one consumer, a page per run",
        environment=publishing.environment,
        statements=(
            policies.read_artifacts(Ref(bucket)),
            policies.list_bucket(Ref(bucket)),
            policies.publish(Ref(publishing.topic)),
        ),
        timeout=FUNCTION_TIMEOUT,
        memory=FUNCTION_MEMORY,
        checkov_skips=(
            ("CKV_AWS_115", "Runs per machine execution"),
            ("CKV_AWS_116", "Invoked synchronously"),
        ),
    )


def _definition() -> dict:
    """The machine: invoke the function, and again with its output while it has a token."""
    return {
        "Comment": "Publishes the initial set to one consumer, one function run per page",
        "StartAt": "PublishPage",
        "States": {
            "PublishPage": {
                "Type": "Task",
                "Resource": "arn:${AWS::Partition}:states:::lambda:invoke",
                "Parameters": {"FunctionName": "${Function}", "Payload.$": "$"},
                "OutputPath": "$.Payload",
                "Retry": [
                    {
                        "ErrorEquals": RETRIED,
                        "IntervalSeconds": 5,
                        "MaxAttempts": 5,
                        "BackoffRate": 2,
                    }
                ],
                "Next": "MoreToPublish",
            },
            "MoreToPublish": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.ContinuationToken", "IsPresent": True, "Next": "PublishPage"}
                ],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
        },
    }


def _machine(function: PythonFunction, role: iam.Role) -> stepfunctions.StateMachine:
    return stepfunctions.StateMachine(
        MACHINE,
        StateMachineType="STANDARD",
        RoleArn=GetAtt(role, "Arn"),
        DefinitionString=Sub(
            json.dumps(_definition(), sort_keys=True, separators=(",", ":")),
            Function=GetAtt(function.function, "Arn"),
        ),
        Metadata=skips(
            ("CKV_AWS_284", "Runs show in the execution history"),
            ("CKV_AWS_285", "The function logs each run"),
        ),
    )


def _consumer_role(consumers: Consumers, machine: stepfunctions.StateMachine) -> iam.Role:
    statements = consumers.confine(
        lambda sid, who: policies.consumer_roles_assume(f"Consumer{sid}", who)
    )
    return iam.Role(
        ROLE,
        Description="Consumers' initial-set triggers assume it to start the initial-set machine",
        AssumeRolePolicyDocument=policies.conditional_policy(*statements),
        Policies=[
            iam.Policy(
                PolicyName="StartInitialSet",
                PolicyDocument=policies.policy(policies.start_execution(Ref(machine))),
            )
        ],
    )
