"""The files a committee office sends: the annual report (.docx, and PDF where LibreOffice is
installed) and the monitoring tables (.xlsx) for one area and year — one entry point each, and
:func:`area_report`, which makes any of them straight from the store (the command line)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..engine import evaluate
from ..engine.periods import final_evaluations
from ..rules import RuleSet, TaskCatalogue
from . import docx, pdf
from .content import build_content

if TYPE_CHECKING:
    from ..store import Store

FORMATS = ("docx", "pdf", "xlsx")


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
    finals: list[dict] | None = None,
    analyses: pd.DataFrame | None = None,
    unreviewed: bool = False,
) -> bytes:
    """The annual monitoring report as .docx bytes (fonts for Word on the office's computers);
    ``finals``: the previous plans' final evaluations to append (``engine.periods.final_evaluations``);
    ``analyses``: the units' analyses (``store.analyses.current_analyses``), beside their indicators;
    ``unreviewed``: ``evaluated`` was judged on values not yet approved too (said on the cover)."""
    content = build_content(
        rules, evaluated, area, year, lang, demo, catalogue, task_reports, analyses=analyses, unreviewed=unreviewed
    )
    content.finals = finals or []
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
    finals: list[dict] | None = None,
    analyses: pd.DataFrame | None = None,
    unreviewed: bool = False,
) -> bytes | None:
    """The same report as PDF, laid out with the server's CJK fonts; None without LibreOffice."""
    if not pdf.available():
        return None
    return pdf.docx_to_pdf(
        build_docx(
            rules,
            evaluated,
            area,
            year,
            lang,
            demo,
            catalogue,
            task_reports,
            fonts=docx.SERVER_FONTS,
            finals=finals,
            analyses=analyses,
            unreviewed=unreviewed,
        )
    )


def build_xlsx(
    rules: RuleSet,
    evaluated: pd.DataFrame,
    area: str,
    year: int,
    lang: str = "zh",
    observations: pd.DataFrame | None = None,
    demo: bool = False,
    finals: list[dict] | None = None,
    unreviewed: bool = False,
) -> bytes:
    """The monitoring tables: a sheet per domain with status colours, the raw values, and a sheet per
    previous plan's final evaluation (``finals``); ``unreviewed``: the values include those not yet
    approved (each sheet says which values it holds)."""
    from . import xlsx  # openpyxl: only the tables need it, not the report

    content = build_content(rules, evaluated, area, year, lang, demo, unreviewed=unreviewed)
    content.finals = finals or []
    return xlsx.build(content, rules, observations)


def area_report(
    store: Store,
    rules: RuleSet,
    catalogue: TaskCatalogue | None,
    area: str,
    year: int,
    fmt: str = "docx",
    lang: str = "zh",
    unreviewed: bool = False,
) -> bytes | None:
    """The report (``fmt`` 'docx' or 'pdf') or tables ('xlsx') of ``area`` in ``year`` from the store
    (None for 'pdf' without LibreOffice).

    Only what the document shows is read and judged: the area's values (every year: baselines and
    trends need them; a target compared with another series takes it in the same area) and its
    evaluation in ``year`` and the year before (the report compares each indicator with it).
    The values are the approved ones (``Store.shown_values``), or with ``unreviewed`` the current
    ones whatever their review state; the document says which.
    """
    from ..store.analyses import current_analyses

    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r}")
    obs = store.shown_values(areas=[area], unreviewed=unreviewed)
    years = [y for y in (year - 1, year) if y >= rules.settings.plan_period.start]
    evaluated = evaluate(rules, obs, years=years, areas=[area])
    demo = store.has_demo_data()
    # The previous plans' final evaluations (rules/periods/), each judged on its own years.
    finals = final_evaluations(rules, obs, area, lang) if rules.periods else []
    if fmt == "xlsx":
        return build_xlsx(
            rules, evaluated, area, year, lang, observations=obs, demo=demo, finals=finals, unreviewed=unreviewed
        )
    reports = store.current_task_reports()  # the tasks-and-units section
    analyses = current_analyses(store.engine, areas=[area], years=[year])  # beside their indicators
    build = build_pdf if fmt == "pdf" else build_docx  # the PDF is the same document, converted
    return build(
        rules,
        evaluated,
        area,
        year,
        lang,
        demo,
        catalogue,
        reports,
        finals=finals,
        analyses=analyses,
        unreviewed=unreviewed,
    )
