"""Property: apart from the rewritten references, the output equals the input, byte for byte.

Documents are built from random fragments, each with the text it must become, joined by
random separators; so the expected output is known exactly without re-implementing the
rewriter. A fixed seed per case keeps every run the same (and a failure reproducible).
"""

from __future__ import annotations

import random

import pytest

from tests.rewrite.names import SOURCE, TARGET

S, T = SOURCE, TARGET
HEADER = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"

# (input fragment, expected output fragment)
REFERENCES = [
    (S, T),
    (f"s3://{S}/k/a.zip", f"s3://{T}/k/a.zip"),
    (f"arn:aws:s3:::{S}/*", f"arn:aws:s3:::{T}/*"),
    (f"https://{S}.s3.amazonaws.com/a", f"https://{T}.s3.amazonaws.com/a"),
    (f"https://{S}.s3.eu-west-1.amazonaws.com/a", f"https://{T}.s3.eu-central-1.amazonaws.com/a"),
    (f"https://{S}.s3-eu-west-1.amazonaws.com/a", f"https://{T}.s3-eu-central-1.amazonaws.com/a"),
    (f"https://s3.amazonaws.com/{S}/a", f"https://s3.amazonaws.com/{T}/a"),
    (f"https://s3.eu-west-1.amazonaws.com/{S}", f"https://s3.eu-central-1.amazonaws.com/{T}"),
    (f"https://s3.us-east-1.amazonaws.com/{S}/a", f"https://s3.us-east-1.amazonaws.com/{T}/a"),
    (
        f"https://{S}.s3.${{AWS::Region}}.amazonaws.com",
        f"https://{T}.s3.${{AWS::Region}}.amazonaws.com",
    ),
    # "/" written as JSON's "\/"
    (f"s3:\\/\\/{S}\\/k", f"s3:\\/\\/{T}\\/k"),
    (
        f"https:\\/\\/{S}.s3.eu-west-1.amazonaws.com\\/a",
        f"https:\\/\\/{T}.s3.eu-central-1.amazonaws.com\\/a",
    ),
    (f"https:\\/\\/s3.amazonaws.com\\/{S}\\/a", f"https:\\/\\/s3.amazonaws.com\\/{T}\\/a"),
]
LOOKALIKES = [
    f"{S}-logs",
    f"my-{S}",
    f"{S}.backup",
    f"{S}x",
    f"{S}/key.zip",
    f"s3://other/{S}/k",
    f"https://other.s3.eu-west-1.amazonaws.com/{S}/a",
    "https://s3.eu-west-1.amazonaws.com/other/a",
    f"${{Env}}{S}",
    "eu-west-1",
    "s3.amazonaws.com",
    f"{S}\\/key.zip",
    f"s3:\\/\\/other\\/{S}\\/k",
    f"https:\\/\\/s3.amazonaws.com\\/other\\/{S}",
]
FILLER = "abcxyzABC019_.-:/$é構"
# Token boundaries; "{" only with a space, since "{B" is read as in the Sub variable "${B}".
SEPARATORS = [" ", "  ", "\n", "\r\n", "\t", ", ", ": ", "'", '"', "[", "]", "{ ", "(", "=", "# "]


def random_document(rng: random.Random) -> tuple[str, str]:
    """A template body and what rewriting must make of it."""
    source, expected = [HEADER], [HEADER]
    for _ in range(rng.randint(1, 60)):
        kind = rng.random()
        if kind < 0.3:
            before, after = rng.choice(REFERENCES)
        elif kind < 0.6:
            before = after = rng.choice(LOOKALIKES)
        else:
            before = after = "".join(rng.choices(FILLER, k=rng.randint(1, 12)))
        separator = rng.choice(SEPARATORS)
        source += [before, separator]
        expected += [after, separator]
    return "".join(source), "".join(expected)


@pytest.mark.parametrize("seed", range(40))
def test_only_references_change(rewrite, seed):
    """GIVEN a template of references, look-alikes and random text between token boundaries
    WHEN it is rewritten
    THEN the output is the input with exactly the references replaced (None: no reference)."""
    body, expected = random_document(random.Random(seed))

    out = rewrite(body)

    assert (out or body.encode()) == expected.encode()
    assert (out is None) == (body == expected)
