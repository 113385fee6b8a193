"""Sign-in glue for the Streamlit app: the session token, the current user, the sidebar box, refusals.

The only account state kept in ``st.session_state`` is the random session token (never a password, never
the user object): every run resolves it again with ``accounts.user_for_session``, so an expired
session, a disabled user or a changed role takes effect on the next click. Who may do what is
decided in ``authorization.py``; pages call :func:`require_page` at the top, which refuses on the
server — hiding a page from the menu is only a convenience.
"""

from __future__ import annotations

import streamlit as st

from ..access import accounts, authorization
from ..access.accounts import ANONYMOUS, User
from ..messages import colon, t
from . import state as app_state
from .widgets import md_escape

TOKEN_KEY = "_auth_token"
_ERROR_KEY = "_auth_error"
_NOTICE_KEY = "_auth_notice"


def engine():
    """The database engine of the app's store."""
    return app_state.get_store().engine


def current_user() -> User:
    """The signed-in user for this run, or ``ANONYMOUS`` (also when the session expired)."""
    token = st.session_state.get(TOKEN_KEY)
    if not token:
        return ANONYMOUS
    user = accounts.user_for_session(engine(), token)
    if user is None:
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[_NOTICE_KEY] = "session_expired"
        return ANONYMOUS
    return user


def is_anonymous(user: User) -> bool:
    return user is ANONYMOUS or user == ANONYMOUS


def _do_sign_in() -> None:
    """Form callback: check the password, keep only the token, forget the typed password."""
    name = str(st.session_state.get("signin_name", "") or "")
    password = str(st.session_state.get("signin_password", "") or "")
    st.session_state["signin_password"] = ""
    st.session_state.pop(_ERROR_KEY, None)
    st.session_state.pop(_NOTICE_KEY, None)
    try:
        _user, token = accounts.sign_in(engine(), name, password, app_state.services().config.session_hours)
    except accounts.AuthError as exc:
        st.session_state[_ERROR_KEY] = exc.problem
        return
    st.session_state[TOKEN_KEY] = token


def _do_sign_out(user_name: str) -> None:
    token = st.session_state.pop(TOKEN_KEY, None)
    accounts.sign_out(engine(), token, user_name)
    st.session_state[_NOTICE_KEY] = "signed_out"


def sign_in_form(lang: str, where=None) -> None:
    """Name and password (masked); problems are shown in both languages; the password is never echoed."""
    where = where or st.sidebar
    with where.form("sign_in_form", clear_on_submit=False, border=True):
        st.markdown(f"**{t('signin_title', lang)}**")
        st.text_input(t("signin_name", lang), key="signin_name", autocomplete="username")
        st.text_input(
            t("signin_password", lang), key="signin_password", type="password", autocomplete="current-password"
        )
        st.form_submit_button(t("signin_button", lang), key="signin_go", on_click=_do_sign_in, type="primary")
    err = st.session_state.pop(_ERROR_KEY, None)  # shown once
    if err:
        where.error(err.message(lang))  # the code stays in the audit trail, not in the reader's way
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        where.info(t(notice, lang))


def account_box(lang: str, where=None) -> User:
    """The sidebar box: who is signed in (with the demo marker) and sign-out, or the sign-in form."""
    where = where or st.sidebar
    user = current_user()
    if is_anonymous(user):
        if app_state.services().config.allow_anonymous:
            where.caption(t("signed_in_anonymous", lang))
        sign_in_form(lang, where)
        return user
    box = where.container(border=True)
    box.markdown(f"👤 **{t('signed_in_as', lang)}** {md_escape(user.name)}")
    sep = colon(lang)
    box.caption(
        f"{t('role', lang)}{sep}{user.role_label(lang)}"
        + (f" · {t('user_areas', lang)}{sep}{md_escape(', '.join(user.areas))}" if user.areas else "")
    )
    if user.is_demo:
        box.warning(t("demo_account", lang))
    box.button(t("signout_button", lang), key="signout_go", on_click=_do_sign_out, args=(user.name,))
    return user


def require_page(action: str, lang: str, target: str | None = None) -> User:
    """The top of a protected page: the current user if they may ``action``, else a clear
    refusal (audited by ``authorization.require``) and ``st.stop()``."""
    user = current_user()
    # Audited once per browser session, user and action (not again on every rerun of the page).
    audited = st.session_state.setdefault("_refusals_audited_pages", set())
    try:
        authorization.require(user, action, None if (user.name, action) in audited else engine(), target or action)
    except authorization.Refused as exc:
        audited.add((user.name, action))
        for p in exc.problems:
            st.error(p.message(lang), icon="⛔")
        if is_anonymous(user):
            st.info(t("signin_hint", lang))
        st.stop()
    return user


def rules_banner(ctx, user: User) -> None:
    """When the rules files do not load cleanly: maintainers and administrators see exactly what is
    wrong (file:line), everyone else only that the rules are being updated (the last rules that loaded
    cleanly stay in use, so the view does not shrink)."""
    state = ctx.rules_state
    errors = [p for p in state.problems if p.severity == "error"]
    if not errors:
        return
    if authorization.can(user, "rules_actions"):
        lines = "\n".join(f"- `{p.location(ctx.lang)}` {p.code}: {md_escape(p.message(ctx.lang))}" for p in errors[:8])
        more = t("rules_more_problems", ctx.lang, n=len(errors) - 8) if len(errors) > 8 else ""
        key = "rules_stale_maintainer" if state.stale else "rules_have_problems_maintainer"
        st.error(
            t(key, ctx.lang, n=len(errors)) + "\n\n" + lines + (f"\n\n{more}" if more else ""), icon=":material/rule:"
        )
    elif state.stale:
        st.info(t("rules_updating", ctx.lang), icon=":material/update:")
