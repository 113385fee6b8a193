"""重点任务 Tasks — the work-plan tasks, filtered by source, section, domain, unit and progress;
each row opens the task page (``?task=CODE``)."""

import pandas as pd
import streamlit as st

from dashboard.app import selection
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.engine.task_status import task_status_label
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import tasks as tasks_view

TASKS_PER_PAGE = 40

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules

st.title(t("page_tasks", lang))
st.caption(t("tasks_intro", lang))
if not tasks_view.has_tasks(rules):
    st.info(t("tasks_not_loaded", lang))
    st.stop()

opts = tasks_view.task_filter_options(rules, lang)
reports = app_state.get_task_reports(ctx.store)


def all_or(fmt):
    return lambda v: t("all", lang) if v == "" else fmt(v)


c1, c2, c3 = st.columns([2, 2, 1])
source = ui.pick_option(ctx, "task_source", ["", *opts["sources"]], "", "task_source", c1, all_or(str))
sections = opts["sections"].get(source, []) if source else [s for v in opts["sections"].values() for s in v]
section = ui.pick_option(ctx, "task_section", ["", *dict.fromkeys(sections)], "", "task_section", c2, all_or(str))
domain = ui.pick_option(
    ctx, "task_domain", ["", *opts["domains"]], "", "task_domain", c3, all_or(lambda d: opts["domains"].get(d, d))
)
c4, c5, c6 = st.columns([2, 1, 1])
unit = ui.pick_option(
    ctx, "task_unit", ["", *opts["units"]], "", "task_unit", c4, all_or(lambda u: opts["units"].get(u, u))
)
roles = {"": "role_any", "lead": "role_lead", "responsible": "role_responsible"}
if unit:
    role = ui.pick_option(ctx, "unit_role", list(roles), "", "unit_role", c5, lambda r: t(roles[r], lang))
else:
    role = ""  # a role without a unit means nothing
status = ui.pick_option(
    ctx,
    "task_status",
    ["", *tasks_view.TASK_STATUSES],
    "",
    "task_status",
    c6,
    all_or(lambda s: ui.task_status_text(s, lang)),
)

tasks = tasks_view.task_list(
    rules, lang, reports, source=source, section=section, domain=domain, unit=unit, role=role, status=status
)
st.subheader(t("n_tasks_shown", lang, n=len(tasks)))
if tasks.empty:
    st.info(t("no_tasks_match", lang))
    st.stop()

# A page of tasks at a time: the whole list is ~170 links and lines, slow to draw on every visit
# (the CSV below has them all). ``?task_page=N`` keeps the page in links, Back and a reload.
pages = tasks_view.page_ranges(len(tasks), TASKS_PER_PAGE)
if len(pages) > 1:
    number = ui.pick_option(
        ctx,
        "task_page",
        list(range(1, len(pages) + 1)),
        1,
        "task_page",
        st.columns([1, 3])[0],
        lambda n: t("task_page_range", lang, first=pages[n - 1][0] + 1, last=pages[n - 1][1], n=len(tasks)),
        selection.parse_int,
    )
    first, last = pages[number - 1]
    listed = tasks.iloc[first:last]
else:
    listed = tasks

for src, by_source in listed.groupby("source", sort=False):
    if not source:
        st.markdown(f"#### {ui.md_escape(src)}")
    for sec, part in by_source.groupby("section", sort=False):
        if not section:
            st.markdown(f"**{ui.md_escape(sec)}**")
        for row in part.itertuples():
            ui.task_link(row.code, ui.md_escape(f"{ui.TASK_STATUS_ICONS.get(row.status, '')} {row.code} {row.title}"))
            bits = [f"{t('lead_units', lang)}{ui.colon(lang)}{row.lead_units or t('none_printed', lang)}"]
            if row.responsible_units:
                bits.append(f"{t('responsible_units', lang)}{ui.colon(lang)}{row.responsible_units}")
            if row.indicators:
                bits.append(f"{t('indicators_short', lang)}{ui.colon(lang)}{row.indicators}")
            if unit:
                bits.append(
                    t("role_lead" if row.role == "lead" else "role_responsible", lang)
                    + (f" · {t('via_group', lang, group=row.via)}" if row.via else "")
                )
            bits.append(
                task_status_label(row.status, lang)
                + (f" ({t('reported_for', lang, year=int(row.status_year))})" if pd.notna(row.status_year) else "")
            )
            st.caption(ui.md_escape(" · ".join(bits)))

shown = common_view.display(
    tasks,
    {
        "code": "code",
        "title": "task_title",
        "source": "task_source",
        "section": "task_section",
        "lead_units": "lead_units",
        "responsible_units": "responsible_units",
        "domain_name": "task_domain",
        "indicators": "indicators_short",
        "status_label": "task_status",
    },
    lang,
)
st.download_button(
    t("download_csv", lang), ui.csv_bytes(shown), file_name="tasks.csv", mime="text/csv", key="tasks_csv"
)
