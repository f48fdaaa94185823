"""Generator of the build-artifact-consumer CloudFormation template."""

from generator.template import build_template

__version__ = "0.1.0"  # the one version: setup.cfg reads it (attr:), `--version` prints it

__all__ = ["__version__", "build_template"]
