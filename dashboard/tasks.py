"""Work-plan tasks and the units that carry them out: ``rules/units.yaml`` and ``rules/tasks/*.yaml``.

Leaders ask "who is doing what about this indicator?". The answer is in the work plans: each task
names its lead units (牵头单位) and responsible units (责任单位), the indicators it moves, and the
numbers it must reach. This module loads those files into typed objects (every problem with
``file:line``, like ``rules.py``), resolves unit names through aliases, expands group units such as
"市级各成员单位", and answers the drill-down questions both ways: indicator → tasks → indicators,
and unit → tasks.
"""
from __future__ import annotations

import dataclasses
import difflib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .matching import closest, key
from .problems import Problem
from .rules import RuleSet, _pydantic_problems
from .targets import Check, TargetParseError, parse_target
from .yaml_source import LineDict, LineList, load_yaml_file

UNITS_FILE = "units.yaml"
TASKS_DIR = "tasks"
GROUP_ALL_MEMBERS = "all_members"


# ------------------------------------------------------------------------------ YAML models
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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


TASK_FIELDS = sorted(set(UnitSpec.model_fields) | set(TargetSpec.model_fields) | set(TaskSpec.model_fields)
                     | {"units", "tasks"})


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
    no: int                 # 1-based position within the task; task progress rows refer to it
    measure: str
    printed: str
    target_text: str
    unit: str
    check: Any              # a member of targets.Check
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
    lead_units: tuple[str, ...]          # unit codes, as printed order
    responsible_units: tuple[str, ...]   # unit codes; group units are kept (expand with expand_units)
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
    unit_index: dict[str, str] = field(default_factory=dict)   # key(name) -> unit code
    rules: RuleSet | None = None

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
            for m in (members if members else (c,)):
                out.setdefault(m, None)
        return tuple(out)


def _unit_groups(u: Unit) -> set[str]:
    return set(u.groups) | ({GROUP_ALL_MEMBERS} if u.member else set())


# ------------------------------------------------------------------------------ loading
def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _hint(text: str, choices) -> str | None:
    return closest(text, list(choices)) if choices else None


def _dym(guess: str | None) -> tuple[str, str]:
    return (f"；是不是 “{guess}”？", f"; did you mean '{guess}'?") if guess else ("", "")


def _validate(model, data: Any, shown: str, problems: list[Problem], prefix: tuple = ()):
    """``rules._validate`` with "did you mean" for unknown keys taken from the task/unit fields."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        for p in _pydantic_problems(exc, data, shown, prefix, fallback=getattr(data, "line", None)):
            m = re.match(r"unknown key '(.+?)' \(at (.+?)\)", p.message_en)
            if p.code == "UNKNOWN_KEY" and m:
                # The shared hint looks among indicator fields; a task file needs its own.
                k, where = m.groups()
                guess = difflib.get_close_matches(k, TASK_FIELDS, n=1, cutoff=0.6)
                zh, en = (f"；是不是要写 “{guess[0]}”？", f"; did you mean '{guess[0]}'?") if guess else ("", "")
                p = dataclasses.replace(p, message_zh=f"未知的键 “{k}”（位于 {where}）{zh}",
                                        message_en=f"unknown key '{k}' (at {where}){en}")
            problems.append(p)
        return None


def _line(node, k, default: int | None) -> int | None:
    if isinstance(node, LineDict):
        return node.line_of(k)
    if isinstance(node, LineList) and isinstance(k, int):
        return node.line_of(k)
    return default


def load_units(root: Path, rules: RuleSet | None = None) -> TaskCatalogue:
    """Read ``root/units.yaml`` into a catalogue without tasks."""
    cat = TaskCatalogue(rules=rules)
    path = root / UNITS_FILE
    shown = _rel(path, root)
    if not path.exists():
        cat.problems.append(Problem("MISSING_FILE", f"缺少 {UNITS_FILE}", f"{UNITS_FILE} is missing", file=shown))
        return cat
    data, found = load_yaml_file(path, shown)
    cat.problems.extend(found)
    if data is None:
        return cat
    if not isinstance(data, LineDict) or not isinstance(data.get("units"), LineList):
        cat.problems.append(Problem("MISSING_FIELD", f"{UNITS_FILE} 需要一个 units: 列表",
                                    f"{UNITS_FILE} needs a 'units:' list", file=shown, line=getattr(data, "line", 1)))
        return cat
    for k in sorted(set(data) - {"units"}, key=str):
        cat.problems.append(Problem("UNKNOWN_KEY", f"未知的键 “{k}”", f"unknown key '{k}'", file=shown,
                                    line=data.line_of(k)))
    items: LineList = data["units"]
    specs: list[tuple[UnitSpec, LineDict]] = []
    for i, item in enumerate(items):
        spec = _validate(UnitSpec, item, shown, cat.problems, ("units", i))
        if spec is None:
            continue
        if spec.code in cat.units:
            cat.problems.append(Problem("DUPLICATE_CODE", f"单位代码 {spec.code} 重复",
                                        f"unit code {spec.code} is used twice", file=shown, line=item.line_of("code")))
            continue
        cat.units[spec.code] = Unit(spec.code, spec.name_zh, spec.name_en, spec.aliases, spec.level, spec.area,
                                    spec.member, spec.groups, spec.group, shown, items.line_of(i))
        specs.append((spec, item))

    group_names = {u.group for u in cat.units.values() if u.group}
    for spec, item in specs:
        if spec.area is not None and rules is not None and rules.areas and spec.area not in rules.areas:
            zh, en = _dym(_hint(spec.area, rules.areas))
            cat.problems.append(Problem("UNKNOWN_AREA", f"单位 {spec.code} 的地区 “{spec.area}” 不在 areas.yaml 中" + zh,
                                        f"area '{spec.area}' of unit {spec.code} is not in areas.yaml" + en,
                                        file=shown, line=item.line_of("area")))
        for j, g in enumerate(spec.groups):
            if g not in group_names:
                zh, en = _dym(_hint(g, group_names))
                cat.problems.append(Problem("UNKNOWN_GROUP", f"单位 {spec.code} 所属的组 “{g}” 没有对应的组单位（group: {g}）" + zh,
                                            f"unit {spec.code} is in group '{g}', but no unit has 'group: {g}'" + en,
                                            file=shown, line=_line(item.get("groups"), j, item.line_of("groups"))))
        if spec.group is not None and (spec.member or spec.groups):
            cat.problems.append(Problem("BAD_GROUP", f"组单位 {spec.code} 不能再属于其他组（member/groups）",
                                        f"group unit {spec.code} cannot itself be a member of a group (member/groups)",
                                        file=shown, line=item.line_of("group")))
    seen_group: dict[str, str] = {}
    for spec, item in specs:
        if spec.group is not None:
            if spec.group in seen_group:
                cat.problems.append(Problem("DUPLICATE_CODE", f"组 {spec.group} 已由单位 {seen_group[spec.group]} 表示",
                                            f"group {spec.group} is already represented by unit {seen_group[spec.group]}",
                                            file=shown, line=item.line_of("group")))
            seen_group.setdefault(spec.group, spec.code)

    # Every spelling → one unit; the same spelling for two units is ambiguous, hence an error.
    for spec, item in specs:
        for name in (spec.code, spec.name_zh, spec.name_en, *spec.aliases):
            k = key(name)
            other = cat.unit_index.get(k)
            if other is not None and other != spec.code:
                cat.problems.append(Problem("DUPLICATE_NAME", f"名称 “{name}” 同时指向单位 {other} 和 {spec.code}",
                                            f"the name '{name}' refers to both unit {other} and {spec.code}",
                                            file=shown, line=item.line_of("aliases") if name in spec.aliases
                                            else item.line_of("name_zh")))
                continue
            cat.unit_index[k] = spec.code
    return cat


def load_tasks(root: Path | str | None = None, rules: RuleSet | None = None) -> TaskCatalogue:
    """Load ``root/units.yaml`` and ``root/tasks/*.yaml``; ``rules`` supplies indicators, domains and areas.

    Never raises for bad input: every problem is in ``.problems`` with its file and line.
    """
    if rules is None:
        from .rules import load_rules

        rules = load_rules(root)
    root = Path(root) if root is not None else rules.root
    cat = load_units(root, rules)
    tdir = root / TASKS_DIR
    files = sorted(tdir.glob("*.yaml")) if tdir.is_dir() else []
    unit_names = sorted({n for u in cat.units.values() for n in (u.name_zh, *u.aliases)})
    indicator_codes = sorted(rules.indicators)
    all_domains = {d for (_, d) in rules.domains}
    seen: dict[str, str] = {}
    for path in files:
        shown = _rel(path, root)
        data, found = load_yaml_file(path, shown)
        cat.problems.extend(found)
        if data is None:
            continue
        if not isinstance(data, LineDict) or not isinstance(data.get("tasks"), LineList):
            cat.problems.append(Problem("MISSING_FIELD", "任务文件需要一个 tasks: 列表",
                                        "a task file needs a 'tasks:' list", file=shown, line=getattr(data, "line", 1)))
            continue
        for k in sorted(set(data) - {"tasks"}, key=str):
            cat.problems.append(Problem("UNKNOWN_KEY", f"未知的键 “{k}”", f"unknown key '{k}'", file=shown,
                                        line=data.line_of(k)))
        items: LineList = data["tasks"]
        for i, item in enumerate(items):
            spec = _validate(TaskSpec, item, shown, cat.problems, ("tasks", i))
            if spec is None:
                continue
            task = _build_task(spec, item, items.line_of(i), shown, cat, rules, unit_names, indicator_codes,
                               all_domains)
            if task is None:
                continue
            if task.code in seen:
                cat.problems.append(Problem("DUPLICATE_CODE", f"任务代码 {task.code} 重复（已在 {seen[task.code]} 中定义）",
                                            f"task code {task.code} is already defined in {seen[task.code]}",
                                            file=shown, line=item.line_of("code")))
                continue
            seen[task.code] = f"{shown}:{items.line_of(i)}"
            cat.tasks[task.code] = task
    return cat


def _build_task(spec: TaskSpec, item: LineDict, line: int, shown: str, cat: TaskCatalogue, rules: RuleSet,
                unit_names, indicator_codes, all_domains) -> Task | None:
    problems = cat.problems
    n_before = len(problems)

    def units(field_name: str) -> tuple[str, ...]:
        out: list[str] = []
        node = item.get(field_name)
        for j, text in enumerate(getattr(spec, field_name)):
            code = cat.unit_index.get(key(text))
            at = _line(node, j, item.line_of(field_name))
            if code is None:
                zh, en = _dym(_hint(text, unit_names))
                problems.append(Problem("UNKNOWN_UNIT", f"{spec.code}：未知单位 “{text}”（请在 units.yaml 中登记或改用已有名称）" + zh,
                                        f"{spec.code}: unknown unit '{text}' (add it to units.yaml or use a known name)" + en,
                                        file=shown, line=at))
                continue
            if code in out:
                problems.append(Problem("DUPLICATE_UNIT", f"{spec.code}：单位 “{text}” 重复列出",
                                        f"{spec.code}: unit '{text}' is listed twice", file=shown, line=at,
                                        severity="warning"))
                continue
            out.append(code)
        return tuple(out)

    lead = units("lead_units")
    resp = units("responsible_units")

    if spec.plan is not None and spec.plan not in rules.plans:
        zh, en = _dym(_hint(spec.plan, rules.plans))
        problems.append(Problem("UNKNOWN_PLAN", f"{spec.code}：规划代码 “{spec.plan}” 不存在" + zh,
                                f"{spec.code}: plan '{spec.plan}' does not exist" + en, file=shown,
                                line=item.line_of("plan")))
    if spec.domain is not None:
        choices = {d for (p, d) in rules.domains if p == spec.plan} if spec.plan in rules.plans else all_domains
        if spec.domain not in choices:
            zh, en = _dym(_hint(spec.domain, choices))
            problems.append(Problem("UNKNOWN_DOMAIN", f"{spec.code}：领域 “{spec.domain}” 未在指标文件的 domains: 中定义" + zh,
                                    f"{spec.code}: domain '{spec.domain}' is not listed under domains: in the indicator files" + en,
                                    file=shown, line=item.line_of("domain")))

    def known_indicator(code: str, at: int | None) -> bool:
        if code in rules.indicators:
            return True
        # "W3" and "w03" are W03 mistyped; otherwise the closest code.
        padded = re.sub(r"^([A-Za-z])(\d)([a-z]?)$", r"\g<1>0\2\3", code.strip())
        padded = padded[:1].upper() + padded[1:]
        zh, en = _dym(padded if padded in rules.indicators else _hint(code, indicator_codes))
        problems.append(Problem("UNKNOWN_INDICATOR", f"{spec.code}：未知指标 “{code}”" + zh,
                                f"{spec.code}: unknown indicator '{code}'" + en, file=shown, line=at))
        return False

    indicators: list[str] = []
    node = item.get("indicators")
    for j, code in enumerate(spec.indicators):
        if known_indicator(code, _line(node, j, item.line_of("indicators"))) and code not in indicators:
            indicators.append(code)

    targets: list[TaskTarget] = []
    tnode = item.get("targets")
    for j, t in enumerate(spec.targets):
        titem = tnode[j] if isinstance(tnode, LineList) else LineDict()
        tline = titem.line_of("target") if isinstance(titem, LineDict) else line
        if t.indicator is not None:
            if not known_indicator(t.indicator, titem.line_of("indicator") if isinstance(titem, LineDict) else tline):
                continue
            if t.indicator not in indicators:
                indicators.append(t.indicator)  # a target measured by an indicator links the task to it
        direction = t.direction or (rules.indicators[t.indicator].direction if t.indicator else "higher")
        if direction not in ("higher", "lower"):
            direction = "higher"
        check = t.check
        if check is None:
            try:
                check = parse_target(t.target, direction)
            except TargetParseError as exc:
                problems.append(Problem("BAD_TARGET", f"{spec.code}：{exc.message_zh}", f"{spec.code}: {exc.message_en}",
                                        file=shown, line=tline))
                continue
            if check.kind == "reference":
                problems.append(Problem("BAD_TARGET", f"{spec.code}：任务目标不能引用其他数据序列",
                                        f"{spec.code}: a task target cannot refer to another series", file=shown,
                                        line=tline))
                continue
        targets.append(TaskTarget(len(targets) + 1, t.measure, t.printed, t.target, t.unit, check, t.indicator, t.year))

    if any(p.severity == "error" for p in problems[n_before:]):
        return None
    return Task(spec.code, spec.number, spec.source, spec.period, spec.section, spec.column, spec.title, spec.text,
                lead, resp, spec.plan, spec.domain, tuple(indicators), tuple(targets), shown, line)


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
    return "、".join(cat.unit_name(c, lang) for c in codes) if lang != "en" else ", ".join(
        cat.unit_name(c, lang) for c in codes)


def _domain_name(cat: TaskCatalogue, t: Task, lang: str) -> str | None:
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
    return {"code": t.code, "title": t.title, "source": t.source, "section": t.section,
            "lead_units": _units_text(cat, t.lead_units, lang),
            "responsible_units": _units_text(cat, t.responsible_units, lang),
            "domain": t.domain, "domain_name": _domain_name(cat, t, lang)}


def tasks_for_indicator(cat: TaskCatalogue, code: str, lang: str = "zh") -> pd.DataFrame:
    """Tasks that move indicator ``code``: code, title, source, section, lead_units, responsible_units,
    domain (+ domain_name), lead and responsible units as display names joined with 、."""
    rows = [_row(cat, t, lang) for t in cat.tasks.values() if code in t.indicators]
    return pd.DataFrame(rows, columns=LIST_COLUMNS + ["domain_name"])


def tasks_for_unit(cat: TaskCatalogue, unit: str, lang: str = "zh") -> pd.DataFrame:
    """Tasks a unit leads or is responsible for, with ``role`` (lead/responsible) and ``via``.

    ``unit`` is a code or any name. A member unit is responsible for the tasks that name a group
    it belongs to (``via`` is then the group's display name). One row per task and role.
    """
    code = unit if unit in cat.units else resolve_unit(cat, unit)
    cols = LIST_COLUMNS + ["domain_name", "role", "via"]
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


def catalogue_frame(cat: TaskCatalogue, *, source: str | None = None, section: str | None = None,
                    domain: str | None = None, unit: str | None = None, status: str | None = None,
                    reports: pd.DataFrame | None = None, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """All tasks, one row each, for listing; every filter is optional.

    ``unit`` keeps the tasks the unit leads or is responsible for (groups expanded); ``status``
    (未开始/推进中/已完成/滞后, the English codes, or 未报告/not_reported) needs ``reports`` — the
    current task reports (task, year, status, …) — and uses each task's latest reported year, or
    ``year``.
    """
    from .task_progress import STATUS_LABELS, latest_status, normalise_status

    frame = pd.DataFrame([{
        **_row(cat, t, lang), "number": t.number, "period": t.period, "column": t.column, "plan": t.plan,
        "indicators": ", ".join(t.indicators), "n_targets": len(t.targets),
    } for t in cat.tasks.values()], columns=LIST_COLUMNS + ["domain_name", "number", "period", "column", "plan",
                                                            "indicators", "n_targets"])
    st = latest_status(reports, year) if reports is not None else pd.DataFrame(columns=["task", "year", "status"])
    frame = frame.merge(st.rename(columns={"task": "code", "year": "status_year"}), on="code", how="left")
    frame["status"] = frame["status"].fillna("not_reported")
    frame["status_label"] = frame["status"].map(lambda s: STATUS_LABELS.get(s, {}).get(lang, s))
    if source:
        frame = frame[frame["source"] == source]
    if section:
        frame = frame[frame["section"] == section]
    if domain:
        frame = frame[frame["domain"] == domain]
    if unit:
        code = unit if unit in cat.units else resolve_unit(cat, unit)
        frame = frame[frame["code"].isin(set(tasks_for_unit(cat, code or unit)["code"]))]
    if status:
        frame = frame[frame["status"] == (normalise_status(status) or status)]
    return frame.reset_index(drop=True)


def units_frame(cat: TaskCatalogue, lang: str = "zh") -> pd.DataFrame:
    """Every unit with its aliases, level, membership and how many tasks it leads / is responsible for."""
    rows = []
    for u in cat.units.values():
        mine = tasks_for_unit(cat, u.code, lang)
        rows.append({"code": u.code, "name": u.name(lang), "aliases": "、".join(u.aliases), "level": u.level,
                     "area": u.area, "member": u.member, "group": u.group,
                     "members": len(cat.group_members(u.code)) if u.group else None,
                     "n_lead": int((mine["role"] == "lead").sum()),
                     "n_responsible": int((mine["role"] == "responsible").sum())})
    return pd.DataFrame(rows)


def targets_frame(cat: TaskCatalogue) -> pd.DataFrame:
    """One row per task target: task, target_no, measure, printed, target, unit, indicator, year, check_kind."""
    rows = [{"task": t.code, "target_no": g.no, "measure": g.measure, "printed": g.printed, "target": g.target_text,
             "unit": g.unit, "indicator": g.indicator, "year": g.year, "check_kind": g.check.kind}
            for t in cat.tasks.values() for g in t.targets]
    return pd.DataFrame(rows, columns=["task", "target_no", "measure", "printed", "target", "unit", "indicator",
                                       "year", "check_kind"])


__all__ = ["Unit", "Task", "TaskTarget", "TaskCatalogue", "load_tasks", "load_units", "catalogue_for", "resolve_unit",
           "indicators_for_task", "tasks_for_indicator", "tasks_for_unit", "catalogue_frame", "units_frame",
           "targets_frame"]
