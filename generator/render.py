"""Render a template as the bytes that are written, linted, measured and kept as golden copy."""

from __future__ import annotations

import json

from troposphere import Template

FORMATS = ("json", "yaml")


def render(template: Template, fmt: str = "json") -> str:
    """Deterministic text of `template`: sorted keys and, for JSON, no insignificant whitespace.

    Compact JSON keeps the template, inlined code and all, within the build's size budget
    (validation.SIZE_BUDGET); `python -m json.tool build/template.json` shows it indented.
    """
    if fmt == "yaml":
        return template.to_yaml(clean_up=True)
    return json.dumps(template.to_dict(), sort_keys=True, separators=(",", ":")) + "\n"
