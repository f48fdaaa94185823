"""`--stack distributor --parameter-defaults FILE`: an organisation's defaults, checked first."""

from __future__ import annotations

import re
from pathlib import Path

from generator.defaults_file import DefaultsError, read_defaults_file
from generator.distributor.parameters import SPECS, ParameterSpec

__all__ = ["DefaultsError", "check_defaults", "load_defaults"]


def load_defaults(path: Path) -> dict[str, str]:
    """Read a JSON or YAML mapping of parameter name -> default and check it as the stack would."""
    data, fmt = read_defaults_file(path)
    if not isinstance(data, dict):
        raise DefaultsError(f"parameter defaults {path} must be a {fmt} mapping of name -> value")
    return check_defaults(data)


def check_defaults(data: dict) -> dict[str, str]:
    """`data` as strings, when every name is a parameter and every value is one it accepts."""
    specs = {spec.name: spec for spec in SPECS}
    checked = {}
    for name, value in data.items():
        spec = specs.get(name)
        if spec is None:
            raise DefaultsError(
                f"unknown parameter {name!r} in parameter defaults; known: {', '.join(specs)}"
            )
        checked[name] = _checked(spec, value)
    merged = {spec.name: spec.default for spec in SPECS} | checked
    if not (merged["OrganizationId"] or merged["ConsumerAccountIds"]):
        raise DefaultsError(
            "set OrganizationId, ConsumerAccountIds or both: otherwise no one may consume"
        )
    return checked


def _checked(spec: ParameterSpec, value: object) -> str:
    if spec.number is not None and isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise DefaultsError(f"default for {spec.name} must be a string, not {value!r}")
    if spec.number is None:
        if len(value) > spec.max_length or not re.fullmatch(spec.pattern, value):
            raise DefaultsError(f"default for {spec.name} is {value!r}: {spec.constraint}")
        return value
    allowed = spec.number.get("AllowedValues")
    low, high = spec.number.get("MinValue"), spec.number.get("MaxValue")
    canonical = value.isdigit() and str(int(value)) == value  # "3600", not "03600": sized
    fits = canonical and (int(value) in allowed if allowed else low <= int(value) <= high)
    if not fits:
        raise DefaultsError(f"default for {spec.name} is {value!r}: {spec.constraint}")
    return value
