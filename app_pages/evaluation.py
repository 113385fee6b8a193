"""评估 Evaluation — the plan's own indicator table for one area and evaluation year (2025 mid-term,
2030 final), the per-domain summary lines, and the .docx report (with its PDF) and .xlsx tables to download."""

import streamlit as st

from dashboard.app import selection
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import evaluation as evaluation_view

ctx = ui.context()
lang, rules, ev = ctx.lang, ctx.rules, ctx.ev

years, default = ui.view(ctx, evaluation_view.evaluation_years)


def year_label(y: int) -> str:
    kind = evaluation_view.evaluation_kind(rules, y)
    return t("eval_year_option", lang, year=y, kind=t(f"eval_{kind}", lang)) if kind else str(y)


c1, c2 = st.columns([1, 2])
year = ui.pick_option(ctx, "eval_year", years, default, "eval_year", c1, year_label, parse=selection.parse_int)
area = ui.pick_area(ctx, c2)
kind = evaluation_view.evaluation_kind(rules, year)

st.title(
    t("evaluation_heading", lang, area=ui.md_escape(rules.area_name(area, lang)), year=year)
    + (f" · {t(f'eval_{kind}', lang)}" if kind else "")
)
st.caption(t("evaluation_intro", lang))
ui.notices(ctx)

table, lines = ui.view(ctx, evaluation_view.evaluation_view, area, year, lang)

# The committee's own measures beside the statuses: 达标率 and the four evaluation classes.
rates, classes = ui.view(ctx, evaluation_view.practice, area, year, lang)
st.subheader(t("classes_title", lang), help=t("classes_help", lang))
for col, row in zip(st.columns(len(classes) + 1), classes.itertuples()):
    col.metric(row.label, row.total, help=t("binding_expected_split", lang, binding=row.binding, expected=row.expected))
st.caption(f"{t('attainment_title', lang)}{ui.colon(lang)}{rates['all'].text(lang)}")

# Downloads: the tables are quick (built once per rules/data/area/year/language and cached). The Word
# report is built only when asked for (well under a second) and offered at once; its PDF follows,
# made by LibreOffice in a few seconds, while the Word file can already be downloaded.
st.subheader(t("downloads", lang))
d1, d2 = st.columns(2)
stem = f"{area}_{year}_{'en' if lang == 'en' else 'zh'}"
xlsx = app_state.report_file("xlsx", rules, area, year, lang, ctx.store)
d1.download_button(
    t("download_xlsx", lang),
    xlsx,
    file_name=f"evaluation_{stem}.xlsx",
    key="eval_xlsx",
    icon=":material/table_view:",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
docx_key = f"_docx_{rules.fingerprint}_{ctx.version}_{stem}"
pdf_key = docx_key + "_pdf"
with d2:
    if st.button(
        t("make_docx", lang), key="make_docx", disabled=docx_key in st.session_state, icon=":material/description:"
    ):
        with st.spinner(t("making_docx", lang)):
            st.session_state[docx_key] = app_state.report_file("docx", rules, area, year, lang, ctx.store)
    if docx_key in st.session_state:
        # Drawn before the PDF is made, and no rerun on click (which would stop the PDF half-way).
        st.download_button(
            t("download_docx", lang),
            st.session_state[docx_key],
            key="eval_docx",
            icon=":material/download:",
            file_name=f"report_{stem}.docx",
            type="primary",
            mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            on_click="ignore",
        )
        if pdf_key not in st.session_state:
            with st.spinner(t("making_pdf", lang)):
                st.session_state[pdf_key] = app_state.report_file("pdf", rules, area, year, lang, ctx.store)
        pdf_bytes = st.session_state[pdf_key]
        if pdf_bytes:
            st.download_button(
                t("download_pdf", lang),
                pdf_bytes,
                key="eval_pdf",
                icon=":material/picture_as_pdf:",
                file_name=f"report_{stem}.pdf",
                mime="application/pdf",
                on_click="ignore",
            )
        else:
            st.caption(t("pdf_unavailable", lang))

st.subheader(t("domain_lines", lang))
with st.container(border=True):
    for line in lines:
        st.markdown("- " + ui.md_escape(line))

st.subheader(t("evaluation_table", lang))
# Values in the area's own units; an indicator the area does not monitor says why in its status.
shown = table.assign(area_code=area)
shown = shown.assign(
    label=[
        ui.status_text(s, lang) if s != "not_monitored" else f"– {label}"
        for s, label in zip(table["status"], table["label"])
    ],
    baseline_text=common_view.format_values(shown, rules, lang, value="baseline", code="code"),
    value_text=common_view.format_values(shown, rules, lang, value="value", code="code"),
)
ui.table(
    common_view.display(
        shown,
        {
            "domain_name": "domain",
            "number": "number",
            "code": "code",
            "name": "indicator",
            "target_text": "target_2030",
            "attribute_label": "attribute",
            "baseline_text": "baseline",
            "value_text": "value",
            "label": "status",
            "note": "note",
        },
        lang,
    ).rename(columns={t("value", lang): t("value_in", lang, year=year)}),
    lang,
    height=min(900, 38 + 35 * max(1, len(shown))),
)

# The previous plan's final evaluation (rules/periods/): its target year's values against its targets.
if rules.periods:
    finals = app_state.cached_view(
        "final_evaluations",
        rules.fingerprint,
        ctx.version,
        evaluation_view.final_evaluations,
        app_state.get_observations(ctx.store),
        rules,
        area,
        lang,
    )
    for final in finals:
        st.subheader(t("final_evaluation_heading", lang, title=final["title"]))
        st.caption(ui.md_escape(f"{final['source']} · {final['summary']}"))
        ft = final["table"].assign(area_code=area)
        ui.table(
            common_view.display(
                ft,
                {
                    "number": "number",
                    "code": "code",
                    "name": "indicator",
                    "target_text": "final_target",
                    "value_text": "final_value",
                    "met_label": "final_met_column",
                    "margin_text": "final_margin",
                    "note": "note",
                },
                lang,
            ).rename(columns={t("final_value", lang): t("value_in", lang, year=final["year"])}),
            lang,
        )

# Each indicator's year in the committee's words: against the year before and the baseline.
st.subheader(t("comparison_title", lang))
with st.expander(t("comparison_open", lang, n=len(shown))):
    for r in ui.view(ctx, evaluation_view.comparisons, area, year, lang).itertuples():
        st.markdown(f"- **{ui.md_escape(r.code)} {ui.md_escape(r.name)}**{ui.colon(lang)}{ui.md_escape(r.sentence)}")
