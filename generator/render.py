"""Render a template as the bytes that are written, linted, measured and kept as golden copy."""

from __future__ import annotations

import json

import cfn_flip
from troposphere import Template

FORMATS = ("json", "yaml")


def render(template: Template | dict, fmt: str = "json") -> str:
    """Deterministic text of `template`: sorted keys and, for JSON, no insignificant whitespace.

    Compact JSON keeps the template, inlined code and all, well within CloudFormation's
    TemplateBody limit (validation.py); `python -m json.tool build/template.json` shows it
    indented. A dict (a template's `to_dict()`, possibly changed) renders as its Template would.
    """
    data = template.to_dict() if isinstance(template, Template) else template
    if fmt == "yaml":
        # What Template.to_yaml(clean_up=True) does, for a dict as well.
        return cfn_flip.to_yaml(json.dumps(data, sort_keys=True), clean_up=True)
    return json.dumps(data, sort_keys=True, separators=(",", ":")) + "\n"
