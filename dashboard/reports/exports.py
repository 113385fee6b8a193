"""Tables that leave the system as files: the export of current values and the task-status table.

The tables are data (what a page or a command shows); the writers of ``cells`` neutralise them
when they leave as a file, so that a name or note that starts like a formula is shown by Excel, never run.
"""

from __future__ import annotations

import pandas as pd

from ..engine.task_status import task_status_frame
from ..messages import t
from ..rules import RuleSet, catalogue_for
from ..store.review import ReviewState
from .cells import csv_bytes

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


def export_table(store, rules: RuleSet, lang: str = "zh", unreviewed: bool = False) -> pd.DataFrame:
    """All approved values (``Store.shown_values``) with area and indicator names, Chinese headers for
    ``zh``; with ``unreviewed`` every current value, and a column with its review state in words."""
    cur = store.shown_values(unreviewed=unreviewed)
    names = {c: i.name_zh for c, i in rules.indicators.items()} | {
        c: s.name_zh for c, s in rules.context_series.items()
    }
    area_names = {c: a.name_zh for c, a in rules.areas.items()}
    indicator_name = cur["indicator"].map(names).fillna(cur["indicator"]).astype(object)
    # A row an area's plan names otherwise (its own definition) carries the area's name.
    own = {f"{a}|{c}": i.name_zh for a, defs in rules.area_indicators.items() for c, i in defs.items()}
    if own:
        pair = (cur["area"].astype(str) + "|" + cur["indicator"].astype(str)).map(own)
        indicator_name = pair.fillna(indicator_name).astype(object)
    frame = pd.DataFrame(
        {
            "area_code": cur["area"].astype(object),
            "area_name": cur["area"].map(area_names).fillna(cur["area"]).astype(object),
            "indicator_code": cur["indicator"].astype(object),
            "indicator_name": indicator_name,
            "year": cur["year"],
            "value": cur["value"],
            "note": cur["note"].astype(object),
            "batch_id": cur["batch_id"],
        }
    )
    if unreviewed:
        # Which values are not approved yet: said on every row, in the export's language.
        frame["review"] = [ReviewState(s).label(lang) for s in cur["review"].astype(str)]
    named = EXPORT_COLUMNS | {"review": t("export_col_review", "zh")}
    return frame.rename(columns=named) if lang == "zh" else frame


def export_csv(store, rules: RuleSet, unreviewed: bool = False) -> bytes:
    """:func:`export_table` as a CSV file (neutralised, UTF-8 with BOM: Excel on Chinese Windows reads it right)."""
    return csv_bytes(export_table(store, rules, unreviewed=unreviewed))


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
    return frame[TASK_STATUS_COLUMNS]
