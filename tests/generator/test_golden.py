"""Golden test: the emitted template, byte for byte, against tests/golden/template.json.

Any change to the generator or a handler changes the template; accept it deliberately with
`python -m generator --output tests/golden/template.json` and review the diff in the commit.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

from generator.render import render
from generator.template import build_template

GOLDEN = Path(__file__).resolve().parent.parent / "golden" / "template.json"
UPDATE = "python -m generator --output tests/golden/template.json"


def readable_diff(expected: str, actual: str, limit: int = 80) -> str:
    """A unified diff of both templates indented, so one changed value is one changed line."""
    lines = [
        json.dumps(json.loads(text), indent=1, sort_keys=True).splitlines()
        for text in (expected, actual)
    ]
    diff = list(difflib.unified_diff(*lines, "golden", "emitted", lineterm=""))
    return "\n".join(diff[:limit]) + ("\n..." if len(diff) > limit else "")


def test_emitted_template_matches_golden_copy():
    emitted = render(build_template())
    golden = GOLDEN.read_text(encoding="utf-8")
    assert emitted == golden, (
        f"emitted template differs from {GOLDEN.name}; if intended, run `{UPDATE}`\n"
        + readable_diff(golden, emitted)
    )
