"""Tables that leave the system as files: the export of current values and the task-status table.

Every text cell that leaves as CSV or xlsx passes :func:`neutralise`, so that a name or note that
starts like a formula is shown by Excel, never run.
"""

from __future__ import annotations

import pandas as pd

from ..engine.task_status import task_status_frame
from ..rules import RuleSet, catalogue_for
from .cells import neutralise

EXPORT_COLUMNS = {
    "area_code": "地区代码",
    "area_name": "地区名称",
    "indicator_code": "指标代码",
    "indicator_name": "指标名称",
    "year": "年份",
    "value": "数值",
    "note": "备注",
    "batch_id": "批次",
}


def export_table(store, rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """All current values with area and indicator names, neutralised, Chinese headers for ``zh``."""
    cur = store.current_values()
    names = {c: i.name_zh for c, i in rules.indicators.items()} | {
        c: s.name_zh for c, s in rules.context_series.items()
    }
    area_names = {c: a.name_zh for c, a in rules.areas.items()}
    frame = pd.DataFrame(
        {
            "area_code": cur["area"].astype(object),
            "area_name": cur["area"].map(area_names).fillna(cur["area"]).astype(object),
            "indicator_code": cur["indicator"].astype(object),
            "indicator_name": cur["indicator"].map(names).fillna(cur["indicator"]).astype(object),
            "year": cur["year"],
            "value": cur["value"],
            "note": cur["note"].astype(object),
            "batch_id": cur["batch_id"],
        }
    )
    frame = neutralise(frame)
    return frame.rename(columns=EXPORT_COLUMNS) if lang == "zh" else frame


def export_csv(store, rules: RuleSet) -> bytes:
    """:func:`export_table` as CSV in UTF-8 with BOM (Excel on Chinese Windows reads it right)."""
    return export_table(store, rules).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


TASK_STATUS_COLUMNS = [
    "task",
    "title",
    "lead_units",
    "year",
    "status",
    "status_label",
    "target_no",
    "measure",
    "target",
    "unit",
    "reached",
    "met",
    "note",
]


def task_status_table(store, rules: RuleSet, year: int | None = None, lang: str = "zh") -> pd.DataFrame:
    """Every task target with the current report: ``task_status_frame`` over ``store.current_task_reports``."""
    reports = store.current_task_reports(years=[year] if year is not None else None)
    frame = task_status_frame(catalogue_for(rules), reports, year=year, lang=lang)
    return neutralise(frame[TASK_STATUS_COLUMNS])


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as a download: neutralised, CSV in UTF-8 with BOM (Excel on Chinese Windows reads it)."""
    return neutralise(frame).to_csv(index=False).encode("utf-8-sig")
