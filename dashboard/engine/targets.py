"""Every area × indicator's resolved target as flat arrays: the engine's target table.

The parameters come from each target kind's ``engine_row`` (``dashboard/checks``): this module
knows no kind by name. Defaults are computed once per indicator, then the few overridden pairs are
patched, so building the table is O(areas × indicators) numpy work with Python loops only over
indicators and overrides.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from ..checks import EngineRow
from ..rules import Indicator, ResolvedTarget, RuleSet


class Labels:
    """A column of strings per pair, kept as small integer codes into a list of distinct strings.

    Defaults repeat per indicator across every area, so the distinct strings number about as many
    as the indicators: the engine's output labels them without hashing a string per pair.
    """

    def __init__(self, codes: np.ndarray, categories: list[str]):
        self.codes = codes
        self.categories = categories

    @classmethod
    def tiled(cls, per_indicator, n_areas: int) -> Labels:
        """The per-indicator strings repeated for ``n_areas`` areas (``None`` stays missing: code -1)."""
        labels = cls(np.empty(0, dtype=np.int32), [])
        codes = np.array([labels._code(v) for v in per_indicator], dtype=np.int32)
        return cls(np.tile(codes, n_areas), labels.categories)

    def _code(self, value: str | None) -> int:
        if value is None:
            return -1
        if value not in self.categories:
            self.categories = [*self.categories, value]
        return self.categories.index(value)

    def __getitem__(self, rows: slice | np.ndarray) -> Labels:
        return Labels(self.codes[rows], self.categories)

    def __setitem__(self, row: int, value: str | None) -> None:
        self.codes[row] = self._code(value)

    def to_numpy(self) -> np.ndarray:
        """The strings themselves, one per pair."""
        return np.asarray(self.categories, dtype=object)[self.codes]


@dataclass(frozen=True)
class TargetTable:
    """Per (area, indicator) pair, the resolved target as flat arrays (row = a * n_ind + i).

    The numeric fields mirror :class:`~dashboard.checks.EngineRow`; ``ref`` is the series index of
    ``ref_series`` (-1 when none), ``plan_base`` the printed baseline for the pair's area (NaN if
    none), ``smooth`` the smoothing window (1 = none), ``limit`` the natural upper limit for
    direction-only scaling (NaN if none), ``kind``/``text``/``source``/``attribute`` strings.
    """

    areas: list[str]
    indicators: list[str]
    family: np.ndarray
    kind: Labels
    d: np.ndarray
    strict: np.ndarray
    tval: np.ndarray
    centre: np.ndarray
    half: np.ndarray
    from_baseline: np.ndarray
    offset: np.ndarray
    margin: np.ndarray
    ref: np.ndarray
    ref_about: np.ndarray
    plan_base: np.ndarray
    smooth: np.ndarray
    limit: np.ndarray
    vmin: np.ndarray
    vmax: np.ndarray
    text: Labels
    source: Labels
    attribute: Labels
    # False where the indicator is none of the area's (another area's added row) or the area does
    # not monitor it: those pairs are judged like any other, then left out of the result.
    applicable: np.ndarray | None = None

    def rows(self, lo: int, hi: int) -> TargetTable:
        """The pairs ``lo:hi`` (views, no copies)."""
        return self._subset(slice(lo, hi))

    def take(self, rows: np.ndarray) -> TargetTable:
        """The pairs at the positions ``rows`` (copies)."""
        return self._subset(rows)

    def _subset(self, rows: slice | np.ndarray) -> TargetTable:
        sliced = {
            f.name: (
                getattr(self, f.name)[rows]
                if isinstance(getattr(self, f.name), (np.ndarray, Labels))
                else getattr(self, f.name)
            )
            for f in fields(self)
        }
        return TargetTable(**sliced)


_ROW_FIELDS = (
    "family",
    "d",
    "strict",
    "tval",
    "centre",
    "half",
    "from_baseline",
    "offset",
    "margin",
    "ref",
    "ref_about",
    "smooth",
    "limit",
    "vmin",
    "vmax",
    "kind",
    "text",
    "source",
    "attribute",
)
_DTYPES = {
    "family": int,
    "d": float,
    "strict": bool,
    "tval": float,
    "centre": float,
    "half": float,
    "from_baseline": bool,
    "offset": float,
    "margin": float,
    "ref": int,
    "ref_about": bool,
    "smooth": int,
    "limit": float,
    "vmin": float,
    "vmax": float,
    "kind": object,
    "text": object,
    "source": object,
    "attribute": object,
}


def _row(target: ResolvedTarget, ind: Indicator, rules: RuleSet, series_index: dict[str, int]) -> tuple:
    r: EngineRow = target.check.engine_row(ind.direction, rules.settings)
    limit = ind.valid_max if (ind.valid_max is not None and ind.unit == "%") else np.nan
    ref = series_index[r.ref_series] if r.ref_series is not None else -1
    return (
        r.family,
        r.d,
        r.strict,
        r.tval,
        r.centre,
        r.half,
        r.from_baseline,
        r.offset,
        r.margin,
        ref,
        r.ref_about,
        ind.smoothing_years or 1,
        limit,
        np.nan if ind.valid_min is None else ind.valid_min,
        np.nan if ind.valid_max is None else ind.valid_max,
        target.check.kind,
        target.target_text,
        target.source,
        target.attribute,
    )


def build_targets(rules: RuleSet, areas: list[str]) -> TargetTable:
    """Resolve every indicator's target for every area in ``areas`` into flat arrays."""
    inds = list(rules.indicators.values())
    series = list(rules.indicators) + list(rules.context_series)
    series_index = {c: k for k, c in enumerate(series)}
    per_ind = [_row(rules.default_target(ind.code), ind, rules, series_index) for ind in inds]
    n_a, n_i = len(areas), len(inds)
    columns = list(zip(*per_ind)) if per_ind else [() for _ in _ROW_FIELDS]
    arrays: dict[str, np.ndarray | Labels] = {
        name: Labels.tiled(col, n_a) if _DTYPES[name] is object else np.tile(np.array(col, dtype=_DTYPES[name]), n_a)
        for name, col in zip(_ROW_FIELDS, columns)
    }
    plan_base = np.full(n_a * n_i, np.nan)
    area_pos = {a: k for k, a in enumerate(areas)}
    for i, ind in enumerate(inds):
        if ind.baseline is not None and ind.baseline_area in area_pos:
            plan_base[area_pos[ind.baseline_area] * n_i + i] = ind.baseline
    # An override, or the area's own definition of the indicator, replaces the whole row of its
    # area, baseline included.
    ind_pos = {ind.code: i for i, ind in enumerate(inds)}
    for area in area_pos.keys() & (rules.overrides.keys() | rules.area_indicators.keys()):
        codes = rules.overrides.get(area, {}).keys() | rules.area_indicators.get(area, {}).keys()
        for code in codes:
            target = rules.target_for(area, code)
            row = area_pos[area] * n_i + ind_pos[code]
            for name, value in zip(_ROW_FIELDS, _row(target, rules.indicator_for(area, code), rules, series_index)):
                arrays[name][row] = value
            plan_base[row] = target.baseline if target.baseline is not None else np.nan
    return TargetTable(
        areas=areas,
        indicators=[i.code for i in inds],
        plan_base=plan_base,
        applicable=_applicable(rules, areas, inds, area_pos),
        **arrays,  # type: ignore[arg-type]
    )


def _applicable(rules: RuleSet, areas: list[str], inds: list[Indicator], area_pos: dict[str, int]) -> np.ndarray | None:
    """Per pair, whether the indicator is one of the area's and monitored there; None when all are."""
    own = [(i, ind.area) for i, ind in enumerate(inds) if ind.area is not None]
    left_out = [(a, code) for a, codes in rules.not_monitored.items() if a in area_pos for code in codes]
    if not own and not left_out:
        return None
    n_i = len(inds)
    mask = np.ones(len(areas) * n_i, dtype=bool)
    for i, owner in own:  # an area's added row is no other area's indicator
        mask[i::n_i] = False
        if owner in area_pos:
            mask[area_pos[owner] * n_i + i] = True
    ind_pos = {ind.code: i for i, ind in enumerate(inds)}
    for a, code in left_out:
        mask[area_pos[a] * n_i + ind_pos[code]] = False
    return mask
