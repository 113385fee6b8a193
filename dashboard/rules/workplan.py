"""Work-plan tasks and the units that carry them out: ``rules/units.yaml`` and ``rules/tasks/*.yaml``.

Leaders ask "who is doing what about this indicator?". The answer is in the work plans: each task
names its lead units (牵头单位) and responsible units (责任单位), the indicators it moves, and the
numbers it must reach. This module loads those files into typed objects (every problem with
``file:line``, like ``rules.py``), resolves unit names through aliases, expands group units such as
"市级各成员单位", and answers the drill-down questions both ways: indicator → tasks → indicators,
and unit → tasks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..checks import Check, CheckKind, Direction, TargetParseError, parse_target
from ..messages import Code, Problem, Severity
from .loader import load_rules, relative_path
from .names import closest, key
from .reporting import Reporting, load_reporting
from .ruleset import RuleSet
from .validation import did_you_mean, unknown_keys, validate
from .yaml_lines import LineDict, LineList, load_yaml_file

if TYPE_CHECKING:  # pandas is imported where a frame is built: loading rules must stay light
    import pandas as pd

UNITS_FILE = "units.yaml"
TASKS_DIR = "tasks"
GROUP_ALL_MEMBERS = "all_members"


# ------------------------------------------------------------------------------ YAML models
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class UnitSpec(_Strict):
    """One unit as written in ``units.yaml``."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    level: Literal["city", "district"]
    area: str | None = None
    member: bool = False
    groups: tuple[str, ...] = ()
    group: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*$")
    note: str | None = None


class TargetSpec(_Strict):
    """A number a task must reach: ``target`` in the indicator target grammar, ``printed`` as printed."""

    measure: str = Field(min_length=1)
    printed: str = Field(min_length=1)
    target: str = Field(min_length=1)
    unit: str = ""
    direction: Literal["higher", "lower"] | None = None
    indicator: str | None = None
    year: int | None = Field(None, ge=2000, le=2100)
    check: Check | None = None
    note: str | None = None


class TaskSpec(_Strict):
    """One task as written in ``rules/tasks/*.yaml``."""

    code: str = Field(pattern=r"^[A-Z][A-Za-z0-9_\-]*$", max_length=40)
    number: int | None = Field(None, ge=0)
    source: str = Field(min_length=1)
    period: str = Field(pattern=r"^\d{4}(-\d{4})?$")
    section: str = Field(min_length=1)
    column: str | None = None
    title: str = Field(min_length=1)
    text: str = Field(min_length=1)
    lead_units: list[str] = []
    responsible_units: list[str] = []
    plan: str | None = None
    domain: str | None = None
    indicators: list[str] = []
    targets: list[TargetSpec] = []
    note: str | None = None


TASK_FIELDS = sorted(
    set(UnitSpec.model_fields) | set(TargetSpec.model_fields) | set(TaskSpec.model_fields) | {"units", "tasks"}
)


# ------------------------------------------------------------------------------ loaded types
@dataclass(frozen=True)
class Unit:
    code: str
    name_zh: str
    name_en: str
    aliases: tuple[str, ...]
    level: str
    area: str | None
    member: bool
    groups: tuple[str, ...]
    group: str | None
    file: str
    line: int

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def is_group(self) -> bool:
        return self.group is not None


@dataclass(frozen=True)
class TaskTarget:
    no: int  # 1-based position within the task; task progress rows refer to it
    measure: str
    printed: str
    target_text: str
    unit: str
    check: CheckKind  # a member of dashboard.checks.Check
    indicator: str | None
    year: int | None


@dataclass(frozen=True)
class Task:
    code: str
    number: int | None
    source: str
    period: str
    section: str
    column: str | None
    title: str
    text: str
    lead_units: tuple[str, ...]  # unit codes, as printed order
    responsible_units: tuple[str, ...]  # unit codes; group units are kept (expand with expand_units)
    plan: str | None
    domain: str | None
    indicators: tuple[str, ...]
    targets: tuple[TaskTarget, ...]
    file: str
    line: int

    @property
    def period_start(self) -> int:
        return int(self.period[:4])

    @property
    def period_end(self) -> int:
        return int(self.period[-4:])


@dataclass(eq=False)
class TaskCatalogue:
    """Units and tasks, typed and cross-checked against the rule set."""

    units: dict[str, Unit] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    unit_index: dict[str, str] = field(default_factory=dict)  # key(name) -> unit code
    rules: RuleSet | None = None
    reporting: Reporting = field(default_factory=Reporting)  # who reports what (rules/reporting.yaml)

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    def unit_name(self, code: str, lang: str = "zh") -> str:
        u = self.units.get(code)
        return u.name(lang) if u else code

    def group_members(self, unit_code: str) -> tuple[str, ...]:
        """The units a group unit stands for (empty for an ordinary unit)."""
        u = self.units.get(unit_code)
        if u is None or u.group is None:
            return ()
        return tuple(c for c, m in self.units.items() if not m.is_group and u.group in _unit_groups(m))

    def expand_units(self, codes) -> tuple[str, ...]:
        """Codes with every group unit replaced by its members (order kept, no repeats)."""
        out: dict[str, None] = {}
        for c in codes:
            members = self.group_members(c)
            for m in members if members else (c,):
                out.setdefault(m, None)
        return tuple(out)


def _unit_groups(u: Unit) -> set[str]:
    return set(u.groups) | ({GROUP_ALL_MEMBERS} if u.member else set())


# ------------------------------------------------------------------------------ loading
def _hint(text: str, choices) -> Any:
    """ "Did you mean" for a mistyped name, as a message parameter (None when nothing is close)."""
    return did_you_mean(closest(text, list(choices)) if choices else None)


def _line(node, k, default: int | None) -> int | None:
    if isinstance(node, LineDict):
        return node.line_of(k)
    if isinstance(node, LineList) and isinstance(k, int):
        return node.line_of(k)
    return default


def load_units(root: Path, rules: RuleSet | None = None) -> TaskCatalogue:
    """Read ``root/units.yaml`` into a catalogue without tasks."""
    cat = TaskCatalogue(rules=rules)
    problems = cat.problems
    path = root / UNITS_FILE
    shown = relative_path(path, root)
    if not path.exists():
        problems.append(Problem(Code.MISSING_FILE_UNITS, file=shown))
        return cat
    data, found = load_yaml_file(path, shown, root=root)
    problems.extend(found)
    if data is None:
        return cat
    if not isinstance(data, LineDict) or not isinstance(data.get("units"), LineList):
        problems.append(Problem(Code.MISSING_FIELD_UNITS_LIST, file=shown, line=getattr(data, "line", 1)))
        return cat
    problems.extend(unknown_keys(data, ["units"], shown))
    items: LineList = data["units"]
    specs: list[tuple[UnitSpec, LineDict]] = []
    for i, item in enumerate(items):
        spec = validate(
            UnitSpec, item, shown, problems, prefix=("units", i), known_fields=TASK_FIELDS, fallback=items.line_of(i)
        )
        if spec is None:
            continue
        if spec.code in cat.units:
            problems.append(
                Problem(Code.DUPLICATE_UNIT_CODE, {"code": spec.code}, file=shown, line=item.line_of("code"))
            )
            continue
        cat.units[spec.code] = Unit(
            spec.code,
            spec.name_zh,
            spec.name_en,
            spec.aliases,
            spec.level,
            spec.area,
            spec.member,
            spec.groups,
            spec.group,
            shown,
            items.line_of(i),
        )
        specs.append((spec, item))

    group_names = {u.group for u in cat.units.values() if u.group}
    for spec, item in specs:
        if spec.area is not None and rules is not None and rules.areas and spec.area not in rules.areas:
            problems.append(
                Problem(
                    Code.UNKNOWN_AREA_UNIT,
                    {"unit": spec.code, "code": spec.area, "hint": _hint(spec.area, rules.areas)},
                    file=shown,
                    line=item.line_of("area"),
                )
            )
        for j, g in enumerate(spec.groups):
            if g not in group_names:
                problems.append(
                    Problem(
                        Code.UNKNOWN_GROUP,
                        {"unit": spec.code, "group": g, "hint": _hint(g, group_names)},
                        file=shown,
                        line=_line(item.get("groups"), j, item.line_of("groups")),
                    )
                )
        if spec.group is not None and (spec.member or spec.groups):
            problems.append(Problem(Code.BAD_GROUP, {"unit": spec.code}, file=shown, line=item.line_of("group")))
    seen_group: dict[str, str] = {}
    for spec, item in specs:
        if spec.group is not None:
            if spec.group in seen_group:
                problems.append(
                    Problem(
                        Code.DUPLICATE_GROUP,
                        {"group": spec.group, "unit": seen_group[spec.group]},
                        file=shown,
                        line=item.line_of("group"),
                    )
                )
            seen_group.setdefault(spec.group, spec.code)

    # Every spelling → one unit; the same spelling for two units is ambiguous, hence an error.
    for spec, item in specs:
        for name in (spec.code, spec.name_zh, spec.name_en, *spec.aliases):
            k = key(name)
            other = cat.unit_index.get(k)
            if other is not None and other != spec.code:
                problems.append(
                    Problem(
                        Code.DUPLICATE_NAME,
                        {"name": name, "first": other, "second": spec.code},
                        file=shown,
                        line=item.line_of("aliases") if name in spec.aliases else item.line_of("name_zh"),
                    )
                )
                continue
            cat.unit_index[k] = spec.code
    return cat


def load_tasks(root: Path | str, rules: RuleSet | None = None) -> TaskCatalogue:
    """Load ``root/units.yaml``, ``root/tasks/*.yaml`` and ``root/reporting.yaml`` (who reports what,
    :mod:`.reporting`); ``rules`` supplies indicators, domains and areas.

    Never raises for bad input: every problem is in ``.problems`` with its file and line.
    """
    root = Path(root)
    if rules is None:
        rules = load_rules(root)
    cat = load_units(root, rules)
    problems = cat.problems
    tdir = root / TASKS_DIR
    files = sorted(tdir.glob("*.yaml")) if tdir.is_dir() else []
    unit_names = sorted({n for u in cat.units.values() for n in (u.name_zh, *u.aliases)})
    indicator_codes = sorted(rules.indicators)
    all_domains = {d for (_, d) in rules.domains}
    seen: dict[str, str] = {}
    for path in files:
        shown = relative_path(path, root)
        data, found = load_yaml_file(path, shown, root=root)
        problems.extend(found)
        if data is None:
            continue
        if not isinstance(data, LineDict) or not isinstance(data.get("tasks"), LineList):
            problems.append(Problem(Code.MISSING_FIELD_TASKS_LIST, file=shown, line=getattr(data, "line", 1)))
            continue
        problems.extend(unknown_keys(data, ["tasks"], shown))
        items: LineList = data["tasks"]
        for i, item in enumerate(items):
            subject = item.get("code", "") if isinstance(item, dict) and isinstance(item.get("code"), str) else ""
            spec = validate(
                TaskSpec,
                item,
                shown,
                problems,
                prefix=("tasks", i),
                known_fields=TASK_FIELDS,
                fallback=items.line_of(i),
                subject=subject,
            )
            if spec is None:
                continue
            task = _build_task(
                spec, item, items.line_of(i), shown, cat, rules, unit_names, indicator_codes, all_domains
            )
            if task is None:
                continue
            if task.code in seen:
                problems.append(
                    Problem(
                        Code.DUPLICATE_TASK_CODE,
                        {"code": task.code, "first": seen[task.code]},
                        file=shown,
                        line=item.line_of("code"),
                    )
                )
                continue
            seen[task.code] = f"{shown}:{items.line_of(i)}"
            cat.tasks[task.code] = task
    cat.reporting = load_reporting(root, rules, cat)
    return cat


def _build_task(
    spec: TaskSpec,
    item: LineDict,
    line: int,
    shown: str,
    cat: TaskCatalogue,
    rules: RuleSet,
    unit_names: list[str],
    indicator_codes: list[str],
    all_domains: set[str],
) -> Task | None:
    problems = cat.problems
    n_before = len(problems)

    def add(message_id: Code, at: int | None, severity: Severity = "error", /, **params: Any) -> None:
        problems.append(Problem(message_id, {"task": spec.code, **params}, file=shown, line=at, severity=severity))

    def units(field_name: str) -> tuple[str, ...]:
        out: list[str] = []
        node = item.get(field_name)
        for j, text in enumerate(getattr(spec, field_name)):
            code = cat.unit_index.get(key(text))
            at = _line(node, j, item.line_of(field_name))
            if code is None:
                add(Code.UNKNOWN_UNIT, at, name=text, hint=_hint(text, unit_names))
                continue
            if code in out:
                add(Code.DUPLICATE_UNIT, at, "warning", name=text)
                continue
            out.append(code)
        return tuple(out)

    lead = units("lead_units")
    resp = units("responsible_units")

    if spec.plan is not None and spec.plan not in rules.plans:
        add(Code.UNKNOWN_PLAN, item.line_of("plan"), plan=spec.plan, hint=_hint(spec.plan, rules.plans))
    if spec.domain is not None:
        choices = {d for (p, d) in rules.domains if p == spec.plan} if spec.plan in rules.plans else all_domains
        if spec.domain not in choices:
            add(Code.UNKNOWN_DOMAIN_TASK, item.line_of("domain"), domain=spec.domain, hint=_hint(spec.domain, choices))

    def known_indicator(code: str, at: int | None) -> bool:
        if code in rules.indicators:
            return True
        # "W3" and "w03" are W03 mistyped; otherwise the closest code.
        padded = re.sub(r"^([A-Za-z])(\d)([a-z]?)$", r"\g<1>0\2\3", code.strip())
        padded = padded[:1].upper() + padded[1:]
        hint = did_you_mean(padded) if padded in rules.indicators else _hint(code, indicator_codes)
        add(Code.UNKNOWN_INDICATOR_TASK, at, code=code, hint=hint)
        return False

    indicators: list[str] = []
    node = item.get("indicators")
    for j, code in enumerate(spec.indicators):
        if known_indicator(code, _line(node, j, item.line_of("indicators"))) and code not in indicators:
            indicators.append(code)

    targets: list[TaskTarget] = []
    tnode = item.get("targets")
    for j, target in enumerate(spec.targets):
        titem = tnode[j] if isinstance(tnode, LineList) else LineDict()
        tline = titem.line_of("target") if isinstance(titem, LineDict) else line
        if target.indicator is not None:
            if not known_indicator(
                target.indicator, titem.line_of("indicator") if isinstance(titem, LineDict) else tline
            ):
                continue
            if target.indicator not in indicators:
                indicators.append(target.indicator)  # a target measured by an indicator links the task to it
        direction: Direction = target.direction or (
            rules.indicators[target.indicator].direction if target.indicator else "higher"
        )
        if direction not in ("higher", "lower"):
            direction = "higher"
        check = target.check
        if check is None:
            try:
                check = parse_target(target.target, direction)
            except TargetParseError as exc:
                add(exc.message_id, tline, **exc.params, subject=f"{spec.code}：")
                continue
            if check.referenced_series() is not None:
                add(Code.BAD_TARGET_TASK_REFERENCE, tline)
                continue
        targets.append(
            TaskTarget(
                len(targets) + 1,
                target.measure,
                target.printed,
                target.target,
                target.unit,
                check,
                target.indicator,
                target.year,
            )
        )

    if any(p.severity == "error" for p in problems[n_before:]):
        return None
    return Task(
        spec.code,
        spec.number,
        spec.source,
        spec.period,
        spec.section,
        spec.column,
        spec.title,
        spec.text,
        lead,
        resp,
        spec.plan,
        spec.domain,
        tuple(indicators),
        tuple(targets),
        shown,
        line,
    )


@lru_cache(maxsize=8)
def catalogue_for(rules: RuleSet) -> TaskCatalogue:
    """The task catalogue of a loaded rule set, loaded once per rule set (RuleSet hashes by identity)."""
    return load_tasks(rules.root, rules)


# ------------------------------------------------------------------------------ look-ups
def resolve_unit(cat: TaskCatalogue, text: str | None) -> str | None:
    """Unit code for a code, Chinese or English name or alias (NFKC, spaces ignored), or None."""
    if text is None:
        return None
    return cat.unit_index.get(key(text))


def indicators_for_task(cat: TaskCatalogue, task_code: str) -> list[str]:
    """The indicator codes a task moves (empty for an unknown task)."""
    t = cat.tasks.get(task_code)
    return list(t.indicators) if t else []


def _units_text(cat: TaskCatalogue, codes, lang: str) -> str:
    return (
        "、".join(cat.unit_name(c, lang) for c in codes)
        if lang != "en"
        else ", ".join(cat.unit_name(c, lang) for c in codes)
    )


def domain_name(cat: TaskCatalogue, t: Task, lang: str) -> str | None:
    """The display name of a task's domain (names of several plans joined when the plan is not given)."""
    if t.domain is None:
        return None
    rules = cat.rules
    if rules is None:
        return t.domain
    plans = [t.plan] if t.plan else sorted({p for (p, d) in rules.domains if d == t.domain}, reverse=True)
    if not plans:
        return t.domain
    return ("、" if lang != "en" else " / ").join(rules.domain_name(p, t.domain, lang) for p in plans)


LIST_COLUMNS = ["code", "title", "source", "section", "lead_units", "responsible_units", "domain"]


def _row(cat: TaskCatalogue, t: Task, lang: str) -> dict:
    return {
        "code": t.code,
        "title": t.title,
        "source": t.source,
        "section": t.section,
        "lead_units": _units_text(cat, t.lead_units, lang),
        "responsible_units": _units_text(cat, t.responsible_units, lang),
        "domain": t.domain,
        "domain_name": domain_name(cat, t, lang),
    }


def tasks_for_indicator(cat: TaskCatalogue, code: str, lang: str = "zh") -> pd.DataFrame:
    """Tasks that move indicator ``code``: code, title, source, section, lead_units, responsible_units,
    domain (+ domain_name), lead and responsible units as display names joined with 、."""
    import pandas as pd

    rows = [_row(cat, t, lang) for t in cat.tasks.values() if code in t.indicators]
    return pd.DataFrame(rows, columns=[*LIST_COLUMNS, "domain_name"])


def tasks_for_unit(cat: TaskCatalogue, unit: str, lang: str = "zh") -> pd.DataFrame:
    """Tasks a unit leads or is responsible for, with ``role`` (lead/responsible) and ``via``.

    ``unit`` is a code or any name. A member unit is responsible for the tasks that name a group
    it belongs to (``via`` is then the group's display name). One row per task and role.
    """
    import pandas as pd

    code = unit if unit in cat.units else resolve_unit(cat, unit)
    cols = [*LIST_COLUMNS, "domain_name", "role", "via"]
    if code is None:
        return pd.DataFrame(columns=cols)
    groups = {c for c, u in cat.units.items() if u.group is not None and code in cat.group_members(c)}
    rows = []
    for t in cat.tasks.values():
        for role, codes in (("lead", t.lead_units), ("responsible", t.responsible_units)):
            if code in codes:
                rows.append({**_row(cat, t, lang), "role": role, "via": ""})
            elif role == "responsible" and code in t.lead_units:
                continue  # leading a task includes being responsible for it
            else:
                via = [g for g in codes if g in groups]
                if via:
                    rows.append({**_row(cat, t, lang), "role": role, "via": cat.unit_name(via[0], lang)})
    return pd.DataFrame(rows, columns=cols)


def catalogue_frame(
    cat: TaskCatalogue,
    *,
    source: str | None = None,
    section: str | None = None,
    domain: str | None = None,
    unit: str | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """All tasks, one row each, for listing; every filter is optional.

    ``unit`` keeps the tasks the unit leads or is responsible for (groups expanded). What was
    reported for each task is joined by ``engine.task_status.with_status``.
    """
    import pandas as pd

    frame = pd.DataFrame(
        [
            {
                **_row(cat, t, lang),
                "number": t.number,
                "period": t.period,
                "column": t.column,
                "plan": t.plan,
                "indicators": ", ".join(t.indicators),
                "n_targets": len(t.targets),
            }
            for t in cat.tasks.values()
        ],
        columns=[*LIST_COLUMNS, "domain_name", "number", "period", "column", "plan", "indicators", "n_targets"],
    )
    if source:
        frame = frame[frame["source"] == source]
    if section:
        frame = frame[frame["section"] == section]
    if domain:
        frame = frame[frame["domain"] == domain]
    if unit:
        code = unit if unit in cat.units else resolve_unit(cat, unit)
        frame = frame[frame["code"].isin(set(tasks_for_unit(cat, code or unit)["code"]))]
    return frame.reset_index(drop=True)


def units_frame(cat: TaskCatalogue, lang: str = "zh") -> pd.DataFrame:
    """Every unit with its aliases, level, membership and how many tasks it leads / is responsible for."""
    import pandas as pd

    rows = []
    for u in cat.units.values():
        mine = tasks_for_unit(cat, u.code, lang)
        rows.append(
            {
                "code": u.code,
                "name": u.name(lang),
                "aliases": "、".join(u.aliases),
                "level": u.level,
                "area": u.area,
                "member": u.member,
                "group": u.group,
                "members": len(cat.group_members(u.code)) if u.group else None,
                "n_lead": int((mine["role"] == "lead").sum()),
                "n_responsible": int((mine["role"] == "responsible").sum()),
            }
        )
    return pd.DataFrame(rows)


def targets_frame(cat: TaskCatalogue) -> pd.DataFrame:
    """One row per task target: task, target_no, measure, printed, target, unit, indicator, year, check_kind."""
    import pandas as pd

    rows = [
        {
            "task": t.code,
            "target_no": g.no,
            "measure": g.measure,
            "printed": g.printed,
            "target": g.target_text,
            "unit": g.unit,
            "indicator": g.indicator,
            "year": g.year,
            "check_kind": g.check.kind,
        }
        for t in cat.tasks.values()
        for g in t.targets
    ]
    return pd.DataFrame(
        rows, columns=["task", "target_no", "measure", "printed", "target", "unit", "indicator", "year", "check_kind"]
    )


__all__ = [
    "Task",
    "TaskCatalogue",
    "TaskTarget",
    "Unit",
    "catalogue_for",
    "catalogue_frame",
    "indicators_for_task",
    "load_tasks",
    "load_units",
    "resolve_unit",
    "targets_frame",
    "tasks_for_indicator",
    "tasks_for_unit",
    "units_frame",
]
