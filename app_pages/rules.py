"""规则 Rules — what is loaded, every validation problem with file and line, each area's targets.

Everyone may read it; the one action (reload and re-check the YAML now) is for maintainers and
administrators, checked with ``authorization.require`` when it is pressed. YAML text is shown only
in tables and escaped captions, never as HTML.
"""

import streamlit as st

from dashboard.access import authorization
from dashboard.app import session
from dashboard.app import state as app_state
from dashboard.app import widgets as ui
from dashboard.messages import t
from dashboard.views import common as common_view
from dashboard.views import rules as rules_view

ctx = ui.context()
lang, rules = ctx.lang, ctx.rules
user = session.current_user()

st.title(t("page_rules", lang))
st.caption(ui.md_escape(t("rules_dir", lang, path=str(rules.root))))
st.caption(t("rules_fingerprint", lang, fp=rules.fingerprint or "—"))
if st.session_state.pop("_rules_reloaded", False):
    st.success(t("rules_reloaded", lang))
if authorization.can(user, "rules_actions"):
    if st.button(t("rules_reload", lang), key="rules_reload"):
        try:
            authorization.require(session.current_user(), "rules_actions", session.engine(), "rules reload")
        except authorization.Refused as exc:
            st.error(ui.md_escape(exc.problems[0].message(lang)))
            st.stop()
        app_state.services().rules_source.reload()
        app_state.clear_caches()
        st.session_state["_rules_reloaded"] = True
        st.rerun()
else:
    st.caption(t("rules_read_only", lang))

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("n_indicators", lang), len(rules.indicators))
m2.metric(t("n_areas", lang), len(rules.areas))
m3.metric(t("n_overrides", lang), sum(len(v) for v in rules.overrides.values()))
m4.metric(t("n_problems", lang), len(ctx.rules_state.problems))

st.subheader(t("problems", lang))
problems = rules_view.problems_frame(ctx.rules_state.problems, lang)
if ctx.rules_state.stale:
    st.warning(t("rules_stale", lang))
if problems.empty:
    st.success(t("no_problems", lang))
elif (problems["severity"] == "warning").all():  # doubtful entries only: the rules are in use
    st.warning(t("rules_have_warnings", lang, n=len(problems)))
else:
    st.error(t("rules_have_problems", lang, n=len(problems)))
    ui.table(
        problems.rename(
            columns={
                "file": t("file", lang),
                "line": t("line", lang),
                "code": t("problem_code", lang),
                "severity": t("severity", lang),
                "message": t("problem_message", lang),
            }
        ),
        lang,
    )

st.subheader(t("resolved_targets", lang))
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
area = ui.pick_area(ctx, c1)
only = c2.toggle(t("only_differences", lang), key="only_diff")
targets = rules_view.area_targets(rules, area, lang)
if only:
    targets = targets[targets["differs"]]
    if targets.empty:
        st.info(t("no_differences", lang))
targets = targets.assign(differs=common_view.yes_no(targets["differs"].astype(object), lang))
ui.table(
    common_view.display(
        targets,
        {
            "indicator": "code",
            "name": "indicator",
            "unit": "unit",
            "default_target": "default_target",
            "area_target": "area_target",
            "attribute": "attribute",
            "source": "source",
            "source_file": "file",
            "changes": "area_changes",
            "note": "note",
            "differs": "differs",
        },
        lang,
    ),
    lang,
)
