"""The files people print and send: the annual monitoring report (.docx) and tables (.xlsx).

Both are built from the engine's numbers only (``evaluation_table``, ``warnings_frame``); the
sentences of the summary are generated from those frames. Charts are rendered to PNG without a
browser (vl-convert); their labels are indicator codes and numbers, so no CJK font is needed on
the server — the Chinese names sit in the document text next to them.
"""
from __future__ import annotations

import io
from datetime import date

import altair as alt
import pandas as pd

from ..engine.evaluation import domain_summary, evaluation_table
from ..engine.statuses import STATUSES, status_label
from ..engine.warnings import warnings_frame
from ..messages import t
from ..rules import RuleSet

STATUS_COLOURS = {
    "achieved": "1A9850", "on_track": "91CF60", "needs_acceleration": "FEE08B",
    "limited": "FC8D59", "deterioration": "D73027", "no_data": "BDBDBD",
}


def _t(key: str, lang: str) -> str:
    return t(f"report_{key}", lang)


def _cols(key: str, n: int, lang: str) -> list[str]:
    return [t(f"report_{key}_{i}", lang) for i in range(n)]


def _num(x) -> str:
    return "" if x is None or pd.isna(x) else f"{x:.4g}"


def report_data(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int, lang: str = "zh") -> dict:
    """Everything a report shows, computed once: table, domain lines, warnings, gaps, sentences."""
    table = evaluation_table(rules, evaluated, area, year, lang)
    warns = warnings_frame(rules, evaluated[evaluated["area_code"].astype(str) == area], year, lang)
    counts = table["status"].value_counts()
    parts = [f"{int(counts[s])} 项{status_label(s, lang)}" if lang != "en"
             else f"{int(counts[s])} {status_label(s, lang).lower()}" for s in STATUSES if counts.get(s, 0)]
    sep = "，" if lang != "en" else ", "
    sentences = [_t("counts", lang).format(n=len(table), year=year, parts=sep.join(parts))]
    at_risk = table[(table["attribute"] == "binding") & ~table["status"].isin(["achieved", "on_track", "no_data"])]
    if len(at_risk):
        sentences.append(_t("binding", lang).format(k=len(at_risk), names=("、" if lang != "en" else "; ").join(
            f"{r.name}（{r.status_label}）" if lang != "en" else f"{r.name} ({r.status_label})"
            for r in at_risk.itertuples())))
    else:
        sentences.append(_t("binding_ok", lang))
    e = evaluated[(evaluated["area_code"].astype(str) == area) & (evaluated["year"] == year)]
    prog = e[(e["progress_pct"] > 0) & (e["status"] != "achieved")].nlargest(3, "progress_pct")
    if len(prog):
        sentences.append(_t("best", lang).format(names=("、" if lang != "en" else "; ").join(
            f"{rules.indicators[str(r.indicator)].name(lang)}（{r.progress_pct:.0f}%）" if lang != "en"
            else f"{rules.indicators[str(r.indicator)].name(lang)} ({r.progress_pct:.0f}%)" for r in prog.itertuples())))
    worse = table[table["status"] == "deterioration"]
    if len(worse):
        sentences.append(_t("worst", lang).format(names=_some(list(worse["name"]), lang)))
    gaps = table[table["status"] == "no_data"]
    return {"table": table, "domain_lines": domain_summary(rules, table, lang), "warnings": warns,
            "gaps": gaps, "sentences": sentences, "evaluated": e}


def _some(names: list[str], lang: str, limit: int = 8) -> str:
    """A readable list: the first ``limit`` names, then "等 N 项" / "and N more"."""
    sep = "、" if lang != "en" else "; "
    head = sep.join(names[:limit])
    if len(names) <= limit:
        return head
    more = len(names) - limit
    return f"{head}等 {len(names)} 项" if lang != "en" else f"{head} and {more} more"


def domain_chart_png(table: pd.DataFrame, evaluated_year: pd.DataFrame) -> bytes:
    """Bar chart of progress toward the target per indicator code, coloured by status (PNG)."""
    import vl_convert as vlc

    data = table[["code", "status"]].merge(
        evaluated_year[["indicator", "progress_pct"]].astype({"indicator": str}),
        left_on="code", right_on="indicator", how="left")
    data["progress"] = data["progress_pct"].clip(-100, 150).fillna(0)
    chart = alt.Chart(data).mark_bar().encode(
        y=alt.Y("code:N", sort=None, title=None),
        x=alt.X("progress:Q", title="%", scale=alt.Scale(domain=[-100, 150])),
        color=alt.Color("status:N", scale=alt.Scale(domain=STATUSES, range=[f"#{STATUS_COLOURS[s]}" for s in STATUSES]),
                        legend=alt.Legend(title=None, orient="bottom")),
    ).properties(width=420, height=max(80, 18 * len(data)))
    rule = alt.Chart(pd.DataFrame({"x": [100]})).mark_rule(strokeDash=[4, 3]).encode(x="x:Q")
    return vlc.vegalite_to_png((chart + rule).to_dict(), scale=2)


def build_docx(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int, lang: str = "zh",
               demo: bool = False) -> bytes:
    """The annual monitoring report as a .docx file (bytes)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    data = report_data(rules, evaluated, area, year, lang)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "SimSun"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "SimSun")  # Chinese text in a Chinese font in Word
    style.font.size = Pt(11)

    area_name = rules.area_name(area, lang)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(_t("title", lang).format(area=area_name, year=year))
    run.bold = True
    run.font.size = Pt(22)
    if demo:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        r = p.add_run(_t("demo", lang))
        r.bold = True
        r.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    doc.add_paragraph(_t("generated", lang).format(d=date.today().isoformat())).alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_page_break()

    doc.add_heading(_t("summary", lang), level=1)
    for sentence in data["sentences"]:
        doc.add_paragraph(sentence)
    for line in data["domain_lines"]:
        doc.add_paragraph(line, style="List Bullet")

    doc.add_heading(_t("domains", lang), level=1)
    table = data["table"]
    for (plan, domain), group in table.groupby(["plan", "domain"], sort=False):
        name = rules.domain_name(plan, domain, lang)
        doc.add_heading(name, level=2)
        cols = _cols("cols", 8, lang)
        t = doc.add_table(rows=1, cols=len(cols))
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, cols):
            cell.text = text
        for r in group.itertuples():
            cells = t.add_row().cells
            values = [str(r.number), r.name, r.unit, r.target_text, r.attribute_label, _num(r.baseline),
                      _num(r.value), r.status_label]
            for cell, text in zip(cells, values):
                cell.text = text
            _shade(cells[-1], STATUS_COLOURS[r.status])
        t.autofit = False
        for row in t.rows:  # the name needs room; numbers do not
            for cell, width in zip(row.cells, (1.1, 6.4, 1.6, 2.4, 1.5, 1.5, 1.5, 1.8)):
                cell.width = Cm(width)
        doc.add_paragraph()
        png = domain_chart_png(group, data["evaluated"])
        doc.add_picture(io.BytesIO(png), width=Cm(14))
        doc.add_paragraph(_t("chart", lang).format(domain=name))

    doc.add_heading(_t("warnings", lang), level=1)
    warns = data["warnings"]
    if warns.empty:
        doc.add_paragraph(_t("no_warn", lang))
    else:
        cols = _cols("wcols", 3, lang)
        t = doc.add_table(rows=1, cols=3)
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, cols):
            cell.text = text
        for r in warns.itertuples():
            cells = t.add_row().cells
            cells[0].text, cells[1].text, cells[2].text = f"{r.indicator} {r.name}", r.kind_label, r.reason

    doc.add_heading(_t("gaps", lang), level=1)
    gaps = data["gaps"]
    if gaps.empty:
        doc.add_paragraph(_t("no_gaps", lang))
    for r in gaps.itertuples():
        doc.add_paragraph(f"{r.code} {r.name}（{r.domain_name}）" if lang != "en" else f"{r.code} {r.name} ({r.domain_name})",
                          style="List Bullet")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _shade(cell, hex_colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), hex_colour)
    cell._tc.get_or_add_tcPr().append(shd)


def build_xlsx(rules: RuleSet, evaluated: pd.DataFrame, area: str, year: int, lang: str = "zh",
               observations: pd.DataFrame | None = None, demo: bool = False) -> bytes:
    """The monitoring tables: one sheet per domain with status colours, plus the raw values."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    data = report_data(rules, evaluated, area, year, lang)
    wb = Workbook()
    wb.remove(wb.active)
    cols = _cols("cols", 8, lang)
    for (plan, domain), group in data["table"].groupby(["plan", "domain"], sort=False):
        name = rules.domain_name(plan, domain, lang)
        ws = wb.create_sheet(title=_sheet_title(name, wb))
        if demo:
            ws.append([_t("demo", lang)])
            ws["A1"].font = Font(bold=True, color="C00000")
        ws.append(cols)
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for r in group.itertuples():
            ws.append([r.number, r.name, r.unit, r.target_text, r.attribute_label,
                       None if pd.isna(r.baseline) else float(r.baseline),
                       None if pd.isna(r.value) else float(r.value), r.status_label])
            ws.cell(row=ws.max_row, column=len(cols)).fill = PatternFill("solid", fgColor=STATUS_COLOURS[r.status])
        ws.column_dimensions["B"].width = 48
    raw = wb.create_sheet(title=_sheet_title(_t("raw", lang), wb))
    if observations is not None and not observations.empty:
        o = observations[observations["area"].astype(str) == area]
        raw.append(["area_code", "indicator_code", "indicator_name", "year", "value"])
        for r in o.sort_values(["indicator", "year"]).itertuples():
            code = str(r.indicator)
            ind = rules.indicators.get(code) or rules.context_series.get(code)
            label = ind.name_en if (ind and lang == "en") else (ind.name_zh if ind else code)
            raw.append([str(r.area), code, label, int(r.year), float(r.value)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(name: str, wb) -> str:
    # Excel sheet names: ≤31 characters, none of []:*?/\ and unique.
    clean = "".join("_" if c in "[]:*?/\\" else c for c in name)[:31]
    title, k = clean, 2
    while title in wb.sheetnames:
        title = f"{clean[:28]}({k})"
        k += 1
    return title
