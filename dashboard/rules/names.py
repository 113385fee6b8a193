"""Names as people type them: one comparable form, and the closest known spelling."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Protocol


class AreaNames(Protocol):
    """What naming an area needs (an ``Area`` of areas.yaml)."""

    @property
    def name_zh(self) -> str: ...

    @property
    def name_en(self) -> str: ...

    @property
    def aliases(self) -> tuple[str, ...]: ...


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


def _english_word(name_en: str) -> str:
    """``Wanzhou District`` → ``wanzhou``: how a file name written in pinyin names an area."""
    words = re.findall(r"[a-z]+", name_en.lower())
    return words[0] if words else ""


def named_areas(text: str, areas: Mapping[str, AreaNames]) -> set[str]:
    """The codes of the areas ``text`` names: a code or an English first word as a token
    (``500101``, ``wanzhou``), or a Chinese name anywhere in it (``万州区妇女发展规划``).

    An English word several areas share (``district`` of "District A") names none of them.
    """
    tokens = {key(p) for p in re.split(r"[\s_\-.·,，、()（）]+", text) if p}
    compact = key(text)
    words: dict[str, list[str]] = {}
    for code, a in areas.items():
        words.setdefault(_english_word(a.name_en), []).append(code)
    found = set()
    for code, a in areas.items():
        word = _english_word(a.name_en)
        if (
            key(code) in tokens
            or (word and len(words[word]) == 1 and word in tokens)
            or (len(a.name_zh) >= 2 and key(a.name_zh) in compact)
            or any(key(alias) in tokens for alias in a.aliases)
        ):
            found.add(code)
    return found


def code_of_name(text: str, areas: Mapping[str, AreaNames]) -> str | None:
    """The code of the area whose name, English name or alias ``text`` is exactly (``綦江区`` → ``500110``)."""
    k = key(text)
    for code, a in areas.items():
        if k in {key(a.name_zh), key(a.name_en), *(key(x) for x in a.aliases)}:
            return code
    return None
