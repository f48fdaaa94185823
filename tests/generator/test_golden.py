"""Golden test: each emitted template, as parsed JSON, against its copy in tests/golden/.

Any change to the generator or a handler changes a template; accept it deliberately with
`python -m tests.generator.golden` and review the diff in the commit.
"""

from __future__ import annotations

import difflib
import json

import pytest

from tests.generator.golden import GOLDENS, UPDATE, emitted, indented


def readable_diff(expected: str, actual: str, limit: int = 80) -> str:
    """A unified diff of both indented templates: one changed value is one changed line."""
    diff = difflib.unified_diff(
        expected.splitlines(), actual.splitlines(), "golden", "emitted", lineterm=""
    )
    lines = list(diff)
    return "\n".join(lines[:limit]) + ("\n..." if len(lines) > limit else "")


@pytest.mark.parametrize("stack", GOLDENS)
def test_emitted_template_matches_golden_copy(stack):
    golden = GOLDENS[stack].read_text(encoding="utf-8")
    template = emitted(stack)
    assert template == json.loads(golden), (
        f"emitted {stack} template differs from {GOLDENS[stack].name}; if intended, run "
        f"`{UPDATE}`\n" + readable_diff(golden, indented(template))
    )


@pytest.mark.parametrize("stack", GOLDENS)
def test_golden_copy_is_stored_indented(stack):
    # One value per line: a change to a resource shows as changed lines in a review.
    golden = GOLDENS[stack].read_text(encoding="utf-8")
    assert golden == indented(json.loads(golden)), f"reformat it with `{UPDATE}`"
