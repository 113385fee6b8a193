"""预警 Early warnings — by area, each with its reason in words and a link to the indicator page.
Filters: areas, kind of warning, binding indicators only (all kept in the link)."""
import streamlit as st

from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.views import warnings as warnings_view

PER_AREA = 40  # warnings listed per area before "N more"

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules

c1, c2 = st.columns([1, 3])
year = ui.pick_year(ctx, c1)
areas = ui.pick_areas(ctx, c2)
kinds_all = warnings_view.warning_kinds()
c3, c4 = st.columns([3, 1], vertical_alignment="bottom")
app_state.initial_value("kinds", kinds_all, [], multi=True)
kinds = c3.multiselect(t("warning_kind", lang), kinds_all, key="kinds", placeholder=t("all", lang),
                       format_func=lambda k: warnings_view.warning_kind_label(k, lang))
app_state.remember("kinds", list(kinds))
binding_only = ui.pick_toggle(ctx, "binding", "binding_only", c4)

st.title(t("warnings_heading", lang, year=year))
st.caption(t("warnings_intro", lang))
ui.notices(ctx)

warns = app_state.get_warnings(rules, year, lang, areas=areas, kinds=kinds, binding_only=binding_only,
                               store=ctx.store)
counts = warnings_view.warning_counts(warns, lang)
st.subheader(t("n_warnings", lang, n=len(warns)))
for col, row in zip(st.columns(len(counts)), counts.itertuples()):
    col.metric(row.label, row.n)
if warns.empty:
    st.success(t("no_warnings", lang))
    st.stop()

for area_code, part in warns.groupby("area_code", sort=False):
    st.subheader(f"{rules.area_name(str(area_code), lang)} ({len(part)})")
    for row in part.head(PER_AREA).itertuples():
        ui.indicator_link(row.indicator, ui.md_escape(
            f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name} — {row.kind_label}"))
        lead = f" · {t('lead_units', lang)}{ui.colon(lang)}{row.lead_units}" if row.lead_units else ""
        st.caption(ui.md_escape(f"{row.reason} · {row.attribute_label}{lead}"))
    if len(part) > PER_AREA:
        st.caption(t("warnings_more", lang, n=len(part) - PER_AREA))

shown = warns.drop(columns=["area_code", "area_order", "kind", "status", "attribute"]).rename(columns={
    "area_name": t("area", lang), "indicator": t("code", lang), "name": t("indicator", lang),
    "kind_label": t("warning_kind", lang), "value": t("latest_value", lang), "target_text": t("target", lang),
    "projected_2030": t("projected_2030", lang), "reason": t("reason", lang), "attribute_label": t("attribute", lang),
    "label": t("status", lang), "lead_units": t("lead_units", lang)})
st.download_button(t("download_csv", lang), ui.csv_bytes(shown), file_name=f"warnings_{year}.csv", mime="text/csv",
                   key="warnings_csv")
