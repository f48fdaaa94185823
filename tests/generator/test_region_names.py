"""One definition of a region name: the DistributionRegion parameter's, copied into each handler.

The handlers cannot import the generator (Lambda has only index.py), so each carries the pattern
as a literal; these tests keep the copies equal and the pattern true to AWS's regions. That both
consumer handlers act on every such region is tested with them
(tests/copy/test_source_allow_list.py, tests/trigger/test_regions.py).
"""

from __future__ import annotations

import re

import pytest

from generator.consumer.parameters import REGION
from generator.inline import inline_handler
from testkit.handlers import SIDES
from tests.support.regions import real_region_names


def test_the_parameter_validates_with_the_one_region_pattern(template):
    assert template["Parameters"]["DistributionRegion"]["AllowedPattern"] == f"^{REGION}$"


@pytest.mark.parametrize("handler", sorted(SIDES))
def test_each_handler_carries_the_parameters_region_pattern(handler):
    # Read as the generator reads a handler's constants (the module's names outside __all__ are
    # renamed in the inlined code, so tests do not use them)
    assert inline_handler(handler, SIDES[handler]).constant("REGION") == REGION


def test_every_real_region_is_a_region_name():
    # GIVEN every region botocore knows of, in every partition, and newer partitions' regions
    # THEN the parameter (and so each handler) accepts each of them
    assert [r for r in real_region_names() if not re.fullmatch(REGION, r)] == []
