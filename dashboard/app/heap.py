"""The server process's long-lived objects, kept out of Python's full garbage collections.

Streamlit's own collection after every run is off (``runner.postScriptGC = false`` in
``.streamlit/config.toml``), but Python's generational collector still runs a full (generation 2)
collection now and then, and each one walks every object of the process: the imported libraries,
the rules, the cached evaluation. On the demo that took 0.10–0.15 s, and whichever page run it fell
into was that much slower (``bench-pages`` saw a menu switch to 分区县 take 0.04 s or 0.2 s at
random). After the first page has run, what the process holds is mostly for good: :func:`settle_once`
collects once and then freezes it (``gc.freeze``), so that later full collections only walk what
came after — the way CPython's documentation suggests for long-lived servers.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_settled = False


def settle_once() -> None:
    """Collect, then move every object alive now out of the collector's reach; once per process."""
    global _settled
    if _settled:
        return
    with _lock:
        if _settled:
            return
        gc.collect()
        gc.freeze()
        _settled = True
