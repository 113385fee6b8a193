"""The fillable templates: the wide per-area template of indicator values, and the task-progress sheet.

The per-area template has one row per indicator, one column per year, filled in Excel.

Columns: 区县, 序号, 代码, 指标名称, 单位, 2030年目标, 2020基期, 2020 … 2030, 分析 (the unit's analysis
of the newest year it fills in on the row: reasons, measures, difficulties). The area is a column
(its Chinese name on every row) rather than a title line, so that sorting or filtering in Excel
cannot separate values from their area, and several areas' templates can be pasted into one file.
``upload.read_upload`` reads both the CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it
right) and the .xlsx back. Both are written by the writers of ``cells``: a name from the rules that
starts like a formula is text in either file, and the area's name is made a valid sheet title.
The task-progress sheet (``make_task_template``) is the frame ``intake.task_progress`` reads back,
written by the same writers.
"""

from __future__ import annotations

import io

import pandas as pd

from ..core.records import TASK_STATUSES
from ..messages import t as text_of
from ..rules import RuleSet, TaskCatalogue
from .cells import append_row, csv_bytes, sheet_title

ID_COLUMNS = ["区县", "序号", "代码", "指标名称", "单位"]
# The responsible unit's analysis (分析评估) of the year it fills in: read back for the row's newest
# year with a value (``intake.indicator_values``), stored apart from the values (``store.analyses``).
ANALYSIS_COLUMN = "分析"


def template_frame(rules: RuleSet, area_code: str, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The template as a DataFrame (all cells text); ``values`` (area, indicator, year, value) pre-fills it."""
    if area_code not in rules.areas:
        raise KeyError(area_code)
    start, end = rules.settings.plan_period.start, rules.settings.plan_period.end
    target_col = f"{rules.settings.target_year}年目标"
    base_col = f"{rules.settings.baseline_year}基期"
    area_name = rules.areas[area_code].name_zh
    rows = []
    # The area's own indicators as its plan defines them; none it does not monitor.
    mine = [i for i in rules.indicators_for(area_code) if rules.not_monitored_in(area_code, i.code) is None]
    for n, ind in enumerate(mine, start=1):
        t = rules.target_for(area_code, ind.code)
        rows.append(
            {
                "区县": area_name,
                "序号": str(n),
                "代码": ind.code,
                "指标名称": ind.name_zh,
                "单位": ind.unit,
                target_col: t.target_text,
                base_col: "" if t.baseline is None else f"{t.baseline:g}",
            }
        )
    for c in rules.context_series.values():
        rows.append(
            {
                "区县": area_name,
                "序号": str(len(rows) + 1),
                "代码": c.code,
                "指标名称": c.name_zh,
                "单位": c.unit,
                target_col: "（参考数据）",
                base_col: "",
            }
        )
    frame = pd.DataFrame(rows)
    years = [str(y) for y in range(start, end + 1)]
    for y in years:
        frame[y] = ""
    if values is not None and len(values):
        mine = values.loc[values["area"].astype(str) == area_code]
        wide = mine.pivot_table(index="indicator", columns="year", values="value", aggfunc="last")
        for year in wide.columns:
            col = str(int(year))
            if col in frame:
                filled = frame["代码"].map(wide[year])
                frame[col] = filled.map(lambda v: "" if pd.isna(v) else f"{v:g}").where(filled.notna(), frame[col])
    frame[ANALYSIS_COLUMN] = ""
    return frame[[*ID_COLUMNS, target_col, base_col, *years, ANALYSIS_COLUMN]]


def make_template(rules: RuleSet, area_code: str, fmt: str = "csv", values: pd.DataFrame | None = None) -> bytes:
    """The template for ``area_code`` as CSV (UTF-8 with BOM) or .xlsx bytes."""
    frame = template_frame(rules, area_code, values)
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "xlsx":
        widths = {"A": 10, "B": 6, "C": 9, "D": 44, "E": 9, "F": 14, "G": 10}
        widths[_column_letter(len(frame.columns))] = 40  # 分析, the last column: a few sentences
        return _xlsx(frame, rules.areas[area_code].name_zh, widths, freeze="H2")
    raise ValueError(f"unknown template format {fmt!r} (csv or xlsx)")


def _column_letter(n: int) -> str:
    """The letter Excel heads the ``n``-th (1-based) column with."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def make_task_template(
    cat: TaskCatalogue, year: int, fmt: str = "csv", current: pd.DataFrame | None = None, all_tasks: bool = False
) -> bytes:
    """The task-progress sheet of ``year`` (``intake.task_progress.task_template_frame``: one row per
    task target, ``current`` pre-filling status, reached number and note) as CSV (UTF-8 with BOM) or
    .xlsx bytes, with a list of the four statuses on 状态 in the .xlsx."""
    from ..intake.task_progress import task_template_frame

    frame = task_template_frame(cat, year, current, all_tasks)
    if fmt == "csv":
        return csv_bytes(frame)
    if fmt == "xlsx":
        widths = {"A": 12, "B": 30, "C": 24, "D": 7, "E": 9, "F": 26, "G": 12, "H": 6, "I": 9, "J": 30}
        statuses = [text_of(f"task_status_{s}", "zh") for s in TASK_STATUSES]
        return _xlsx(frame, f"{int(year)}年任务进展", widths, freeze="C2", choices=("状态", statuses))
    raise ValueError(f"unknown template format {fmt!r} (csv or xlsx)")


def _xlsx(
    frame: pd.DataFrame,
    sheet_name: str,
    widths: dict[str, int],
    freeze: str,
    choices: tuple[str, list[str]] | None = None,
) -> bytes:
    """``frame`` as one sheet: every cell through ``cells.append_row`` (text, never a formula), the
    header bold; ``choices`` (column, allowed words) becomes a drop-down list on that column."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(sheet_name)
    append_row(sheet, list(frame.columns))
    for row in frame.itertuples(index=False):  # ~100 rows: a template, not observations
        append_row(sheet, list(row))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
    for col, width in widths.items():
        sheet.column_dimensions[col].width = width
    if choices is not None and len(frame):
        # Our own formula, the only one: the list Excel offers in the column (set here, not by a row).
        column = get_column_letter(list(frame.columns).index(choices[0]) + 1)
        allowed = DataValidation(type="list", formula1='"' + ",".join(choices[1]) + '"', allow_blank=True)
        allowed.add(f"{column}2:{column}{len(frame) + 1}")
        sheet.add_data_validation(allowed)
    sheet.freeze_panes = freeze
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
