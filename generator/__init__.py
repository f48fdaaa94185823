"""Generator of the build-artifact-consumer CloudFormation template."""

from generator.template import build_template

__all__ = ["build_template"]
