"""用户 Users — list, add (role, areas, password twice), disable/enable, change role, reset a password.

Administrators only: the page refuses everyone else on the server (``session.require_page``), and
every change goes through ``dashboard.accounts`` with ``by=`` the signed-in administrator, which
writes the audit trail. Passwords are never shown; user names are shown only in tables and widgets.
"""

import streamlit as st

from dashboard.access import accounts
from dashboard.app import session
from dashboard.app import widgets as ui
from dashboard.messages import Code, Problem, t
from dashboard.views import common as common_view

ctx = ui.context()
lang, rules, store = ctx.lang, ctx.rules, ctx.store

st.title(t("page_users", lang))
admin = session.require_page("manage_users", lang, "users page")
st.caption(t("users_intro", lang))
engine = store.engine

flash = st.session_state.pop("_users_msg", None)
if flash:
    st.success(ui.md_escape(flash))


def role_label(role: str) -> str:
    return accounts.role_label(role, lang)


def show_problem(exc: accounts.AuthError) -> None:
    p = exc.problem
    st.error(ui.md_escape(p.message(lang)))


def done(message: str) -> None:
    st.session_state["_users_msg"] = message
    st.rerun()


area_codes = common_view.area_options(rules)


def area_name(code: str) -> str:
    return rules.area_name(code, lang) if code in rules.areas else code


# 1. the list --------------------------------------------------------------------------------
st.subheader(t("users_list", lang))
users = accounts.list_users(engine)
if users.empty:
    st.info(t("no_users", lang))
else:
    shown = users.copy()
    shown["role"] = [role_label(r) for r in shown["role"]]
    shown["areas"] = ["、".join(area_name(a) for a in str(x).split(",") if a) for x in shown["areas"].fillna("")]
    ui.table(
        shown.rename(
            columns={
                "name": t("user_name", lang),
                "role": t("user_role", lang),
                "areas": t("user_areas", lang),
                "is_demo": t("user_demo", lang),
                "disabled": t("user_disabled", lang),
                "created_at": t("user_created", lang),
            }
        ),
        lang,
    )

# 2. add -------------------------------------------------------------------------------------
st.subheader(t("user_add", lang))
with st.form("user_add_form", clear_on_submit=True):
    c1, c2 = st.columns(2)
    new_name = c1.text_input(t("user_name", lang), key="new_user_name")
    new_role = c2.selectbox(
        t("user_role", lang),
        accounts.ROLES,
        key="new_user_role",
        placeholder=t("choose_one", lang),
        format_func=role_label,
    )
    new_areas = st.multiselect(
        t("user_areas", lang),
        area_codes,
        key="new_user_areas",
        placeholder=t("choose_many", lang),
        format_func=area_name,
    )
    c3, c4 = st.columns(2)
    new_pw = c3.text_input(t("password_new", lang), type="password", key="new_user_pw", autocomplete="new-password")
    new_pw2 = c4.text_input(t("password_again", lang), type="password", key="new_user_pw2", autocomplete="new-password")
    add = st.form_submit_button(t("user_add", lang), key="new_user_go", type="primary")
if add:
    if new_pw != new_pw2:
        st.error(t("passwords_differ", lang))
    else:
        try:
            created = accounts.add_user(
                engine, new_name, new_pw, new_role, list(new_areas), by=admin.name, known_areas=set(rules.areas)
            )
        except accounts.AuthError as exc:
            show_problem(exc)
        else:
            done(t("user_added", lang, name=created.name))

names = users["name"].tolist() if not users.empty else []
if not names:
    st.stop()

# 3. disable / enable, role and areas -------------------------------------------------------
st.subheader(t("user_disable_enable", lang))
c1, c2 = st.columns([2, 1], vertical_alignment="bottom")
who = c1.selectbox(t("user_pick", lang), names, key="manage_user", placeholder=t("choose_one", lang))
row = users[users["name"] == who].iloc[0]
if bool(row["disabled"]):
    if c2.button(t("user_enable", lang), key="user_enable_go"):
        try:
            accounts.change_user(engine, who, disabled=False, by=admin.name)
        except accounts.AuthError as exc:
            show_problem(exc)
        else:
            done(t("user_enabled_done", lang, name=who))
elif c2.button(t("user_disable", lang), key="user_disable_go"):
    if who == admin.name:
        st.error(t("user_not_self", lang))
    else:
        try:
            accounts.change_user(engine, who, disabled=True, by=admin.name)
        except accounts.AuthError as exc:
            show_problem(exc)
        else:
            done(t("user_disabled_done", lang, name=who))

# An account locked by failed sign-ins (from several clients) can be unlocked here (audited).
wait = accounts.lock_wait(engine, who)
if wait is not None:
    st.warning(ui.md_escape(t("user_locked", lang, name=who, wait=wait)))
    if st.button(t("user_unlock", lang), key="user_unlock_go"):
        try:
            accounts.unlock(engine, who, by=admin.name)
        except accounts.AuthError as exc:
            show_problem(exc)
        else:
            done(t("user_unlocked_done", lang, name=who))

with st.expander(t("user_change_role", lang)):
    with st.form("user_change_form"):
        current_areas = [a for a in str(row["areas"] or "").split(",") if a in area_codes]
        role = st.selectbox(
            t("user_role", lang),
            accounts.ROLES,
            index=accounts.ROLES.index(row["role"]) if row["role"] in accounts.ROLES else 0,
            format_func=role_label,
            key=f"chg_role_{who}",
            placeholder=t("choose_one", lang),
        )
        areas = st.multiselect(
            t("user_areas", lang),
            area_codes,
            default=current_areas,
            format_func=area_name,
            key=f"chg_areas_{who}",
            placeholder=t("choose_many", lang),
        )
        change = st.form_submit_button(t("user_change_go", lang), key="user_change_go")
    if change:
        if role == "area_editor" and not areas:
            st.error(Problem(Code.NO_AREA).message(lang))
        else:
            try:
                accounts.change_user(engine, who, role=role, areas=list(areas), by=admin.name)
            except accounts.AuthError as exc:
                show_problem(exc)
            else:
                done(t("user_changed", lang, name=who))

# 4. reset a password ------------------------------------------------------------------------
st.subheader(t("password_reset", lang))
with st.form("password_reset_form", clear_on_submit=True):
    target = st.selectbox(t("user_pick", lang), names, key="reset_user", placeholder=t("choose_one", lang))
    c1, c2 = st.columns(2)
    pw = c1.text_input(t("password_new", lang), type="password", key="reset_pw", autocomplete="new-password")
    pw2 = c2.text_input(t("password_again", lang), type="password", key="reset_pw2", autocomplete="new-password")
    reset = st.form_submit_button(t("password_reset_go", lang), key="reset_go")
if reset:
    if pw != pw2:
        st.error(t("passwords_differ", lang))
    else:
        try:
            accounts.set_password(engine, target, pw, by=admin.name)
        except accounts.AuthError as exc:
            show_problem(exc)
        else:
            done(t("password_reset_done", lang, name=target))
