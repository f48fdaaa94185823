"""`--parameter-defaults FILE`: an organisation's own defaults, checked as the stack would."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from generator.consumer.parameters import SPECS
from generator.defaults_file import DefaultsError, read_defaults_file
from generator.quoting import quoted, shortened

__all__ = ["DefaultsError", "build_warnings", "check_defaults", "load_defaults"]

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
                f"unknown parameter {quoted(name)} in parameter defaults; known: {', '.join(specs)}"
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
            raise DefaultsError(f"default for {name} is {quoted(value)}: {spec.constraint}")
    check_consistent({**{spec.name: spec.default for spec in SPECS}, **data})
    return dict(data)


ARN_PARTITION = re.compile(r"arn:(?P<partition>[^:]*):")
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
    _check_one_partition(values)
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


def _check_one_partition(values: dict[str, str]) -> None:
    """A role, topic or bus of one partition cannot be used from another (aws, aws-cn, ...)."""
    partitions = {
        name: match["partition"]
        for name, value in values.items()
        if (match := ARN_PARTITION.match(value))
    }
    if len(set(partitions.values())) > 1:
        found = ", ".join(f"{name} is in {partition}" for name, partition in partitions.items())
        raise DefaultsError(
            f"the ARNs must all be in one partition, but {found}: "
            "a stack cannot use another partition's resources"
        )


# The built-in distributor defaults are the original organisation's: they name its account.
ORIGINAL_ACCOUNT = "529985782713"


def build_warnings(defaults: dict[str, str] | None) -> list[str]:
    """What the user should hear before deploying what they build: one line each."""
    values = {spec.name: spec.default for spec in SPECS} | (defaults or {})
    kept = [
        spec.name
        for spec in SPECS
        if ORIGINAL_ACCOUNT in spec.default and values[spec.name] == spec.default
    ]
    everything = len(kept) == sum(ORIGINAL_ACCOUNT in spec.default for spec in SPECS)
    warnings = []
    if kept:
        which = "the distributor parameters" if everything else ", ".join(kept)
        warnings.append(
            f"{which} default to the original organisation's distributor (account "
            f"{ORIGINAL_ACCOUNT}): before deploying, build with --parameter-defaults naming "
            "yours (README: Quick start)"
        )
    region = values["DistributionRegion"]
    if region not in known_regions():
        warnings.append(
            f"DistributionRegion {quoted(region)} is no region botocore knows; building anyway "
            "(regions are added over time), but check its spelling"
        )
    return warnings


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition in botocore's endpoint data."""
    import botocore.loaders  # here: only a build needs it, and it takes a moment to import

    endpoints = botocore.loaders.create_loader().load_data("endpoints")
    return frozenset(region for p in endpoints["partitions"] for region in p["regions"])


def _kind(value: object) -> str:
    """What a parsed value is, in the words of the file's author."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {shortened(str(value))}"
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
