"""数据上传 Upload — template, upload, validation report, preview of changes, confirm."""
import hashlib

import pandas as pd
import streamlit as st

from dashboard import app_state, ui, views
from dashboard.i18n import LABELS, t

ctx = ui.context()
lang, rules, store = ctx.lang, ctx.rules, ctx.store

st.title(t("page_upload", lang))
st.caption(t("upload_intro", lang))
ui.notices(ctx)

try:
    from dashboard.template import make_template
    from dashboard.upload import preview_changes, read_upload
except ImportError:
    st.warning(t("upload_unavailable", lang))
    st.stop()

# 1. template -------------------------------------------------------------------------------
st.subheader(t("template", lang))
c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
t_area = c1.selectbox(t("template_area", lang), views.area_options(rules), key="template_area",
                      format_func=lambda c: rules.area_name(c, lang))
fmt = c2.radio(t("template_format", lang), ["xlsx", "csv"], key="template_fmt", horizontal=True)
try:
    template = make_template(rules, t_area, fmt=fmt)
    c3.download_button(t("template_download", lang), template, file_name=f"template_{t_area}.{fmt}",
                       mime="text/csv" if fmt == "csv" else
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key="template_dl")
except Exception as exc:  # noqa: BLE001
    c3.error(t("upload_failed", lang, err=exc))

# 2. upload ---------------------------------------------------------------------------------
st.subheader(t("upload_file", lang))
uploader = st.text_input(t("uploader", lang), key="uploader")
file = st.file_uploader(t("upload_file", lang), type=["csv", "xlsx", "xls"], key="upload_file",
                        label_visibility="collapsed")
if file is None:
    st.stop()

content = file.getvalue()
sha = hashlib.sha256(content).hexdigest()
cache_key = f"_report_{sha}_{rules.fingerprint}"
if cache_key not in st.session_state:
    try:
        st.session_state[cache_key] = read_upload(content, file.name, rules)
    except Exception as exc:  # noqa: BLE001
        st.error(t("upload_failed", lang, err=exc))
        st.stop()
report = st.session_state[cache_key]

# 3. report ---------------------------------------------------------------------------------
st.subheader(t("validation_report", lang))
problems = pd.DataFrame([{"location": p.location(), "code": p.code, "severity": getattr(p, "severity", "error"),
                          "message": p.message(lang), "message_zh": p.message_zh, "message_en": p.message_en}
                         for p in report.problems],
                        columns=["location", "code", "severity", "message", "message_zh", "message_en"])
n_rows = len(report.rows) if report.rows is not None else 0
skipped = report.skipped
n_skipped = skipped if isinstance(skipped, int) else (len(skipped) if skipped is not None else 0)
if report.ok:
    st.success(t("report_ok", lang, n=n_rows, s=n_skipped))
else:
    st.error(t("report_bad", lang, n=sum(1 for p in report.problems if getattr(p, "severity", "error") == "error")))
if not problems.empty:
    st.dataframe(problems[["location", "code", "message"]].rename(columns={
        "location": t("problem_location", lang), "code": t("problem_code", lang), "message": t("problem_message", lang)}),
        hide_index=True, width="stretch")
st.download_button(t("download_report", lang), ui.csv_bytes(problems.drop(columns=["message"])),
                   file_name=f"report_{file.name}.csv", mime="text/csv", key="report_dl")
if not report.ok:
    st.stop()

# 4. preview and confirm --------------------------------------------------------------------
st.subheader(t("preview", lang))
preview = preview_changes(report, store)
kinds = preview["kind"].astype(str).value_counts() if not preview.empty else pd.Series(dtype=int)
st.write(t("preview_counts", lang, new=int(kinds.get("new", 0)), corrected=int(kinds.get("correction", 0)),
           unchanged=int(kinds.get("unchanged", 0))))
shown = preview.copy()
if not shown.empty:
    shown["area"] = [rules.area_name(str(a), lang) for a in shown["area"]]
    shown["kind"] = [t(f"kind_{k}", lang) if f"kind_{k}" in LABELS else k for k in shown["kind"].astype(str)]
    shown.insert(2, "name", [rules.indicators[c].name(lang) if c in rules.indicators else c for c in shown["indicator"]])
st.dataframe(shown.rename(columns={"area": t("area", lang), "indicator": t("code", lang), "name": t("indicator", lang),
                                   "year": t("year", lang), "old": t("old", lang), "new": t("new", lang),
                                   "kind": t("change_kind", lang), "old_note": t("old_note", lang),
                                   "note": t("note", lang), "source_row": t("source_row", lang)}),
             hide_index=True, width="stretch")

done = st.session_state.get("_committed", {})
if sha in done:
    st.success(t("committed", lang, batch=done[sha]))
    st.stop()
if st.button(t("confirm", lang), type="primary", key="confirm_upload"):
    if not uploader.strip():
        st.error(t("uploader_needed", lang))
        st.stop()
    batch = store.commit(report, uploader.strip(), kind="upload")
    done[sha] = batch
    st.session_state["_committed"] = done
    st.cache_data.clear()
    st.success(t("committed", lang, batch=batch))
