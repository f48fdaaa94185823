"""The golden template: the accepted template, stored indented so a review shows what changed.

The emitted template stays compact; the golden copy holds the same JSON one value per line
(the inlined handler code stays one string). Accept an intended change with
`python -m tests.generator.golden` and review the diff in the commit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generator.consumer.template import build_template
from generator.render import render

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "template.json"
UPDATE = "python -m tests.generator.golden"


def indented(template: dict) -> str:
    """The golden form of a template: sorted keys, two-space indent, a final newline."""
    return json.dumps(template, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def emitted() -> dict:
    """The template `python -m generator` emits from the current sources, parsed."""
    return json.loads(render(build_template()))


def main() -> int:
    """Write the emitted template as the new golden copy."""
    GOLDEN.write_text(indented(emitted()), encoding="utf-8")
    print(f"wrote {GOLDEN}: review `git diff {GOLDEN.relative_to(Path.cwd())}` before committing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
