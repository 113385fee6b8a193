"""The loaded rules: indicators with typed checks, areas, plans, domains, each area's targets.

A :class:`RuleSet` is what ``load_rules`` returns; after loading, nothing reads YAML or raw dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from ..checks import Check, Direction
from ..messages import Problem, t
from ..messages.numbers import format_value
from .models import Area, Attribute, ContextSeries, Domain, PeriodFile, Plan, Settings

if TYPE_CHECKING:  # pandas is imported where a frame is built: loading rules must stay light
    import pandas as pd


class Indicator(BaseModel):
    """An indicator after loading: its printed target parsed into ``check``."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    plan: str
    domain: str
    number: int
    order: int
    name_zh: str
    name_en: str
    unit: str
    direction: Direction
    target_text: str
    check: Check
    attribute: Attribute
    baseline: float | None
    baseline_note: str | None
    baseline_area: str
    valid_min: float | None
    valid_max: float | None
    smoothing_years: int | None
    # As the indicator's row declares it (valid_min/valid_max fill its gaps from the unit's bounds):
    # an upload refused above valid_max names the one that set it.
    valid_range: tuple[float | None, float | None] | None = None
    decimals: int | None = None
    definition: str | None = None
    data_source: str | None = None
    note: str | None = None
    # None: the catalogue's row. An area's own row (an indicator it adds, or the catalogue's row as
    # the area's plan defines it): that area's code, and the file that says so.
    area: str | None = None
    source_file: str | None = None
    defined_at: tuple[str, int] | None = None  # the file and line of its row

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    def format(self, value: object, lang: str = "zh") -> str:
        """A value of this indicator with its unit, rounded as the rules say (``93.1%``, ``11.7/10万``)."""
        return format_value(value, self.unit, lang, self.decimals)

    @property
    def printed_name(self) -> str:
        """The name as the plan table prints it, unit in brackets: ``孕产妇死亡率（1/10万）``."""
        return f"{self.name_zh}（{self.unit}）" if self.unit else self.name_zh


@dataclass(frozen=True)
class ResolvedTarget:
    """The target one area is held to for one indicator, and where it comes from."""

    area: str
    indicator: str
    target_text: str
    check: Check
    attribute: str
    source: str  # "default" or "override"
    source_file: str | None
    baseline: float | None
    note: str | None = None  # the maintainer's record of why (a misprint in the source, say)


@dataclass(frozen=True)
class NotMonitored:
    """An indicator an area's plan leaves out: why, and where that is written."""

    area: str
    indicator: str
    reason: str
    note: str | None
    source_file: str
    line: int | None


@dataclass(frozen=True)
class AreaChange:
    """One thing an area's file changes against the catalogue, at its line (``check-rules --area``).

    ``field``: a key of the entry (``target``, ``unit``, ``name_zh`` …), ``added`` for an indicator
    the area adds, ``not_monitored`` for one it leaves out. ``before``/``after`` as written.
    """

    area: str
    indicator: str
    field: str
    before: str
    after: str
    file: str
    line: int | None


@dataclass(eq=False)  # identity-hashed: caches key on the loaded rule set
class RuleSet:
    """Everything the rules directory says, typed and cross-checked."""

    root: Path
    settings: Settings
    areas: dict[str, Area]
    plans: dict[str, Plan]
    domains: dict[tuple[str, str], Domain]
    indicators: dict[str, Indicator]
    context_series: dict[str, ContextSeries]
    overrides: dict[str, dict[str, ResolvedTarget]]
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str = ""
    # Per area: the indicators its file defines otherwise or adds (code → the area's row), those it
    # does not monitor, and every change at its line.
    area_indicators: dict[str, dict[str, Indicator]] = field(default_factory=dict)
    not_monitored: dict[str, dict[str, NotMonitored]] = field(default_factory=dict)
    area_changes: dict[str, list[AreaChange]] = field(default_factory=dict)
    area_files: dict[str, tuple[str, str]] = field(default_factory=dict)  # area → (its file, its source:)
    # Previous plan periods (``rules/periods/``) by key (``2011-2020``), each a rule set of its own
    # sharing the areas; ``period`` is set on those (None on the current plan).
    periods: dict[str, RuleSet] = field(default_factory=dict)
    period: PeriodFile | None = None

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def period_key(self) -> str:
        """The plan's years as people name them: ``2021-2030`` (the years after its baseline year)."""
        return f"{self.settings.baseline_year + 1}-{self.settings.target_year}"

    def plan_for_year(self, year: int) -> RuleSet:
        """The plan a value of ``year`` is judged by: a previous period whose years contain it (after its
        baseline year, up to its target year), else this plan."""
        for previous in self.periods.values():
            if previous.settings.baseline_year < year <= previous.settings.target_year:
                return previous
        return self

    def accepts_year(self, year: int) -> bool:
        """Whether values of ``year`` may be uploaded: within this plan's or a previous plan's years
        (their baseline years included)."""
        return any(p.settings.plan_period.start <= year <= p.settings.plan_period.end for p in self.all_plans())

    def all_plans(self) -> list[RuleSet]:
        """This plan and every previous one, earliest first."""
        return sorted([self, *self.periods.values()], key=lambda p: p.settings.target_year)

    @property
    def city(self) -> Area:
        return next(a for a in self.areas.values() if a.parent is None)

    def area_name(self, code: str, lang: str = "zh") -> str:
        area = self.areas.get(code)
        if area is None:
            return code
        return area.name_en if lang == "en" else area.name_zh

    def domain_name(self, plan: str, domain: str, lang: str = "zh") -> str:
        d = self.domains.get((plan, domain))
        if d is None:
            return domain
        return d.name_en if lang == "en" else d.name_zh

    def indicator_for(self, area: str | None, code: str) -> Indicator:
        """The indicator as ``area``'s plan defines it: its own row when its file redefines or adds
        it, else the catalogue's (``area`` None: the catalogue's)."""
        if area is not None:
            own = self.area_indicators.get(area, {}).get(code)
            if own is not None:
                return own
        return self.indicators[code]

    def applies(self, area: str, code: str) -> bool:
        """Whether ``code`` is one of ``area``'s indicators: a catalogue row, or one the area adds itself."""
        ind = self.indicators.get(code)
        return ind is not None and (ind.area is None or ind.area == area)

    def indicators_for(self, area: str | None) -> list[Indicator]:
        """``area``'s indicators in plan order, each as the area defines it (its added ones after the
        catalogue; those it does not monitor included — see :attr:`not_monitored`). ``None``: the catalogue."""
        plan_rank = {p: k for k, p in enumerate(dict.fromkeys(i.plan for i in self.indicators.values()))}
        # An added row takes its place by its number (W47 after W46), not after every plan's rows.
        mine = [i for i in self.indicators.values() if i.area is None or i.area == area]
        mine.sort(key=lambda i: (plan_rank[i.plan], i.number, i.order))
        return [self.indicator_for(area, ind.code) for ind in mine]

    def not_monitored_in(self, area: str, code: str) -> NotMonitored | None:
        """Why ``area`` does not monitor ``code``, or None when it does."""
        return self.not_monitored.get(area, {}).get(code)

    def defined_differently(self, area: str, code: str) -> list[AreaChange]:
        """The definition fields (name, unit, direction …) ``area``'s file changes for ``code``."""
        return [c for c in self.area_changes.get(area, []) if c.indicator == code and c.field in DEFINITION_FIELDS]

    def target_for(self, area: str, indicator: str) -> ResolvedTarget:
        """The target that applies in ``area``: its override if it has one, else the default."""
        own = self.overrides.get(area, {}).get(indicator)
        if own is not None:
            return own
        default = self.default_target(indicator)
        ind = self.indicators[indicator]
        # The printed baseline belongs to the plan's own area only.
        baseline = ind.baseline if area == ind.baseline_area else None
        return ResolvedTarget(
            area, indicator, default.target_text, default.check, default.attribute, "default", None, baseline
        )

    def default_target(self, indicator: str) -> ResolvedTarget:
        """The target as the plan prints it, for any area without an override (area left empty)."""
        ind = self.indicators[indicator]
        return ResolvedTarget(
            area="",
            indicator=indicator,
            target_text=ind.target_text,
            check=ind.check,
            attribute=ind.attribute,
            source="default",
            source_file=None,
            baseline=None,
        )

    def catalogue(self, area: str | None = None, lang: str = "zh") -> pd.DataFrame:
        """The indicator list with the targets that apply to ``area`` (default targets if None), each
        indicator as the area defines it (``definition_source``: ``catalogue``, ``area`` or ``added``);
        ``monitored`` False with its ``reason`` where the area leaves an indicator out."""
        import pandas as pd

        rows = []
        for ind in self.indicators_for(area):
            t = self.target_for(area, ind.code) if area else self.default_target(ind.code)
            baseline = t.baseline if area else ind.baseline
            left_out = self.not_monitored_in(area, ind.code) if area else None
            rows.append(
                {
                    "code": ind.code,
                    "plan": ind.plan,
                    "domain": ind.domain,
                    "domain_name": self.domain_name(ind.plan, ind.domain, lang),
                    "number": ind.number,
                    "name_zh": ind.name_zh,
                    "name_en": ind.name_en,
                    "unit": ind.unit,
                    "direction": ind.direction,
                    "target_text": t.target_text,
                    "check_kind": t.check.kind,
                    "attribute": t.attribute,
                    "target_source": t.source if area else "default",
                    "baseline_year": self.settings.baseline_year if baseline is not None else None,
                    "baseline": baseline,
                    "valid_min": ind.valid_min,
                    "valid_max": ind.valid_max,
                    "definition": ind.definition or "",
                    "data_source": ind.data_source or "",
                    "definition_source": "catalogue"
                    if ind.area is None
                    else ("added" if self.indicators[ind.code].area else "area"),
                    "monitored": left_out is None,
                    "not_monitored_reason": left_out.reason if left_out else "",
                    "note": "；".join(
                        dict.fromkeys(n for n in (ind.note, t.note, left_out.note if left_out else None) if n)
                    ),
                }
            )
        frame = pd.DataFrame(rows)
        frame["baseline_year"] = frame["baseline_year"].astype("Int64")
        return frame

    def series_codes(self) -> set[str]:
        return set(self.indicators) | set(self.context_series)


# The keys of an area's entry that define the indicator rather than its target.
DEFINITION_FIELDS = (
    "name_zh",
    "name_en",
    "unit",
    "definition",
    "valid_range",
    "direction",
    "data_source",
    "smoothing_years",
    "decimals",
)


def attribute_label(attribute: str, lang: str = "zh") -> str:
    """约束性 / 预期性 (binding / expected) in ``lang``."""
    return t(attribute, lang) if attribute in ("binding", "expected") else str(attribute)
