"""预警 Early warnings — by area, each with its reason in words and a link to the indicator page.
Filters: areas, kind of warning, binding indicators only (all kept in the link)."""

import streamlit as st

from dashboard.app import selection
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import warnings as warnings_view

PER_AREA = 40  # warnings listed per area before "N more"

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules

c1, c2 = st.columns([1, 3])
year = ui.pick_year(ctx, c1)
areas = ui.pick_areas(ctx, c2)
kinds_all = warnings_view.warning_kinds()
c3, c4 = st.columns([3, 1], vertical_alignment="bottom")
kinds = selection.values("kinds", kinds_all, [])
st.session_state["w_kinds"] = kinds
c3.multiselect(
    t("warning_kind", lang),
    kinds_all,
    key="w_kinds",
    placeholder=t("all_kinds", lang),
    format_func=lambda k: warnings_view.warning_kind_label(k, lang),
    on_change=lambda: selection.to_url("kinds", list(st.session_state["w_kinds"])),
)
binding_only = ui.pick_toggle(ctx, "binding", "binding_only", c4)

st.title(t("warnings_heading", lang, year=year))
st.caption(t("warnings_intro", lang))
ui.notices(ctx)

warns = app_state.get_warnings(rules, year, lang, areas=areas, kinds=kinds, binding_only=binding_only, store=ctx.store)
counts = warnings_view.warning_counts(warns, lang)
st.subheader(t("n_warnings", lang, n=len(warns)))
for col, row in zip(st.columns(len(counts)), counts.itertuples()):
    col.metric(row.label, row.n)
if warns.empty:
    st.success(t("no_warnings", lang))
    st.stop()

for area_code, part in warns.groupby("area_code", sort=False):
    st.subheader(f"{ui.md_escape(rules.area_name(str(area_code), lang))} ({len(part)})")
    for row in part.head(PER_AREA).itertuples():
        ui.indicator_link(
            row.indicator,
            ui.md_escape(f"{ui.STATUS_ICONS.get(row.status, '')} {row.indicator} {row.name} — {row.kind_label}"),
            ctx=ctx,
        )
        lead = f" · {t('lead_units', lang)}{ui.colon(lang)}{row.lead_units}" if row.lead_units else ""
        st.caption(ui.md_escape(f"{row.reason} · {row.attribute_label}{lead}"))
    if len(part) > PER_AREA:
        st.caption(t("warnings_more", lang, n=len(part) - PER_AREA))

columns = {
    "area_name": "area",
    "indicator": "code",
    "name": "indicator",
    "kind_label": "warning_kind",
    "value": "latest_value",
    "target_text": "target",
    "projected_2030": "projected_2030",
    "reason": "reason",
    "attribute_label": "attribute",
    "label": "status",
    "lead_units": "lead_units",
}
st.download_button(
    t("download_csv", lang),
    ui.csv_bytes(common_view.display(warns, columns, lang)),
    file_name=f"warnings_{year}.csv",
    mime="text/csv",
    key="warnings_csv",
)
