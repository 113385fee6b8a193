"""Yearly task-progress reports: an uploaded file → validated rows, and targets joined with what was reached.

Staff report, per task and year, a status (未开始 / 推进中 / 已完成 / 滞后), the number reached where
the task has one, and a note — through the same upload path as indicator values: CSV (UTF-8, BOM,
GBK/GB18030, UTF-16) or .xlsx, headers in Chinese or English in any order. Reading the grid of
cells and parsing numbers reuse ``upload.py`` and ``values.py``; this module adds the columns and
the rules of a task report. Nothing is stored here: ``read_task_progress`` returns every problem
(row as Excel shows it, column as the header in the file) and the rows that would be stored.

A task with several targets (市妇联's 500 个妇女之家 and 500 个儿童之家) needs the optional column
目标 / target to say which one a reached number belongs to: its number (1, 2 …), the measure as
written in the task file, or the linked indicator code. A row without a number reports the
status of the task as a whole (``target_no`` 0).
"""

from __future__ import annotations

import os
from datetime import date

import numpy as np
import pandas as pd

from ..core.records import TASK_PROGRESS, TASK_STATUSES, diff
from ..messages import Code, Msg, Name, Problem
from ..messages import t as text_of
from ..messages.numbers import unit_label
from ..rules import RuleSet, Task, TaskCatalogue
from .cells import MAX_NOTE, normalise_text, parse_values, shown_items, shown_text
from .file_kind import FileKind
from .grid import LooksLikeHeader, open_grid, read_path
from .matching import key, suggestions
from .report import IntakeReport, ProblemCap, list_problems

STATUSES = TASK_STATUSES
_STATUS_WORDS = {
    "not_started": ("未开始", "not_started", "notstarted", "not started", "尚未开始", "未启动"),
    "in_progress": ("推进中", "in_progress", "inprogress", "in progress", "进行中", "正在推进", "实施中"),
    "done": ("已完成", "done", "完成", "completed", "complete", "已办结"),
    "delayed": ("滞后", "delayed", "已滞后", "进度滞后", "behind", "late"),
    "not_reported": ("未报告", "not_reported", "not reported"),
}
_STATUS_INDEX = {key(w): code for code, words in _STATUS_WORDS.items() for w in words}


def empty_rows() -> pd.DataFrame:
    """The rows of a task-progress report that has none."""
    return pd.DataFrame(
        {
            "task": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            "target_no": pd.Series(dtype="int64"),
            "status": pd.Series(dtype=object),
            "reached": pd.Series(dtype="float64"),
            "note": pd.Series(dtype=object),
            "source_row": pd.Series(dtype="int64"),
        }
    )


KIND = FileKind(
    name="tasks",
    record=TASK_PROGRESS,
    fields=("task", "year", "status", "target", "reached", "note"),
    required=("task", "year", "status"),
    aliases={
        "task": ("任务代码", "任务编号", "task", "task_code", "任务", "代码", "code", "任务名称", "task_title"),
        "year": ("年份", "year", "年度"),
        "status": ("状态", "status", "进展状态", "完成状态", "进展"),
        "target": ("目标", "目标项", "target", "target_no", "measure", "目标序号"),
        "reached": ("完成值", "reached", "实际完成", "完成数", "实际完成值", "完成数值", "value", "数值"),
        "note": ("备注", "note", "notes", "说明"),
    },
    empty_rows=empty_rows,
    layout="tasks",
    shown={"task": "任务代码", "year": "年份", "status": "状态", "target": "目标", "reached": "完成值", "note": "备注"},
    # The template gives each task by code and by title (任务代码 + 任务名称).
    codes={"task": ("任务代码", "任务编号", "task_code", "代码", "code")},
    names={"task": ("任务名称", "task_title")},
)
FIELDS, REQUIRED, ALIASES, SHOWN = KIND.fields, KIND.required, KIND.aliases, KIND.shown
ROW_COLUMNS = ["task", "year", "target_no", "status", "reached", "note", "source_row"]


def normalise_status(text) -> str | None:
    """Canonical status code for a Chinese or English status word, or None."""
    if text is None or (isinstance(text, float) and np.isnan(text)):
        return None
    return _STATUS_INDEX.get(key(str(text)))


# ------------------------------------------------------------------------------ entry points
def read_task_progress_path(
    path: str | os.PathLike,
    cat: TaskCatalogue,
    rules: RuleSet,
    *,
    max_bytes: int | None = None,
    sheet: str | None = None,
) -> IntakeReport:
    """Like :func:`read_task_progress` for a file on disk, refusing an oversized file before reading it."""
    return read_path(
        path,
        rules,
        max_bytes,
        lambda name, size, problem: KIND.new_report(name, None, size, [problem]),
        lambda content, name, limit: read_task_progress(content, name, cat, rules, max_bytes=limit, sheet=sheet),
    )


def read_task_progress(
    content: bytes,
    file_name: str,
    cat: TaskCatalogue,
    rules: RuleSet,
    *,
    max_bytes: int | None = None,
    sheet: str | None = None,
    tables: LooksLikeHeader | None = None,
) -> IntakeReport:
    """Read and validate one task-progress file; never raises for bad input, reports it instead.

    ``sheet``: the one sheet of a workbook to read (else the one with a header row). ``tables``: the
    header rows that make a sheet a table (default: this kind's; the pipeline passes every kind's).
    """
    report = KIND.new_report(file_name, content, len(content))
    grid = open_grid(report, content, file_name, rules, tables or KIND.looks_like_header, max_bytes, sheet)
    if grid is None:
        return report
    header_row = KIND.find_header(grid)
    header = grid.loc[header_row].astype(str).str.strip()
    placed = KIND.column_map(header, header_row)
    if placed.problems:
        report.problems.extend(placed.problems)
        return report
    cols = placed.columns
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        report.problems.extend(KIND.missing_column(f, header_row) for f in missing)
        return report
    data = grid.loc[grid.index > header_row].astype(str)
    if data.empty:
        report.problems.append(Problem(Code.NO_DATA_ROWS, row=int(header_row)))
        return report
    frame = pd.DataFrame({"row": data.index.astype("int64")})
    for f in FIELDS:
        frame[f"{f}_text"] = data[cols[f]].str.strip().to_numpy() if f in cols else ""
        # An absent optional column has no name: problems then point at the reached-value column.
        frame[f"col_{f}"] = header[cols[f]] if f in cols else ""
    if "task" in placed.names:  # 任务代码 + 任务名称: the code, else (blank) the title; _validate compares them
        frame["task_alt_text"] = data[placed.names["task"]].str.strip().to_numpy()
        frame["col_task_alt"] = header[placed.names["task"]]
        frame["task_text"] = frame["task_text"].where(frame["task_text"] != "", frame["task_alt_text"])
    blank = (frame[[f"{f}_text" for f in FIELDS]] == "").all(axis=1)
    frame = frame.loc[~blank].reset_index(drop=True)
    if frame.empty:
        report.problems.append(Problem(Code.NO_DATA_ROWS, row=int(header_row)))
        return report
    # A template row nobody filled in (task, year and target pre-printed; no status, number or
    # note) reports nothing, as an empty cell of the indicator template does.
    unfilled = (frame[["status_text", "reached_text", "note_text"]] == "").all(axis=1)
    report.n_unfilled = int(unfilled.sum())
    frame = frame.loc[~unfilled].reset_index(drop=True)
    if frame.empty:
        report.problems.append(
            Problem(Code.NO_DATA_ROWS_NO_STATUS, row=int(header_row), column=str(header[cols["status"]]))
        )
        return report
    _validate(frame, cat, rules, report)
    return report


# ------------------------------------------------------------------------------ validation
def _task_index(cat: TaskCatalogue) -> dict[str, str]:
    index = {key(c): c for c in cat.tasks}
    titles: dict[str, list[str]] = {}
    for t in cat.tasks.values():
        titles.setdefault(key(t.title), []).append(t.code)
    for k, codes in titles.items():
        if len(codes) == 1:
            index.setdefault(k, codes[0])  # a title names a task only when no other task has it
    return index


def _target_no(task: Task, text: str) -> int | None:
    """Which target of ``task`` the text names: its number, measure, printed text or indicator code."""
    k = key(text)
    for g in task.targets:
        if k in (str(g.no), key(g.measure), key(g.printed), key(g.indicator or "")):
            return g.no
    # A shortened measure (普惠率 for 学前教育普惠率) is fine as long as it names only one target.
    partial = [g.no for g in task.targets if k and (k in key(g.measure) or k in key(g.printed))]
    return partial[0] if len(partial) == 1 else None


def _choices(task: Task) -> list[Msg]:
    """The targets a reached value may name: ``1=普惠率`` …"""
    return [Msg("intake_target_choice", {"no": g.no, "measure": g.measure}) for g in task.targets]


def _fmt(x: float) -> str:
    return f"{x:g}"


def _plausible(r, task: Task, target_no: int, rules: RuleSet, add) -> bool:
    """A reached number within its target's plausible bounds (OUT_OF_RANGE.reached when not).

    The bounds are the unit's (``settings.yaml`` ``value_bounds``), or those of the indicator the
    target measures where it sets its own ``valid_range``.
    """
    target = next((g for g in task.targets if g.no == target_no), None)
    if target is None:
        return True
    indicator = rules.indicators.get(target.indicator or "")
    own = indicator.valid_range if indicator is not None else None
    bounds = rules.settings.value_bounds.resolve(target.unit, own)
    if bounds.lo <= r.reached <= bounds.hi:
        return True
    if bounds.lo_own if r.reached < bounds.lo else bounds.hi_own:
        where = Msg("value_bound_own", {"code": target.indicator})
    elif target.unit in rules.settings.value_bounds.units:
        where = Msg("value_bound_unit", {"unit": f'"{target.unit}"'})
    else:
        where = Msg("value_bound_other", {"unit": f'"{target.unit}"'})
    add(
        Code.OUT_OF_RANGE_REACHED,
        r,
        "reached",
        value=_fmt(r.reached),
        measure=target.measure,
        range=f"{bounds.lo:,.12g}–{bounds.hi:,.12g}",
        unit=Name(target.unit, unit_label(target.unit, "en")) if target.unit else Msg("no_unit"),
        where=where,
    )
    return False


def _validate(frame: pd.DataFrame, cat: TaskCatalogue, rules: RuleSet, report: IntakeReport) -> None:
    problems: list[Problem] = []
    limits = rules.settings.upload
    cap = ProblemCap(limits.max_problems)  # past it a problem is counted, not built

    def add(code: Code, r, column_field: str, severity: str = "error", **params) -> None:
        if not cap.take(code, severity):  # type: ignore[arg-type]
            return
        column = str(getattr(r, f"col_{column_field}"))
        problems.append(Problem(code, params, row=int(r.row), column=column, severity=severity))  # type: ignore[arg-type]

    # Tasks -----------------------------------------------------------------------------
    index = _task_index(cat)
    distinct = pd.unique(frame["task_text"])
    lookup = {t: index.get(key(t)) for t in distinct}
    frame["task"] = frame["task_text"].map(lookup)
    choices = list(cat.tasks) + [t.title for t in cat.tasks.values()]
    hints, limited = suggestions((t for t in distinct if lookup[t] is None and t), choices, limits)
    problems += [limited] if limited is not None else []
    if "task_alt_text" in frame:
        # A code and a title of two different tasks: which one is meant would be a guess.
        other = frame["task_alt_text"].map({t: index.get(key(t)) for t in pd.unique(frame["task_alt_text"])})
        clash = frame["task"].notna() & other.notna() & (other != frame["task"])
        for r in frame.loc[clash].itertuples(index=False):
            add(
                Code.CODE_NAME_DISAGREE,
                r,
                "task_alt",
                text=shown_text(r.task_text),
                column=r.col_task,
                other=shown_text(r.task_alt_text),
                other_column=r.col_task_alt,
            )

    # Years -----------------------------------------------------------------------------
    year_text = normalise_text(frame["year_text"]).str.replace(r"年度?$", "", regex=True)
    year_num = pd.to_numeric(year_text, errors="coerce").astype("float64")
    bad_year = year_num.isna() | (year_num % 1 != 0)
    frame["year"] = year_num.where(~bad_year, 0).astype("int64")
    start, end = rules.settings.plan_period.start, rules.settings.plan_period.end

    # Status and numbers ----------------------------------------------------------------
    frame["status"] = frame["status_text"].map(normalise_status)
    parsed = parse_values(frame["reached_text"])
    frame["reached"] = parsed.values
    frame["target_no"] = 0

    ok = pd.Series(True, index=frame.index)
    for i, r in enumerate(frame.itertuples(index=False)):
        good = True
        task = cat.tasks.get(r.task) if r.task else None
        if r.task_text == "":
            add(Code.EMPTY_CELL_TASK, r, "task")
            good = False
        elif task is None:
            h = hints.get(r.task_text)
            add(Code.UNKNOWN_TASK_HINT if h else Code.UNKNOWN_TASK, r, "task", text=shown_text(r.task_text), hint=h)
            good = False
        if len(r.note_text) > MAX_NOTE:
            add(Code.NOTE_TOO_LONG, r, "note", max=MAX_NOTE)
            good = False
        if r.year_text == "":
            add(Code.EMPTY_CELL_YEAR, r, "year")
            good = False
        elif bad_year.iloc[i]:
            add(Code.BAD_YEAR, r, "year", text=shown_text(r.year_text))
            good = False
        elif not start <= r.year <= end:
            add(Code.YEAR_OUT_OF_RANGE, r, "year", year=int(r.year), start=start, end=end)
            good = False
        elif task is not None and not task.period_start <= r.year <= task.period_end:
            add(
                Code.YEAR_OUTSIDE_TASK_PERIOD,
                r,
                "year",
                severity="warning",
                task=task.code,
                period=task.period,
                year=int(r.year),
            )
        if r.status_text == "":
            add(Code.EMPTY_CELL_STATUS, r, "status")
            good = False
        elif r.status is None or r.status == "not_reported":
            add(Code.BAD_STATUS, r, "status", text=shown_text(r.status_text))
            good = False
        if parsed.invalid.iloc[i]:
            add(Code.NOT_A_NUMBER_REACHED, r, "reached", text=shown_text(r.reached_text))
            good = False
        has_value = not np.isnan(r.reached)
        if task is not None:
            if has_value and not task.targets:
                add(Code.REACHED_WITHOUT_TARGET, r, "reached", task=task.code, value=_fmt(r.reached))
                good = False
            elif r.target_text != "":
                no = _target_no(task, r.target_text) if task.targets else None
                if no is None:
                    add(
                        Code.UNKNOWN_TARGET,
                        r,
                        "target",
                        task=task.code,
                        text=shown_text(r.target_text),
                        choices=_choices(task) or Msg("intake_none"),
                    )
                    good = False
                else:
                    frame.at[i, "target_no"] = no
            elif has_value:
                if len(task.targets) == 1:
                    frame.at[i, "target_no"] = 1
                else:
                    add(
                        Code.AMBIGUOUS_TARGET,
                        r,
                        "target" if r.col_target else "reached",
                        task=task.code,
                        n=len(task.targets),
                        choices=_choices(task),
                    )
                    good = False
        if good and has_value and task is not None:
            good = _plausible(r, task, int(frame.at[i, "target_no"]), rules, add)
        ok.iloc[i] = good

    # Duplicates among otherwise valid rows -----------------------------------------------
    valid = frame.loc[ok].copy()
    keys = ["task", "year", "target_no"]
    valid["_note"] = valid["note_text"]
    valid["_reached"] = valid["reached"].round(9).fillna(-1.2345e300)
    dup = valid.duplicated(keys, keep=False)
    drop_rows: set[int] = set()
    for _, g in valid.loc[dup].groupby(keys, sort=False):
        first = g.iloc[0]
        same = (g[["status", "_reached", "_note"]] == first[["status", "_reached", "_note"]]).all(axis=1)
        if same.all():
            for r in g.iloc[1:].itertuples(index=False):
                add(Code.DUPLICATE_ROW_TASK, r, "status", severity="warning", first=int(first.row))
                drop_rows.add(int(r.row))
        else:
            listing = shown_items([int(x) for x in g["row"]], limits.max_rows_named)
            # Which column differs is the group's, not the row's: found once (per row it was rows²).
            column = "status" if g["status"].nunique() > 1 else ("reached" if g["_reached"].nunique() > 1 else "note")
            for r in g.itertuples(index=False):
                add(
                    Code.CONFLICTING_DUPLICATE_TASK,
                    r,
                    column,
                    task=r.task,
                    year=int(r.year),
                    target=int(r.target_no),
                    rows=listing,
                )
            drop_rows.update(int(x) for x in g["row"])
    # One task, one year, one status — across its targets too.
    rest = valid.loc[~valid["row"].isin(drop_rows)]
    conflicting: set[int] = set()
    for (task, year), g in rest.groupby(["task", "year"], sort=False):
        if g["status"].nunique() > 1:
            conflicting.update(int(x) for x in g["row"])
            statuses = shown_items(
                [
                    Msg("intake_row_value", {"row": int(r.row), "value": Msg(f"task_status_{r.status}")})
                    for r in g.itertuples(index=False)
                ],
                limits.max_rows_named,
            )
            for r in g.itertuples(index=False):
                add(Code.CONFLICTING_STATUS, r, "status", task=task, year=int(year), listing=statuses)

    rows = rest.loc[~rest["row"].isin(conflicting)].drop_duplicates(keys, keep="first")
    note = rows["note_text"].where(rows["note_text"] != "", None)
    report.rows = (
        pd.DataFrame(
            {
                "task": rows["task"].astype(object).to_numpy(),
                "year": rows["year"].astype("int64").to_numpy(),
                "target_no": rows["target_no"].astype("int64").to_numpy(),
                "status": rows["status"].astype(object).to_numpy(),
                "reached": rows["reached"].astype("float64").to_numpy(),
                "note": note.astype(object).to_numpy(),
                "source_row": rows["row"].astype("int64").to_numpy(),
            }
        )
        if len(rows)
        else empty_rows()
    )
    order = {f: i for i, f in enumerate(FIELDS)}
    rank = {str(frame[f"col_{f}"].iloc[0]): order[f] for f in FIELDS}
    problems += cap.placeholders()
    list_problems(report, problems, limits.max_problems, lambda p: (p.row or 0, rank.get(p.column or "", 9), p.code))


# ------------------------------------------------------------------------------ storing helpers
def preview_task_changes(report: IntakeReport, current: pd.DataFrame) -> pd.DataFrame:
    """What storing ``report`` would do given the ``current`` task reports (task, year, target_no,
    status, reached, note): one row per report row with old/new and ``kind``."""
    rows = report.rows
    cols = [
        "task",
        "year",
        "target_no",
        "old_status",
        "status",
        "old_reached",
        "reached",
        "old_note",
        "note",
        "kind",
        "source_row",
    ]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    cur = (
        current
        if current is not None and len(current)
        else pd.DataFrame(columns=["task", "year", "target_no", "status", "reached", "note"])
    )
    cur = cur[["task", "year", "target_no", "status", "reached", "note"]].astype(
        {"year": "int64", "target_no": "int64", "reached": "float64"}
    )
    merged = rows.merge(
        cur.rename(columns={"status": "old_status", "reached": "old_reached", "note": "old_note"}),
        on=["task", "year", "target_no"],
        how="left",
    )
    old = merged[["old_status", "old_reached", "old_note"]].set_axis(["status", "reached", "note"], axis=1)
    merged["kind"] = diff(TASK_PROGRESS, old, merged[["status", "reached", "note"]])
    return merged[cols]


# ------------------------------------------------------------------------------ template
TEMPLATE_COLUMNS = ["任务代码", "任务名称", "牵头单位", "年份", "状态", "目标", "目标值", "单位", "完成值", "备注"]


def default_template_year(rules: RuleSet, today=None) -> int:
    """Last year (reports are about the year just ended), kept inside the plan period."""
    year = (today or date.today()).year - 1
    return max(rules.settings.plan_period.start, min(rules.settings.plan_period.end, year))


def task_template_frame(
    cat: TaskCatalogue, year: int, current: pd.DataFrame | None = None, all_tasks: bool = False
) -> pd.DataFrame:
    """The fillable task-progress sheet for ``year`` (all cells text).

    One row per task target (one row for a task without a number), for the tasks running in
    ``year`` (every task with ``all_tasks``). 目标 holds the target's measure, which
    ``read_task_progress`` maps back to its number; 目标值 and 单位 are for reading only (they are
    not columns the reader knows). ``current`` (stored reports) pre-fills 状态, 完成值, 备注.
    """
    filled: dict[tuple, tuple] = {}
    if current is not None and len(current):
        for r in current.loc[current["year"] == int(year)].itertuples(index=False):
            filled[(r.task, int(r.target_no))] = (r.status, r.reached, r.note)
    rows = []
    for t in cat.tasks.values():
        if not all_tasks and not t.period_start <= int(year) <= t.period_end:
            continue
        base = {
            "任务代码": t.code,
            "任务名称": t.title,
            "牵头单位": "、".join(cat.unit_name(c) for c in t.lead_units),
            "年份": str(int(year)),
        }
        status0 = filled.get((t.code, 0), (None, None, None))
        for g in t.targets or (None,):
            no = g.no if g is not None else 0
            status, reached, note = filled.get((t.code, no), (None, None, None))
            status = status or status0[0]
            rows.append(
                {
                    **base,
                    "状态": text_of(f"task_status_{status}", "zh") if status else "",
                    "目标": g.measure if g is not None else "",
                    "目标值": g.target_text if g is not None else "",
                    "单位": g.unit if g is not None else "",
                    "完成值": "" if reached is None or pd.isna(reached) else _fmt(float(reached)),
                    "备注": note if isinstance(note, str) else "",
                }
            )
    return pd.DataFrame(rows, columns=TEMPLATE_COLUMNS)


__all__ = [
    "STATUSES",
    "TEMPLATE_COLUMNS",
    "default_template_year",
    "empty_rows",
    "normalise_status",
    "preview_task_changes",
    "read_task_progress",
    "read_task_progress_path",
    "task_template_frame",
]
