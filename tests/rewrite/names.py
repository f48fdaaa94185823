"""The buckets and regions of the rewriting tests, and a minimal template around one value."""

from __future__ import annotations

SOURCE = "dist-artifacts"  # the distributor's bucket (DISTRIBUTION_BUCKET)
SOURCE_REGION = "eu-west-1"  # DISTRIBUTION_REGION
TARGET = "dist-artifacts-copy"  # the consumer's bucket; it contains SOURCE: one pass only
TARGET_REGION = "eu-central-1"  # AWS_REGION of the consumer


def template_with(value: str, eol: str = "\n") -> str:
    """A YAML CloudFormation template whose only property holds `value`."""
    lines = [
        "AWSTemplateFormatVersion: '2010-09-09'",
        "Resources:",
        "  Stack:",
        "    Type: AWS::CloudFormation::Stack",
        "    Properties:",
        f"      Value: {value}",
        "",
    ]
    return eol.join(lines)
