"""数据上传 Upload — template, upload (indicator values or task progress), validation report, preview, confirm.

A workbook with several sheets that have a header row is refused until one is chosen in the sheet
picker shown for it (``import FILE --sheet NAME`` on the command line); that sheet is read alone.

Only editors and administrators may open it (``session.require_page`` refuses everyone else on the
server); the batch is stored through ``authorization.upload_as`` / ``upload_tasks_as``, which check
the role and, for area editors, every row's area again, and write the audit trail. The uploader is
the signed-in user. Uploaded text is shown only in tables (``st.dataframe``), never as HTML.
"""

import hashlib

import streamlit as st

from dashboard.access import authorization
from dashboard.app import session
from dashboard.app import widgets as ui
from dashboard.intake import (
    TASKS,
    max_upload_bytes,
    preview_any,
    preview_counts,
    read_any_upload,
    sheet_choices,
    size_problem,
)
from dashboard.messages import t
from dashboard.reports.templates import make_template
from dashboard.store import StoreError, audit
from dashboard.store.review import ReviewState
from dashboard.views import common as common_view
from dashboard.views import tasks as tasks_view
from dashboard.views import upload as upload_view

ctx = ui.context()
lang, rules, store = ctx.lang, ctx.rules, ctx.store

st.title(t("page_upload", lang))
user = session.require_page("upload", lang, "upload page")
st.caption(t("upload_intro", lang))
ui.notices(ctx, values=False)
st.caption(ui.md_escape(t("uploaded_as", lang, name=user.name)))


# 1. template -------------------------------------------------------------------------------
st.subheader(t("template", lang))
c1, c2, c3 = st.columns([2, 1, 1], vertical_alignment="bottom")
area_choices = common_view.area_options(rules)
if user.role == "area_editor":
    area_choices = [a for a in area_choices if a in user.areas] or area_choices
t_area = c1.selectbox(
    t("template_area", lang),
    area_choices,
    key="template_area",
    placeholder=t("choose_one", lang),
    format_func=lambda c: rules.area_name(c, lang),
)
fmt = c2.radio(t("template_format", lang), ["xlsx", "csv"], key="template_fmt", horizontal=True)
template = make_template(rules, t_area, fmt=fmt)
c3.download_button(
    t("template_download", lang),
    template,
    file_name=f"template_{t_area}.{fmt}",
    mime="text/csv" if fmt == "csv" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="template_dl",
)

# 2. upload ---------------------------------------------------------------------------------
st.subheader(t("upload_file", lang))
file = st.file_uploader(
    t("upload_file", lang), type=["csv", "xlsx", "xls"], key="upload_file", label_visibility="collapsed"
)
if file is None:
    st.stop()

# The size is known before the content is touched: an oversized file is refused unread.
too_big = size_problem(file.size, max_upload_bytes(rules))
if too_big is not None:
    st.error(too_big.message(lang))
    st.stop()
content = file.getvalue()
sha = hashlib.sha256(content).hexdigest()
cat = tasks_view.task_catalogue(rules)
cache_key = f"_report_{sha}_{rules.fingerprint}"
if cache_key not in st.session_state:
    # Bad input never raises here: every problem comes back in the report, located by row and column.
    st.session_state[cache_key] = read_any_upload(content, file.name, rules, cat=cat)
kind, report = st.session_state[cache_key]

# A workbook with several tables (SEVERAL_SHEETS, naming them) is read only once a sheet is chosen;
# the chosen sheet is then read alone. A file with one table shows no picker.
sheet = None
sheets = sheet_choices(report)
if sheets:
    sheet = st.selectbox(
        t("upload_sheet", lang),
        sheets,
        index=None,
        key=f"upload_sheet_{sha[:16]}",  # a new file starts with no sheet chosen
        placeholder=t("choose_one", lang),
        help=t("upload_sheet_help", lang),
    )
    if sheet is not None:
        sheet_key = f"{cache_key}_sheet_{sheet}"
        if sheet_key not in st.session_state:
            st.session_state[sheet_key] = read_any_upload(content, file.name, rules, cat=cat, sheet=sheet)
        kind, report = st.session_state[sheet_key]
# What was read: the file, or one sheet of it (a batch committed from one sheet is not another's).
read_id = sha if sheet is None else f"{sha}:{sheet}"
is_tasks = kind == TASKS

# Rows this user may not store (an area editor's other areas / other units' tasks): part of the report.
outside = authorization.refused_rows(user, kind, report, cat)
if outside:
    seen = st.session_state.setdefault("_refusals_audited", set())
    if (read_id, user.name) not in seen:
        audit.record(
            store.engine, user.name, "upload_refused", report.file_name, rows=len(outside), reason="areas", kind=kind
        )
        seen.add((read_id, user.name))

# 3. report ---------------------------------------------------------------------------------
st.subheader(t("validation_report", lang))
if is_tasks:
    st.caption(t("task_file", lang))
problems = upload_view.problem_table(list(report.problems) + outside, lang)
ok = report.ok and not outside
if ok:
    st.success(t("report_ok", lang, n=len(report.rows), s=report.n_skipped))
else:
    st.error(t("report_bad", lang, n=report.n_errors + len(outside)))  # listed or only counted
if not problems.empty:
    # People read the location, how serious it is and the message; the code stays in the download.
    st.dataframe(upload_view.problems_for_reading(problems, lang), hide_index=True, width="stretch")
st.download_button(
    t("download_report", lang),
    ui.csv_bytes(problems.drop(columns=["message"])),
    file_name=f"report_{file.name}.csv",
    mime="text/csv",
    key="report_dl",
)
if not ok:
    st.stop()

# 4. preview and confirm --------------------------------------------------------------------
st.subheader(t("preview", lang))
preview = preview_any(kind, report, store)
counts = preview_counts(preview)
st.write(t("preview_counts", lang, new=counts["new"], corrected=counts["correction"], unchanged=counts["unchanged"]))
# The analysis texts (分析 column) go in with the batch, by the uploader: said before the confirm.
if report.n_analyses:
    st.caption(t("preview_analyses", lang, n=report.n_analyses))
shown = upload_view.preview_table(kind, preview, rules, lang)
st.dataframe(
    shown.rename(
        columns={
            "area": t("area", lang),
            "indicator": t("code", lang),
            "name": t("indicator", lang),
            "year": t("year", lang),
            "old": t("old", lang),
            "new": t("new", lang),
            "kind": t("change_kind", lang),
            "old_note": t("old_note", lang),
            "note": t("note", lang),
            "source_row": t("source_row", lang),
            "old_review": t("preview_old_review", lang),
        }
    ),
    hide_index=True,
    width="stretch",
)

# Review (issue 15): an area editor's values are a submission; rows that would change an approved
# value are refused for them, and need a reason from an approver (who re-opens them in one go).
reason = None
locked = 0 if is_tasks else int(upload_view.changes_approved(preview).sum())
if not is_tasks and authorization.review_state_of_upload(user) is ReviewState.SUBMITTED:
    st.info(t("upload_is_submission", lang), icon=":material/pending_actions:")
if locked:
    st.warning(t("upload_changes_approved", lang, n=locked), icon=":material/lock:")
    if authorization.can(user, "review"):
        reason = st.text_input(t("upload_reason", lang), key=f"upload_reason_{read_id[:16]}", max_chars=500)
        st.caption(t("upload_reason_help", lang))
    else:
        st.caption(t("upload_changes_approved_editor", lang))

done = st.session_state.get("_committed", {})
if read_id in done:
    st.success(t("committed", lang, batch=done[read_id]))
    st.stop()
if st.button(t("confirm", lang), type="primary", key="confirm_upload"):
    user = session.current_user()  # signed out or expired meanwhile? checked again below
    if locked and authorization.can(user, "review") and not (reason or "").strip():
        st.error(t("upload_reason_needed", lang))
        st.stop()
    try:
        batch = authorization.upload_any_as(user, store, kind, report, cat, reason=reason)
    except authorization.Refused as exc:
        st.error(t("upload_refused", lang))
        st.dataframe(
            upload_view.problems_for_reading(upload_view.problem_table(exc.problems, lang), lang),
            hide_index=True,
            width="stretch",
        )
        st.stop()
    except StoreError as exc:  # refused by the store; a database failure is the app's (streamlit_app.py)
        st.error(ui.md_escape(exc.problem.message(lang)))
        st.stop()
    done[read_id] = batch
    st.session_state["_committed"] = done
    st.cache_data.clear()
    st.success(t("committed", lang, batch=batch))
