"""会话 Cookie The browser's session cookie: a signed, expiring value that carries a server-side session
token, and the one-time tickets through which the app has the browser fetch it.

A Streamlit script cannot answer an HTTP request, so it cannot set a cookie itself. After a sign-in
the script asks for a *ticket* (:meth:`Tickets.issue`: random, single use, valid for
``TICKET_SECONDS``) and has the browser post it to the app's own route (``dashboard/app/
session_routes.py``), which redeems it and answers with the cookie — ``HttpOnly``, so no script in
the page can read it. On a reload the cookie comes back with the page's connection and
:func:`read` gives back the token, which is then checked against the ``sessions`` table like any
other (expiry, sign-out, a disabled user: ``accounts.user_for_session``). The cookie never holds
anything but the token and its signature, and the token is never in a URL.

The signature (itsdangerous's ``TimestampSigner``, HMAC-SHA1 over the value and the time it was
signed, keyed by the server's cookie secret) refuses an edited cookie before the database is asked,
and its time refuses a cookie older than the session length even if a browser kept it longer.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

COOKIE_NAME = "dashboard_session"
SALT = "dashboard.session-cookie"
"""Keys this cookie's signatures apart from anything else signed with the same secret."""
TICKET_SECONDS = 60.0
"""How long a ticket may wait for the browser's request (it is sent the moment the page shows)."""
MAX_TICKETS = 10_000
"""Unredeemed tickets kept at most (each is a sign-in; the oldest go first)."""


class Reading(Enum):
    """What a cookie turned out to be."""

    OK = "ok"
    EXPIRED = "expired"  # signed by us, but older than the session length
    INVALID = "invalid"  # not signed by us (edited, made up, or signed with another secret)


def sign(token: str, secret: str) -> str:
    """The cookie value for session ``token``: the token, the time and their signature."""
    return TimestampSigner(secret, salt=SALT).sign(token).decode("ascii")


def read(value: str | None, secret: str, max_age_seconds: float) -> tuple[Reading, str | None]:
    """The session token in a cookie value, checked: ``(Reading.OK, token)``, else a reading and None."""
    if not value:
        return Reading.INVALID, None
    signer = TimestampSigner(secret, salt=SALT)
    try:
        token = signer.unsign(value, max_age=max(1, int(max_age_seconds)))
    except SignatureExpired:
        return Reading.EXPIRED, None
    except (BadSignature, UnicodeError):
        return Reading.INVALID, None
    return Reading.OK, token.decode("ascii", errors="replace")


@dataclass(frozen=True)
class Handoff:
    """What a redeemed ticket gives the route: the token to put in the cookie and its lifetime."""

    token: str
    max_age_seconds: int


class Tickets:
    """One-time tickets for the cookie route, kept in this process (the app runs in one process;
    a ticket lost to a restart only means that the next reload asks to sign in again).

    Tickets are stored as their SHA-256 hashes: the table never holds a ticket that could be replayed.
    """

    def __init__(self, seconds: float = TICKET_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._seconds, self._clock = seconds, clock
        self._lock = threading.Lock()
        self._open: dict[str, tuple[float, Handoff]] = {}

    @staticmethod
    def _key(ticket: str) -> str:
        return hashlib.sha256(ticket.encode("utf-8", errors="replace")).hexdigest()

    def issue(self, token: str, max_age_seconds: float) -> str:
        """A new ticket for session ``token`` (the cookie will live ``max_age_seconds``)."""
        ticket = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._open = {k: v for k, v in self._open.items() if v[0] > now}
            while len(self._open) >= MAX_TICKETS:
                self._open.pop(next(iter(self._open)))
            self._open[self._key(ticket)] = (now + self._seconds, Handoff(token, max(1, int(max_age_seconds))))
        return ticket

    def redeem(self, ticket: str | None) -> Handoff | None:
        """The handoff of a live ticket, once; None for an unknown, used or expired one."""
        if not ticket:
            return None
        with self._lock:
            entry = self._open.pop(self._key(ticket), None)
        if entry is None or entry[0] <= self._clock():
            return None
        return entry[1]


TICKETS = Tickets()
"""The process's tickets: issued by the app's scripts, redeemed by its cookie route."""
