"""``python -m dashboard …`` — see ``dashboard.cli``.

What is done here, and only here, shortens a command's start-up (README, Benchmarks). It concerns the
process, not the command: the tests call ``dashboard.cli.main`` many times in one process, with
Streamlit loaded, and must not inherit any of it.
"""

import gc
import sys

# The cyclic garbage collector would walk the libraries' objects again and again while they are being
# imported (pydantic, the rules' models); they live as long as the process. It is off while they load,
# and what they leave is frozen, so that later collections skip it.
gc.disable()
from .cli import main, needs_arrow  # noqa: E402  (after the collector is off)


class _WithoutArrow:
    """An import finder that says pyarrow is not installed, as pandas expects to hear it.

    pandas 2 imports pyarrow whenever it is installed (about 40 ms of a command's start-up), and it is
    installed because Streamlit needs it. No command but the benchmarks reads or writes Arrow data, and
    pandas without pyarrow is a configuration it supports and tests. A None entry in ``sys.modules``
    is not enough: pandas' compiled core takes it for the module.
    """

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] == "pyarrow":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)


if not needs_arrow(sys.argv[1:]):
    sys.meta_path.insert(0, _WithoutArrow())
gc.freeze()
gc.enable()

code = main()
# What the command leaves (pandas, pydantic, the rules: several hundred thousand objects) dies with
# the process. Frozen, it is skipped by the collections the interpreter runs while it shuts down,
# which otherwise walk all of it: about 0.1 s of a 0.5 s command.
gc.freeze()
sys.exit(code)
