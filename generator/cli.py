"""Command line: build, validate and write a template (consumer or distributor), and summarise."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import __version__
from generator.consumer import defaults as consumer_defaults
from generator.consumer import template as consumer_template
from generator.defaults_file import DefaultsError
from generator.distributor import defaults as distributor_defaults
from generator.distributor import template as distributor_template
from generator.inline import InlineError
from generator.output import (
    STDOUT,
    OutputError,
    check_destination,
    describe,
    silence_stdout,
    write_template,
)
from generator.render import FORMATS, render
from generator.validation import SIZE_BUDGET, TEMPLATE_BODY_LIMIT, ValidationError, validate


@dataclass(frozen=True)
class Stack:
    """One template the CLI builds: where it goes by default and the modules that make it."""

    output: str
    template: Any  # the module with inline_handlers() and build_template()
    defaults: Any  # the module with load_defaults()


STACKS = {
    "consumer": Stack("build/template.json", consumer_template, consumer_defaults),
    "distributor": Stack("build/distributor.json", distributor_template, distributor_defaults),
}

EPILOG = """examples:
  python -m generator
      write build/template.json (validated with cfn-lint, at most 40,960 bytes)
  python -m generator --stack distributor
      write build/distributor.json, the distributor the consumers subscribe to
  python -m generator --format yaml --output build/template.yaml
  python -m generator --output - | python -m json.tool
      the template alone on stdout (the summary goes to stderr)
  python -m generator --parameter-defaults org-defaults.json
      where org-defaults.json (or .yaml) bakes your distributor into the template
      (its topic, role and state machine must name one account), e.g.
      {"DistributionTopic": "arn:aws:sns:eu-west-1:111122223333:artifacts",
       "DistributionBucket": "my-artifacts-111122223333-eu-west-1",
       "InitialDistributionRole": "arn:aws:iam::111122223333:role/TriggerInitSetRole",
       "InitialDistributionSetMachine":
         "arn:aws:states:eu-west-1:111122223333:stateMachine:InitialSet"}
"""


def program_name() -> str:
    """How the user ran us: `python -m generator`, or the console script's own name."""
    name = Path(sys.argv[0]).name
    return "python -m generator" if name in ("__main__.py", "") else name


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog=program_name(),
        description="Build the build-artifact-consumer CloudFormation template from generator/ "
        "and handlers/, validate it with cfn-lint and write it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--stack",
        choices=STACKS,
        default="consumer",
        help="which template: the consumer (rolled out with StackSets) or the distributor "
        "(deployed once) (default: %(default)s)",
    )
    parser.add_argument(
        "--output",
        metavar="PATH",
        help=f"where to write the template, {STDOUT} for stdout (default: "
        + ", ".join(f"{stack.output} for {name}" for name, stack in STACKS.items())
        + ")",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="json",
        help="template format (default: %(default)s)",
    )
    parser.add_argument(
        "--parameter-defaults",
        type=Path,
        metavar="FILE",
        help="JSON or YAML mapping of parameter name -> default, baked into the template; "
        "each value must match its parameter's AllowedPattern",
    )
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="print no summary (errors still print); `tox -e build` builds the distributor so, "
        "and its `--output -` carries the consumer's template alone",
    )
    parser.add_argument(
        "--version", action="version", version=f"build-artifact-consumer {__version__}"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line on stderr and return 1."""
    args = parse_args(argv)
    stack = STACKS[args.stack]
    args.output = args.output or stack.output
    try:
        check_destination(args.output)  # before seconds of work that could not be written
        defaults = (
            stack.defaults.load_defaults(args.parameter_defaults)
            if args.parameter_defaults
            else None
        )
        code = stack.template.inline_handlers()
        template = stack.template.build_template(defaults, code)
        text = render(template, args.format)
        # The budget is for the project's own template: compact JSON with our defaults.
        budget = defaults is None and args.format == "json"
        validate(text, budget)
        write_template(text, args.output)
    except (DefaultsError, InlineError, ValidationError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.quiet:
        return 0
    # With `--output -` stdout carries the template alone.
    stream = sys.stderr if args.output == STDOUT else sys.stdout
    try:
        summary_text = summary(describe(args.output), text, template, code, budget)
        print(summary_text, file=stream, flush=True)
    except BrokenPipeError:  # `| head -1`: the template is written, the reader wants no more
        silence_stdout()
    return 0


def summary(written: str, text: str, template, code: dict, budget: bool = True) -> str:
    """One screen: size against what the build allows, resource count, inlined code sizes."""
    size = len(text.encode())
    limit, of = (
        (SIZE_BUDGET, f"budget, 80% of the {TEMPLATE_BODY_LIMIT:,}-byte TemplateBody limit")
        if budget
        else (TEMPLATE_BODY_LIMIT, "TemplateBody limit")
    )
    lines = [
        f"wrote {written}",
        f"  size      {size:,} of {limit:,} bytes ({size / limit:.1%}; {of})",
        f"  resources {len(template.resources)}, parameters {len(template.parameters)}",
        "  cfn-lint  no findings in any region",
    ]
    for inlined in code.values():
        lines.append(
            f"  {inlined.path}  {inlined.source_bytes:,} bytes -> {inlined.inlined_bytes:,} inlined"
        )
    return "\n".join(lines)
