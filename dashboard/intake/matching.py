"""Names people type → codes: areas and indicators by code, Chinese name, alias or printed name."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..messages import Code, Problem
from ..rules import RuleSet, closest, key
from ..rules.models import UploadSettings


@lru_cache(maxsize=16)
def _area_index(rules: RuleSet) -> dict[str, str]:
    index: dict[str, str] = {}
    for a in rules.areas.values():
        for name in (a.code, a.name_zh, a.name_en, *a.aliases):
            index.setdefault(key(name), a.code)
    return index


@lru_cache(maxsize=16)
def _indicator_index(rules: RuleSet) -> dict[str, str]:
    index: dict[str, str] = {}
    for ind in rules.indicators.values():
        for name in (ind.code, ind.name_zh, ind.printed_name, ind.name_en):
            index.setdefault(key(name), ind.code)
    for c in rules.context_series.values():
        for name in (c.code, c.name_zh, c.name_en):
            index.setdefault(key(name), c.code)
    # A row an area's plan names otherwise (区党代会 for 市党代会) is still that indicator; a
    # previous plan's rows (rules/periods/) are known by their codes and names too.
    for plan in [rules, *rules.periods.values()]:
        for ind in [i for own in plan.area_indicators.values() for i in own.values()] + list(plan.indicators.values()):
            for name in (ind.code, ind.name_zh, ind.printed_name, ind.name_en):
                index.setdefault(key(name), ind.code)
    return index


def area_index(rules: RuleSet) -> dict[str, str]:
    """Map of every accepted spelling of an area to its code."""
    return _area_index(rules)


def indicator_index(rules: RuleSet) -> dict[str, str]:
    """Map of every accepted spelling of an indicator (or context series) to its code."""
    return _indicator_index(rules)


def match_area(rules: RuleSet, text: str) -> str | None:
    """The code of the area ``text`` names, or None."""
    return area_index(rules).get(key(text))


def match_indicator(rules: RuleSet, text: str) -> str | None:
    """The code of the indicator (or context series) ``text`` names, or None."""
    return indicator_index(rules).get(key(text))


def suggestions(
    texts: Iterable[str], choices: Sequence[str], limits: UploadSettings
) -> tuple[dict[str, str | None], Problem | None]:
    """Did-you-mean suggestions for unknown names, bounded: ``({text: closest known name or None}, problem)``.

    Each lookup compares a text with every known name, so only the first
    ``limits.max_suggested_names`` distinct texts get one, and no text longer than
    ``limits.max_suggestion_chars`` (a name is short; a long cell is no misspelt name). When some
    texts went without, ``problem`` is the SUGGESTIONS_LIMITED warning that says so.
    """
    distinct = list(dict.fromkeys(texts))
    hints: dict[str, str | None] = dict.fromkeys(distinct)
    # The known names are keyed once here, not once per unknown text.
    keyed = {key(c): c for c in choices}
    pool = list(keyed)
    for text in distinct[: limits.max_suggested_names]:
        if len(text) <= limits.max_suggestion_chars:
            hit = difflib.get_close_matches(key(text), pool, n=1, cutoff=0.5)
            hints[text] = keyed[hit[0]] if hit else None
    problem = None
    if len(distinct) > limits.max_suggested_names:
        problem = Problem(
            Code.SUGGESTIONS_LIMITED, {"n": len(distinct), "max": limits.max_suggested_names}, severity="warning"
        )
    return hints, problem


__all__ = ["area_index", "closest", "indicator_index", "key", "match_area", "match_indicator", "suggestions"]
