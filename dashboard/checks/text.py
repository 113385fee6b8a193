"""Reading printed target texts: full-width forms, numbers and comparison signs."""

from __future__ import annotations

import re
import unicodedata

NUMBER = r"[-+]?\d+(?:\.\d+)?"
OPS = {
    "≥": ">=",
    "≧": ">=",
    ">=": ">=",
    "=>": ">=",
    ">": ">",
    "≤": "<=",
    "≦": "<=",
    "<=": "<=",
    "=<": "<=",
    "<": "<",
    "=": "==",
    "==": "==",
}


def normalise(text: str | None) -> str:
    """Full-width forms to ASCII (``＞98.5`` → ``>98.5``, ``２：３`` → ``2:3``), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
