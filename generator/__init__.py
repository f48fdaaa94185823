"""Generator of the build-artifact-consumer CloudFormation template."""

# The one version, a literal before any import: setup.cfg reads it (attr:) without importing the
# package, `--version` prints it, and generator.consumer.template puts it into the template.
__version__ = "0.2.0"

from generator.consumer.template import build_template

__all__ = ["__version__", "build_template"]
