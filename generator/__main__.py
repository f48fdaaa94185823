"""`python -m generator`: emit the consumer stack's template."""

import sys

from generator.cli import main

sys.exit(main())
