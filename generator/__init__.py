"""Generator of the build-artifact-consumer CloudFormation templates (consumer, distributor)."""

# The one version, a literal before any import: setup.cfg reads it (attr:) without importing the
# package, `--version` prints it, and each template module (consumer, distributor) puts it in.
__version__ = "0.3.0"

from generator.consumer.template import build_template

__all__ = ["__version__", "build_template"]
