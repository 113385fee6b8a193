"""Sign-in glue for the Streamlit app: the session token, the current user, the sidebar box, refusals.

The only account state kept in ``st.session_state`` is the random session token (never a password, never
the user object): every run resolves it again with ``accounts.user_for_session``, so an expired
session, a disabled user or a changed role takes effect on the next click. Who may do what is
decided in ``authorization.py``; pages call :func:`require_page` at the top, which refuses on the
server — hiding a page from the menu is only a convenience.

A sign-in survives a reload: the browser also keeps the token in a signed, expiring ``HttpOnly``
cookie (``access/session_cookie.py``), set through the app's own route (``session_routes.py``,
served by ``serve.py``): after a sign-in this module has the page post a one-time ticket there, and
after a sign-out it has the page clear the cookie. A new Streamlit session (a reload, a new tab)
reads the cookie its connection brought once, and checks its token like any other — a cookie that
was edited, is older than the session length, or whose session ended (signed out, expired, user
disabled) signs nobody in and is cleared. Deployments with an OpenID Connect provider may also sign
in through it (``oidc_signin.py``).
"""

from __future__ import annotations

import json

import streamlit as st

from ..access import accounts, authorization, session_cookie
from ..access.accounts import ANONYMOUS, User
from ..messages import colon, separator, t
from . import oidc_signin, session_routes
from . import state as app_state
from .widgets import md_escape

TOKEN_KEY = "_auth_token"
_ERROR_KEY = "_auth_error"
_NOTICE_KEY = "_auth_notice"
_COOKIE_READ_KEY = "_auth_cookie_read"
"""Set once the cookie this Streamlit session's connection brought has been looked at (or is stale:
after a sign-in or sign-out here, it no longer says anything)."""
_COOKIE_TODO_KEY = "_auth_cookie_todo"
"""What the browser's cookie needs: ``set`` after a sign-in, ``clear`` after a sign-out or a refusal."""


def engine():
    """The database engine of the app's store."""
    return app_state.get_store().engine


def _session_seconds() -> float:
    return app_state.services().config.session_hours * 3600


def _cookie_token() -> str | None:
    """The token in the session cookie the browser connected with (a reload, a new tab), checked
    for its signature and age — looked at once per Streamlit session."""
    if st.session_state.get(_COOKIE_READ_KEY):
        return None
    st.session_state[_COOKIE_READ_KEY] = True
    value = st.context.cookies.get(session_cookie.COOKIE_NAME)
    if not value:
        return None
    reading, token = session_cookie.read(value, session_routes.cookie_secret(), _session_seconds())
    if reading is not session_cookie.Reading.OK:
        # Edited, signed with another secret, or too old: refused, and the browser is told to drop it.
        st.session_state[_COOKIE_TODO_KEY] = "clear"
        st.session_state[_NOTICE_KEY] = "session_expired"
        return None
    return token


def current_user() -> User:
    """The signed-in user for this run, or ``ANONYMOUS`` (also when the session expired): the session
    token of this Streamlit session, else the one in the browser's cookie, else the account of the
    OpenID Connect identity signed in through ``st.login`` (when a provider is configured)."""
    token = st.session_state.get(TOKEN_KEY) or _cookie_token()
    if token:
        user = accounts.user_for_session(engine(), token)
        if user is not None:
            st.session_state[TOKEN_KEY] = token
            return user
        st.session_state.pop(TOKEN_KEY, None)
        st.session_state[_NOTICE_KEY] = "session_expired"
        st.session_state[_COOKIE_TODO_KEY] = "clear"
    return oidc_signin.current_user(engine()) or ANONYMOUS


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
        hours = app_state.services().config.session_hours
        # The browser's address: failures are throttled per client as well as per account (None on
        # localhost; AppTest gives a stand-in object, not an address).
        ip = st.context.ip_address
        _user, token = accounts.sign_in(engine(), name, password, hours, client=ip if isinstance(ip, str) else None)
    except accounts.AuthError as exc:
        st.session_state[_ERROR_KEY] = exc.problem
        return
    st.session_state[TOKEN_KEY] = token
    st.session_state[_COOKIE_READ_KEY] = True  # the cookie the page connected with is stale now
    st.session_state[_COOKIE_TODO_KEY] = "set"


def _do_sign_out(user: User) -> None:
    """End the session (the token is revoked on the server: a copy of the cookie is worthless) and
    have the browser drop its cookie; a provider sign-in is left through Streamlit (``st.logout``)."""
    token = st.session_state.pop(TOKEN_KEY, None)
    st.session_state[_COOKIE_READ_KEY] = True
    if token is None and oidc_signin.is_signed_in():
        oidc_signin.sign_out(engine(), user)
        return
    accounts.sign_out(engine(), token, user.name)
    st.session_state[_COOKIE_TODO_KEY] = "clear"
    st.session_state[_NOTICE_KEY] = "signed_out"


def _js(value: str) -> str:
    """A JavaScript string literal that cannot end the script element it stands in."""
    return json.dumps(value).replace("<", "\\u003c")


def sync_cookie(where) -> None:
    """Bring the browser's cookie in line with this session, once after a sign-in or a sign-out:
    a tiny script in the page asks the app's cookie route (``session_routes``) to set it, with a
    one-time ticket in a header, or to clear it. Nothing to do: nothing is drawn."""
    todo = st.session_state.pop(_COOKIE_TODO_KEY, None)
    token = st.session_state.get(TOKEN_KEY)
    if todo == "set" and token:
        ticket = session_cookie.TICKETS.issue(token, _session_seconds())
        request = (
            f"{{method: 'POST', headers: {{{_js(session_routes.TICKET_HEADER)}: {_js(ticket)}}}, "
            "credentials: 'same-origin', cache: 'no-store'}"
        )
    elif todo == "clear":
        request = "{method: 'DELETE', credentials: 'same-origin', cache: 'no-store'}"
    else:
        return
    where.html(f"<script>fetch({_js(session_routes.route_path())}, {request});</script>", unsafe_allow_javascript=True)


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
    oidc_signin.sign_in_buttons(lang, where)
    err = st.session_state.pop(_ERROR_KEY, None)  # shown once
    if err:
        where.error(md_escape(err.message(lang)))  # the code stays in the audit trail, not in the reader's way
    notice = st.session_state.pop(_NOTICE_KEY, None)
    if notice:
        where.info(t(notice, lang))
    oidc_signin.show_problem(lang, where)
    sync_cookie(where)


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
    # The areas by name, as people know them (the codes are what the account stores).
    rules = app_state.get_rules()
    areas = separator(lang).join(rules.area_name(a, lang) if a in rules.areas else a for a in user.areas)
    box.caption(
        f"{t('role', lang)}{sep}{user.role_label(lang)}"
        + (f" · {t('user_areas', lang)}{sep}{md_escape(areas)}" if user.areas else "")
    )
    if user.is_demo:
        box.warning(t("demo_account", lang))
    box.button(t("signout_button", lang), key="signout_go", on_click=_do_sign_out, args=(user,))
    sync_cookie(where)
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
            st.error(md_escape(p.message(lang)), icon="⛔")
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
