"""The distributor's two handlers each carry copies of the same constants (each is inlined alone
as index.py and can import nothing of the other or of the generator); these tests keep the copies
equal to each other and to the generator's values they stand for."""

from __future__ import annotations

import pytest

from generator import aws_names
from generator.distributor.parameters import URL_SECONDS_MAX, URL_SECONDS_MIN
from generator.inline import inline_handler

SHARED = ("ALL", "ACCOUNT", "REGION", "TOPIC_ARN", "BUCKET", "URL_SECONDS", "MISSING")


def constant(handler: str, name: str):
    # read as the generator reads a handler's constants: names outside __all__ are renamed inline
    return inline_handler(handler, "distributor").constant(name)


@pytest.mark.parametrize("name", SHARED)
def test_both_distributor_handlers_carry_the_same_copy(name):
    assert constant("publisher", name) == constant("initial_set", name)


def test_the_copies_are_the_generators_values():
    assert constant("publisher", "URL_SECONDS") == (URL_SECONDS_MIN, URL_SECONDS_MAX)
    assert constant("publisher", "BUCKET") == aws_names.BUCKET
    assert constant("publisher", "ACCOUNT") == aws_names.ACCOUNT
    assert constant("publisher", "REGION") == aws_names.REGION
