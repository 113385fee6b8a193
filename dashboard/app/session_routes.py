"""The app's own HTTP route for the session cookie: ``POST`` sets it, ``DELETE`` clears it.

A Streamlit script talks to the browser over a WebSocket and cannot set a cookie; Streamlit 1.67's
``st.App`` (``serve.py``) serves extra Starlette routes beside the app, and only an HTTP response can
set an ``HttpOnly`` cookie. After a sign-in, ``session.py`` has the page post a one-time ticket here
(in a header, never in the URL); the answer carries the signed session token as the cookie
``dashboard_session`` (``HttpOnly``, ``SameSite=Strict``, ``Secure`` when served over HTTPS,
``Max-Age`` = the session length). Signing out has the page send ``DELETE``, which expires it.
Neither reads the database: the session itself is created and ended by ``accounts`` in the script,
and every use of the cookie is checked against the ``sessions`` table there.

Another site cannot use this route: a custom header makes a cross-site request need CORS approval,
which is never given, and the ticket is known only to the page that signed in.
"""

from __future__ import annotations

import streamlit as st
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..access.session_cookie import COOKIE_NAME, TICKETS, sign

ROUTE = "api/session"
TICKET_HEADER = "X-Dashboard-Ticket"


def base_path() -> str:
    """``/`` or ``/BASE/`` when Streamlit is served under ``server.baseUrlPath``."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def route_path() -> str:
    """The route's path, as the browser asks for it."""
    return base_path() + ROUTE


def cookie_secret() -> str:
    """The key cookies are signed with: Streamlit's ``server.cookieSecret`` (random for each start
    unless configured; set it so that sessions outlive a restart of the server)."""
    return str(st.get_option("server.cookieSecret"))


def _answer() -> Response:
    return Response(status_code=204, headers={"Cache-Control": "no-store"})


async def _set_cookie(request: Request) -> Response:
    handoff = TICKETS.redeem(request.headers.get(TICKET_HEADER))
    if handoff is None:
        return Response(status_code=403, headers={"Cache-Control": "no-store"})
    response = _answer()
    response.set_cookie(
        COOKIE_NAME,
        sign(handoff.token, cookie_secret()),
        max_age=handoff.max_age_seconds,
        path=base_path(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return response


async def _clear_cookie(request: Request) -> Response:
    response = _answer()
    response.delete_cookie(
        COOKIE_NAME, path=base_path(), httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response


async def _session(request: Request) -> Response:
    return await (_set_cookie(request) if request.method == "POST" else _clear_cookie(request))


def routes() -> list[Route]:
    """The route to hand to ``st.App``."""
    return [Route(route_path(), _session, methods=["POST", "DELETE"])]
