"""Region facts the template needs: which regions are opt-in, as a CloudFormation condition.

SNS delivers from an opt-in region to a queue in another region only when the queue policy names
the regional service principal `sns.<opt-in-region>.amazonaws.com` (SNS developer guide,
"cross-region delivery"). Regions launched after 20 March 2019 are opt-in.
"""

from __future__ import annotations

from typing import Any

from troposphere import Equals, Or

OPT_IN_REGIONS = (
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-west-1",
    "eu-central-2",
    "eu-south-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
)
FN_OR_LIMIT = 10  # Fn::Or takes 2 to 10 conditions


def is_one_of(value: Any, choices: tuple[str, ...]) -> Or:
    """A condition that `value` equals one of `choices` (nested Fn::Or within its 10-item limit)."""
    tests = [Equals(value, choice) for choice in choices]
    while len(tests) > FN_OR_LIMIT:
        groups = [tests[i : i + FN_OR_LIMIT] for i in range(0, len(tests), FN_OR_LIMIT)]
        tests = [Or(*group) if len(group) > 1 else group[0] for group in groups]
    return Or(*tests)
