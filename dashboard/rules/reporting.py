"""Who reports what (监测任务分工): ``rules/reporting.yaml``, each indicator's reporting unit and due month.

The plans make every member unit answer for the indicators it carries ("对本单位所承担的指标进行
分析评估", 000) and the statistics bureau collect them (001, 五、监测评估). This file says, for each
indicator of the plan's catalogue, which unit reports the city's value and which the districts'
values, and by which month of the following year the value is due. An indicator nobody can report
is listed under ``unassigned:`` with the reason, so that a forgotten indicator and a known gap are
told apart. Loaded beside the task catalogue (``workplan.load_tasks`` calls :func:`load_reporting`)
and cached with it; every slip is a ``Problem`` at its ``file:line``.

A missing file is no error: the rules then assign no indicator and nothing is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..messages import Code, Msg, Problem
from .loader import relative_path
from .names import closest, key
from .ruleset import RuleSet
from .validation import did_you_mean, unknown_keys, validate
from .yaml_lines import LineDict, LineList, load_yaml_file

if TYPE_CHECKING:  # workplan imports this module to fill its catalogue
    from .workplan import TaskCatalogue

REPORTING_FILE = "reporting.yaml"
DEFAULT_DUE_MONTH = 3
Level = Literal["city", "district"]


# ------------------------------------------------------------------------------ YAML models
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class ReportingDefaults(_Strict):
    """``defaults:``: the district-level unit and due month of every entry that names none."""

    district: str | None = None
    due_month: int = Field(DEFAULT_DUE_MONTH, ge=1, le=12)


class ReportingEntry(_Strict):
    """One indicator's reporting units as written under ``reporting:``."""

    indicator: str = Field(min_length=1)
    city: str = Field(min_length=1)
    district: str | None = None
    due_month: int | None = Field(None, ge=1, le=12)
    source: str | None = None
    note: str | None = None


class UnassignedEntry(_Strict):
    """An indicator no unit reports, and why (under ``unassigned:``)."""

    indicator: str = Field(min_length=1)
    reason: str = Field(min_length=1)


REPORTING_FIELDS = sorted(
    set(ReportingDefaults.model_fields)
    | set(ReportingEntry.model_fields)
    | set(UnassignedEntry.model_fields)
    | {"defaults", "reporting", "unassigned"}
)


# ------------------------------------------------------------------------------ loaded types
@dataclass(frozen=True)
class Assignment:
    """Who reports one indicator: a unit code per area level, and the month of the following year it is due."""

    indicator: str
    city: str
    district: str | None
    due_month: int
    source: str | None
    note: str | None
    file: str
    line: int

    def unit_for(self, level: Level) -> str | None:
        """The unit that reports an area of ``level`` (None: not reported at that level)."""
        return self.city if level == "city" else self.district


@dataclass(frozen=True)
class Unassigned:
    indicator: str
    reason: str
    file: str
    line: int


@dataclass
class Reporting:
    """Every indicator's reporting units (``assignments``) and the indicators nobody reports."""

    assignments: dict[str, Assignment] = field(default_factory=dict)
    unassigned: dict[str, Unassigned] = field(default_factory=dict)
    defaults: ReportingDefaults = field(default_factory=ReportingDefaults)
    file: str | None = None  # None: the rules have no reporting.yaml

    def for_indicator(self, code: str) -> Assignment | None:
        """The assignment of ``code``; an area's own added indicator takes the defaults' district unit."""
        return self.assignments.get(code)

    def indicators_of(self, unit: str) -> list[tuple[str, Level]]:
        """The (indicator, level) pairs ``unit`` reports, in file order."""
        out: list[tuple[str, Level]] = []
        for a in self.assignments.values():
            if a.city == unit:
                out.append((a.indicator, "city"))
            if a.district == unit:
                out.append((a.indicator, "district"))
        return out


def area_level(rules: RuleSet, area: str) -> Level:
    """``city`` for the plan's top area (no parent), ``district`` for every other."""
    a = rules.areas.get(area)
    return "city" if a is not None and a.parent is None else "district"


# ------------------------------------------------------------------------------ loading
def load_reporting(root: Path, rules: RuleSet, cat: TaskCatalogue) -> Reporting:
    """Read ``root/reporting.yaml`` against the rule set's indicators and the catalogue's units.

    Never raises for bad input: problems go to ``cat.problems`` with file and line. A unit must be
    known (did-you-mean otherwise) and of the level it reports for; an indicator known, listed once
    (assigned or unassigned); every catalogue indicator must appear.
    """
    out = Reporting()
    path = root / REPORTING_FILE
    if not path.exists():
        return out
    problems = cat.problems
    shown = relative_path(path, root)
    out.file = shown
    data, found = load_yaml_file(path, shown, root=root)
    problems.extend(found)
    if data is None:
        return out
    if not isinstance(data, LineDict) or not isinstance(data.get("reporting"), LineList):
        problems.append(Problem(Code.MISSING_FIELD_REPORTING_LIST, file=shown, line=getattr(data, "line", 1)))
        return out
    problems.extend(unknown_keys(data, ["defaults", "reporting", "unassigned"], shown))

    if data.get("defaults") is not None:
        defaults = validate(
            ReportingDefaults,
            data["defaults"],
            shown,
            problems,
            prefix=("defaults",),
            known_fields=REPORTING_FIELDS,
            fallback=data.line_of("defaults"),
        )
        if defaults is not None:
            out.defaults = defaults
            dnode = data["defaults"]
            if defaults.district is not None and isinstance(dnode, LineDict):
                _check_unit(cat, defaults.district, "district", "defaults", shown, dnode.line_of("district"), problems)

    indicators = sorted(c for c, i in rules.indicators.items())
    seen: dict[str, str] = {}  # indicator → "file:line" of its first entry

    def known(code: str, at: int, subject: str) -> bool:
        if code in rules.indicators:
            if code in seen:
                problems.append(
                    Problem(Code.DUPLICATE_REPORTING, {"code": code, "first": seen[code]}, file=shown, line=at)
                )
                return False
            seen[code] = f"{shown}:{at}"
            return True
        hint = did_you_mean(closest(code, indicators)) if indicators else None
        problems.append(
            Problem(
                Code.UNKNOWN_INDICATOR_REPORTING, {"code": code, "hint": hint, "where": subject}, file=shown, line=at
            )
        )
        return False

    items: LineList = data["reporting"]
    for i, item in enumerate(items):
        spec = validate(
            ReportingEntry,
            item,
            shown,
            problems,
            prefix=("reporting", i),
            known_fields=REPORTING_FIELDS,
            fallback=items.line_of(i),
        )
        if spec is None:
            # Its other slips are reported; the indicator it names is not "missing" as well.
            code = item.get("indicator") if isinstance(item, LineDict) else None
            if isinstance(code, str) and code in rules.indicators:
                seen.setdefault(code, f"{shown}:{items.line_of(i)}")
            continue
        if not isinstance(item, LineDict):
            continue
        at = item.line_of("indicator")
        if not known(spec.indicator, at, "reporting"):
            continue
        n_before = len(problems)
        _check_unit(cat, spec.city, "city", spec.indicator, shown, item.line_of("city"), problems)
        district = spec.district if spec.district is not None else out.defaults.district
        if spec.district is not None:
            _check_unit(cat, spec.district, "district", spec.indicator, shown, item.line_of("district"), problems)
        if len(problems) > n_before:
            continue
        out.assignments[spec.indicator] = Assignment(
            spec.indicator,
            spec.city,
            district,
            spec.due_month if spec.due_month is not None else out.defaults.due_month,
            spec.source,
            spec.note,
            shown,
            items.line_of(i),
        )

    gaps = data.get("unassigned")
    if isinstance(gaps, LineList):
        for i, item in enumerate(gaps):
            gap = validate(
                UnassignedEntry,
                item,
                shown,
                problems,
                prefix=("unassigned", i),
                known_fields=REPORTING_FIELDS,
                fallback=gaps.line_of(i),
            )
            if gap is None or not isinstance(item, LineDict):
                continue
            if known(gap.indicator, item.line_of("indicator"), "unassigned"):
                out.unassigned[gap.indicator] = Unassigned(gap.indicator, gap.reason, shown, gaps.line_of(i))
    elif gaps is not None:
        problems.append(Problem(Code.MISSING_FIELD_REPORTING_LIST, file=shown, line=data.line_of("unassigned")))

    # Every catalogue indicator is either reported by someone or a known gap; an area's own added
    # indicators may be left out (their area's district unit is ``defaults.district``).
    for code, ind in rules.indicators.items():
        if ind.area is None and code not in seen:
            problems.append(
                Problem(Code.REPORTING_NOT_COVERED, {"code": code}, file=shown, line=data.line_of("reporting"))
            )
    for code, ind in rules.indicators.items():
        if ind.area is not None and code not in seen and out.defaults.district is not None:
            out.assignments[code] = Assignment(
                code, "", out.defaults.district, out.defaults.due_month, None, None, shown, data.line_of("defaults")
            )
    return out


def _check_unit(
    cat: TaskCatalogue, text: str, level: Level, subject: str, shown: str, at: int, problems: list[Problem]
) -> None:
    """A reporting unit must be a unit code of the catalogue, of the level it reports for."""
    unit = cat.units.get(text)
    if unit is None:
        # The file uses codes; a name people would type is pointed to its code.
        by_name = cat.unit_index.get(key(text))
        guess = by_name or closest(text, list(cat.units))
        problems.append(
            Problem(
                Code.UNKNOWN_UNIT_REPORTING,
                {"subject": subject, "name": text, "hint": did_you_mean(guess) if guess else None},
                file=shown,
                line=at,
            )
        )
        return
    if unit.level != level:
        problems.append(
            Problem(
                Code.REPORTING_UNIT_LEVEL,
                {
                    "subject": subject,
                    "name": text,
                    "level": Msg(f"reporting_level_{level}"),
                    "unit_level": Msg(f"reporting_level_{unit.level}"),
                },
                file=shown,
                line=at,
            )
        )


__all__ = [
    "REPORTING_FILE",
    "Assignment",
    "Reporting",
    "ReportingDefaults",
    "ReportingEntry",
    "Unassigned",
    "UnassignedEntry",
    "area_level",
    "load_reporting",
]
