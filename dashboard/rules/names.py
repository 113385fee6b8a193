"""Names as people type them: one comparable form, and the closest known spelling."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable


def key(text: object) -> str:
    """Comparable form: NFKC (full-width → ASCII), no spaces, lower case, unified brackets."""
    t = unicodedata.normalize("NFKC", str(text)).strip()
    t = re.sub(r"\s+", "", t)
    return t.replace("(", "（").replace(")", "）").lower()


def closest(text: str, choices: Iterable[str]) -> str | None:
    """The closest known spelling, for "did you mean" in error messages."""
    pool = list(choices)
    hits = difflib.get_close_matches(key(text), [key(c) for c in pool], n=1, cutoff=0.5)
    if not hits:
        return None
    lookup = {key(c): c for c in pool}
    return lookup[hits[0]]
