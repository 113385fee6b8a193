"""分区县 By district — areas × indicators status grid (click a row to open that area), ranking of
areas, one area against the city."""

import streamlit as st

from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.charts import boundaries
from dashboard.charts import map as map_chart
from dashboard.charts import pages as charts
from dashboard.engine import STATUSES
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import district as district_view
from dashboard.views import review as review_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev
big = ctx.presenting

c1, c2, c3 = st.columns([1, 2, 2])
year = ui.pick_year(ctx, c1)
filters = {"all": None, "binding": "binding", "expected": "expected"}
which = ui.pick_option(
    ctx, "grid_attr", list(filters), "all", "grid_filter", c2, lambda k: t("all_indicators" if k == "all" else k, lang)
)
plans = ["all", *rules.plans]
plan = ui.pick_option(
    ctx,
    "grid_plan",
    plans,
    "all",
    "plan",
    c3,
    lambda p: t("all", lang) if p == "all" else rules.plans[p].name_en if lang == "en" else rules.plans[p].name_zh,
)

st.title(f"{t('page_district', lang)} · {year}")
ui.notices(ctx)

# Only the open tab is drawn (``?tab=`` keeps it in links, Back and a reload).
tab, tabs = ui.pick_tab(
    ctx,
    "tab",
    {"map": "district_map", "grid": "district_grid", "ranking": "district_ranking", "city": "area_vs_city"},
    "map",
)

if tab == "map":
    with tabs["map"]:
        codes = [i.code for i in sorted(rules.indicators.values(), key=lambda i: i.order)]
        by = ui.pick_option(
            ctx,
            "map_by",
            ["", *codes],
            "",
            "map_colour_by",
            format_func=lambda c: t("map_by_share", lang) if c == "" else f"{c} {rules.indicators[c].name(lang)}",
        )
        values = ui.view(ctx, district_view.map_values, year, lang, by or None)
        st.caption(t("map_hint", lang))
        picked = ui.chart(
            map_chart.district_map,
            values,
            lang,
            "status" if by else "share",
            big,
            on_select="rerun",
            selection_mode=map_chart.MAP_SELECTION,
            key="district_map",
        )
        chosen = (picked.selection.get(map_chart.MAP_SELECTION) or []) if picked else []
        if chosen and chosen[0].get("code"):
            st.switch_page(ui.PAGES["overview"], query_params=ui.link_params(ctx, area=chosen[0]["code"]))
        st.caption(boundaries.SOURCE[lang] + " " + t("map_no_outline", lang))

elif tab == "grid":
    with tabs["grid"]:
        st.caption(t("district_grid_hint", lang))
        grid = ui.view(ctx, district_view.district_grid, year, lang, filters[which], None if plan == "all" else plan)
        picked = ui.chart(
            charts.district_heatmap,
            grid,
            lang,
            big,
            extra_height=200,
            on_select="rerun",
            selection_mode=charts.AREA_SELECTION,
            key="district_grid",
        )
        chosen = (picked.selection.get(charts.AREA_SELECTION) or []) if picked else []
        if chosen and chosen[0].get("area_code"):
            # Streamlit's switch_page first sets these parameters on this page's own history entry:
            # carrying the tab makes Back return to the grid, not to the map.
            st.switch_page(
                ui.PAGES["overview"], query_params=ui.link_params(ctx, area=chosen[0]["area_code"], tab="grid")
            )

elif tab == "ranking":
    with tabs["ranking"]:
        ranking = ui.view(ctx, district_view.area_ranking, year, lang)
        st.caption(t("ranking_note", lang))
        ui.chart(charts.ranking_chart, ranking, lang, big, extra_height=130)
        table = ranking.assign(share_good=ranking["share_good"].astype(float))
        ui.table(
            common_view.display(
                table,
                {
                    "rank": "rank",
                    "area_name": "area",
                    "with_data": "with_data",
                    "share_good": "share_good",
                    **{s: f"status_{s}" for s in STATUSES},
                },
                lang,
            ),
            lang,
            column_config={
                t("share_good", lang): st.column_config.ProgressColumn(
                    t("share_good", lang), min_value=0.0, max_value=1.0, format="percent"
                )
            },
        )

elif tab == "city":
    with tabs["city"]:
        districts = [c for c in common_view.area_options(rules) if c != common_view.city_code(rules)]
        area = ui.pick_area(
            ctx,
            name="compare",
            label="compare_area",
            default=ctx.area if ctx.area in districts else (districts[0] if districts else None),
        )
        cmp = ui.view(ctx, district_view.area_vs_city, area, year, lang)
        if ctx.unreviewed:  # 含未审核: each value not yet approved is marked 未审核
            shown = app_state.get_observations(ctx.store)
            cmp = review_view.mark_area_vs_city(cmp, ev, shown, rules, area, year, lang)
        cmp = cmp.assign(better=common_view.yes_no(cmp["better"].astype(object), lang))
        ui.table(
            common_view.display(
                cmp,
                {
                    "indicator": "code",
                    "name": "indicator",
                    "area_text": "area_value",
                    "city_text": "city_value",
                    "difference_text": "difference",
                    "area_label": "area_status",
                    "city_label": "city_status",
                    "better": "better_than_city",
                },
                lang,
            ).rename(columns={t("area_value", lang): rules.area_name(area, lang)}),
            lang,
        )
