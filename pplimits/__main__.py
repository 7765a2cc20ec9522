"""`python -m pplimits …` is the `pplimits` command."""
import sys

from pplimits.cli import main

sys.exit(main())
