"""Lambda functions: one factory that adds a function with its own log group and role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import GetAtt, Ref, Template, awslambda, iam, logs

from generator import policies
from generator.checkov import skips
from generator.inline import InlinedCode

RUNTIME = "python3.13"
HANDLER = "index.handler"
LOG_RETENTION_DAYS = 365
# Deleting or replacing the stack keeps the log groups: they are the record of what was copied
# and requested, wanted most after a stack is gone, and expire on their own by the retention
# above (the empty group stays until deleted by hand). Their names are generated, so a new stack
# never collides with a kept one.
LOG_GROUP_DELETION_POLICY = "Retain"

# Reasons are short here (they ship in every template); README.md gives them in full.
FUNCTION_SKIPS = (
    ("CKV_AWS_117", "AWS endpoints only"),
    ("CKV_AWS_173", "No secrets"),
)


@dataclass(frozen=True)
class FunctionIds:
    """Logical ids of a function and of the log group and role that belong to it."""

    function: str
    log_group: str
    role: str


@dataclass(frozen=True)
class FunctionSpec:
    """What differs between the stack's functions."""

    ids: FunctionIds
    code: InlinedCode
    description: str
    environment: dict[str, Any]
    statements: tuple
    timeout: int
    memory: int
    checkov_skips: tuple = ()


@dataclass(frozen=True)
class PythonFunction:
    """What other modules refer to: the function and its role."""

    function: awslambda.Function
    role: iam.Role


def add_python_function(template: Template, spec: FunctionSpec) -> PythonFunction:
    """Add a python function with inline code, its own log group and a least-privilege role."""
    log_group = template.add_resource(_log_group(spec.ids.log_group))
    statements = (policies.write_logs(log_group), *spec.statements)
    role = template.add_resource(
        policies.lambda_role(spec.ids.role, spec.ids.function, *statements)
    )
    function = template.add_resource(_function(spec, role, log_group))
    return PythonFunction(function=function, role=role)


def _log_group(title: str) -> logs.LogGroup:
    return logs.LogGroup(
        title,
        DeletionPolicy=LOG_GROUP_DELETION_POLICY,
        UpdateReplacePolicy=LOG_GROUP_DELETION_POLICY,
        RetentionInDays=LOG_RETENTION_DAYS,
        Metadata=skips(("CKV_AWS_158", "No secrets")),
    )


def _function(spec: FunctionSpec, role: iam.Role, log_group: logs.LogGroup) -> awslambda.Function:
    return awslambda.Function(
        spec.ids.function,
        Description=spec.description,
        Runtime=RUNTIME,
        Handler=HANDLER,
        Code=awslambda.Code(ZipFile=spec.code.code),
        Role=GetAtt(role, "Arn"),
        Timeout=spec.timeout,
        MemorySize=spec.memory,
        Environment=awslambda.Environment(Variables=spec.environment),
        LoggingConfig=awslambda.LoggingConfig(LogGroup=Ref(log_group)),
        Metadata=skips(*spec.checkov_skips, *FUNCTION_SKIPS),
    )
