"""What was reported for each work-plan task: its latest status, and each target against its number.

A task target's number is judged by the target kind's own per-value meaning
(``CheckKind.judge_value``): ``≥500`` is met by 520, ``2：3`` by 1.6; a target that needs a time series
(``逐年提高``) cannot be judged from one number and is left open (None).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..checks import CheckKind, CheckSettings
from ..core.records import NOT_REPORTED
from ..messages import separator, t
from ..rules import Settings, TaskCatalogue


def task_status_label(status: str, lang: str = "zh") -> str:
    """未开始 / not started … for a task status code (``not_reported`` too)."""
    return t(f"task_status_{status}", lang)


def latest_status(reports: pd.DataFrame | None, year: int | None = None) -> pd.DataFrame:
    """Per task: the year used (``year``, or the latest reported) and its status."""
    cols = ["task", "year", "status"]
    if reports is None or reports.empty:
        return pd.DataFrame(columns=cols)
    r = reports if year is None else reports[reports["year"] == int(year)]
    if r.empty:
        return pd.DataFrame(columns=cols)
    r = r.sort_values(["task", "year", "target_no"] if "target_no" in r else ["task", "year"])
    last = r.groupby("task")["year"].transform("max")
    r = r[r["year"] == last]
    return r.drop_duplicates("task", keep="first")[cols].reset_index(drop=True)


def target_met(check: CheckKind, value: float | None, settings: CheckSettings) -> bool | None:
    """Whether a single reached value meets a typed check; None when the check needs a time series."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return check.judge_value(float(value), settings)


STATUS_FRAME_COLUMNS = [
    "task",
    "title",
    "source",
    "section",
    "domain",
    "lead_units",
    "target_no",
    "measure",
    "printed",
    "target",
    "unit",
    "indicator",
    "year",
    "status",
    "status_label",
    "reached",
    "met",
    "note",
]


def task_status_frame(
    cat: TaskCatalogue, reports: pd.DataFrame | None, year: int | None = None, lang: str = "zh"
) -> pd.DataFrame:
    """Every task target joined with what was reported for it.

    One row per task × target (``target_no`` 0 with empty target columns for a task without one).
    ``reports`` are the current task reports (task, year, target_no, status, reached, note); the
    year used per task is ``year`` or its latest reported year. ``met`` is True/False where a number
    was reached and the typed check can judge a single value, else None; ``status`` is
    ``not_reported`` where nothing was reported.
    """
    settings = cat.rules.settings if cat.rules is not None else Settings()
    st = latest_status(reports, year)
    st_map = {r.task: (int(r.year), r.status) for r in st.itertuples(index=False)}
    values: dict[tuple, tuple] = {}
    if reports is not None and not reports.empty:
        for r in reports.itertuples(index=False):
            if r.task in st_map and int(r.year) == st_map[r.task][0]:
                values[(r.task, int(r.target_no))] = (r.reached, r.note)
    sep = separator(lang)
    rows = []
    for task in cat.tasks.values():
        y, status = st_map.get(task.code, (None, NOT_REPORTED))
        task_note = values.get((task.code, 0), (np.nan, None))[1]
        base = {
            "task": task.code,
            "title": task.title,
            "source": task.source,
            "section": task.section,
            "domain": task.domain,
            "lead_units": sep.join(cat.unit_name(c, lang) for c in task.lead_units),
            "year": y,
            "status": status,
            "status_label": task_status_label(status, lang),
        }
        if not task.targets:
            rows.append(
                {
                    **base,
                    "target_no": 0,
                    "measure": None,
                    "printed": None,
                    "target": None,
                    "unit": None,
                    "indicator": None,
                    "reached": np.nan,
                    "met": None,
                    "note": task_note,
                }
            )
            continue
        for g in task.targets:
            reached, note = values.get((task.code, g.no), (np.nan, None))
            reached = float(reached) if reached is not None and not pd.isna(reached) else np.nan
            rows.append(
                {
                    **base,
                    "target_no": g.no,
                    "measure": g.measure,
                    "printed": g.printed,
                    "target": g.target_text,
                    "unit": g.unit,
                    "indicator": g.indicator,
                    "reached": reached,
                    "met": target_met(g.check, reached, settings),
                    "note": note if note is not None else task_note,
                }
            )
    frame = pd.DataFrame(rows, columns=STATUS_FRAME_COLUMNS)
    frame["year"] = frame["year"].astype("Int64")
    frame["target_no"] = frame["target_no"].astype("int64")
    return frame


def with_status(
    frame: pd.DataFrame, reports: pd.DataFrame | None, year: int | None = None, lang: str = "zh"
) -> pd.DataFrame:
    """A task list (``code`` column) with each task's latest reported ``status``, its label and year."""
    st = latest_status(reports, year)
    out = frame.merge(st.rename(columns={"task": "code", "year": "status_year"}), on="code", how="left")
    out["status"] = out["status"].fillna(NOT_REPORTED)
    out["status_label"] = [task_status_label(s, lang) for s in out["status"]]
    return out
