"""Command line: build, validate and write a template (consumer or distributor), and summarise;
`fleet ...` runs the fleet status instead (generator/fleet/cli.py)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
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
    check_extension,
    describe,
    silence_stdout,
    write_template,
)
from generator.quoting import QUOTE_LIMIT, quoted, shortened
from generator.render import FORMATS
from generator.validation import TEMPLATE_BODY_LIMIT, Sizes, ValidationError, validate_template


@dataclass(frozen=True)
class Stack:
    """One template the CLI builds: where it goes by default and the modules that make it."""

    output: str  # the default path, by --format: build/template.json or build/template.yaml
    template: Any  # the module with inline_handlers() and build_template()
    defaults: Any  # the module with load_defaults()
    warnings: Callable[[dict | None], list[str]] = lambda defaults: []


STACKS = {
    "consumer": Stack(
        "build/template.{ext}",
        consumer_template,
        consumer_defaults,
        consumer_defaults.build_warnings,
    ),
    "distributor": Stack("build/distributor.{ext}", distributor_template, distributor_defaults),
}

EPILOG = """the fleet status (which consumer lacks which artifact) is a command of its own:
  python -m generator fleet --help

examples:
  python -m generator
      write build/template.json (validated with cfn-lint; it fits 51,200 bytes even with
      every parameter's default at its MaxLength)
  python -m generator --stack distributor
      write build/distributor.json, the distributor the consumers subscribe to
  python -m generator --format yaml
      write build/template.yaml (an --output ending .json is refused with yaml, and the
      reverse: the extension must not name the other format)
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


class _Parser(argparse.ArgumentParser):
    """argparse, whose usage errors show at most a few lines' worth of what was typed."""

    def error(self, message: str) -> None:
        super().error(shortened(message, 2 * QUOTE_LIMIT))


def _format(value: str) -> str:
    """A --format value; argparse would quote a wrong one whole."""
    if value not in FORMATS:
        raise argparse.ArgumentTypeError(
            f"invalid choice: {quoted(value)} (choose from {', '.join(FORMATS)})"
        )
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = _Parser(
        prog=program_name(),
        description="Build a build-artifact-consumer CloudFormation template (the consumer's, or "
        "with --stack distributor the distributor's) from generator/ and handlers/, validate it "
        "with cfn-lint and write it.",
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
        + ", ".join(
            f"{stack.output.format(ext='json')} for {name}" for name, stack in STACKS.items()
        )
        + "; .yaml with --format yaml)",
    )
    parser.add_argument(
        "--format",
        type=_format,
        choices=FORMATS,
        default="json",
        help="template format (default: %(default)s)",
    )
    parser.add_argument(
        "--parameter-defaults",
        type=Path,
        metavar="FILE",
        help="JSON or YAML mapping of parameter name -> default, baked into the template; "
        "each value must fit its parameter's MaxLength and match its AllowedPattern",
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
    args = parser.parse_args(argv)
    if args.output is None:
        args.output = STACKS[args.stack].output.format(ext=args.format)
    return args


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line on stderr and return 1."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["fleet"]:
        from generator.fleet.cli import main as fleet

        return fleet(argv[1:], program_name())
    args = parse_args(argv)
    stack = STACKS[args.stack]
    try:
        check_destination(args.output)  # before seconds of work that could not be written
        check_extension(args.output, args.format)
        defaults = (
            stack.defaults.load_defaults(args.parameter_defaults)
            if args.parameter_defaults
            else None
        )
        code = stack.template.inline_handlers()
        template = stack.template.build_template(defaults, code)
        sizes = validate_template(template, args.format)
        write_template(sizes.text, args.output)
    except (DefaultsError, InlineError, ValidationError, OutputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    if args.quiet:
        return 0
    # With `--output -` stdout carries the template alone.
    stream = sys.stderr if args.output == STDOUT else sys.stdout
    try:
        summary_text = summary(describe(args.output), sizes, template, code)
        print(summary_text, file=stream, flush=True)
    except BrokenPipeError:  # `| head -1`: the template is written, the reader wants no more
        silence_stdout()
    for warning in [*stack.warnings(defaults), sizes.yaml_warning()]:  # once it is written
        if warning:
            print(f"warning: {warning}", file=sys.stderr)
    return 0


def summary(written: str, sizes: Sizes, template, code: dict) -> str:
    """One screen: sizes against the TemplateBody limit, resource count, inlined code sizes."""
    lines = [
        f"wrote {written}",
        _size_line("size", sizes.actual, "as written"),
        _size_line("worst", sizes.worst_case, "JSON, every default at its MaxLength"),
        f"  resources {len(template.resources)}, parameters {len(template.parameters)}",
        "  cfn-lint  no findings in any region",
    ]
    for inlined in code.values():
        lines.append(
            f"  {inlined.path}  {inlined.source_bytes:,} bytes -> {inlined.inlined_bytes:,} inlined"
        )
    return "\n".join(lines)


def _size_line(label: str, size: int, what: str) -> str:
    """`size` against CloudFormation's TemplateBody limit."""
    share = size / TEMPLATE_BODY_LIMIT
    return f"  {label:<9} {size:,} of {TEMPLATE_BODY_LIMIT:,} bytes ({share:.1%}; {what})"
