"""Reports: open the generated .docx and .xlsx and check them against the engine's numbers."""

import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from dashboard.engine import evaluate
from dashboard.engine.evaluation import domain_summary, evaluation_table
from dashboard.engine.warnings import warnings_frame
from dashboard.reports.documents import build_docx, build_xlsx

JJ = "500116"
OUT = Path(__file__).resolve().parent.parent / "test-output" / "reports"


@pytest.fixture(scope="module")
def dataset():
    """Hand-made: four indicators with known statuses in 2025 for 江津区."""
    rows = [
        (JJ, "W03", 2020, 12),
        (JJ, "W03", 2023, 7),
        (JJ, "W03", 2024, 7),
        (JJ, "W03", 2025, 7),  # achieved (mean 7)
        (JJ, "C19", 2020, 95),
        (JJ, "C19", 2025, 94),  # deterioration, binding
        (JJ, "C20", 2020, 80),
        (JJ, "C20", 2025, 82),  # ≥85: R = ... on track? computed below
        (JJ, "W15", 2020, 40),
        (JJ, "W15", 2021, 40.5),
        (JJ, "W15", 2022, 41),
        (JJ, "W15", 2023, 41.5),
        (JJ, "W15", 2025, 52),  # swing + moved past the band
    ]
    return pd.DataFrame(rows, columns=["area", "indicator", "year", "value"])


def test_evaluation_table_and_domain_lines(rules, dataset):
    e = evaluate(rules, dataset, years=[2025], areas=[JJ])
    table = evaluation_table(rules, e, JJ, 2025)
    assert list(table["code"][:3]) == ["W01", "W02", "W03"]  # the plan's own order
    status = dict(zip(table["code"], table["status"]))
    assert status["W03"] == "achieved" and status["C19"] == "deterioration"
    assert (table["status"] == "no_data").sum() == 90 - 4
    lines = domain_summary(rules, table)
    assert lines[0] == "妇女与健康 11 项指标：1 项已达标，10 项无数据。"
    assert "儿童与教育 4 项指标：" in lines[-5]


def test_warnings_name_the_reasons(rules, dataset):
    e = evaluate(rules, dataset, years=[2025], areas=[JJ])
    w = warnings_frame(rules, e, 2025)
    kinds = set(zip(w["indicator"].astype(str), w["kind"]))
    assert ("C19", "binding_not_on_track") in kinds and ("C19", "deterioration") in kinds
    assert ("W15", "swing") in kinds
    assert ("W03", "binding_not_on_track") not in kinds
    c19 = w[(w["indicator"] == "C19") & (w["kind"] == "binding_not_on_track")].iloc[0]
    assert c19["reason"] == "约束性指标，目前 94.0%，目标 ≥98.2，评估为“倒退”"


def test_docx_contents_match_the_engine(rules, dataset):
    from docx import Document

    e = evaluate(rules, dataset, years=[2025], areas=[JJ])
    content = build_docx(rules, e, JJ, 2025, demo=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "report_jiangjin_2025.docx").write_bytes(content)
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "江津区妇女儿童发展规划实施情况" in text and "2025年度监测报告" in text
    assert "示例数据" in text
    table = evaluation_table(rules, e, JJ, 2025)
    counts = table["status"].value_counts()
    assert f"截至 2025 年：{counts['achieved']} 项已达标" in text
    assert "约束性指标中有 1 项未达到“进展顺利”：C19 学前教育毛入园率（倒退）。" in text
    # one table per domain (15) + the warnings table + the data gaps; the W03 row carries the engine's
    # numbers, written with the indicator's unit and decimals (1/10万: one decimal)
    assert len(doc.tables) == 17
    health = doc.tables[0]
    w03 = [c.text for c in health.rows[3].cells]
    assert w03 == ["3", "W03 孕产妇死亡率", "<8", "约束性", "12.0/10万", "7.0/10万", "已达标"]
    assert health.rows[0].cells[0].text == "序号"
    # a chart per domain that holds a target with a number to reach
    from dashboard.reports.content import DIRECTION_OR_RELATIVE

    with_numbers = {(i.plan, i.domain) for i in rules.indicators.values() if i.check.kind not in DIRECTION_OR_RELATIVE}
    assert len(doc.inline_shapes) == len(with_numbers)


def test_docx_in_english(rules, dataset):
    from docx import Document

    e = evaluate(rules, dataset, years=[2025], areas=[JJ])
    doc = Document(io.BytesIO(build_docx(rules, e, JJ, 2025, lang="en")))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Jiangjin District" in text and "Monitoring Report 2025" in text
    assert (
        "1 binding indicator is not on track: C19 Gross enrolment ratio in pre-primary education (Deterioration)."
    ) in text


def test_xlsx_sheets_colours_and_raw_values(rules, dataset):
    from openpyxl import load_workbook

    e = evaluate(rules, dataset, years=[2025], areas=[JJ])
    wb = load_workbook(io.BytesIO(build_xlsx(rules, e, JJ, 2025, observations=dataset)))
    assert len(wb.sheetnames) == 16 and wb.sheetnames[0] == "妇女与健康" and wb.sheetnames[-1] == "原始数据"
    ws = wb["妇女与健康"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows.index(next(r for r in rows if r[0] == "地区"))
    assert rows[header] == (
        "地区",
        "序号",
        "代码",
        "指标",
        "单位",
        "2030年目标",
        "属性",
        "基期值",
        "监测值",
        "数据年份",
        "状态",
        "备注",
    )
    assert ws.freeze_panes == f"A{header + 2}" and ws.print_title_rows == f"${header + 1}:${header + 1}"
    w03 = next(r for r in rows if r[2] == "W03")
    assert w03[0] == "江津区" and w03[7:11] == (12, 7, 2025, "已达标") and not w03[11]
    w03_cell = next(c for c in ws["I"] if c.value == 7)
    assert w03_cell.number_format == "#,##0.0"  # 1/10万: one decimal
    status_cell = next(c for c in ws["K"] if c.value == "已达标")
    assert status_cell.fill.fgColor.rgb.endswith("0B3C6E")
    raw = list(wb["原始数据"].iter_rows(values_only=True))
    assert raw[0] == ("地区代码", "地区", "指标代码", "指标名称", "年份", "数值", "单位")
    assert len(raw) - 1 == len(dataset)


def test_report_rendered_to_png(rules, dataset, tmp_path):
    """LibreOffice → PDF → PNG of the first pages, kept as test output for a person to look at."""
    soffice, pdftoppm = shutil.which("soffice"), shutil.which("pdftoppm")
    if not (soffice and pdftoppm):
        pytest.skip("LibreOffice (soffice) or pdftoppm not installed: report pages not rendered to PNG")
    e = evaluate(rules, dataset, years=[2025], areas=[JJ])
    docx = tmp_path / "report.docx"
    docx.write_bytes(build_docx(rules, e, JJ, 2025, demo=True))
    subprocess.run(
        [soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        check=True,
        capture_output=True,
        timeout=180,
    )
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pdftoppm, "-png", "-r", "60", "-f", "1", "-l", "3", str(tmp_path / "report.pdf"), str(OUT / "report_page")],
        check=True,
        timeout=120,
    )
    pages = sorted(OUT.glob("report_page*.png"))
    assert len(pages) >= 2 and all(p.stat().st_size > 5000 for p in pages)

    # Every page is A4 (595 × 842 pt) and every page after the cover carries its number, "— N —".
    pdf = tmp_path / "report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    n_pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    assert n_pages >= 3
    sizes = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", str(n_pages), str(pdf)], check=True, capture_output=True, text=True
    ).stdout
    found = re.findall(r"^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts", sizes, re.M)
    assert len(found) == n_pages
    assert all(abs(float(w) - 595.3) < 1 and abs(float(h) - 841.9) < 1 for w, h in found), found
    for number in range(2, n_pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), "-layout", str(pdf), "-"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert re.search(rf"—\s*{number}\s*—\s*\f?$", text.rstrip()), (number, text[-300:])


def test_the_task_table_keeps_its_words_and_codes_whole(tmp_path, monkeypatch, demo_db):
    """Rendered by LibreOffice, as the PDF a committee sends: the task table's English header
    "Progress" and status "Not reported" stay on one line (the column was cut "Progres" / "s"), and
    a Chinese list of indicator codes wraps after a 、, never inside a code ("W0" / "3、C02")."""
    import docx

    from dashboard.cli import main

    if not shutil.which("soffice") or not shutil.which("pdftotext"):
        pytest.skip("LibreOffice (soffice) or pdftotext not installed: the report is not rendered")
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    assert (
        main(
            [
                "report",
                "--area",
                "江津区",
                "--year",
                "2025",
                "--lang",
                "en",
                "--format",
                "pdf",
                "--out",
                str(tmp_path / "en.pdf"),
            ]
        )
        == 0
    )
    text = subprocess.run(
        ["pdftotext", "-layout", str(tmp_path / "en.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    header = [line.split() for line in text.splitlines() if "Lead units" in line]
    assert header and all(words[-1] == "Progress" for words in header), header
    assert "Not reported" in text and not re.search(r"\breporte\s*$", text, re.M)

    assert main(["report", "--area", "江津区", "--year", "2025", "--out", str(tmp_path / "zh.docx")]) == 0
    cells = {
        row.cells[0].text: row.cells[3].text
        for table in docx.Document(str(tmp_path / "zh.docx")).tables
        for row in table.rows
        if len(row.cells) == 5
    }
    # WP2020-05 (稳控妇幼健康重点指标) moves W03, C02, C04 and C07 (rules/tasks, 000's work plan).
    assert cells["WP2020-05"] == "W03、\u200bC02、\u200bC04、\u200bC07"
