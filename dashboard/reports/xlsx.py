"""The monitoring tables as an Excel workbook: one sheet per domain with status colours, the raw values.

Every sheet names its area in a column (sorting cannot separate a value from its area), numbers are
real numbers rounded as the indicator is written, headers are frozen, the print area and A4 landscape
page setup are set so that a sheet prints as it is. Text cells go through the neutraliser: a name that
starts like a formula is shown, never run.
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
from .cells import safe_cell
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
}
THIN = Side(style="thin", color="999999")


def _sheet_title(name: str, wb: Workbook) -> str:
    # Excel sheet names: ≤31 characters, none of []:*?/\ and unique.
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]
    title, k = clean, 2
    while title in wb.sheetnames:
        title = f"{clean[:28]}({k})"
        k += 1
    return title


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
        ws = wb.create_sheet(title=_sheet_title(part.name, wb))
        ws.append([safe_cell(f"{content.title.replace(chr(10), ' ')} — {part.name}")])
        ws["A1"].font = Font(bold=True, size=13)
        if content.demo:
            ws.append([t("report_demo", lang)])
            ws.cell(row=ws.max_row, column=1).font = Font(bold=True, color="C00000")
        ws.append(headers)
        header_row = ws.max_row
        for cell in ws[header_row]:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="D9D9D9")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for r in part.table.itertuples():
            ind = rules.indicators[r.code]
            ws.append(
                [
                    safe_cell(content.area_name),
                    int(r.number),
                    r.code,
                    safe_cell(r.name),
                    safe_cell(ind.unit),
                    safe_cell(r.target_text),
                    r.attribute_label,
                    None if pd.isna(r.baseline) else float(r.baseline),
                    None if pd.isna(r.value) else float(r.value),
                    None if pd.isna(r.value_year) else int(r.value_year),
                    r.status_label,
                ]
            )
            row = ws.max_row
            for col in (8, 9):
                ws.cell(row=row, column=col).number_format = _number_format(ind.unit, ind.decimals)
            status_cell = ws.cell(row=row, column=len(DOMAIN_COLUMNS))
            status_cell.fill = PatternFill("solid", fgColor=STATUS_FILL[r.status])
            if r.status in WHITE_TEXT:
                status_cell.font = Font(color="FFFFFF")
            for cell in ws[row]:
                cell.border = Border(top=THIN, bottom=THIN, left=THIN, right=THIN)
                cell.alignment = Alignment(vertical="center", wrap_text=cell.column == 4)
        for k, name in enumerate(DOMAIN_COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(k)].width = WIDTHS[name]
        _page_setup(ws, header_row, len(DOMAIN_COLUMNS))

    raw = wb.create_sheet(title=_sheet_title(t("report_raw", lang), wb))
    raw.append([t(f"xlsx_raw_{c}", lang) for c in ("area_code", "area", "code", "indicator", "year", "value", "unit")])
    for cell in raw[1]:
        cell.font = Font(bold=True)
    if observations is not None and not observations.empty:
        o = observations[observations["area"].astype(str) == content.area]
        for r in o.sort_values(["indicator", "year"]).itertuples():
            code = str(r.indicator)
            indicator = rules.indicators.get(code)
            series = indicator or rules.context_series.get(code)
            name = (series.name_en if lang == "en" else series.name_zh) if series is not None else code
            unit = series.unit if series is not None else ""
            raw.append(
                [
                    str(r.area),
                    safe_cell(content.area_name),
                    code,
                    safe_cell(name),
                    int(r.year),
                    float(r.value),
                    safe_cell(unit),
                ]
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
