"""指标详情 Indicator — the target as printed and in words, the latest value (and the multi-year mean a
rare-event rate is judged on), the series with baseline, target and projection, the values table and
the work-plan tasks behind it. Opened from every list of indicators; ``?indicator=W03``."""

import streamlit as st

from dashboard.app import selection
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.app.analysis_panel import analysis_panel
from dashboard.charts import pages as charts
from dashboard.engine import flags_words
from dashboard.messages import separator, t
from dashboard.views import common as common_view
from dashboard.views import completeness as completeness_view
from dashboard.views import indicator as indicator_view
from dashboard.views import review as review_view
from dashboard.views import tasks as tasks_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

codes = [i.code for i in sorted(rules.indicators.values(), key=lambda i: i.order)]
if not codes:
    st.info(t("no_indicators", lang))
    st.stop()
try:
    code = selection.value("indicator", codes, codes[0], strict=True)
except selection.Unknown as exc:
    ui.breadcrumbs(ctx, [("overview", t("page_overview", lang), {})], t("page_indicator", lang))
    st.error(t("unknown_in_link_indicator", lang, text=ui.md_escape(exc.text)))
    ui.page_link(ctx, "overview", t("back_to_overview", lang))
    st.stop()
ind = rules.indicators[code]
domain_key = f"{ind.plan}:{ind.domain}"
domain_name = rules.domain_name(ind.plan, ind.domain, lang)

# The breadcrumbs and the indicator list name each indicator as the first chosen area's plan does
# (its own name where its file redefines the row), as the title does: the areas are read first,
# and the slots keep the page's order (breadcrumbs, indicator and year, areas).
crumbs = st.container()
c1, c2 = st.columns([3, 1])
areas = ui.pick_areas(ctx)
focus = areas[0] if areas else ctx.area
code = ui.select(
    ctx, "indicator", codes, code, "indicator", c1, lambda c: f"{c} {rules.indicator_for(focus, c).name(lang)}"
)
year = ui.pick_year(ctx, c2)
ind = rules.indicator_for(focus, code)  # as the area's plan defines it (its own name and unit)
with crumbs:
    ui.breadcrumbs(
        ctx,
        [("overview", t("page_overview", lang), {}), ("domain", domain_name, {"domain": domain_key})],
        f"{code} {ind.name(lang)}",
    )

st.title(ui.md_escape(f"{code} {ind.name(lang)}"))
ui.notices(ctx)

info = indicator_view.describe_target(rules, focus, code, lang)
area_name = rules.area_name(focus, lang)
if info["not_monitored"] is not None:
    st.info(ui.md_escape(t("not_monitored_here", lang, area=area_name, reason=info["not_monitored"])))
if info["differs"]:
    # The area's plan defines the indicator otherwise than the catalogue (rules/overrides/).
    st.warning(
        ui.md_escape(
            t(
                "area_definition_differs",
                lang,
                area=area_name,
                fields=separator(lang).join(info["differs"]),
                file=info["definition_file"],
            )
        ),
        icon=":material/rule:",
    )
elif info["added"]:
    st.info(ui.md_escape(t("area_added_indicator", lang, area=area_name, file=info["definition_file"])))
others = [
    rules.area_name(a, lang) for a in areas[1:] if rules.defined_differently(a, code) or rules.not_monitored_in(a, code)
]
if others:
    st.caption(ui.md_escape(t("other_areas_define_otherwise", lang, areas=separator(lang).join(others))))
# The domain's and the status's words are the long ones: their columns are wider, so that at 1366 px
# a projector shows them whole rather than cut ("Women and…", "Needs acc…").
m1, m2, m3, m4 = st.columns([1, 1, 1, 1.4])
m1.metric(t("printed_target", lang), info["target_text"], help=info["check"])
m2.metric(t("attribute", lang), info["attribute_label"])
m3.metric(t("unit", lang), info["unit_label"] or "—")
m4.metric(t("domain", lang), domain_name)
st.markdown(
    ui.md_escape(
        f"{t('check_words', lang)}{ui.colon(lang)}{info['check']} · {info['direction_words']} · "
        f"{t('source', lang)}{ui.colon(lang)}{info['source_words']}"
    )
)
about = [
    f"{t(key, lang)}{ui.colon(lang)}{info[field]}"
    for field, key in (("definition", "field_definition"), ("data_source", "field_data_source"), ("note", "note"))
    if info[field]
]
if about:
    st.caption(ui.md_escape(" · ".join(about)))

row = common_view.with_latest(
    ev[(ev["indicator"] == code) & (ev["area_code"] == focus) & (ev["year"] == year)], ev, rules, lang
)
if not row.empty:
    r = row.iloc[0]
    s1, s2, s3, s4 = st.columns([1.6, 1, 1, 1])
    s1.metric(
        t("status_in_area", lang, year=year, area=ui.md_escape(rules.area_name(focus, lang))),
        ui.status_text(str(r["status"]), lang),
    )
    s2.metric(t("latest_value", lang), r["value_text"], help=r["smoothed_text"] or None)
    s3.metric(
        t("baseline_of_year", lang, year="" if r["baseline_year"] != r["baseline_year"] else int(r["baseline_year"])),
        ind.format(r["baseline"], lang),
    )
    s4.metric(t("projected_2030", lang), ind.format(r["projected_2030"], lang))
    # Which rule gave this status, in one sentence (docs/method.md).
    st.info(ui.md_escape(indicator_view.judgement(row, rules, focus, lang)), icon=":material/gavel:")
    if r["smoothed_text"]:
        st.caption(ui.md_escape(t("judged_on_mean", lang, mean=r["smoothed_text"])))
    flags = flags_words(row, lang).iloc[0]
    if flags:
        st.caption(ui.md_escape(flags))

st.subheader(t("series", lang))
# One axis, one unit: an area that measures the indicator in another unit stays out of the chart
# (its values are in the table below, in its own unit).
same_scale = [a for a in areas if rules.indicator_for(a, code).unit == ind.unit]
layers = indicator_view.indicator_layers(ev, rules, code, same_scale, year=year, lang=lang)
if layers["observed"].empty:
    st.info(t("no_series", lang))
x_range = (rules.settings.plan_period.start, rules.settings.target_year)
ui.chart(charts.indicator_chart, layers, lang, ind.unit, x_range, ctx.presenting)
st.caption(t("chart_legend_indicator", lang, target=info["target_text"]))

st.subheader(t("values_table", lang))
values = ui.view(ctx, indicator_view.indicator_values, code, areas, lang)
if ctx.unreviewed:  # 含未审核: each value not yet approved is marked 未审核
    values = review_view.mark_indicator_values(values, app_state.get_observations(ctx.store), rules, code, areas, lang)
ui.table(
    common_view.display(
        values,
        {
            "area": "area",
            "year": "year",
            "value_text": "value_uploaded",
            "judged_text": "value_judged",
            "target_text": "target",
            "status": "status",
            "progress_text": "progress_pct",
            "projected_text": "projected_2030",
            "flags": "flags",
        },
        lang,
    ),
    lang,
)
st.download_button(
    t("download_csv", lang),
    ui.csv_bytes(values.drop(columns=["value_text", "judged_text", "progress_text", "projected_text"])),
    file_name=f"{code}.csv",
    mime="text/csv",
)

# 分析评估: the responsible unit's analysis of the first chosen area's year (dashboard/app/analysis_panel.py).
analysis_panel(ctx, focus, code, year)

who = completeness_view.who_reports(rules, code, lang)
if who["known"]:
    st.subheader(t("reporting_heading", lang))
    if who["unassigned"]:
        st.caption(ui.md_escape(t("reporting_unassigned", lang, reason=who["unassigned"])))
    for field, label in (("city", "reporting_city_unit"), ("district", "reporting_district_unit")):
        if who[field]:
            unit_code, unit_name = who[field]
            ui.unit_link(unit_code, ui.md_escape(f"{t(label, lang)}{ui.colon(lang)}{unit_name}"), ctx=ctx)
    if who["due_month"]:
        bits = [t("reporting_due_month", lang, month=who["due_month"])]
        if who["note"]:
            bits.append(t("reporting_inferred", lang, note=who["note"]))
        st.caption(ui.md_escape(" · ".join(bits)))

st.subheader(t("linked_tasks", lang))
tasks = tasks_view.tasks_for_indicator(rules, code, lang)
if not tasks_view.has_tasks(rules):
    st.info(t("tasks_not_loaded", lang))
elif tasks.empty:
    st.info(t("no_linked_tasks", lang))
else:
    for task in tasks.itertuples():
        ui.task_link(task.code, ui.md_escape(f"{task.code} {task.title}"), ctx=ctx)
        bits = [f"{t('lead_units', lang)}{ui.colon(lang)}{task.lead_units or t('none_printed', lang)}"]
        if task.responsible_units:
            bits.append(f"{t('responsible_units', lang)}{ui.colon(lang)}{task.responsible_units}")
        st.caption(ui.md_escape(" · ".join([*bits, task.source])))
