"""Pydantic models of the YAML files under ``rules/``.

YAML becomes these types once, at load time (see ``rules.py``); nothing after loading reads raw
dicts. ``extra="forbid"`` everywhere so a typo such as ``taget`` is an error, not ignored.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..checks import KINDS, Check, Direction

Attribute = Literal["binding", "expected"]
_ATTRIBUTE_WORDS = {"约束性": "binding", "预期性": "expected"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- settings.yaml
class PlanPeriod(_Strict):
    start: int = 2020
    end: int = 2030


class TargetThresholds(_Strict):
    """Ratio R of observed to required growth (Statistics Canada / Open SDG)."""

    on_track: float = 0.95
    needs_acceleration: float = 0.60
    limited: float = 0.0


class NoTargetThresholds(_Strict):
    """Signed compound annual growth rate for direction-only targets."""

    on_track: float = 0.015
    needs_acceleration: float = 0.005
    limited: float = 0.0
    limit_exponent: float = 4.44


class FlagSettings(_Strict):
    swing_multiple: float = 3.0
    swing_min_changes: int = 3
    gap_years: int = 2


class MethodSettings(_Strict):
    """Where the product departs from the published Open SDG method (docs/method.md, part B).

    ``evaluate --method published`` turns every one of these off, for comparison.
    """

    strict_boundary: bool = True  # a target printed "<8" / ">98.5" is not met by a value of exactly 8 / 98.5
    smoothing: bool = True  # rare-event rates are judged on the mean of the last k years
    aim: Literal["tolerance", "centre"] = "tolerance"  # 左右 / band: aim at the tolerance's edge, or the centre
    rise_dip_cap: bool = True  # 逐年提高: after a fall the status is at best "needs acceleration"
    deadline_rule: bool = True  # at the target year: achieved / not achieved, on a value of that year


PUBLISHED_METHOD = MethodSettings(
    strict_boundary=False, smoothing=False, aim="centre", rise_dip_cap=False, deadline_rule=False
)


class UploadSettings(_Strict):
    max_bytes: int = Field(20 * 1024 * 1024, gt=0)
    # An .xlsx is a zip of XML parts: a few megabytes can unpack to gigabytes. The parts' declared
    # sizes are added up before the workbook is opened (the zip reader never unpacks beyond them).
    max_unpacked_bytes: int = Field(200 * 1024 * 1024, gt=0)
    # Cells read from a workbook, all sheets together: a national one-year file has about 1.3 million.
    max_cells: int = Field(3_000_000, gt=0)


class Settings(_Strict):
    plan_period: PlanPeriod = PlanPeriod()
    baseline_year: int = 2020
    target_year: int = 2030
    about_tolerance: float = Field(0.05, ge=0, le=1)
    significant_change: float = Field(0.10, ge=0, le=1)
    sex_ratio_band: tuple[float, float] = (103.0, 107.0)
    target_thresholds: TargetThresholds = TargetThresholds()
    no_target_thresholds: NoTargetThresholds = NoTargetThresholds()
    flags: FlagSettings = FlagSettings()
    upload: UploadSettings = UploadSettings()
    zero_replacement: float = 0.001
    method: MethodSettings = MethodSettings()


# ---------------------------------------------------------------- areas.yaml
class Area(_Strict):
    code: str = Field(min_length=1, max_length=32)
    name_zh: str
    name_en: str
    parent: str | None = None
    level: Literal["city", "district", "county", "autonomous_county", "zone"]
    aliases: tuple[str, ...] = ()


class AreasFile(_Strict):
    areas: list[Area]


# ---------------------------------------------------------------- indicators/*.yaml
class Plan(_Strict):
    code: str = Field(pattern=r"^[A-Z]$")
    name_zh: str
    name_en: str
    source: str
    area: str
    baseline_year: int = 2020
    target_year: int = 2030


class Domain(_Strict):
    code: str = Field(pattern=r"^[a-z_]+$")
    name_zh: str
    name_en: str


def _attribute(value):
    return _ATTRIBUTE_WORDS.get(value, value) if isinstance(value, str) else value


class IndicatorSpec(_Strict):
    """One row of a plan's indicator table, as a maintainer writes it."""

    code: str = Field(pattern=r"^[A-Z]\d{2}[a-z]?$")
    domain: str
    number: int = Field(ge=1)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    unit: str
    direction: Direction
    target: str = Field(min_length=1)
    attribute: Attribute | None = None
    baseline: float | None = None
    baseline_note: str | None = None
    valid_range: tuple[float | None, float | None] | None = None
    smoothing_years: int | None = Field(None, ge=2, le=5)
    decimals: int | None = Field(None, ge=0, le=4)
    reference: str | None = None
    check: Check | None = None

    _attr = field_validator("attribute", mode="before")(_attribute)

    @model_validator(mode="after")
    def _range_order(self) -> IndicatorSpec:
        lo, hi = self.valid_range or (None, None)
        if lo is not None and hi is not None and lo > hi:
            raise PydanticCustomError("range_order", "valid_range: minimum above maximum")
        return self


class ContextSeries(_Strict):
    """Data that targets refer to but that is not itself a plan indicator."""

    code: str = Field(pattern=r"^CTX_[A-Z0-9_]+$")
    name_zh: str
    name_en: str
    unit: str
    valid_range: tuple[float | None, float | None] | None = None


class IndicatorFile(_Strict):
    plan: Plan
    domains: list[Domain]
    indicators: list  # items validated one by one so that one bad row does not hide the rest
    context_series: list[ContextSeries] = []


# ---------------------------------------------------------------- overrides/*.yaml
class OverrideEntry(_Strict):
    """What a district's own plan may change for one indicator: the target and its attribute."""

    target: str | None = None
    attribute: Attribute | None = None
    check: Check | None = None
    reference: str | None = None
    baseline: float | None = None
    note: str | None = None

    _attr = field_validator("attribute", mode="before")(_attribute)


class OverrideFile(_Strict):
    area: str
    source: str
    targets: dict[str, OverrideEntry]


_MODELS: tuple[type[BaseModel], ...] = (
    Settings,
    PlanPeriod,
    TargetThresholds,
    NoTargetThresholds,
    FlagSettings,
    UploadSettings,
    Area,
    AreasFile,
    Plan,
    Domain,
    IndicatorSpec,
    ContextSeries,
    IndicatorFile,
    OverrideEntry,
    OverrideFile,
    *KINDS.values(),
)
SCHEMA_FIELDS = {name for model in _MODELS for name in model.model_fields}
"""Every key a rules file may hold: the "did you mean" of an unknown key looks among these."""
