"""`python -m generator`: build a template (consumer or distributor), or `fleet ...` the status."""

import sys

from generator.cli import main

sys.exit(main())
