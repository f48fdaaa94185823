"""The distributor's parameters: who may consume, the URL lifetime, the receipt log retention.

Who may consume is the organisation, the listed accounts, or both; every cross-account Allow
of the template is made once per kind and kept by the condition that the kind was given
(`Consumers.confine`), so an empty parameter admits no one (ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from awacs.aws import Statement
from troposphere import Equals, Not, Or, Parameter, Ref, Split, Template

from generator import policies

ORGANIZATION = r"o-[a-z0-9]{10,32}"
ACCOUNT_LIST = r"[0-9]{12}(,[0-9]{12})*"
MAX_ACCOUNTS = 200
HAS_ORGANIZATION = "HasOrganization"
HAS_ACCOUNTS = "HasConsumerAccounts"
SOMEONE_MAY_CONSUME = "SomeoneMayConsume"  # the Rule: OrganizationId or ConsumerAccountIds
# Values CloudWatch Logs accepts for RetentionInDays.
RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
# Seconds: SigV4 allows 7 days, but a URL dies with the credentials that signed it (README).
URL_SECONDS_MIN, URL_SECONDS_MAX, URL_SECONDS_DEFAULT = 900, 43_200, 3_600


@dataclass(frozen=True)
class ParameterSpec:
    """One distributor parameter: name, default and validation (String or Number)."""

    name: str
    description: str
    default: str
    constraint: str
    pattern: str = ""  # String parameters
    max_length: int = 0  # String parameters: CloudFormation refuses longer values
    number: dict | None = None  # Number parameters: MinValue/MaxValue or AllowedValues


SPECS: tuple[ParameterSpec, ...] = (
    ParameterSpec(
        "OrganizationId",
        "AWS Organizations id whose accounts may consume; empty: only ConsumerAccountIds.",
        "",
        "must be empty or an organization id, e.g. o-a1b2c3d4e5",
        pattern=rf"^({ORGANIZATION})?$",
        max_length=34,
    ),
    ParameterSpec(
        "ConsumerAccountIds",
        "Comma-separated ids of further accounts that may consume; empty: only OrganizationId.",
        "",
        "must be empty or 12-digit account ids separated by commas, without spaces",
        pattern=rf"^({ACCOUNT_LIST})?$",
        max_length=13 * MAX_ACCOUNTS - 1,
    ),
    ParameterSpec(
        "PresignedUrlSeconds",
        "Lifetime of each announced presigned URL; the signing session may end it earlier.",
        str(URL_SECONDS_DEFAULT),
        f"must be {URL_SECONDS_MIN} to {URL_SECONDS_MAX} seconds",
        number={"MinValue": URL_SECONDS_MIN, "MaxValue": URL_SECONDS_MAX},
    ),
    ParameterSpec(
        "ReceiptLogRetentionDays",
        "Days the receipt log group keeps the consumers' receipts.",
        "365",
        "must be a retention CloudWatch Logs offers",
        number={"AllowedValues": list(RETENTION_DAYS)},
    ),
)


@dataclass(frozen=True)
class Consumers:
    """Who may consume: the two parameters and the conditions that they were given."""

    organization: Parameter
    accounts: Parameter

    def kinds(self, statement: Callable[[str, dict], Statement]) -> list[tuple[str, Statement]]:
        """(condition, `statement(sid, who)`) for each kind of consumer: organisation, accounts."""
        return [
            (
                HAS_ORGANIZATION,
                statement("Organization", {policies.ORGANIZATION_KEY: Ref(self.organization)}),
            ),
            (
                HAS_ACCOUNTS,
                statement("Accounts", {policies.ACCOUNT_KEY: Split(",", Ref(self.accounts))}),
            ),
        ]

    def confine(self, statement: Callable[[str, dict], Statement]) -> list:
        """`statement(sid, who)` once per kind of consumer, each present only when given."""
        return policies.either(*self.kinds(statement))


def add_parameters(
    template: Template, defaults: dict[str, str] | None = None
) -> tuple[dict[str, Parameter], Consumers]:
    """Add every parameter (`defaults` overriding), the conditions and the at-least-one Rule."""
    defaults = defaults or {}
    params = {spec.name: template.add_parameter(_parameter(spec, defaults)) for spec in SPECS}
    organization, accounts = params["OrganizationId"], params["ConsumerAccountIds"]
    template.add_condition(HAS_ORGANIZATION, Not(Equals(Ref(organization), "")))
    template.add_condition(HAS_ACCOUNTS, Not(Equals(Ref(accounts), "")))
    template.add_rule(
        SOMEONE_MAY_CONSUME,
        {
            "Assertions": [
                {
                    "Assert": Or(
                        Not(Equals(Ref(organization), "")), Not(Equals(Ref(accounts), ""))
                    ),
                    "AssertDescription": "set OrganizationId, ConsumerAccountIds or both",
                }
            ]
        },
    )
    return params, Consumers(organization, accounts)


def _parameter(spec: ParameterSpec, defaults: dict[str, str]) -> Parameter:
    default = defaults.get(spec.name, spec.default)
    common = {"Description": spec.description, "ConstraintDescription": spec.constraint}
    if spec.number is not None:
        return Parameter(spec.name, Type="Number", Default=int(default), **spec.number, **common)
    return Parameter(
        spec.name,
        Type="String",
        Default=default,
        AllowedPattern=spec.pattern,
        MaxLength=spec.max_length,
        **common,
    )
