"""Pydantic models of the YAML files under ``rules/``.

YAML becomes these types once, at load time (see ``rules.py``); nothing after loading reads raw
dicts. ``extra="forbid"`` everywhere so a typo such as ``taget`` is an error, not ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, FiniteFloat, field_validator, model_validator
from pydantic_core import PydanticCustomError

from ..checks import KINDS, Check, Direction

Attribute = Literal["binding", "expected"]
_ATTRIBUTE_WORDS = {"约束性": "binding", "预期性": "expected"}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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


# Built without validation (the values are fixed here): validating would build the model's validator
# when the module is imported, which ``defer_build`` keeps out of a command's start-up.
PUBLISHED_METHOD = MethodSettings.model_construct(
    strict_boundary=False, smoothing=False, aim="centre", rise_dip_cap=False, deadline_rule=False
)


class UploadSettings(_Strict):
    # 10 MB: max_rows rows of a long file are about 4 MB. With the limits below, any file up to it is
    # accepted or refused in a few seconds and under 300 MB (``python -m dashboard bench-limits``).
    max_bytes: int = Field(10 * 1024 * 1024, gt=0)
    # An .xlsx is a zip of XML parts: a few megabytes can unpack to gigabytes. The parts' declared
    # sizes are added up before the workbook is opened (the zip reader never unpacks beyond them).
    # max_cells cells are 25–35 MB of sheet XML; the shared strings a sheet shows are held while it
    # is read, so this bounds them too.
    max_unpacked_bytes: int = Field(64 * 1024 * 1024, gt=0)
    # Cells of the grid a file makes (a workbook's sheets together; a CSV's lines × its widest line).
    # With rows, the limit that bounds the work: at the defaults any file is read, validated and
    # previewed in a few seconds and under 300 MB (``python -m dashboard bench-limits``).
    max_cells: int = Field(600_000, gt=0)  # max_rows rows of six columns (区县 指标 年份 数值 备注 + one)
    # Rows (lines) and columns: every area × indicator × year of the city's plan period is about
    # 40,000 rows (a national one-year file, about 260,000, needs a higher limit); a yearly sheet
    # has a few dozen columns. Each is refused before the grid is built.
    max_rows: int = Field(100_000, gt=0)
    max_columns: int = Field(1000, ge=4)
    # Characters in any one cell (a note has its own, shorter limit): a 10 MB cell is refused before
    # any cell is compared, normalised or quoted.
    max_cell_chars: int = Field(10_000, gt=0)
    # Problems listed per file; the rest are counted in one line ("N more problems not listed").
    max_problems: int = Field(1000, gt=0)
    # Rows named in one problem (a key repeated in 8,000 rows names the first ones and says how many more).
    max_rows_named: int = Field(10, gt=0)
    # "Did you mean": looked up for this many distinct unknown names, and never for a cell longer
    # than max_suggestion_chars (each lookup compares the text with every known name).
    max_suggested_names: int = Field(200, ge=0)
    max_suggestion_chars: int = Field(100, ge=0)


class AnalysisSettings(_Strict):
    # Characters in one analysis (分析评估: reasons, measures, difficulties) — a few paragraphs, not a
    # report; a longer text is refused in words, in the app, on the command line and in an upload.
    max_chars: int = Field(2000, gt=0)


def _ordered(bound: tuple[float, float]) -> tuple[float, float]:
    if bound[0] > bound[1]:
        raise PydanticCustomError("bound_order", "bound: minimum above maximum")
    return bound


Bound = Annotated[tuple[FiniteFloat, FiniteFloat], AfterValidator(_ordered)]
"""[minimum, maximum]: two finite numbers, the minimum not above the maximum."""

# The plausible values of the units the plans use. A count's maximum is above the population of
# any area (重庆 has about 32 million people, 12 million households); a rate's is its base.
DEFAULT_UNIT_BOUNDS: dict[str, tuple[float, float]] = {
    "%": (0.0, 100.0),
    "‰": (0.0, 1000.0),
    "1/10万": (0.0, 100_000.0),
    "岁": (0.0, 150.0),
    "年": (0.0, 100.0),
    "小时": (0.0, 10_000.0),
    "万人": (0.0, 10_000.0),
    "人": (0.0, 100_000_000.0),
    "户": (0.0, 100_000_000.0),
    "个": (0.0, 100_000_000.0),
    "件": (0.0, 100_000_000.0),
    "名": (0.0, 100_000_000.0),
    "张": (0.0, 100_000_000.0),
    "": (0.0, 1000.0),
    "万户": (0.0, 10_000.0),
    "万人次": (0.0, 100_000.0),
    "所": (0.0, 1_000_000.0),
    "座": (0.0, 1_000_000.0),
    "场": (0.0, 1_000_000.0),
    "期": (0.0, 1_000_000.0),
    "次/年": (0.0, 1_000_000.0),
}


class ResolvedBounds(NamedTuple):
    """A series' plausible minimum and maximum; ``*_own``: set by its own ``valid_range`` (else by its unit)."""

    lo: float
    hi: float
    lo_own: bool
    hi_own: bool


class ValueBounds(_Strict):
    """The plausible values of each unit of measure (``settings.yaml`` ``value_bounds``).

    An uploaded value outside its series' bounds is refused (OUT_OF_RANGE, naming where the bound is
    set): a typo, a wrong unit or a hostile 1e308 is never stored nor projected. ``units``: unit
    (an indicator's ``unit:``, spelled the same) → [minimum, maximum]; ``other``: any unit not
    listed. An indicator's or context series' own ``valid_range`` replaces each side it sets.
    """

    units: dict[str, Bound] = Field(default_factory=lambda: dict(DEFAULT_UNIT_BOUNDS))
    other: Bound = (0.0, 1_000_000_000.0)

    def resolve(self, unit: str, own: tuple[float | None, float | None] | None) -> ResolvedBounds:
        """The bounds of a series of ``unit`` whose own ``valid_range`` is ``own``, with where each is set."""
        lo, hi = self.units.get(unit, self.other)
        own_lo, own_hi = own or (None, None)
        return ResolvedBounds(
            lo if own_lo is None else own_lo, hi if own_hi is None else own_hi, own_lo is not None, own_hi is not None
        )


class Settings(_Strict):
    # Defaults are factories, not instances: an instance made at import would build its model's
    # validator then, which ``defer_build`` keeps out of a command's start-up.
    plan_period: PlanPeriod = Field(default_factory=PlanPeriod)
    baseline_year: int = 2020
    target_year: int = 2030
    about_tolerance: float = Field(0.05, ge=0, le=1)
    significant_change: float = Field(0.10, ge=0, le=1)
    sex_ratio_band: tuple[float, float] = (103.0, 107.0)
    target_thresholds: TargetThresholds = Field(default_factory=TargetThresholds)
    no_target_thresholds: NoTargetThresholds = Field(default_factory=NoTargetThresholds)
    flags: FlagSettings = Field(default_factory=FlagSettings)
    upload: UploadSettings = Field(default_factory=UploadSettings)
    analysis: AnalysisSettings = Field(default_factory=AnalysisSettings)
    zero_replacement: float = 0.001
    method: MethodSettings = Field(default_factory=MethodSettings)
    value_bounds: ValueBounds = Field(default_factory=ValueBounds)


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
    # What the plan says the indicator measures and who reports it; a maintainer's note (why a
    # target was entered as it was): shown with the indicator, never judged.
    definition: str | None = Field(None, min_length=1)
    data_source: str | None = Field(None, min_length=1)
    note: str | None = Field(None, min_length=1)

    _attr = field_validator("attribute", mode="before")(_attribute)

    @model_validator(mode="after")
    def _range_order(self) -> IndicatorSpec:
        return _check_range_order(self)


def _check_range_order(model):
    lo, hi = model.valid_range or (None, None)
    if lo is not None and hi is not None and lo > hi:
        raise PydanticCustomError("range_order", "valid_range: minimum above maximum")
    return model


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
    """What a district's own plan may change for one indicator: its target and attribute, and its
    definition (name, unit, definition, valid range, direction, data source), validated as in the
    catalogue. Every field is optional: what is not written stays the catalogue's."""

    target: str | None = Field(None, min_length=1)
    attribute: Attribute | None = None
    check: Check | None = None
    reference: str | None = None
    baseline: float | None = None
    note: str | None = Field(None, min_length=1)
    name_zh: str | None = Field(None, min_length=1)
    name_en: str | None = Field(None, min_length=1)
    unit: str | None = None
    definition: str | None = Field(None, min_length=1)
    valid_range: tuple[float | None, float | None] | None = None
    direction: Direction | None = None
    data_source: str | None = Field(None, min_length=1)
    smoothing_years: int | None = Field(None, ge=2, le=5)
    decimals: int | None = Field(None, ge=0, le=4)

    _attr = field_validator("attribute", mode="before")(_attribute)

    @model_validator(mode="after")
    def _range_order(self) -> OverrideEntry:
        return _check_range_order(self)


class NotMonitoredEntry(_Strict):
    """An indicator the area's plan leaves out, and why (counted apart in 达标率 and the tables)."""

    reason: str = Field(min_length=1)
    note: str | None = Field(None, min_length=1)


# ---------------------------------------------------------------- periods/<start>-<end>/period.yaml
class PeriodFile(_Strict):
    """A previous plan period (``rules/periods/2011-2020/period.yaml``): its years and where it is
    printed. The folder beside it holds its own ``indicators/`` and ``overrides/``, read as the
    current plan's are; a value is judged by the plan whose years (after its baseline year, up to
    its target year) contain the value's year."""

    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    source: str = Field(min_length=1)
    start: int
    end: int
    baseline_year: int
    target_year: int


class OverrideFile(_Strict):
    """One area's file: its plan (``source``), its own targets and definitions, the indicators it adds
    (rows of the catalogue's schema) and those it does not monitor."""

    area: str
    source: str
    targets: dict[str, OverrideEntry] = {}
    added: list = []  # rows validated one by one, as IndicatorSpec
    not_monitored: dict[str, NotMonitoredEntry] = {}


_MODELS: tuple[type[BaseModel], ...] = (
    Settings,
    PlanPeriod,
    TargetThresholds,
    NoTargetThresholds,
    FlagSettings,
    UploadSettings,
    ValueBounds,
    Area,
    AreasFile,
    Plan,
    Domain,
    IndicatorSpec,
    ContextSeries,
    IndicatorFile,
    OverrideEntry,
    NotMonitoredEntry,
    OverrideFile,
    PeriodFile,
    *KINDS.values(),
)
SCHEMA_FIELDS = {name for model in _MODELS for name in model.model_fields}
"""Every key a rules file may hold: the "did you mean" of an unknown key looks among these."""
