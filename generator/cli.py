"""Command line: build, validate and write the consumer template, then print a summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.defaults import DefaultsError, load_defaults
from generator.inline import InlineError
from generator.render import FORMATS, render
from generator.template import build_template, inline_handlers
from generator.validation import TEMPLATE_BODY_LIMIT, ValidationError, validate

EPILOG = """examples:
  python -m generator
      write build/template.json (validated with cfn-lint, at most 51,200 bytes)
  python -m generator --format yaml --output build/template.yaml
  python -m generator --parameter-defaults org-defaults.json
      where org-defaults.json bakes your distributor into the template, e.g.
      {"DistributionTopic": "arn:aws:sns:eu-west-1:111122223333:artifacts",
       "DistributionBucket": "my-artifacts-111122223333-eu-west-1"}
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m generator",
        description="Build the build-artifact-consumer CloudFormation template from generator/ "
        "and handlers/, validate it with cfn-lint and write it.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=Path("build/template.json"),
        metavar="PATH",
        help="where to write the template (default: %(default)s)",
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
        help="JSON object of parameter name -> default, baked into the template; each value "
        "must match its parameter's AllowedPattern",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; user errors print one line on stderr and return 1."""
    args = parse_args(argv)
    try:
        defaults = load_defaults(args.parameter_defaults) if args.parameter_defaults else None
        code = inline_handlers()
        template = build_template(defaults, code)
        text = render(template, args.format)
        validate(text)
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    except (DefaultsError, InlineError, ValidationError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except OSError as err:
        print(f"error: cannot write {args.output}: {err.strerror}", file=sys.stderr)
        return 1
    print(summary(args.output, text, template, code))
    return 0


def summary(path: Path, text: str, template, code: dict) -> str:
    """One screen: size against the limit, resource count, inlined code sizes."""
    size = len(text.encode())
    lines = [
        f"wrote {path}",
        f"  size      {size:,} of {TEMPLATE_BODY_LIMIT:,} bytes ({size / TEMPLATE_BODY_LIMIT:.0%})",
        f"  resources {len(template.resources)}, parameters {len(template.parameters)}",
        "  cfn-lint  no findings in any region",
    ]
    for inlined in code.values():
        lines.append(
            f"  handlers/{inlined.name}.py  {inlined.source_bytes:,} bytes -> "
            f"{inlined.inlined_bytes:,} inlined"
        )
    return "\n".join(lines)
