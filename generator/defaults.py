"""`--parameter-defaults FILE`: an organisation's own defaults, checked as the stack would."""

from __future__ import annotations

import json
import re
from pathlib import Path

from generator.parameters import SPECS


class DefaultsError(ValueError):
    """The defaults file is unreadable or names or values something the template would refuse."""


def load_defaults(path: Path) -> dict[str, str]:
    """Read a JSON object of parameter name -> default and check each against its parameter."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as err:
        raise DefaultsError(f"cannot read parameter defaults {path}: {err.strerror}") from err
    except json.JSONDecodeError as err:
        raise DefaultsError(f"parameter defaults {path} is not valid JSON: {err}") from err
    if not isinstance(data, dict):
        raise DefaultsError(f"parameter defaults {path} must be a JSON object of name -> value")
    return check_defaults(data)


def check_defaults(data: dict) -> dict[str, str]:
    """Return `data` when every name is a parameter and every value matches its pattern."""
    specs = {spec.name: spec for spec in SPECS}
    for name, value in data.items():
        spec = specs.get(name)
        if spec is None:
            raise DefaultsError(
                f"unknown parameter {name!r} in parameter defaults; known: {', '.join(specs)}"
            )
        if not isinstance(value, str):
            raise DefaultsError(f"default for {name} must be a string, not {type(value).__name__}")
        if not re.fullmatch(spec.pattern, value):
            raise DefaultsError(f"default for {name} is {value!r}: {spec.constraint}")
    check_consistent({**{spec.name: spec.default for spec in SPECS}, **data})
    return dict(data)


ARN_REGION = re.compile(r"arn:[^:]*:[^:]*:(?P<region>[^:]*):")
IN_DISTRIBUTION_REGION = ("DistributionTopic", "InitialDistributionSetMachine")


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
    if values["TargetBucket"] == values["DistributionBucket"]:
        raise DefaultsError("TargetBucket must not be the DistributionBucket")
