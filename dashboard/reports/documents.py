"""The files a committee office sends: the annual report (.docx, and PDF where LibreOffice is
installed) and the monitoring tables (.xlsx) for one area and year — one entry point each."""

from __future__ import annotations

import pandas as pd

from ..rules import RuleSet, TaskCatalogue
from . import docx, pdf, xlsx
from .content import build_content


def build_docx(
    rules: RuleSet,
    evaluated: pd.DataFrame,
    area: str,
    year: int,
    lang: str = "zh",
    demo: bool = False,
    catalogue: TaskCatalogue | None = None,
    task_reports: pd.DataFrame | None = None,
    fonts: docx.Fonts = docx.OFFICE_FONTS,
) -> bytes:
    """The annual monitoring report as .docx bytes (fonts for Word on the office's computers)."""
    content = build_content(rules, evaluated, area, year, lang, demo, catalogue, task_reports)
    return docx.build(content, fonts)


def build_pdf(
    rules: RuleSet,
    evaluated: pd.DataFrame,
    area: str,
    year: int,
    lang: str = "zh",
    demo: bool = False,
    catalogue: TaskCatalogue | None = None,
    task_reports: pd.DataFrame | None = None,
) -> bytes | None:
    """The same report as PDF, laid out with the server's CJK fonts; None without LibreOffice."""
    if not pdf.available():
        return None
    return pdf.docx_to_pdf(
        build_docx(rules, evaluated, area, year, lang, demo, catalogue, task_reports, fonts=docx.SERVER_FONTS)
    )


def build_xlsx(
    rules: RuleSet,
    evaluated: pd.DataFrame,
    area: str,
    year: int,
    lang: str = "zh",
    observations: pd.DataFrame | None = None,
    demo: bool = False,
) -> bytes:
    """The monitoring tables: a sheet per domain with status colours, the raw values."""
    return xlsx.build(build_content(rules, evaluated, area, year, lang, demo), rules, observations)
