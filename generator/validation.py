"""Checks an emitted template must pass: cfn-lint with no finding, and the size limit, for the
template as built and for its worst case (every parameter's default at its longest)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from troposphere import Template

from generator.render import render

TEMPLATE_BODY_LIMIT = 51_200  # bytes CloudFormation accepts as TemplateBody (no S3 upload)
# StackSets deploy anywhere: lint against every region cfn-lint knows, in every partition.
LINT_REGIONS = ("ALL_REGIONS",)
# Errors and warnings always run; "I" adds the informational rules (e.g. explicit deletion
# policies). .cfnlintrc says the same, so `cfn-lint build/template.json` checks what we check.
LINT_INCLUDE_CHECKS = ("I",)
# A worst-case default is MaxLength times this digit: one byte in JSON, and in YAML a value that
# must be quoted ('000'), as the longest real values may be ('1.0', 'false'). Every value a
# parameter of ours accepts is printable ASCII without quotes or backslashes, so no real value
# renders longer (tests/generator/test_size_limit.py builds with the longest real values).
FILLER = "0"


class ValidationError(ValueError):
    """The template is not fit to ship; the message lists why."""


@dataclass(frozen=True)
class Sizes:
    """What the build measured: the template as written, and its worst cases, in bytes."""

    text: str  # the template as written
    actual: int
    worst_case: int  # the compact JSON with every default at its longest: the build's guarantee
    worst_case_written: int  # the same in the format written (YAML is larger)

    def yaml_warning(self) -> str | None:
        """Why a YAML template may not fit once an organisation bakes in long defaults."""
        if self.worst_case_written <= TEMPLATE_BODY_LIMIT:
            return None
        return (
            "with every parameter's default at its longest this YAML would be "
            f"{self.worst_case_written:,} bytes, over CloudFormation's "
            f"{TEMPLATE_BODY_LIMIT:,}-byte TemplateBody limit (the JSON form fits): deploy the "
            "JSON if your defaults are long"
        )


def lint_findings(template_text: str) -> list[str]:
    """Every cfn-lint error, warning and informational finding, one line each."""
    # Imported here: cfn-lint takes a second to import, and a bad defaults file needs none of it.
    from cfnlint.api import ManualArgs, lint

    config = ManualArgs(regions=list(LINT_REGIONS), include_checks=list(LINT_INCLUDE_CHECKS))
    # No ~/.cfnlintrc or ./.cfnlintrc: the build checks the same on every machine and directory.
    config["config_file"] = os.devnull  # type: ignore[typeddict-unknown-key]
    matches = lint(template_text, config=config)
    return [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches]


def validate(template_text: str) -> None:
    """Raise ValidationError when the text is over the TemplateBody limit or cfn-lint finds any."""
    size = len(template_text.encode())
    if size > TEMPLATE_BODY_LIMIT:
        raise ValidationError(
            f"template is {size:,} bytes, over CloudFormation's {TEMPLATE_BODY_LIMIT:,}-byte "
            "TemplateBody limit"
        )
    findings = lint_findings(template_text)
    if findings:
        raise ValidationError(
            f"cfn-lint reported {len(findings)} finding(s):\n" + "\n".join(findings)
        )


def validate_template(template: Template | dict, fmt: str = "json") -> Sizes:
    """Render `template` in `fmt`, check its worst case, then the text itself; return the sizes.

    The worst case first: it takes milliseconds, cfn-lint seconds. The guarantee is the compact
    JSON's (what `tox -e build` writes and the README deploys); YAML's own worst case is reported.
    """
    worst = check_worst_case(template)
    text = render(template, fmt)
    validate(text)
    written = worst if fmt == "json" else worst_case_size(template, fmt)
    return Sizes(text=text, actual=len(text.encode()), worst_case=worst, worst_case_written=written)


def worst_case_size(template: Template | dict, fmt: str = "json") -> int:
    """The size in bytes of `template` in `fmt` with every parameter's default at its longest."""
    return len(render(worst_case(template), fmt).encode())


def check_worst_case(template: Template | dict) -> int:
    """The compact JSON's worst-case size; ValidationError when it is over the TemplateBody limit.

    Fitting in the worst case, the template fits whatever `--parameter-defaults` bakes in: a
    value CloudFormation accepts is never longer than its parameter's bound.
    """
    size = worst_case_size(template)
    if size > TEMPLATE_BODY_LIMIT:
        raise ValidationError(
            f"template with every parameter's default at its longest is {size:,} bytes, over "
            f"CloudFormation's {TEMPLATE_BODY_LIMIT:,}-byte TemplateBody limit: a "
            "--parameter-defaults file could make it unusable; shorten the template or a MaxLength"
        )
    return size


def worst_case(template: Template | dict) -> dict:
    """`template` as a dict with every parameter's Default replaced by its longest value."""
    data = template.to_dict() if isinstance(template, Template) else template
    parameters = {
        name: {**parameter, "Default": longest_value(name, parameter)}
        for name, parameter in data.get("Parameters", {}).items()
    }
    return {**data, "Parameters": parameters} if parameters else dict(data)


def longest_value(name: str, parameter: dict) -> str:
    """The longest value CloudFormation lets `parameter` take; ValidationError when unbounded.

    A String is bounded by MaxLength (and AllowedValues, when shorter); a Number by AllowedValues,
    or by MinValue 0 or more and an integer MaxValue: the defaults loaders bake only canonical
    integers ("3600", never "03600.0"), so none is longer than MaxValue's digits. Any other type
    (a CommaDelimitedList or List<...> may repeat its items) is refused.
    """
    kind = parameter.get("Type", "String")
    allowed = [str(value) for value in parameter.get("AllowedValues", [])]
    bounds = [max(map(len, allowed))] if allowed and kind in ("String", "Number") else []
    if kind == "String" and "MaxLength" in parameter:
        bounds.append(int(parameter["MaxLength"]))
    low, high = parameter.get("MinValue"), parameter.get("MaxValue")
    if kind == "Number" and isinstance(high, int) and isinstance(low, int) and low >= 0:
        bounds.append(len(str(high)))
    if not bounds:
        needs = (
            "MaxLength"
            if kind == "String"
            else "AllowedValues or integer MinValue/MaxValue"
            if kind == "Number"
            else "bound"
        )
        raise ValidationError(
            f"parameter {name} ({kind}) has no {needs}: no bound on the template's size "
            "with a --parameter-defaults value for it"
        )
    return FILLER * min(bounds)
