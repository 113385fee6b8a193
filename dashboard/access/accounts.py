"""用户与角色 Users, roles, sign-in and sessions — checked on the server, not by hiding buttons.

Passwords are stored only as argon2id hashes (argon2-cffi). Repeated failed sign-ins for a name
are slowed down exponentially; sessions are random tokens stored hashed, with an expiry. Every
sign-in, sign-out and user change is written to the audit trail (``audit.py``). The tables are
created with the rest of the schema when ``Store`` first opens the database; pass its ``engine``.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, insert, select, update

from ..messages import Code, Problem, t
from ..store import audit
from ..store.schema import sessions, throttle, users
from .roles import ROLES

DEFAULT_SESSION_HOURS = 8.0
FREE_ATTEMPTS = 3  # failures before each further attempt must wait
MAX_DELAY_SECONDS = 900  # never more than 15 minutes
DEMO_USER = "demo"
DEMO_PASSWORD = "demo-only-2030"  # documented in the README; only ever created by `demo`

_hasher = PasswordHasher()


class AuthError(Exception):
    """A refused sign-in or user change, carrying a bilingual Problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


@dataclass(frozen=True)
class User:
    """The signed-in person as the rest of the code sees it."""

    name: str
    role: str
    areas: tuple[str, ...] = ()
    is_demo: bool = False

    def role_label(self, lang: str = "zh") -> str:
        return role_label(self.role, lang)


ANONYMOUS = User(name="anonymous", role="viewer")


def role_label(role: str, lang: str = "zh") -> str:
    """查看者 / Viewer … for a role code."""
    return t(f"role_{role}", lang)


def _now() -> datetime:
    return datetime.now(UTC)


def _aware(value: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything is written in UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _write(engine):
    conn = engine.connect()
    conn.execution_options(write=True)
    return conn


def _problem(code: Code, **params: object) -> AuthError:
    return AuthError(Problem(code, params))


MIN_STRENGTH = 3
"""zxcvbn's score (0–4) a password needs: 3 is "safely unguessable" against an online attacker."""
# Words anyone would try first against this product: its own names and the public demo password.
_PRODUCT_WORDS = ["dashboard", "fuer", "funv", "ertong", "guihua", "jiance", "demo", "chongqing", "admin"]


def validate_password(password: str, name: str = "") -> None:
    """Refuse a password that is short, the public demo one, contains the user name, or is guessable.

    Guessability is zxcvbn's estimate (dictionary words, keyboard runs, repeats, dates, the user's
    own name); its English advice never reaches the user, our message says what to do instead.
    """
    from zxcvbn import zxcvbn  # a few frequency lists to load: only when a password is set

    password = password or ""
    if len(password) < 10:
        raise _problem(Code.WEAK_PASSWORD)
    if password == DEMO_PASSWORD:
        raise _problem(Code.WEAK_PASSWORD_DEMO)
    if len(name.strip()) >= 2 and name.strip().lower() in password.lower():
        raise _problem(Code.WEAK_PASSWORD_NAME)
    if zxcvbn(password[:100], user_inputs=[name, *_PRODUCT_WORDS])["score"] < MIN_STRENGTH:
        raise _problem(Code.WEAK_PASSWORD_GUESSABLE)


def add_user(
    engine,
    name: str,
    password: str,
    role: str,
    areas: list[str] | tuple[str, ...] = (),
    *,
    by: str = "cli",
    known_areas: set[str] | None = None,
    is_demo: bool = False,
) -> User:
    """Create a user. Area editors need at least one area; areas must exist when ``known_areas`` is given."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise _problem(Code.BAD_NAME)
    if role not in ROLES:
        raise _problem(Code.BAD_ROLE, role=role, roles=ROLES)
    areas = tuple(a.strip() for a in areas if a and a.strip())
    if role == "area_editor" and not areas:
        raise _problem(Code.NO_AREA)
    if known_areas is not None:
        unknown = [a for a in areas if a not in known_areas]
        if unknown:
            raise _problem(Code.UNKNOWN_AREA_ACCOUNT, areas=unknown)
    if not is_demo:
        validate_password(password, name)
    with _write(engine) as conn, conn.begin():
        if conn.execute(select(users.c.id).where(users.c.name == name)).first():
            raise _problem(Code.USER_EXISTS, name=name)
        conn.execute(
            insert(users).values(
                name=name,
                password_hash=_hasher.hash(password),
                role=role,
                areas=",".join(areas),
                is_demo=is_demo,
                disabled=False,
                created_at=_now(),
            )
        )
    audit.record(engine, by, "user_add", name, role=role, areas=list(areas), demo=is_demo)
    return User(name, role, areas, is_demo)


def set_password(engine, name: str, password: str, *, by: str) -> None:
    validate_password(password, name)
    with _write(engine) as conn, conn.begin():
        done = conn.execute(
            update(users).where(users.c.name == name).values(password_hash=_hasher.hash(password))
        ).rowcount
        conn.execute(delete(sessions).where(sessions.c.user_name == name))  # old sessions end
    if not done:
        raise _problem(Code.UNKNOWN_USER, name=name)
    audit.record(engine, by, "password_change", name)


def change_user(
    engine, name: str, *, by: str, role: str | None = None, areas: list[str] | None = None, disabled: bool | None = None
) -> None:
    values = {}
    if role is not None:
        if role not in ROLES:
            raise _problem(Code.BAD_ROLE, role=role, roles=ROLES)
        values["role"] = role
    if areas is not None:
        values["areas"] = ",".join(a for a in areas if a)
    if disabled is not None:
        values["disabled"] = disabled
    with _write(engine) as conn, conn.begin():
        done = conn.execute(update(users).where(users.c.name == name).values(**values)).rowcount
        if disabled:
            conn.execute(delete(sessions).where(sessions.c.user_name == name))
    if not done:
        raise _problem(Code.UNKNOWN_USER, name=name)
    audit.record(engine, by, "user_disable" if disabled else "user_change", name, **dict(values.items()))


def list_users(engine) -> pd.DataFrame:
    """Users without their hashes."""
    with engine.connect() as conn:
        rows = (
            conn.execute(
                select(
                    users.c.name, users.c.role, users.c.areas, users.c.is_demo, users.c.disabled, users.c.created_at
                ).order_by(users.c.name)
            )
            .mappings()
            .all()
        )
    return pd.DataFrame(rows, columns=["name", "role", "areas", "is_demo", "disabled", "created_at"])


def _delay_for(failures: int) -> float:
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_ATTEMPTS + 1)))


THROTTLE_LOCK = 20212
"""The PostgreSQL advisory lock that serialises sign-in attempts' bookkeeping (SQLite: BEGIN IMMEDIATE)."""


def _reserve_attempt(engine, key: str, now: datetime) -> int | None:
    """Count this attempt as a failure *before* the password is checked, or return the seconds to wait.

    Check and count are one serialised transaction: parallel guesses queue here, and once the free
    attempts are used up the next ones are refused without reaching the (slow) password check —
    checking first and counting after let sixteen parallel guesses all through.
    """
    with _write(engine) as conn, conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({THROTTLE_LOCK})")
        t = conn.execute(select(throttle).where(throttle.c.name == key)).mappings().first()
        if t and t["next_allowed_at"] and _aware(t["next_allowed_at"]) > now:
            return int((_aware(t["next_allowed_at"]) - now).total_seconds()) + 1
        failures = (t["failures"] if t else 0) + 1
        nxt = now + timedelta(seconds=_delay_for(failures))
        if t:
            conn.execute(update(throttle).where(throttle.c.name == key).values(failures=failures, next_allowed_at=nxt))
        else:
            conn.execute(insert(throttle).values(name=key, failures=failures, next_allowed_at=nxt))
    return None


def sign_in(engine, name: str, password: str, session_hours: float = DEFAULT_SESSION_HOURS) -> tuple[User, str]:
    """Check a password; return the user and a new session token, or raise ``AuthError``.

    After ``FREE_ATTEMPTS`` failures for a name, each further attempt must wait 2, 4, 8 … seconds
    (at most 15 minutes) — refused attempts in that window are not even checked, parallel ones
    included (:func:`_reserve_attempt`).
    """
    name = (name or "").strip()
    key = name.lower()
    now = _now()
    wait = _reserve_attempt(engine, key, now)
    if wait is not None:
        audit.record(engine, name, "sign_in_throttled", name, wait_seconds=wait)
        raise _problem(Code.TOO_MANY_ATTEMPTS, wait=wait)
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    ok = False
    if row is not None and not row["disabled"]:
        try:
            ok = _hasher.verify(row["password_hash"], password or "")
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            ok = False
    else:
        _hasher.hash("timing-equaliser")  # an unknown name costs as much as a wrong password
    if ok:  # the attempt was counted as a failure in advance: a right password clears the count
        with _write(engine) as conn, conn.begin():
            conn.execute(delete(throttle).where(throttle.c.name == key))
    if not ok:
        audit.record(engine, name, "sign_in_failed", name)
        raise _problem(Code.BAD_CREDENTIALS)
    token = secrets.token_urlsafe(32)
    with _write(engine) as conn, conn.begin():
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        conn.execute(
            insert(sessions).values(
                token_hash=_token_hash(token), user_name=name, expires_at=now + timedelta(hours=session_hours)
            )
        )
    audit.record(engine, name, "sign_in", name)
    return _user(row), token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row) -> User:
    areas = tuple(a for a in (row["areas"] or "").split(",") if a)
    return User(row["name"], row["role"], areas, bool(row["is_demo"]))


def user_for_session(engine, token: str | None) -> User | None:
    """The user of a live session token, or None when it is unknown, expired or the user disabled."""
    if not token:
        return None
    with engine.connect() as conn:
        s = conn.execute(select(sessions).where(sessions.c.token_hash == _token_hash(token))).mappings().first()
        if s is None or _aware(s["expires_at"]) <= _now():
            return None
        row = conn.execute(select(users).where(users.c.name == s["user_name"])).mappings().first()
    if row is None or row["disabled"]:
        return None
    return _user(row)


def sign_out(engine, token: str | None, user: str) -> None:
    if token:
        with _write(engine) as conn, conn.begin():
            conn.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))
    audit.record(engine, user, "sign_out", user)


def disable_demo_accounts(engine, by: str) -> list[str]:
    """Disable every enabled demo account (the app is about to be served beyond this computer).

    The demo account's password is printed in the README: it may only ever open a local copy.
    Returns the names disabled (each change audited like any other).
    """
    with engine.connect() as conn:
        names = [
            str(row.name)
            for row in conn.execute(select(users.c.name).where(users.c.is_demo.is_(True), users.c.disabled.is_(False)))
        ]
    for name in names:
        change_user(engine, name, disabled=True, by=by)
    return names


def ensure_demo_account(engine) -> bool:
    """Create the documented local demo account (admin, marked as demo) if no user exists yet."""
    with engine.connect() as conn:
        if conn.execute(select(users.c.id).limit(1)).first():
            return False
    add_user(engine, DEMO_USER, DEMO_PASSWORD, "admin", by="demo", is_demo=True)
    return True
