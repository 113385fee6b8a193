"""Names people type → codes: areas and indicators by code, Chinese name, alias or printed name."""

from __future__ import annotations

from functools import lru_cache

from ..rules import RuleSet, closest, key


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
    return index


def area_index(rules: RuleSet) -> dict[str, str]:
    """Map of every accepted spelling of an area to its code."""
    return _area_index(rules)


def indicator_index(rules: RuleSet) -> dict[str, str]:
    """Map of every accepted spelling of an indicator (or context series) to its code."""
    return _indicator_index(rules)


def match_area(rules: RuleSet, text: str) -> str | None:
    return area_index(rules).get(key(text))


def match_indicator(rules: RuleSet, text: str) -> str | None:
    return indicator_index(rules).get(key(text))


__all__ = ["area_index", "closest", "indicator_index", "key", "match_area", "match_indicator"]
