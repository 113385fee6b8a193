"""The wide per-area template: one row per indicator, one column per year, filled in Excel.

Columns: 区县, 序号, 代码, 指标名称, 单位, 2030年目标, 2020基期, 2020 … 2030. The area is a column
(its Chinese name on every row) rather than a title line, so that sorting or filtering in Excel
cannot separate values from their area, and several areas' templates can be pasted into one file.
``upload.read_upload`` reads both the CSV (UTF-8 with BOM, so Excel on Chinese Windows opens it
right) and the .xlsx back.
"""

from __future__ import annotations

import io

import pandas as pd

from ..rules import RuleSet

ID_COLUMNS = ["区县", "序号", "代码", "指标名称", "单位"]


def template_frame(rules: RuleSet, area_code: str, values: pd.DataFrame | None = None) -> pd.DataFrame:
    """The template as a DataFrame (all cells text); ``values`` (area, indicator, year, value) pre-fills it."""
    if area_code not in rules.areas:
        raise KeyError(area_code)
    start, end = rules.settings.plan_period.start, rules.settings.plan_period.end
    target_col = f"{rules.settings.target_year}年目标"
    base_col = f"{rules.settings.baseline_year}基期"
    area_name = rules.areas[area_code].name_zh
    rows = []
    for n, ind in enumerate(rules.indicators.values(), start=1):
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
    return frame[[*ID_COLUMNS, target_col, base_col, *years]]


def make_template(rules: RuleSet, area_code: str, fmt: str = "csv", values: pd.DataFrame | None = None) -> bytes:
    """The template for ``area_code`` as CSV (UTF-8 with BOM) or .xlsx bytes."""
    frame = template_frame(rules, area_code, values)
    if fmt == "csv":
        return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")
    if fmt == "xlsx":
        return _xlsx(frame, rules.areas[area_code].name_zh)
    raise ValueError(f"unknown template format {fmt!r} (csv or xlsx)")


def _xlsx(frame: pd.DataFrame, sheet_name: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name[:31]
    sheet.append(list(frame.columns))
    for row in frame.itertuples(index=False):  # ~100 indicator rows: a template, not observations
        sheet.append(list(row))
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for cell in sheet[1]:
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
    widths = {"A": 10, "B": 6, "C": 9, "D": 44, "E": 9, "F": 14, "G": 10}
    for col, width in widths.items():
        sheet.column_dimensions[col].width = width
    sheet.freeze_panes = "H2"
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()
