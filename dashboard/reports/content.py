"""What the annual monitoring report says, computed once from the engine's numbers.

The .docx, the PDF and the .xlsx are three renderings of one :class:`ReportContent`: the plan's
table per domain (values written with their units), the generated sentences and conclusions, the
warnings, the data gaps, the targets without a number to reach (listed with their judgement), and the
work-plan tasks with their lead units. Nothing here knows about Word or Excel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..engine.evaluation import domain_summary, evaluation_table, status_count_parts
from ..engine.practice import attainment, class_counts
from ..engine.sentences import comparison_frame
from ..engine.statuses import GOOD
from ..engine.task_status import latest_status, task_status_label
from ..engine.warnings import warnings_frame
from ..messages import separator, t
from ..rules import RuleSet, TaskCatalogue

# The reader's clock, as ``views.common.LOCAL_TIMEZONE`` (a package on the same layer: not imported).
LOCAL_TIMEZONE = "Asia/Shanghai"

# Targets without a number to reach cannot be drawn as "progress toward the value": they are listed.
DIRECTION_OR_RELATIVE = ("rise_every_year", "improve", "contain", "maintain", "band", "reference")


@dataclass
class DomainPart:
    """One domain of the report: its table rows (plan order), its line, its targets without a number."""

    plan: str
    domain: str
    name: str
    table: pd.DataFrame
    line: str
    qualitative: pd.DataFrame
    changes: list[str] = field(default_factory=list)  # "W01 …：2024年为…，比上年…" per indicator
    notes: list[str] = field(default_factory=list)  # "W34 …：…" the maintainers' notes and why not monitored
    change_codes: list[str] = field(default_factory=list)  # the indicator of each line of ``changes``
    # code → "分析：…（填报：…，日期）", the responsible unit's analysis of the year (store/analyses.py)
    analyses: dict[str, str] = field(default_factory=dict)


@dataclass
class ReportContent:
    """Everything a report shows for one area and year, in one language."""

    area: str
    area_name: str
    year: int
    lang: str
    demo: bool
    issuer: str
    issued: date
    title: str
    sentences: list[str]
    domains: list[DomainPart]
    warnings: pd.DataFrame
    gaps: pd.DataFrame
    tasks: pd.DataFrame
    conclusions: list[str]
    table: pd.DataFrame = field(repr=False)
    evaluated: pd.DataFrame = field(repr=False)
    # The previous plans' final evaluations (rules/periods/): engine.periods.final_evaluations.
    finals: list[dict] = field(default_factory=list, repr=False)
    # Which values the report uses (approved only, or unreviewed too): one sentence near the top.
    values_note: str = ""


def _names(names: list[str], lang: str, limit: int = 8) -> str:
    """A readable list: the first ``limit`` names, then "等 N 项" / "and N more"."""
    head = separator(lang).join(names[:limit])
    if len(names) <= limit:
        return head
    return t("report_and_more", lang, names=head, n=len(names), more=len(names) - limit)


def issuer_name(rules: RuleSet, area: str, lang: str) -> str:
    """The office that issues the report: ``江津区人民政府妇女儿童工作委员会办公室``."""
    return t("report_issuer", lang, area=rules.area_name(area, lang))


def build_content(
    rules: RuleSet,
    evaluated: pd.DataFrame,
    area: str,
    year: int,
    lang: str = "zh",
    demo: bool = False,
    catalogue: TaskCatalogue | None = None,
    task_reports: pd.DataFrame | None = None,
    issued: date | None = None,
    analyses: pd.DataFrame | None = None,
    unreviewed: bool = False,
) -> ReportContent:
    """The report of ``area`` in ``year`` from the engine's output ``evaluated`` (one or all areas);
    ``analyses``: the standing analyses (``store.analyses.current_analyses``), placed beside each
    indicator's row and sentence; ``unreviewed``: ``evaluated`` was judged on values not yet approved
    too (the report says which values it uses)."""
    # One area's rows, by comparing the (categorical) codes themselves: in the app ``evaluated`` holds
    # every area, and turning millions of codes into strings first would cost seconds.
    mine = evaluated[(evaluated["area_code"] == area).to_numpy()]
    table = evaluation_table(rules, mine, area, year, lang)
    e = mine[mine["year"] == year]
    value_by_code = dict(zip(e["indicator"].astype(str), e["value_used"]))
    progress = dict(zip(e["indicator"].astype(str), e["progress_pct"]))
    table = table.assign(
        label=[f"{code} {name}" for code, name in zip(table["code"], table["name"])],
        # Each value in the area's own unit (its plan may measure a rate where the catalogue counts).
        baseline_text=[rules.indicator_for(area, c).format(v, lang) for c, v in zip(table["code"], table["baseline"])],
        value_text=[rules.indicator_for(area, c).format(value_by_code.get(c), lang) for c in table["code"]],
        value_year_text=[_year_note(vy, year, lang) for vy in table["value_year"]],
        progress_pct=[progress.get(c) for c in table["code"]],
        kind=[rules.target_for(area, c).check.kind for c in table["code"]],
        judgement=[rules.target_for(area, c).check.describe(lang, rules.settings) for c in table["code"]],
        notes=[
            separator(lang).join(x for x in (why, note) if x)
            for why, note in zip(table["not_monitored_reason"], table["note"])
        ],
    )
    lines = domain_summary(rules, table, lang)
    # Each indicator against the year before and the baseline (needs the year before in ``mine``).
    compared = comparison_frame(rules, mine, area, year, lang).set_index("code")
    analysis = analysis_lines(analyses, area, year, lang)
    domains: list[DomainPart] = []
    for (plan, domain), group in table.groupby(["plan", "domain"], sort=False):
        qualitative = group[group["kind"].isin(DIRECTION_OR_RELATIVE)]
        domains.append(
            DomainPart(
                plan,
                domain,
                rules.domain_name(plan, domain, lang),
                group.reset_index(drop=True),
                lines[len(domains)] if len(domains) < len(lines) else "",
                qualitative.reset_index(drop=True),
                [
                    t("report_change_line", lang, label=label, sentence=compared.loc[code, "sentence"])
                    for code, label in zip(group["code"], group["label"])
                    if code in compared.index
                ],
                [
                    t("report_note_line", lang, label=label, note=note)
                    for label, note in zip(group["label"], group["notes"])
                    if note
                ],
                [code for code in group["code"] if code in compared.index],
                {code: analysis[code] for code in group["code"] if code in analysis},
            )
        )
    warns = warnings_frame(rules, mine, year, lang)
    gaps = table[table["status"] == "no_data"]
    tasks = task_rows(catalogue, task_reports, table, lang) if catalogue is not None else pd.DataFrame()
    sentences = summary_sentences(rules, table, e, year, lang)
    conclusions = conclusion_sentences(table, warns, tasks, year, lang)
    area_name = rules.area_name(area, lang)
    return ReportContent(
        area=area,
        area_name=area_name,
        year=year,
        lang=lang,
        demo=demo,
        issuer=issuer_name(rules, area, lang),
        issued=issued or date.today(),
        title=t("report_title", lang, area=area_name, year=year),
        sentences=sentences,
        domains=domains,
        warnings=warns,
        gaps=gaps,
        tasks=tasks,
        conclusions=conclusions,
        table=table,
        evaluated=e,
        values_note=t("report_values_unreviewed" if unreviewed else "report_values_approved", lang),
    )


def analysis_lines(analyses: pd.DataFrame | None, area: str, year: int, lang: str) -> dict[str, str]:
    """Each indicator's analysis of ``area`` in ``year`` as the report prints it:
    ``分析：…（填报：张三，2026-12-04）``."""
    if analyses is None or analyses.empty:
        return {}
    mine = analyses[(analyses["area"].astype(str) == area) & (analyses["year"].astype(int) == int(year))]
    days = pd.to_datetime(mine["at"], utc=True).dt.tz_convert(LOCAL_TIMEZONE).dt.strftime("%Y-%m-%d")
    return {
        str(r.indicator): t("report_analysis", lang, text=str(r.text), author=str(r.author), date=day)
        for r, day in zip(mine.itertuples(index=False), days)
    }


def _year_note(value_year: float | None, year: int, lang: str) -> str:
    if value_year is None or pd.isna(value_year) or int(value_year) == year:
        return ""
    return t("report_value_of_year", lang, year=int(value_year))


def summary_sentences(rules: RuleSet, table: pd.DataFrame, e: pd.DataFrame, year: int, lang: str) -> list[str]:
    parts = status_count_parts(table["status"], lang)
    sentences = [t("report_counts", lang, n=len(table), year=year, parts=t("list_comma", lang).join(parts))]
    # The committee's own measures: 达标率 (all / binding / expected) and the four evaluation classes.
    rate = attainment(table)
    sentences.append(
        t(
            "report_attainment",
            lang,
            all=rate["all"].text(lang),
            binding=rate["binding"].text(lang),
            expected=rate["expected"].text(lang),
        )
    )
    final = year >= rules.settings.target_year
    classes = class_counts(table, lang, final)
    sentences.append(
        t(
            "report_classes",
            lang,
            parts=t("list_comma", lang).join(
                t("report_class_count", lang, label=r.label, n=r.total) for r in classes.itertuples()
            ),
        )
    )
    at_risk = table[(table["attribute"] == "binding") & ~table["status"].isin([*GOOD, "no_data", "not_monitored"])]
    if len(at_risk):
        names = [t("report_name_status", lang, name=r.label, status=r.status_label) for r in at_risk.itertuples()]
        sentences.append(t("report_binding", lang, n=len(at_risk), names=_names(names, lang)))
    else:
        sentences.append(t("report_binding_ok", lang))
    prog = e[(e["progress_pct"] > 0) & (e["status"].astype(str) != "achieved")].nlargest(3, "progress_pct")
    if len(prog):
        names = [
            t(
                "report_name_progress",
                lang,
                name=rules.indicator_for(str(r.area_code), str(r.indicator)).name(lang),
                pct=f"{r.progress_pct:.0f}",
            )
            for r in prog.itertuples()
        ]
        sentences.append(t("report_best", lang, names=separator(lang).join(names)))
    worse = table[table["status"] == "deterioration"]
    if len(worse):
        sentences.append(t("report_worst", lang, names=_names(list(worse["name"]), lang)))
    return sentences


def conclusion_sentences(
    table: pd.DataFrame, warns: pd.DataFrame, tasks: pd.DataFrame, year: int, lang: str
) -> list[str]:
    """The conclusions a committee office writes, generated from the results (no judgement added)."""
    out = []
    n = len(table)
    good = int(table["status"].isin(GOOD).sum())
    with_data = int((table["status"] != "no_data").sum())
    if with_data:
        out.append(
            t(
                "report_conclusion_overall",
                lang,
                year=year,
                good=good,
                with_data=with_data,
                pct=f"{100 * good / with_data:.0f}",
            )
        )
    binding = table[table["attribute"] == "binding"]
    risky = binding[~binding["status"].isin([*GOOD, "no_data"])]
    if len(risky):
        out.append(t("report_conclusion_binding", lang, n=len(risky), names=_names(list(risky["label"]), lang, 5)))
    by_domain = table[table["status"] == "deterioration"].groupby("domain_name", sort=False).size()
    if len(by_domain):
        worst = by_domain.sort_values(ascending=False)
        out.append(
            t(
                "report_conclusion_domains",
                lang,
                names=_names([f"{d}（{k}）" if lang != "en" else f"{d} ({k})" for d, k in worst.items()], lang, 3),
            )
        )
    missing = int((table["status"] == "no_data").sum())
    if missing:
        out.append(t("report_conclusion_gaps", lang, n=missing, total=n))
    if len(tasks) and "status" in tasks:
        delayed = tasks[tasks["status"] == "delayed"]
        if len(delayed):
            out.append(t("report_conclusion_tasks", lang, n=len(delayed), names=_names(list(delayed["code"]), lang, 6)))
    if not out:
        out.append(t("report_conclusion_none", lang))
    return out


TASK_COLUMNS = ["code", "title", "lead_units", "indicators", "status", "status_label"]


def task_rows(cat: TaskCatalogue, reports: pd.DataFrame | None, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The tasks linked to the report's indicators, with their lead units and latest reported status."""
    codes = set(table["code"])
    latest = latest_status(reports)
    status_of = dict(zip(latest["task"], latest["status"])) if len(latest) else {}
    rows = []
    for task in cat.tasks.values():
        linked = [c for c in task.indicators if c in codes]
        if not linked:
            continue
        status = status_of.get(task.code, "not_reported")
        rows.append(
            {
                "code": task.code,
                "title": task.title,
                "lead_units": separator(lang).join(cat.unit_name(u, lang) for u in task.lead_units) or "—",
                "indicators": separator(lang).join(linked),
                "status": status,
                "status_label": task_status_label(status, lang),
            }
        )
    return pd.DataFrame(rows, columns=TASK_COLUMNS)
