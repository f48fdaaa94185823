"""Checks the emitted template must pass: cfn-lint with no finding, and the size limit."""

from __future__ import annotations

import os

TEMPLATE_BODY_LIMIT = 51_200  # bytes CloudFormation accepts as TemplateBody (no S3 upload)
SIZE_BUDGET = TEMPLATE_BODY_LIMIT * 80 // 100  # 40,960 bytes: room left for the next change
# StackSets deploy anywhere: lint against every region cfn-lint knows, in every partition.
LINT_REGIONS = ("ALL_REGIONS",)
# Errors and warnings always run; "I" adds the informational rules (e.g. explicit deletion
# policies). .cfnlintrc says the same, so `cfn-lint build/template.json` checks what we check.
LINT_INCLUDE_CHECKS = ("I",)


class ValidationError(ValueError):
    """The template is not fit to ship; the message lists why."""


def lint_findings(template_text: str) -> list[str]:
    """Every cfn-lint error, warning and informational finding, one line each."""
    # Imported here: cfn-lint takes a second to import, and a bad defaults file needs none of it.
    from cfnlint.api import ManualArgs, lint

    config = ManualArgs(regions=list(LINT_REGIONS), include_checks=list(LINT_INCLUDE_CHECKS))
    # No ~/.cfnlintrc or ./.cfnlintrc: the build checks the same on every machine and directory.
    config["config_file"] = os.devnull  # type: ignore[typeddict-unknown-key]
    matches = lint(template_text, config=config)
    return [f"{m.rule.id} {m.message} ({'/'.join(map(str, m.path))})" for m in matches]


def validate(template_text: str, budget: bool = True) -> None:
    """Raise ValidationError when cfn-lint finds anything or the template is over budget.

    The budget keeps the project's own template (compact JSON) well inside CloudFormation's
    limit; YAML, always larger, and a template with an organisation's longer defaults baked in
    need only fit that limit: the caller, which knows which it built, passes `budget=False`.
    """
    size = len(template_text.encode())
    if budget and size > SIZE_BUDGET:
        raise ValidationError(
            f"template is {size:,} bytes, over the {SIZE_BUDGET:,}-byte budget (80% of "
            f"CloudFormation's {TEMPLATE_BODY_LIMIT:,}-byte TemplateBody limit)"
        )
    if size > TEMPLATE_BODY_LIMIT:
        raise ValidationError(
            f"template is {size} bytes, over CloudFormation's {TEMPLATE_BODY_LIMIT}-byte "
            "TemplateBody limit"
        )
    findings = lint_findings(template_text)
    if findings:
        raise ValidationError(
            f"cfn-lint reported {len(findings)} finding(s):\n" + "\n".join(findings)
        )
