"""The annual monitoring report as a Word document a committee office sends as it is.

A4, the margins of official documents, a cover (title, area, year, issuing office, date, the demo
label when the data are demo), a header with the title and a footer with the page number ("— 3 —"),
headings and body in the official-document fonts, tables with columns sized to their content, the
header row repeated on every page and no row split across pages, one chart per domain with the
indicators named, and the issuing office's block at the end.

Fonts: a document for Word names the fonts committee offices have (方正小标宋简体 for the title, 黑体
and 楷体 for headings, 仿宋 for the text); the copy the server turns into a PDF names the CJK fonts
that exist on the server (Noto Serif/Sans CJK), so the PDF shows the same layout without missing glyphs.
"""

from __future__ import annotations

import io
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass

from docx import Document
from docx.document import Document as DocumentType
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.simpletypes import ST_HpsMeasure
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table

from ..charts.report_png import progress_png
from ..messages import t
from .content import DIRECTION_OR_RELATIVE, ReportContent

STATUS_FILL = {
    "achieved": "0B3C6E",
    "on_track": "3A7FC1",
    "needs_acceleration": "FDD49E",
    "limited": "F5A05A",
    "deterioration": "A63603",
    "no_data": "EEEEEE",
    "not_achieved": "CC79A7",
    "not_monitored": "FFFFFF",
}
WHITE_TEXT = {"achieved", "on_track", "deterioration"}


@dataclass(frozen=True)
class Fonts:
    """East Asian and Latin font names for title, headings and body."""

    title: str
    heading1: str
    heading2: str
    body: str
    latin: str


OFFICE_FONTS = Fonts(title="方正小标宋简体", heading1="黑体", heading2="楷体", body="仿宋", latin="Times New Roman")
SERVER_FONTS = Fonts(
    title="Noto Serif CJK SC",
    heading1="Noto Sans CJK SC",
    heading2="Noto Serif CJK SC",
    body="Noto Serif CJK SC",
    latin="Noto Serif CJK SC",
)

# Column widths in cm (A4 with 2.8 + 2.6 cm margins leaves 15.6 cm): the name needs room, numbers little.
TABLE_WIDTHS = (1.2, 4.8, 2.3, 1.6, 1.8, 2.0, 1.9)
WARNING_WIDTHS = (4.6, 3.0, 8.0)
TASK_WIDTHS = (2.4, 4.8, 3.4, 2.4, 2.6)  # progress: "not reported" and "Progress" whole, in English
GAP_WIDTHS = (2.0, 8.6, 5.0)
FINAL_WIDTHS = (1.2, 5.0, 2.2, 2.2, 3.2, 1.8)


def _font(run, name: str, latin: str, size: float | None = None, bold: bool | None = None) -> None:
    rpr = run._element.get_or_add_rPr()
    if len(rpr) == 0:
        # A new run (every run here): its properties written at once, in the schema's order, as
        # python-docx's setters write them — each setter searches the element first, and with a
        # thousand runs that was a fifth of the report's build time.
        rpr.append(OxmlElement("w:rFonts", {qn("w:ascii"): latin, qn("w:hAnsi"): latin, qn("w:eastAsia"): name}))
        if bold is not None:
            rpr.append(OxmlElement("w:b", None if bold else {qn("w:val"): "0"}))
        if size is not None:
            rpr.append(OxmlElement("w:sz", {qn("w:val"): ST_HpsMeasure.convert_to_xml(Pt(size))}))
        return
    run.font.name = latin
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold


def _style_font(style, name: str, latin: str, size: float, bold: bool = False) -> None:
    style.font.name = latin
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.color.rgb = RGBColor(0, 0, 0)  # Word's blue headings are not official-document style
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    for attr in ("w:eastAsia",):
        fonts.set(qn(attr), name)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def _setup(doc: DocumentType, fonts: Fonts) -> None:
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4, not Word's default US Letter
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.8)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.header_distance, section.footer_distance = Cm(1.5), Cm(1.6)
    section.different_first_page_header_footer = True  # the cover has neither
    _style_font(doc.styles["Normal"], fonts.body, fonts.latin, 12)
    doc.styles["Normal"].paragraph_format.line_spacing = 1.35
    doc.styles["Normal"].paragraph_format.space_after = Pt(4)
    _style_font(doc.styles["Heading 1"], fonts.heading1, fonts.latin, 16)
    _style_font(doc.styles["Heading 2"], fonts.heading2, fonts.latin, 14, bold=True)
    for name in ("Heading 1", "Heading 2"):
        fmt = doc.styles[name].paragraph_format
        fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(12), Pt(6), True
    _style_font(doc.styles["List Bullet"], fonts.body, fonts.latin, 12)


def _field(paragraph, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES): Word and LibreOffice fill it in when the page is laid out."""
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
            run._element.append(el)
        elif text == instruction:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {instruction} "
            run._element.append(el)
        else:
            el = OxmlElement("w:t")
            el.text = text
            run._element.append(el)


def _header_footer(doc: DocumentType, content: ReportContent, fonts: Fonts) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(
        header.add_run(t("report_header", content.lang, area=content.area_name, year=content.year)),
        fonts.body,
        fonts.latin,
        9,
    )
    if content.demo:
        _font(header.add_run("  " + t("report_demo_short", content.lang)), fonts.heading1, fonts.latin, 9, True)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("— "), fonts.latin, fonts.latin, 11)
    _field(footer, "PAGE")
    for run in footer.runs[1:]:
        _font(run, fonts.latin, fonts.latin, 11)
    _font(footer.add_run(" —"), fonts.latin, fonts.latin, 11)


def _add_paragraph(doc: DocumentType, style: str | None = None):
    """``doc.add_paragraph(style=style)``, the style found by its name once rather than python-docx's
    comparison with the default style through every style of the document on each call."""
    p = doc.add_paragraph()
    if style is not None:
        p._p.style = doc.styles[style].style_id
    return p


def _heading(doc: DocumentType, text: str, level: int):
    """``doc.add_heading(text, level)`` by way of :func:`_add_paragraph`."""
    p = _add_paragraph(doc, f"Heading {level}")
    if text:
        p.add_run(text)
    return p


def _paragraph(
    doc: DocumentType,
    text: str,
    fonts: Fonts,
    size: float = 12,
    bold: bool = False,
    align=None,
    space_before: float = 0,
    indent: bool = False,
    style: str | None = None,
):
    p = _add_paragraph(doc, style)
    if align is not None:
        p.alignment = align
    if space_before:
        p.paragraph_format.space_before = Pt(space_before)
    if indent:
        p.paragraph_format.first_line_indent = Pt(size * 2)  # 首行缩进两字
    _font(p.add_run(text), fonts.body, fonts.latin, size, bold)
    return p


def _cover(doc: DocumentType, content: ReportContent, fonts: Fonts) -> None:
    lang = content.lang
    for _ in range(5):
        doc.add_paragraph()
    for line in content.title.split("\n"):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_after = Pt(10)
        _font(p.add_run(line), fonts.title, fonts.latin, 24, True)
    doc.add_paragraph()
    _paragraph(
        doc,
        t("report_cover_scope", lang, area=content.area_name, year=content.year),
        fonts,
        16,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    if content.values_note:
        # Which values the report uses: approved only, or unreviewed too (the app's switch 含未审核).
        _paragraph(doc, content.values_note, fonts, 12, align=WD_ALIGN_PARAGRAPH.CENTER)
    if content.demo:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = Pt(24)
        run = p.add_run(t("report_demo", lang))
        _font(run, fonts.heading1, fonts.latin, 14, True)
        run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    for _ in range(8):
        doc.add_paragraph()
    _paragraph(doc, content.issuer, fonts, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, _date(content), fonts, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _date(content: ReportContent) -> str:
    d = content.issued
    return t("report_date", content.lang, y=d.year, m=d.month, d=d.day)


def _shade(cell, fill: str) -> None:
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _row_properties(row, header: bool = False) -> None:
    """No row split across pages; a header row repeats on every page the table runs onto."""
    props = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    props.append(cant)
    if header:
        props.append(OxmlElement("w:tblHeader"))


def _breakable(codes: str) -> str:
    """A list of codes (W03、C02、C04) that may wrap after each 、: without a break opportunity the
    line is cut inside a code ("W0" / "3、C02"). A zero-width space is the opportunity; English lists
    have their space after the comma."""
    return codes.replace("、", "、\u200b")


def _widths(cells: list, widths: tuple[float, ...]) -> None:
    for cell, width in zip(cells, widths):
        cell.width = Cm(width)


def _table(
    doc: DocumentType,
    headers: list[str],
    rows: list[list[str]],
    widths: tuple[float, ...],
    fonts: Fonts,
    fills: list[str | None] | None = None,
    centered: tuple[int, ...] = (),
) -> Table:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    # Each row's cells are listed once: python-docx walks the row's XML again on every ``row.cells``.
    header = table.rows[0]
    _row_properties(header, header=True)
    cells = header.cells
    for cell, text in zip(cells, headers):
        cell.text = ""
        paragraph = cell.paragraphs[0]
        _font(paragraph.add_run(text), fonts.heading1, fonts.latin, 10, True)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _shade(cell, "D9D9D9")
    _widths(cells, widths)
    for k, values in enumerate(rows):
        row = table.add_row()
        _row_properties(row)
        cells = row.cells
        for j, (cell, text) in enumerate(zip(cells, values)):
            cell.text = ""
            paragraph = cell.paragraphs[0]
            _font(paragraph.add_run(text), fonts.body, fonts.latin, 10)
            if j in centered:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        status = fills[k] if fills else None
        if status:
            _shade(cells[-1], STATUS_FILL[status])
            if status in WHITE_TEXT:
                for run in cells[-1].paragraphs[0].runs:
                    run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _widths(cells, widths)
    grid = table._tbl.tblGrid
    for col, width in zip(grid.findall(qn("w:gridCol")), widths):
        col.set(qn("w:w"), str(int(width * 567)))  # twips: Word reads the grid, LibreOffice the cells
    doc.add_paragraph()
    return table


def _analysis(doc: DocumentType, text: str, fonts: Fonts) -> None:
    """An analysis under its indicator's sentence: indented as the bullet's text, a size smaller."""
    p = _paragraph(doc, text, fonts, 10.5)
    p.paragraph_format.left_indent = Cm(0.75)
    p.paragraph_format.space_after = Pt(4)


def _charts(pool: Executor, content: ReportContent) -> dict[int, Future[bytes]]:
    """The chart of each domain (numbered from 1) that holds a target with a number to reach."""
    charts = {}
    for k, part in enumerate(content.domains, start=1):
        numeric = part.table[~part.table["kind"].isin(DIRECTION_OR_RELATIVE)]
        if len(numeric):
            # The thread gets a frame of its own: nothing is shared with the document's thread.
            charts[k] = pool.submit(progress_png, numeric[["label", "status", "progress_pct"]].copy(), content.lang)
    return charts


def build(content: ReportContent, fonts: Fonts = OFFICE_FONTS) -> bytes:
    """The report as .docx bytes."""
    # The charts are drawn on a second thread while the document is built: Pillow lets go of the
    # interpreter while it encodes a PNG, so on two cores the document waits less for its charts.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return _build(content, fonts, _charts(pool, content))


def _build(content: ReportContent, fonts: Fonts, charts: dict[int, Future[bytes]]) -> bytes:
    lang = content.lang
    doc = Document()
    _setup(doc, fonts)
    _header_footer(doc, content, fonts)
    _cover(doc, content, fonts)

    _heading(doc, t("report_section_summary", lang), 1)
    for sentence in content.sentences:
        _paragraph(doc, sentence, fonts, indent=True)
    for part in content.domains:
        if part.line:
            _paragraph(doc, part.line, fonts, style="List Bullet")

    _heading(doc, t("report_section_domains", lang), 1)
    headers = [
        t(f"report_col_{c}", lang)
        for c in ("number", "indicator", "target", "attribute", "baseline", "value", "status")
    ]
    for k, part in enumerate(content.domains, start=1):
        _heading(doc, t("report_domain_heading", lang, k=k, name=part.name), 2)
        g = part.table
        rows = [
            [
                str(r.number),
                # A row whose indicator has an analysis says where to read it (under its sentence).
                r.label + ("\n" + t("report_analysis_see_below", lang) if r.code in part.analyses else ""),
                r.target_text,
                r.attribute_label,
                r.baseline_text,
                r.value_text
                + (
                    f"（{r.value_year_text}）"
                    if r.value_year_text and lang != "en"
                    else f" ({r.value_year_text})"
                    if r.value_year_text
                    else ""
                ),
                r.status_label,
            ]
            for r in g.itertuples()
        ]
        _table(doc, headers, rows, TABLE_WIDTHS, fonts, fills=list(g["status"]), centered=(0, 3, 6))
        if k in charts:
            picture = doc.add_paragraph()  # as doc.add_picture, keeping the paragraph to centre
            picture.add_run().add_picture(io.BytesIO(charts[k].result()), width=Cm(14.5))
            picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _paragraph(doc, t("report_chart", lang, domain=part.name), fonts, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER)
        for line in part.notes:  # under the table, as a printed table's 注
            _paragraph(doc, line, fonts, 10.5)
        if part.changes or part.analyses:
            _paragraph(doc, t("report_changes", lang), fonts, 12, bold=True, space_before=6)
            for code, line in zip(part.change_codes, part.changes):
                _paragraph(doc, line, fonts, 11, style="List Bullet")
                if code in part.analyses:  # the unit's analysis right under its indicator's sentence
                    _analysis(doc, part.analyses[code], fonts)
            for r in g.itertuples():  # an analysis of an indicator that has no sentence this year
                if r.code in part.analyses and r.code not in part.change_codes:
                    line = t("report_analysis_line", lang, label=r.label, analysis=part.analyses[r.code])
                    _paragraph(doc, line, fonts, 11, style="List Bullet")
        if len(part.qualitative):
            _paragraph(doc, t("report_qualitative", lang), fonts, 12, bold=True, space_before=6)
            for r in part.qualitative.itertuples():
                _paragraph(
                    doc,
                    t(
                        "report_qualitative_line",
                        lang,
                        label=r.label,
                        target=r.target_text,
                        judgement=r.judgement,
                        status=r.status_label,
                        value=r.value_text,
                    ),
                    fonts,
                    11,
                    style="List Bullet",
                )

    _heading(doc, t("report_section_warnings", lang), 1)
    warns = content.warnings
    if warns.empty:
        _paragraph(doc, t("report_no_warn", lang), fonts, indent=True)
    else:
        _table(
            doc,
            [t(f"report_wcol_{c}", lang) for c in ("indicator", "kind", "reason")],
            [[f"{r.indicator} {r.name}", r.kind_label, r.reason] for r in warns.itertuples()],
            WARNING_WIDTHS,
            fonts,
        )

    _heading(doc, t("report_section_tasks", lang), 1)
    if content.tasks.empty:
        _paragraph(doc, t("report_no_tasks", lang), fonts, indent=True)
    else:
        led = content.tasks[content.tasks["lead_units"] != "—"]
        unled = len(content.tasks) - len(led)
        _paragraph(doc, t("report_tasks_intro", lang, n=len(led)), fonts, indent=True)
        if len(led):
            _table(
                doc,
                [t(f"report_tcol_{c}", lang) for c in ("code", "title", "lead", "indicators", "status")],
                [[r.code, r.title, r.lead_units, _breakable(r.indicators), r.status_label] for r in led.itertuples()],
                TASK_WIDTHS,
                fonts,
                centered=(0, 4),
            )
        if unled:
            _paragraph(doc, t("report_tasks_unled", lang, n=unled), fonts, indent=True)

    _heading(doc, t("report_section_gaps", lang), 1)
    gaps = content.gaps
    if gaps.empty:
        _paragraph(doc, t("report_no_gaps", lang), fonts, indent=True)
    else:
        _paragraph(doc, t("report_gaps_intro", lang, n=len(gaps)), fonts, indent=True)
        _table(
            doc,
            [t(f"report_gcol_{c}", lang) for c in ("code", "indicator", "domain")],
            [[r.code, r.name, r.domain_name] for r in gaps.itertuples()],
            GAP_WIDTHS,
            fonts,
            centered=(0,),
        )

    _heading(doc, t("report_section_conclusions", lang), 1)
    for k, sentence in enumerate(content.conclusions, start=1):
        _paragraph(doc, t("report_numbered", lang, k=k, text=sentence), fonts, indent=True)

    # The previous plan's final evaluation (rules/periods/): each target against the target year's value.
    for final in content.finals:
        _heading(doc, t("report_section_final", lang, title=final["title"]), 1)
        _paragraph(
            doc, t("report_final_intro", lang, source=final["source"], summary=final["summary"]), fonts, indent=True
        )
        table = final["table"]
        _table(
            doc,
            [
                t(f"report_fcol_{c}", lang, year=final["year"])
                for c in ("number", "indicator", "target", "value", "margin", "met")
            ],
            [
                [str(r.number), f"{r.code} {r.name}", r.target_text, r.value_text, r.margin_text, r.met_label]
                for r in table.itertuples()
            ],
            FINAL_WIDTHS,
            fonts,
            fills=[s if s in STATUS_FILL else None for s in table["status"]],  # the met column, last
            centered=(0, 5),
        )

    for _ in range(2):
        doc.add_paragraph()
    _paragraph(doc, content.issuer, fonts, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _paragraph(doc, _date(content), fonts, align=WD_ALIGN_PARAGRAPH.RIGHT)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
