"""Generator of the build-artifact-consumer CloudFormation template."""

# A literal, before any import: packaging tools read it without importing the package, and
# generator.template imports it while this package is still initialising.
__version__ = "0.1.0"

from generator.template import build_template

__all__ = ["__version__", "build_template"]
