"""`--parameter-defaults FILE`: an organisation's own defaults, checked as the stack would."""

from __future__ import annotations

import re
from pathlib import Path

from generator.consumer.parameters import SPECS
from generator.defaults_file import DefaultsError, read_defaults_file

__all__ = ["DefaultsError", "check_defaults", "load_defaults"]

NOUNS = {"JSON": "a JSON object", "YAML": "a YAML mapping"}


def load_defaults(path: Path) -> dict[str, str]:
    """Read a JSON or YAML mapping of parameter name -> default and check it as the stack would."""
    data, fmt = read_defaults_file(path)
    if not isinstance(data, dict):
        raise DefaultsError(
            f"parameter defaults {path} must be {NOUNS[fmt]} of name -> value, not {_kind(data)}"
        )
    return check_defaults(data)


def check_defaults(data: dict) -> dict[str, str]:
    """Return `data` when every name is a parameter and every value passes MaxLength and pattern."""
    specs = {spec.name: spec for spec in SPECS}
    for name, value in data.items():
        spec = specs.get(name)
        if spec is None:
            raise DefaultsError(
                f"unknown parameter {name!r} in parameter defaults; known: {', '.join(specs)}"
            )
        if not isinstance(value, str):
            raise DefaultsError(
                f"default for {name} must be a string, not {_kind(value)}{_fix(value)}"
            )
        if len(value) > spec.max_length:  # CloudFormation's MaxLength, checked before the pattern
            raise DefaultsError(
                f"default for {name} is {len(value):,} characters long, over its MaxLength "
                f"{spec.max_length:,}"
            )
        if not re.fullmatch(spec.pattern, value):
            raise DefaultsError(f"default for {name} is {value!r}: {spec.constraint}")
    check_consistent({**{spec.name: spec.default for spec in SPECS}, **data})
    return dict(data)


ARN_REGION = re.compile(r"arn:[^:]*:[^:]*:(?P<region>[^:]*):")
ARN_ACCOUNT = re.compile(r"arn:[^:]*:[^:]*:[^:]*:(?P<account>[^:]*):")
IN_DISTRIBUTION_REGION = ("DistributionTopic", "InitialDistributionSetMachine")
IN_DISTRIBUTOR_ACCOUNT = (
    "DistributionTopic",
    "InitialDistributionRole",
    "InitialDistributionSetMachine",
)


def check_consistent(values: dict[str, str]) -> None:
    """Refuse defaults that contradict each other: they would only fail deep into a deploy."""
    region = values["DistributionRegion"]
    for name in IN_DISTRIBUTION_REGION:
        found = ARN_REGION.match(values[name])["region"]
        if found != region:
            raise DefaultsError(
                f"{name} is in {found}, but DistributionRegion is {region}: "
                "the distributor's topic and state machine live in DistributionRegion"
            )
    _check_one_account(values)
    if values["TargetBucket"] == values["DistributionBucket"]:
        raise DefaultsError("TargetBucket must not be the DistributionBucket")


def _check_one_account(values: dict[str, str]) -> None:
    """Half a distributor baked in builds a stack whose subscription or trigger is refused."""
    accounts = {name: ARN_ACCOUNT.match(values[name])["account"] for name in IN_DISTRIBUTOR_ACCOUNT}
    if len(set(accounts.values())) > 1:
        found = ", ".join(f"{name} is in {account}" for name, account in accounts.items())
        raise DefaultsError(
            f"the distributor's ARNs must name one account, but {found}: "
            "set all three to the distributor's account"
        )


def _kind(value: object) -> str:
    """What a parsed value is, in the words of the file's author."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if value is None:
        return "null"
    names = {dict: "a mapping", list: "a list", str: "a string"}
    return names.get(type(value), f"the {type(value).__name__} {value}")  # a YAML date


def _fix(value: object) -> str:
    """How to turn a non-string value into the string the parameter needs."""
    if isinstance(value, bool):
        return ": quote it (YAML reads unquoted yes, no, on and off as booleans)"
    if value is None:
        return ': write "" for empty'
    return "" if isinstance(value, dict | list) else ": quote it"
