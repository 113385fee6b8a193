"""重点任务 Tasks and 责任单位 units: the task list, a task's page, a unit's tasks and indicators."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.records import NOT_REPORTED
from ..core.records import TASK_STATUSES as RECORD_TASK_STATUSES
from ..engine import SEVERITY, STATUSES, status_label
from ..engine.task_status import task_status_frame, task_status_label, with_status
from ..messages import separator, t
from ..messages.numbers import MISSING
from ..rules import RuleSet, TaskCatalogue, attribute_label, catalogue_for, workplan
from .common import slice_ev, with_latest

TASK_STATUSES = (NOT_REPORTED, *RECORD_TASK_STATUSES)
TASK_LIST_COLUMNS = [
    "code",
    "title",
    "source",
    "section",
    "lead_units",
    "responsible_units",
    "domain",
    "domain_name",
    "indicators",
    "n_targets",
    "status",
    "status_label",
    "status_year",
    "role",
    "via",
]


def task_catalogue(rules: RuleSet) -> TaskCatalogue:
    """The work-plan task catalogue of ``rules`` (loaded once per rule set)."""
    return catalogue_for(rules)


def has_tasks(rules: RuleSet) -> bool:
    return bool(task_catalogue(rules).tasks)


def tasks_for_indicator(rules: RuleSet, code: str, lang: str = "zh") -> pd.DataFrame:
    """Work-plan tasks that move indicator ``code``, in catalogue order.

    Columns: code, title, lead_units, responsible_units, source, section (units as display names
    joined with 、 or ", ").
    """
    cols = ["code", "title", "lead_units", "responsible_units", "source", "section"]
    return workplan.tasks_for_indicator(task_catalogue(rules), code, lang)[cols].reset_index(drop=True)


def indicator_lead_units(rules: RuleSet, lang: str = "zh") -> dict[str, str]:
    """For every indicator with linked tasks: the lead units of those tasks (display names, no repeats)."""
    cat = task_catalogue(rules)
    found: dict[str, dict[str, None]] = {}
    for task in cat.tasks.values():
        for code in task.indicators:
            for u in task.lead_units:
                found.setdefault(code, {}).setdefault(cat.unit_name(u, lang), None)
    return {code: separator(lang).join(names) for code, names in found.items()}


def all_tasks(rules: RuleSet, lang: str = "zh", reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every work-plan task, one row each (``task_list`` without filters)."""
    return task_list(rules, lang, reports)


def task_list(
    rules: RuleSet,
    lang: str = "zh",
    reports: pd.DataFrame | None = None,
    *,
    source: str | None = None,
    section: str | None = None,
    domain: str | None = None,
    unit: str | None = None,
    role: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """The tasks list, every filter optional.

    ``unit`` keeps the tasks the unit leads or is responsible for (directly or through a group such
    as 市级各成员单位); ``role`` ('lead' or 'responsible') narrows that to one role. ``status`` is a
    task-progress status (``TASK_STATUSES``) judged on each task's latest report.
    Columns: ``TASK_LIST_COLUMNS`` (``role``/``via`` filled only when ``unit`` is given).
    """
    cat = task_catalogue(rules)
    if not cat.tasks:
        return pd.DataFrame(columns=TASK_LIST_COLUMNS)
    frame = workplan.catalogue_frame(
        cat, source=source or None, section=section or None, domain=domain or None, lang=lang
    )
    frame = with_status(frame, reports, lang=lang)
    if status:
        frame = frame[frame["status"] == status]
    frame["role"] = ""
    frame["via"] = ""
    if unit:
        mine = workplan.tasks_for_unit(cat, unit, lang)
        if role:
            mine = mine[mine["role"] == role]
        # A task a unit leads and is responsible for shows once, as lead.
        mine = mine.sort_values(
            "role", key=lambda r: r.map({"lead": 0, "responsible": 1}), kind="stable"
        ).drop_duplicates("code")
        frame = frame.drop(columns=["role", "via"]).merge(mine[["code", "role", "via"]], on="code")
    return frame[TASK_LIST_COLUMNS].reset_index(drop=True)


def task_filter_options(rules: RuleSet, lang: str = "zh") -> dict:
    """The choices of the tasks page: sources (catalogue order), sections per source, domains and units.

    Returns {"sources": [...], "sections": {source: [...]}, "domains": {code: name},
    "units": {code: name}}.
    """
    cat = task_catalogue(rules)
    out: dict = {"sources": [], "sections": {}, "domains": {}, "units": {}}
    for task in cat.tasks.values():
        if task.source not in out["sections"]:
            out["sources"].append(task.source)
            out["sections"][task.source] = []
        if task.section not in out["sections"][task.source]:
            out["sections"][task.source].append(task.section)
        if task.domain and task.domain not in out["domains"]:
            plans = [p for (p, d) in rules.domains if d == task.domain]
            out["domains"][task.domain] = (
                " / ".join(rules.domain_name(p, task.domain, lang) for p in plans) or task.domain
            )
    out["units"] = {c: u.name(lang) for c, u in cat.units.items()}
    return out


def task_info(rules: RuleSet, code: str | None, lang: str = "zh") -> dict | None:
    """One task for its page, or None when the code is unknown.

    Keys: code, title, text, source, section, period, column, domain_name, indicators (codes),
    lead (list of {code, name}), responsible (list of {code, name, members: [names]} — a group
    unit lists the units it stands for).
    """
    cat = task_catalogue(rules)
    if not code or code not in cat.tasks:
        return None
    task = cat.tasks[code]

    def unit(c: str) -> dict:
        return {
            "code": c,
            "name": cat.unit_name(c, lang),
            "members": [cat.unit_name(m, lang) for m in cat.group_members(c)],
        }

    return {
        "code": task.code,
        "title": task.title,
        "text": task.text,
        "source": task.source,
        "section": task.section,
        "period": task.period,
        "column": task.column,
        "domain_name": workplan.domain_name(cat, task, lang),
        "indicators": list(task.indicators),
        "lead": [unit(c) for c in task.lead_units],
        "responsible": [unit(c) for c in task.responsible_units],
    }


def _indicator_status(
    ev: pd.DataFrame, rules: RuleSet, codes: list[str], area: str, year: int, lang: str
) -> pd.DataFrame:
    """Status of ``codes`` for one area and year, plan order (no_data where nothing is evaluated)."""
    cols = [
        "indicator",
        "name",
        "unit",
        "attribute",
        "attribute_label",
        "target_text",
        "value_used",
        "value_text",
        "status",
        "label",
        "order",
    ]
    codes = [c for c in dict.fromkeys(codes) if c in rules.indicators]
    if not codes:
        return pd.DataFrame(columns=cols)
    part = slice_ev(ev, area, year) if ev is not None and len(ev) else None
    found = {}
    if part is not None and not part.empty:
        part = with_latest(part[part["indicator"].astype(str).isin(codes)], ev, rules, lang)
        found = {str(r.indicator): r for r in part.itertuples(index=False)}
    rows = []
    for c in codes:
        ind = rules.indicator_for(area if area in rules.areas else None, c)  # the area's name and unit
        r = found.get(c)
        tgt = rules.target_for(area, c) if area in rules.areas else None
        status = str(r.status) if r is not None else "no_data"
        attribute = str(r.attribute) if r is not None else (tgt.attribute if tgt else ind.attribute)
        rows.append(
            {
                "indicator": c,
                "name": ind.name(lang),
                "unit": ind.unit,
                "attribute": attribute,
                "attribute_label": attribute_label(attribute, lang),
                "target_text": r.target_text if r is not None else (tgt.target_text if tgt else ind.target_text),
                "value_used": float(r.value_used) if r is not None and pd.notna(r.value_used) else np.nan,
                "value_text": r.value_text if r is not None else MISSING,
                "status": status,
                "label": status_label(status, lang),
                "order": ind.order,
            }
        )
    return pd.DataFrame(rows, columns=cols).sort_values("order").reset_index(drop=True)


def task_indicators(
    ev: pd.DataFrame, rules: RuleSet, code: str, area: str, year: int, lang: str = "zh"
) -> pd.DataFrame:
    """The indicators a task moves, with their status in ``area`` and ``year`` (plan order).

    Columns: indicator, name, unit, attribute, attribute_label, target_text, value_used, status, label, order.
    """
    info = task_info(rules, code, lang)
    return _indicator_status(ev, rules, info["indicators"] if info else [], area, year, lang)


def task_targets(rules: RuleSet, reports: pd.DataFrame | None, code: str, lang: str = "zh") -> pd.DataFrame:
    """A task's numeric targets next to what was reported for them (the task's latest reported year).

    Columns: target_no, measure, printed, target, unit, indicator, year, reached, met, status,
    status_label, note. Empty for a task without numeric targets.
    """
    cols = [
        "target_no",
        "measure",
        "printed",
        "target",
        "unit",
        "indicator",
        "year",
        "reached",
        "met",
        "status",
        "status_label",
        "note",
    ]
    cat = task_catalogue(rules)
    if code not in cat.tasks or not cat.tasks[code].targets:
        return pd.DataFrame(columns=cols)
    mine = reports[reports["task"] == code] if reports is not None and len(reports) else None
    frame = task_status_frame(cat, mine, lang=lang)
    frame = frame[frame["task"] == code].copy()
    frame["status_label"] = [task_status_label(s, lang) for s in frame["status"]]
    return frame[cols].reset_index(drop=True)


def task_status_summary(rules: RuleSet, reports: pd.DataFrame | None, code: str, lang: str = "zh") -> dict:
    """The latest reported status of a task: {status, label, year} (``not_reported`` without reports)."""
    frame = task_list(rules, lang, reports)
    row = frame[frame["code"] == code]
    if row.empty or row["status"].iloc[0] == "not_reported":
        return {"status": "not_reported", "label": task_status_label("not_reported", lang), "year": None}
    year = row["status_year"].iloc[0]
    return {
        "status": row["status"].iloc[0],
        "label": row["status_label"].iloc[0],
        "year": int(year) if pd.notna(year) else None,
    }


def task_history_table(rules: RuleSet, history: pd.DataFrame | None, code: str, lang: str = "zh") -> pd.DataFrame:
    """Every report stored for a task, oldest first, statuses in words and targets by their measure.

    ``history`` is ``Store.task_report_history(code)`` or, where the store has no history, the
    current reports of the task. Columns: year, target, status_label, reached, note, current,
    batch_id, created_at, uploader, file_name.
    """
    cols = [
        "year",
        "target",
        "status_label",
        "reached",
        "note",
        "current",
        "batch_id",
        "created_at",
        "uploader",
        "file_name",
    ]
    if history is None or history.empty:
        return pd.DataFrame(columns=cols)
    task = task_catalogue(rules).tasks.get(code)
    measures = {g.no: g.measure for g in task.targets} if task is not None else {}
    whole = t("task_whole", lang)
    h = history
    out = pd.DataFrame(
        {
            "year": h["year"].astype(int).to_numpy(),
            "target": [measures.get(int(n), str(n)) if int(n) else whole for n in h["target_no"]],
            "status_label": [task_status_label(str(s), lang) for s in h["status"]],
            "reached": h["reached"].astype(float).to_numpy(),
            "note": h["note"].to_numpy(),
            "current": h["is_current"].astype(bool).to_numpy() if "is_current" in h else True,
            "batch_id": h["batch_id"].to_numpy(),
            "created_at": h["created_at"].to_numpy() if "created_at" in h else None,
            "uploader": h["uploader"].to_numpy() if "uploader" in h else None,
            "file_name": h["file_name"].to_numpy() if "file_name" in h else None,
        }
    )
    return out[cols].reset_index(drop=True)


def unit_options(rules: RuleSet, lang: str = "zh") -> dict[str, str]:
    """Units of the catalogue in ``units.yaml`` order: {code: display name}."""
    return {c: u.name(lang) for c, u in task_catalogue(rules).units.items()}


def unit_info(rules: RuleSet, unit: str, lang: str = "zh") -> dict | None:
    """A unit's names and, for a group unit, its members. None for an unknown unit."""
    cat = task_catalogue(rules)
    if unit not in cat.units:
        return None
    u = cat.units[unit]
    groups = [
        cat.unit_name(c, lang) for c, g in cat.units.items() if g.group is not None and unit in cat.group_members(c)
    ]
    return {
        "code": u.code,
        "name": u.name(lang),
        "aliases": list(u.aliases),
        "level": u.level,
        "is_group": u.is_group,
        "members": [cat.unit_name(m, lang) for m in cat.group_members(unit)],
        "groups": groups,
    }


def unit_tasks(rules: RuleSet, unit: str, lang: str = "zh", reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every task a unit leads or shares (one row per task; a task it leads shows once, as lead).

    Columns: ``TASK_LIST_COLUMNS`` — ``role`` is 'lead' or 'responsible', ``via`` the group unit
    through which it is responsible (empty when named directly).
    """
    return task_list(rules, lang, reports, unit=unit)


def unit_indicators(
    ev: pd.DataFrame, rules: RuleSet, unit: str, area: str, year: int, lang: str = "zh"
) -> pd.DataFrame:
    """The indicators the unit's tasks serve, with their status — most worrying first.

    Columns: indicator, name, unit, attribute, attribute_label, target_text, value_used, status,
    label, role ('lead' when the unit leads any task linked to the indicator, else 'responsible'),
    tasks (the linked task codes of this unit, joined with ", ").
    """
    cols = [
        "indicator",
        "name",
        "unit",
        "attribute",
        "attribute_label",
        "target_text",
        "value_used",
        "value_text",
        "status",
        "label",
        "role",
        "tasks",
    ]
    cat = task_catalogue(rules)
    mine = unit_tasks(rules, unit, lang)
    if mine.empty:
        return pd.DataFrame(columns=cols)
    role: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for r in mine.itertuples(index=False):
        for c in cat.tasks[r.code].indicators:
            tasks.setdefault(c, []).append(r.code)
            if r.role == "lead" or c not in role:
                role[c] = r.role if role.get(c) != "lead" else "lead"
    out = _indicator_status(ev, rules, list(tasks), area, year, lang)
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["role"] = out["indicator"].map(role)
    out["tasks"] = [", ".join(tasks[c]) for c in out["indicator"]]
    out["_lead"] = (out["role"] != "lead").astype(int)
    out["_sev"] = out["status"].map(SEVERITY)
    out = out.sort_values(["_sev", "_lead", "order"], kind="stable")
    return out[cols].reset_index(drop=True)


def unit_status_counts(indicators: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``status_counts``-shaped counts (status, label, total, binding, expected) of ``unit_indicators``."""
    rows = []
    st = indicators["status"].astype(str) if len(indicators) else pd.Series(dtype=str)
    attr = indicators["attribute"] if len(indicators) else pd.Series(dtype=str)
    for s in STATUSES:
        hit = st == s
        rows.append(
            {
                "status": s,
                "label": status_label(s, lang),
                "total": int(hit.sum()),
                "binding": int((hit & (attr == "binding")).sum()),
                "expected": int((hit & (attr == "expected")).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["status", "label", "total", "binding", "expected"])


def page_ranges(n: int, per_page: int) -> list[tuple[int, int]]:
    """The rows ``[first, last)`` of each page of a list of ``n`` rows, ``per_page`` to a page."""
    return [(first, min(first + per_page, n)) for first in range(0, n, per_page)]
