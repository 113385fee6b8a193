"""The monitoring tables as an Excel workbook: one sheet per domain with status colours, the raw values.

Every sheet names its area in a column (sorting cannot separate a value from its area), numbers are
real numbers rounded as the indicator is written, headers are frozen, the print area and A4 landscape
page setup are set so that a sheet prints as it is. Every row is written by ``cells.append_row`` and
every sheet named by ``cells.sheet_title``: a name that starts like a formula is a text cell, shown
exactly as written, never run (the workbook has no formulas).
"""

from __future__ import annotations

import io

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..messages import t
from ..messages.numbers import decimals_for
from ..rules import RuleSet
from .cells import append_row, sheet_title
from .content import ReportContent
from .docx import STATUS_FILL, WHITE_TEXT

DOMAIN_COLUMNS = (
    "area",
    "number",
    "code",
    "indicator",
    "unit",
    "target",
    "attribute",
    "baseline",
    "value",
    "value_year",
    "status",
    "note",
)
WIDTHS = {
    "area": 10,
    "number": 6,
    "code": 7,
    "indicator": 44,
    "unit": 8,
    "target": 14,
    "attribute": 8,
    "baseline": 10,
    "value": 10,
    "value_year": 8,
    "status": 12,
    "note": 30,
}
THIN = Side(style="thin", color="999999")


def _number_format(unit: str, decimals: int | None) -> str:
    places = decimals_for(unit, decimals)
    return "#,##0" if places == 0 else "#,##0." + "0" * places


def _page_setup(ws: Worksheet, header_row: int, n_cols: int) -> None:
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_area = f"A1:{get_column_letter(n_cols)}{ws.max_row}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.center.text = "&P / &N"


def build(content: ReportContent, rules: RuleSet, observations: pd.DataFrame | None = None) -> bytes:
    """The workbook as bytes."""
    lang = content.lang
    wb = Workbook()
    wb.remove(wb.active)
    headers = [t(f"xlsx_col_{c}", lang) for c in DOMAIN_COLUMNS]
    for part in content.domains:
        ws = wb.create_sheet(title=sheet_title(part.name, wb.sheetnames))
        append_row(ws, [f"{content.title.replace(chr(10), ' ')} — {part.name}"])
        ws["A1"].font = Font(bold=True, size=13)
        if content.values_note:  # which values the tables hold: approved only, or unreviewed too
            append_row(ws, [content.values_note])
        if content.demo:
            append_row(ws, [t("report_demo", lang)])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="C00000")
        append_row(ws, headers)
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="D9D9D9")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in part.table.itertuples():
            ind = rules.indicator_for(content.area, r.code)  # the area's own unit, where it has one
            append_row(
                ws,
                [
                    content.area_name,
                    int(r.number),
                    r.code,
                    r.name,
                    ind.unit,
                    r.target_text,
                    r.attribute_label,
                    None if pd.isna(r.baseline) else float(r.baseline),
                    None if pd.isna(r.value) else float(r.value),
                    None if pd.isna(r.value_year) else int(r.value_year),
                    r.status_label,
                    r.notes,
                ],
            )
            row = ws.max_row
            for col in (8, 9):
                ws.cell(row=row, column=col).number_format = _number_format(ind.unit, ind.decimals)
            status_cell = ws.cell(row=row, column=DOMAIN_COLUMNS.index("status") + 1)
            status_cell.fill = PatternFill("solid", fgColor=STATUS_FILL[r.status])
            if r.status in WHITE_TEXT:
                status_cell.font = Font(color="FFFFFF")
            for cell in ws[row]:
                cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                cell.alignment = Alignment(vertical="center", wrap_text=cell.column in (4, len(DOMAIN_COLUMNS)))
        for k, name in enumerate(DOMAIN_COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(k)].width = WIDTHS[name]
        _page_setup(ws, header_row, len(DOMAIN_COLUMNS))

    for final in content.finals:  # a previous plan's final evaluation (rules/periods/), one sheet each
        _final_sheet(wb, content, final)

    raw = wb.create_sheet(title=sheet_title(t("report_raw", lang), wb.sheetnames))
    append_row(
        raw, [t(f"xlsx_raw_{c}", lang) for c in ("area_code", "area", "code", "indicator", "year", "value", "unit")]
    )
    for cell in raw[1]:
        cell.font = Font(bold=True)
    if observations is not None and not observations.empty:
        o = observations[observations["area"].astype(str) == content.area]
        for r in o.sort_values(["indicator", "year"]).itertuples():
            code = str(r.indicator)
            indicator = rules.indicator_for(content.area, code) if code in rules.indicators else None
            series = indicator or rules.context_series.get(code)
            name = (series.name_en if lang == "en" else series.name_zh) if series is not None else code
            unit = series.unit if series is not None else ""
            append_row(
                raw,
                [
                    str(r.area),
                    content.area_name,
                    code,
                    name,
                    int(r.year),
                    float(r.value),
                    unit,
                ],
            )
            raw.cell(row=raw.max_row, column=6).number_format = _number_format(
                unit, indicator.decimals if indicator is not None else None
            )
    for k, width in enumerate((10, 10, 12, 44, 7, 12, 8), start=1):
        raw.column_dimensions[get_column_letter(k)].width = width
    _page_setup(raw, 1, 7)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


FINAL_COLUMNS = ("number", "code", "indicator", "unit", "target", "value", "met", "margin", "note")


def _final_sheet(wb: Workbook, content: ReportContent, final: dict) -> None:
    """A previous plan's final evaluation: target, final value, met or not, the margin, the note."""
    lang = content.lang
    ws = wb.create_sheet(title=sheet_title(t("xlsx_final_sheet", lang, period=final["period"]), wb.sheetnames))
    append_row(ws, [t("report_section_final", lang, title=final["title"])])
    ws["A1"].font = Font(bold=True, size=13)
    append_row(ws, [f"{content.area_name} · {final['source']} · {final['summary']}"])
    append_row(ws, [t(f"xlsx_fcol_{c}", lang, year=final["year"]) for c in FINAL_COLUMNS])
    header_row = ws.max_row
    for cell in ws[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="D9D9D9")
    for r in final["table"].itertuples():
        append_row(
            ws,
            [
                int(r.number),
                r.code,
                r.name,
                r.unit,
                r.target_text,
                None if pd.isna(r.value) else float(r.value),
                r.met_label,
                r.margin_text,
                r.note,
            ],
        )
        if r.status in STATUS_FILL:
            cell = ws.cell(row=ws.max_row, column=FINAL_COLUMNS.index("met") + 1)
            cell.fill = PatternFill("solid", fgColor=STATUS_FILL[r.status])
            if r.status in WHITE_TEXT:
                cell.font = Font(color="FFFFFF")
    for k, width in enumerate((6, 7, 44, 8, 14, 10, 10, 22, 30), start=1):
        ws.column_dimensions[get_column_letter(k)].width = width
    _page_setup(ws, header_row, len(FINAL_COLUMNS))
