"""指标详情 Indicator — printed target and check in words, series with baseline, target and the
projection to 2030, the values table and the linked work-plan tasks."""
import streamlit as st

from dashboard.app import widgets as ui
from dashboard.charts import pages as charts
from dashboard.engine import flags_words
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import indicator as indicator_view
from dashboard.views import tasks as tasks_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

c1, c2 = st.columns([3, 1])
code = ui.pick_indicator(ctx, c1)
year = ui.pick_year(ctx, c2)
if code is None:
    st.info(t("no_indicators", lang))
    st.stop()
areas = ui.pick_areas(ctx)
ind = rules.indicators[code]
focus = areas[0] if areas else common_view.city_code(rules)

st.title(ui.md_escape(f"{code} {ind.name(lang)}"))
ui.notices(ctx)

info = indicator_view.describe_target(rules, focus, code, lang)
dir_word = t({"higher": "dir_higher", "lower": "dir_lower"}.get(ind.direction, "dir_band"), lang)
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("printed_target", lang), info["target_text"])
m2.metric(t("attribute", lang), t(info["attribute"], lang) if info["attribute"] in ("binding", "expected") else info["attribute"])
m3.metric(t("unit", lang), ind.unit or "—")
m4.metric(t("domain", lang), rules.domain_name(ind.plan, ind.domain, lang))
source = t(f"target_source_{info['source']}", lang) + (f" ({info['source_file']})" if info["source_file"] else "")
rest = ui.md_escape(f"{info['check']} · {dir_word} · {t('source', lang)}{ui.colon(lang)}{source}")
st.markdown(f"**{t('check_words', lang)}{':' if lang == 'en' else '：'}** {rest}")

row = ev[(ev["indicator"] == code) & (ev["area_code"] == focus) & (ev["year"] == year)]
if not row.empty:
    r = row.iloc[0]
    s1, s2, s3, s4 = st.columns(4)
    s1.metric(t("status_in", lang, year=year) + f" · {rules.area_name(focus, lang)}", ui.status_text(str(r["status"]), lang))
    s2.metric(t("latest_value", lang), "—" if r["value_used"] != r["value_used"] else f"{r['value_used']:.4g}")
    s3.metric(t("baseline", lang), "—" if r["baseline"] != r["baseline"] else f"{r['baseline']:.4g}")
    s4.metric(t("projected_2030", lang), "—" if r["projected_2030"] != r["projected_2030"] else f"{r['projected_2030']:.4g}")
    flags = flags_words(row, lang).iloc[0]
    if flags:
        st.caption("⚠️ " + flags)

st.subheader(t("series", lang))
layers = indicator_view.indicator_layers(ev, rules, code, areas, year=year, lang=lang)
if layers["observed"].empty:
    st.info(t("no_series", lang))
x_range = (rules.settings.plan_period.start, rules.settings.target_year)
st.altair_chart(charts.indicator_chart(layers, lang, ind.unit, x_range), width="stretch")
st.caption(f"— {t('observed', lang)}　- - {t('projection', lang)}　◆ {t('baseline', lang)}　"
           f"{t('target_line', lang)}: {info['target_text']}")

st.subheader(t("values_table", lang))
values = indicator_view.indicator_values(ev, rules, code, areas, lang)
st.dataframe(values.rename(columns={"area": t("area", lang), "year": t("year", lang), "value": t("value", lang),
                                    "value_used": t("latest_value", lang), "target_text": t("target", lang),
                                    "status": t("status", lang), "progress_pct": t("progress_pct", lang),
                                    "projected_2030": t("projected_2030", lang), "flags": t("flags", lang)}),
             hide_index=True, width="stretch")
st.download_button(t("download_csv", lang), ui.csv_bytes(values), file_name=f"{code}.csv", mime="text/csv")

st.subheader(t("linked_tasks", lang))
tasks = tasks_view.tasks_for_indicator(rules, code, lang)
if not tasks_view.has_tasks(rules):
    st.info(t("tasks_not_loaded", lang))
elif tasks.empty:
    st.info(t("no_linked_tasks", lang))
else:
    for task in tasks.itertuples():
        ui.task_link(task.code, ui.md_escape(f"{task.code} {task.title}"))
        bits = [f"{t('lead_units', lang)}{ui.colon(lang)}{task.lead_units or t('none_printed', lang)}"]
        if task.responsible_units:
            bits.append(f"{t('responsible_units', lang)}{ui.colon(lang)}{task.responsible_units}")
        st.caption(ui.md_escape(" · ".join(bits + [task.source])))
