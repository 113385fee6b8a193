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
from .models import Area, Attribute, ContextSeries, Domain, Plan, Settings

if TYPE_CHECKING:  # pandas is imported where a frame is built: loading rules must stay light
    import pandas as pd


class Indicator(BaseModel):
    """An indicator after loading: its printed target parsed into ``check``."""

    model_config = ConfigDict(frozen=True)

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
    decimals: int | None = None

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

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

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
        """The indicator list with the targets that apply to ``area`` (default targets if None)."""
        import pandas as pd

        rows = []
        for ind in self.indicators.values():
            t = self.target_for(area, ind.code) if area else self.default_target(ind.code)
            baseline = t.baseline if area else ind.baseline
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
                }
            )
        frame = pd.DataFrame(rows)
        frame["baseline_year"] = frame["baseline_year"].astype("Int64")
        return frame

    def series_codes(self) -> set[str]:
        return set(self.indicators) | set(self.context_series)


def attribute_label(attribute: str, lang: str = "zh") -> str:
    """约束性 / 预期性 (binding / expected) in ``lang``."""
    return t(attribute, lang) if attribute in ("binding", "expected") else str(attribute)
