"""``rules/periods/<start>-<end>/``: a previous plan period, read as the current plan is.

A committee evaluates the plan that has just ended (2011–2020: each indicator's 2020 value against
that plan's target) while the new one (2021–2030) begins from the same 2020 values. Each previous
period is a folder ``rules/periods/2011-2020/`` with a ``period.yaml`` (its years and where it is
printed), its own ``indicators/`` and, optionally, ``overrides/`` — the same formats as the current
plan's. It shares ``areas.yaml`` and ``settings.yaml``; its years replace the settings' plan
period, baseline year and target year.

A value is judged by the plan whose years contain its year: after the plan's baseline year, up to
its target year (2020 belongs to 2011–2020; it is also the 2021–2030 plan's baseline). So that a
stored value means one thing whichever plan reads it, an indicator code both plans use must have
the same unit in both.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..messages import Code, Problem
from .models import SCHEMA_FIELDS, PeriodFile, PlanPeriod, Settings
from .reading import Reader
from .ruleset import RuleSet
from .validation import validate
from .yaml_lines import LineDict


def load_periods(reader: Reader, current: RuleSet, plan: Callable[[Path, Settings], RuleSet]) -> dict[str, RuleSet]:
    """Every previous period under ``reader.root / "periods"`` by its key (``2011-2020``), each read by
    ``plan(folder, settings)``; problems into ``reader``."""
    folder = reader.root / "periods"
    periods: dict[str, RuleSet] = {}
    if not folder.is_dir():
        return periods
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        path = sub / "period.yaml"
        if not path.exists():
            reader.problems.append(
                Problem(Code.MISSING_FILE_PERIOD, {"folder": sub.name}, file=str(path.relative_to(reader.root.parent)))
            )
            continue
        data, shown = reader.read_mapping(path)
        if data is None:
            continue
        spec = validate(PeriodFile, data, shown, reader.problems, known_fields=SCHEMA_FIELDS)
        if spec is None or not _years_fit(spec, sub.name, data, shown, reader.problems, current, periods):
            continue
        settings = current.settings.model_copy(
            update={
                "plan_period": PlanPeriod(start=spec.baseline_year, end=spec.end),
                "baseline_year": spec.baseline_year,
                "target_year": spec.target_year,
            }
        )
        previous = plan(sub, settings)
        previous.period = spec
        _same_units(previous, current, reader.problems)
        periods[previous.period_key] = previous
    return periods


def _years_fit(
    spec: PeriodFile,
    folder: str,
    data: LineDict,
    shown: str,
    problems: list[Problem],
    current: RuleSet,
    periods: dict[str, RuleSet],
) -> bool:
    """The folder is named by the period's years, they are in order, and no two plans judge one year."""
    ok = True
    if folder != f"{spec.start}-{spec.end}":
        problems.append(
            Problem(
                Code.PERIOD_FOLDER,
                {"folder": folder, "years": f"{spec.start}-{spec.end}"},
                file=shown,
                line=data.line_of("start"),
            )
        )
        ok = False
    if not spec.baseline_year < spec.target_year <= spec.end or spec.start > spec.end:
        problems.append(
            Problem(
                Code.PERIOD_YEARS,
                {"start": spec.start, "end": spec.end, "baseline": spec.baseline_year, "target": spec.target_year},
                file=shown,
                line=data.line_of("target_year"),
            )
        )
        return False
    judged = range(spec.baseline_year + 1, spec.target_year + 1)
    for other in [current, *periods.values()]:
        theirs = range(other.settings.baseline_year + 1, other.settings.target_year + 1)
        if set(judged) & set(theirs):
            problems.append(
                Problem(
                    Code.PERIOD_OVERLAP,
                    {"years": f"{judged.start}-{judged.stop - 1}", "other": other.period_key},
                    file=shown,
                    line=data.line_of("baseline_year"),
                )
            )
            ok = False
    return ok


def _same_units(previous: RuleSet, current: RuleSet, problems: list[Problem]) -> None:
    """An indicator code in both plans is one stored series: its unit must be the same in both."""
    for code, ind in previous.indicators.items():
        now = current.indicators.get(code)
        if now is None or now.unit == ind.unit:
            continue
        file, line = ind.defined_at or (ind.source_file, None)
        problems.append(
            Problem(
                Code.PERIOD_UNIT,
                {
                    "code": code,
                    "name": ind.name_zh,
                    "unit": ind.unit or "—",
                    "other": now.unit or "—",
                    "period": previous.period_key,
                    "current": current.period_key,
                },
                file=file,
                line=line,
            )
        )
