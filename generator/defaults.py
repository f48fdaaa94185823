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
    return dict(data)
