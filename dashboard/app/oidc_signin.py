"""Sign-in through an OpenID Connect provider (Streamlit's ``st.login``), for deployments that have one.

Configured in ``.streamlit/secrets.toml``, section ``[auth]``, in Streamlit's own format (README,
"Signing in through an OpenID Connect provider"); with no such section nothing here shows and
nothing changes. Streamlit does the protocol (authorization code with PKCE, the ``/oauth2callback``
route, its own signed ``HttpOnly`` identity cookie) and fills ``st.user``; this module maps that
identity onto an account and its role with ``access.oidc`` on every run, so that unlinking the
identity, disabling the account or changing its role applies at once. An identity with no account
gets no role and is told whom to ask. Provider sign-ins last at most ``DASHBOARD_SESSION_HOURS``
like password sessions: an older one (by the identity token's ``iat``) must sign in again.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import streamlit as st
from streamlit.errors import StreamlitAuthError

from ..access import oidc
from ..access.accounts import User
from ..messages import Code, Problem, t
from . import state as app_state

_PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
_AUDITED_KEY = "_oidc_audited"
PROBLEM_KEY = "_oidc_problem"
"""The reason the provider's identity gave no account, shown in the sidebar for this run."""


def providers() -> list[str]:
    """The providers configured completely in ``[auth]``: ``default`` for the keys at its top level,
    then each ``[auth.NAME]`` section. Empty when there are no secrets or no ``[auth]``."""
    if not st.secrets.load_if_toml_exists():
        return []
    auth = st.secrets.get("auth")
    if not isinstance(auth, Mapping) or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return []
    found = ["default"] if all(auth.get(k) for k in _PROVIDER_KEYS) else []
    # Streamlit refuses a provider name with an underscore (st.login's documentation).
    found += [
        name
        for name, section in auth.items()
        if isinstance(section, Mapping) and "_" not in name and all(section.get(k) for k in _PROVIDER_KEYS)
    ]
    return found


def provider_label(provider: str, lang: str) -> str:
    """The name a sign-in button shows for ``provider``."""
    return t("oidc_default_provider", lang) if provider == "default" else provider


def signed_in_claims() -> dict[str, object] | None:
    """What the provider said about the person signed in through it (``st.user``), or None."""
    if not providers() or not st.user.is_logged_in:
        return None
    return dict(st.user.to_dict())


def _expired(claims: Mapping[str, object]) -> bool:
    issued = claims.get("iat")
    if not isinstance(issued, int | float):
        return False
    return time.time() - float(issued) > app_state.services().config.session_hours * 3600


def current_user(engine) -> User | None:
    """The account of the provider identity signed in now, or None (also when it has none: then
    :data:`PROBLEM_KEY` says why). The outcome is audited once per identity and browser session."""
    st.session_state.pop(PROBLEM_KEY, None)
    claims = signed_in_claims()
    if claims is None:
        return None
    if _expired(claims):
        st.session_state[PROBLEM_KEY] = "session_expired"
        return None
    resolution = oidc.resolve(engine, claims)
    provider = str(claims.get("provider") or "default")
    audited = st.session_state.setdefault(_AUDITED_KEY, set())
    if resolution.identity not in audited:
        audited.add(resolution.identity)
        oidc.audit_sign_in(engine, resolution, provider)
    if resolution.user is None:
        st.session_state[PROBLEM_KEY] = resolution.problem
        return None
    return resolution.user


def is_signed_in() -> bool:
    """Whether a provider identity is signed in (with or without an account)."""
    return signed_in_claims() is not None


def sign_out(engine, user: User | None) -> None:
    """Leave the provider sign-in (Streamlit clears its cookie and ends the provider's session if
    the provider offers that); audited when it was an account."""
    claims = signed_in_claims() or {}
    if user is not None:
        oidc.audit_sign_out(engine, user, str(claims.get("provider") or "default"))
    st.session_state.pop(_AUDITED_KEY, None)
    st.logout()


def _login(provider: str) -> None:
    try:
        st.login(provider)
    except StreamlitAuthError:
        # Streamlit's own words name its configuration keys in English: ours say what to do.
        st.session_state[PROBLEM_KEY] = Problem(Code.OIDC_MISCONFIGURED, {"provider": provider})


def sign_in_buttons(lang: str, where) -> None:
    """One button per configured provider (nothing when none is)."""
    for provider in providers():
        where.button(
            t("signin_oidc", lang, provider=provider_label(provider, lang)),
            key=f"oidc_signin_{provider}",
            on_click=_login,
            args=(provider,),
            icon=":material/badge:",
        )


def show_problem(lang: str, where) -> None:
    """Why the provider's identity signed nobody in, with a way to leave it (another identity)."""
    problem = st.session_state.get(PROBLEM_KEY)
    if problem is None:
        return
    if problem == "session_expired":
        where.info(t("session_expired", lang))
    else:
        # The identity is the provider's verified address and the text a command to copy: shown as it
        # is (escaping would put invisible characters into the command).
        where.error(problem.message(lang), icon=":material/badge:")
    if is_signed_in():
        where.button(t("oidc_signout", lang), key="oidc_signout_go", on_click=st.logout)
