"""The golden templates: the accepted templates, stored indented so a review shows what changed.

The emitted templates stay compact; each golden copy holds the same JSON one value per line
(the inlined handler code stays one string): tests/golden/template.json for the consumer,
tests/golden/distributor.json for the distributor. Accept an intended change with
`python -m tests.generator.golden` and review the diff in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.consumer.template import build_template
from generator.distributor import template as distributor
from generator.render import render

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "golden"
GOLDEN = GOLDEN_DIR / "template.json"
GOLDENS = {"consumer": GOLDEN, "distributor": GOLDEN_DIR / "distributor.json"}
BUILDERS = {"consumer": build_template, "distributor": distributor.build_template}
UPDATE = "python -m tests.generator.golden"


def indented(template: dict) -> str:
    """The golden form of a template: sorted keys, two-space indent, a final newline."""
    return json.dumps(template, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def emitted(stack: str = "consumer") -> dict:
    """The template `python -m generator --stack STACK` emits from the current sources, parsed."""
    return json.loads(render(BUILDERS[stack]()))


def main() -> int:
    """Write each emitted template as its new golden copy."""
    for stack, golden in GOLDENS.items():
        golden.write_text(indented(emitted(stack)), encoding="utf-8")
        print(
            f"wrote {golden}: review `git diff {golden.relative_to(Path.cwd())}` before committing"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
