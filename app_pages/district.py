"""分区县 By district — areas × indicators status grid, ranking of areas, one area against the city."""
import streamlit as st

from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.engine import STATUSES
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import district as district_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

c1, c2, c3 = st.columns([1, 2, 2])
year = ui.pick_year(ctx, c1)
filters = {"all": None, "binding": "binding", "expected": "expected"}
which = c2.segmented_control(t("grid_filter", lang), list(filters), key="grid_attr", default="all",
                             format_func=lambda k: t("all_indicators" if k == "all" else k, lang)) or "all"
plans = ["all", *rules.plans]
plan = c3.segmented_control(t("plan", lang), plans, key="grid_plan", default="all",
                            format_func=lambda p: t("all", lang) if p == "all" else rules.plans[p].name_en.split(" (")[0]
                            if lang == "en" else rules.plans[p].name_zh.split("（")[0]) or "all"

st.title(f"{t('page_district', lang)} · {year}")
ui.notices(ctx)

tab_grid, tab_rank, tab_city = st.tabs([t("district_grid", lang), t("district_ranking", lang), t("area_vs_city", lang)])

with tab_grid:
    grid = district_view.district_grid(ev, rules, year, lang, attribute=filters[which], plan=None if plan == "all" else plan)
    chart = charts.district_heatmap(grid, lang)
    st.altair_chart(chart, width="content", height=charts.outer_height(chart, extra=160))

with tab_rank:
    ranking = district_view.area_ranking(ev, rules, year, lang)
    st.caption(t("ranking_note", lang))
    chart = charts.ranking_chart(ranking, lang)
    st.altair_chart(chart, width="stretch", height=charts.outer_height(chart))
    table = ranking.rename(columns={"rank": t("rank", lang), "area_name": t("area", lang),
                                    "with_data": t("with_data", lang), "share_good": t("share_good", lang),
                                    **{s: ui.status_label(s, lang) for s in STATUSES}})
    st.dataframe(table.drop(columns=["area_code"]), hide_index=True, width="stretch",
                 column_config={t("share_good", lang): st.column_config.ProgressColumn(
                     t("share_good", lang), min_value=0.0, max_value=1.0, format="percent")})

with tab_city:
    districts = [c for c in common_view.area_options(rules) if c != common_view.city_code(rules)]
    area = ui.pick_area(ctx, key="compare", label="compare_area", default=districts[0] if districts else None)
    cmp = district_view.area_vs_city(ev, rules, area, year, lang)
    shown = cmp.rename(columns={"indicator": t("code", lang), "name": t("indicator", lang), "unit": t("unit", lang),
                                "area_value": rules.area_name(area, lang), "city_value": t("city_value", lang),
                                "difference": t("difference", lang), "area_label": t("area_status", lang),
                                "city_label": t("city_status", lang)})
    st.dataframe(shown.drop(columns=["area_status", "city_status", "better"]), hide_index=True, width="stretch")
