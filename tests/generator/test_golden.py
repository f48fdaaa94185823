"""Golden test: the emitted template, as parsed JSON, against tests/golden/template.json.

Any change to the generator or a handler changes the template; accept it deliberately with
`python -m tests.generator.golden` and review the diff in the commit.
"""

from __future__ import annotations

import difflib
import json

from tests.generator.golden import GOLDEN, UPDATE, emitted, indented


def readable_diff(expected: str, actual: str, limit: int = 80) -> str:
    """A unified diff of both indented templates: one changed value is one changed line."""
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "golden", "emitted", lineterm=""
    )
    lines = list(diff)
    return "\n".join(lines[:limit]) + ("\n..." if len(lines) > limit else "")


def test_emitted_template_matches_golden_copy():
    golden = GOLDEN.read_text(encoding="utf-8")
    template = emitted()
    assert template == json.loads(golden), (
        f"emitted template differs from {GOLDEN.name}; if intended, run `{UPDATE}`\n"
        + readable_diff(golden, indented(template))
    )


def test_golden_copy_is_stored_indented():
    # One value per line: a change to a resource shows as changed lines in a review.
    golden = GOLDEN.read_text(encoding="utf-8")
    assert golden == indented(json.loads(golden)), f"reformat it with `{UPDATE}`"
