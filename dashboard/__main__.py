"""``python -m dashboard …`` — see ``dashboard.cli``."""

import gc
import sys

from .cli import main

code = main()
# What the command leaves (pandas, pydantic, the rules: several hundred thousand objects) dies with
# the process. Frozen, it is skipped by the collections the interpreter runs while it shuts down,
# which otherwise walk all of it: about 0.1 s of a 0.5 s command (README, Benchmarks). Only here,
# not in ``main``: the tests call ``main`` many times in one process.
gc.freeze()
sys.exit(code)
