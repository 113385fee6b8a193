"""用户与角色 Users, roles, sign-in and sessions — checked on the server, not by hiding buttons.

Passwords are stored only as argon2id hashes (argon2-cffi). Failed sign-ins are throttled by client
and by account (:func:`sign_in`; the policy is in ``docs/security.md``); an administrator can lift
an account's lock-out (:func:`unlock`). Sessions are random tokens stored hashed, with an expiry.
Every sign-in, sign-out and user change is written to the audit trail (``audit.py``), in the same
transaction as the change. The tables are created with the rest of the schema when ``Store``
first opens the database; pass its ``engine``.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
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
CLIENT_FREE_ATTEMPTS = 3
"""Failed sign-ins from one client (any names) before each further attempt from it must wait."""
ACCOUNT_FREE_ATTEMPTS = 10
"""Failed sign-ins for one name before each further attempt for it, from any client, must wait.
More than a client's: one client alone cannot lock an account (see :func:`_reserve_attempt`)."""
MAX_DELAY_SECONDS = 900  # never more than 15 minutes
FORGET_SECONDS = 900
"""A key's failures are forgotten once its wait has passed and this long went by without a failure:
the wait doubles only while failures continue."""
UNKNOWN_CLIENT = "unknown"
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
    id: int | None = None
    """The account's ``users.id`` — what batch ownership is judged by; None for anyone without an
    account (anonymous, the command line's operator)."""

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
    origin: Mapping[str, object] | None = None,
) -> User:
    """Create a user. Area editors need at least one area; areas must exist when ``known_areas`` is given.

    ``by`` is who makes the change; ``origin`` adds to its audit line (the command line's ``via`` and
    ``os_user``), as in every function here that changes an account.
    """
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
    hashed = _hasher.hash(password)
    details = {"role": role, "areas": list(areas), "demo": is_demo, **(origin or {})}
    with _write(engine) as conn, conn.begin():
        if conn.execute(select(users.c.id).where(users.c.name == name)).first():
            raise _problem(Code.USER_EXISTS, name=name)
        inserted = conn.execute(
            insert(users).values(
                name=name,
                password_hash=hashed,
                role=role,
                areas=",".join(areas),
                is_demo=is_demo,
                disabled=False,
                created_at=_now(),
            )
        ).inserted_primary_key
        audit.write(conn, audit.Line(by, "user_add", name, details))
    return User(name, role, areas, is_demo, int(inserted[0]) if inserted else None)


def set_password(engine, name: str, password: str, *, by: str, origin: Mapping[str, object] | None = None) -> None:
    """Give ``name`` a new password (held to :func:`validate_password`); their sessions end."""
    validate_password(password, name)
    hashed = _hasher.hash(password)
    with _write(engine) as conn, conn.begin():
        done = conn.execute(update(users).where(users.c.name == name).values(password_hash=hashed)).rowcount
        if not done:
            raise _problem(Code.UNKNOWN_USER, name=name)
        conn.execute(delete(sessions).where(sessions.c.user_name == name))  # old sessions end
        audit.write(conn, audit.Line(by, "password_change", name, dict(origin or {})))


def change_user(
    engine,
    name: str,
    *,
    by: str,
    role: str | None = None,
    areas: list[str] | None = None,
    disabled: bool | None = None,
    origin: Mapping[str, object] | None = None,
) -> None:
    """Change a user's role, areas or disabled flag (a disabled user's sessions end)."""
    values: dict[str, object] = {}
    if role is not None:
        if role not in ROLES:
            raise _problem(Code.BAD_ROLE, role=role, roles=ROLES)
        values["role"] = role
    if areas is not None:
        values["areas"] = ",".join(a for a in areas if a)
    if disabled is not None:
        values["disabled"] = disabled
    action = "user_disable" if disabled else "user_change"
    with _write(engine) as conn, conn.begin():
        done = conn.execute(update(users).where(users.c.name == name).values(**values)).rowcount
        if not done:
            raise _problem(Code.UNKNOWN_USER, name=name)
        if disabled:
            conn.execute(delete(sessions).where(sessions.c.user_name == name))
        audit.write(conn, audit.Line(by, action, name, {**values, **(origin or {})}))


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


def _delay_for(failures: int, free: int) -> float:
    """The wait after ``failures`` failures of a key that has ``free`` attempts: 0, then 2, 4, 8 … s."""
    if failures < free:
        return 0.0
    return float(min(MAX_DELAY_SECONDS, 2 ** (failures - free + 1)))


THROTTLE_LOCK = 20212
"""The PostgreSQL advisory lock that serialises sign-in attempts' bookkeeping (SQLite: BEGIN IMMEDIATE)."""
_KEY_LENGTH = 100  # sign_in_throttle.name
_AUDIT_NAME = 200  # audit_log.user and .target


def _key(kind: str, text: str) -> str:
    """A throttle key: ``a:`` + a typed name or ``c:`` + a client, lower-cased — the prefix keeps a
    name someone types from ever being a client's key; a text too long for the column is hashed."""
    text = text.strip().lower()
    key = f"{kind}:{text}"
    return key if len(key) <= _KEY_LENGTH else f"{kind}:#{hashlib.sha256(text.encode()).hexdigest()}"


def account_key(name: str) -> str:
    """The throttle key of a typed account name."""
    return _key("a", name)


def client_key(client: str | None) -> str:
    """The throttle key of a client (an address in the app, ``user@host`` on the command line)."""
    return _key("c", client or UNKNOWN_CLIENT)


@dataclass(frozen=True)
class _Count:
    """A throttle key's state: failures in a row and when the next attempt is allowed."""

    failures: int = 0
    next_allowed_at: datetime | None = None

    def wait(self, now: datetime) -> int | None:
        if self.next_allowed_at is not None and self.next_allowed_at > now:
            return int((self.next_allowed_at - now).total_seconds()) + 1
        return None


def _counts(conn, keys: list[str], now: datetime) -> dict[str, _Count]:
    """The live state of ``keys``; a key whose wait passed ``FORGET_SECONDS`` ago starts again at 0."""
    found = {
        r["name"]: _Count(r["failures"], _aware(r["next_allowed_at"]))
        for r in conn.execute(select(throttle).where(throttle.c.name.in_(keys))).mappings()
    }
    out = {}
    for key in keys:
        count = found.get(key, _Count())
        last = count.next_allowed_at
        out[key] = _Count() if last is None or now >= last + timedelta(seconds=FORGET_SECONDS) else count
    return out


def _store_count(conn, key: str, count: _Count) -> None:
    if count.failures <= 0:
        conn.execute(delete(throttle).where(throttle.c.name == key))
        return
    values = {"failures": count.failures, "next_allowed_at": count.next_allowed_at}
    if conn.execute(update(throttle).where(throttle.c.name == key).values(**values)).rowcount == 0:
        conn.execute(insert(throttle).values(name=key, **values))


def _lock_throttle(conn) -> None:
    """Serialise the throttle's read-count-write with every other attempt, before the first read."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({THROTTLE_LOCK})")
        return
    # SQLite: the store's engine begins writes IMMEDIATE, but an engine of its own (a script's, a
    # test's) begins deferred, and two deferred readers would both count from the same old value. A
    # write statement first takes the write lock on any engine — it need not change a row.
    conn.execute(update(throttle).where(throttle.c.name == "").values(failures=throttle.c.failures))


@dataclass(frozen=True)
class _Refusal:
    wait: int
    account: bool  # the account's key is the one that waits longest (else the client's)


def _reserve_attempt(engine, account: str, client: str) -> _Refusal | None:
    """Count this attempt as a failure of its client and account *before* the password is checked,
    or refuse it (nothing counted) while either key must wait.

    Check and count are one serialised transaction: parallel guesses queue here, and once the free
    attempts are used up the next ones are refused without reaching the (slow) password check —
    checking first and counting after let sixteen parallel guesses all through.

    The account counts a client's failures only while that client is within its own free attempts:
    past them the client waits on its own key, and its further failures no longer add to the
    account's — so one client, whatever it does, can never lock the account for everyone else
    (``CLIENT_FREE_ATTEMPTS`` < ``ACCOUNT_FREE_ATTEMPTS``).
    """
    with _write(engine) as conn, conn.begin():
        _lock_throttle(conn)
        # The time is read once the lock is held: an attempt that queued would otherwise take the
        # time another attempt recorded meanwhile for a wait still to come.
        now = _now()
        counts = _counts(conn, [account, client], now)
        waits = {key: counts[key].wait(now) for key in (account, client)}
        if any(w is not None for w in waits.values()):
            longest = max(waits, key=lambda k: waits[k] or 0)
            return _Refusal(int(waits[longest] or 0), longest == account)
        by_client = counts[client].failures
        failures = by_client + 1
        _store_count(
            conn, client, _Count(failures, now + timedelta(seconds=_delay_for(failures, CLIENT_FREE_ATTEMPTS)))
        )
        if by_client < CLIENT_FREE_ATTEMPTS:
            failures = counts[account].failures + 1
            delay = _delay_for(failures, ACCOUNT_FREE_ATTEMPTS)
            _store_count(conn, account, _Count(failures, now + timedelta(seconds=delay)))
    return None


def _succeeded(conn, account: str, client: str) -> None:
    """In the transaction of a successful sign-in: the account's count is cleared, and the failure
    counted in advance for the client is taken back. (The client's earlier failures stay until they
    are forgotten: otherwise a person with an account of their own could sign in between guesses at
    someone else's to keep their client's free attempts.)"""
    _lock_throttle(conn)
    now = _now()
    conn.execute(delete(throttle).where(throttle.c.name == account))
    count = _counts(conn, [client], now)[client]
    nxt = count.next_allowed_at
    # The wait this attempt set in advance goes with it (the earlier ones had passed, or the attempt
    # would have been refused).
    _store_count(conn, client, _Count(count.failures - 1, min(nxt, now) if nxt is not None else None))


def _check_password(
    engine, name: str, password: str, client: str | None, origin: Mapping[str, object] | None
) -> tuple[dict, str, str]:
    """The throttle, then the password: the user's row and the two throttle keys, or ``AuthError``
    (throttled or wrong, audited)."""
    name = (name or "").strip()
    client = client or UNKNOWN_CLIENT
    account, client_k = account_key(name), client_key(client)
    details = {"client": client, **(origin or {})}
    logged = name[:_AUDIT_NAME]  # whatever was typed, as much as the audit trail's columns hold
    refused = _reserve_attempt(engine, account, client_k)
    if refused is not None:
        audit.record(engine, logged, "sign_in_throttled", logged, wait_seconds=refused.wait, **details)
        raise _problem(Code.TOO_MANY_ATTEMPTS_ACCOUNT if refused.account else Code.TOO_MANY_ATTEMPTS, wait=refused.wait)
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
    if not ok or row is None:
        audit.record(engine, logged, "sign_in_failed", logged, **details)
        raise _problem(Code.BAD_CREDENTIALS)
    return dict(row), account, client_k


def sign_in(
    engine, name: str, password: str, session_hours: float = DEFAULT_SESSION_HOURS, *, client: str | None = None
) -> tuple[User, str]:
    """Check a password; return the user and a new session token, or raise ``AuthError``.

    ``client`` is where the attempt comes from (the app: the browser's address; the command line:
    ``os_user@host``; None counts as one "unknown" client). Failures are throttled by client and by
    account (:func:`_reserve_attempt`): after ``CLIENT_FREE_ATTEMPTS`` failures from a client, or
    ``ACCOUNT_FREE_ATTEMPTS`` for a name, each further attempt must wait 2, 4, 8 … seconds (at most
    15 minutes) — refused attempts are not even checked, parallel ones included. A success clears
    the account's count; a key's count is forgotten ``FORGET_SECONDS`` after its wait has passed.
    """
    row, account, client_k = _check_password(engine, name, password, client, None)
    token = secrets.token_urlsafe(32)
    with _write(engine) as conn, conn.begin():
        _succeeded(conn, account, client_k)
        now = _now()
        conn.execute(delete(sessions).where(sessions.c.expires_at < now))
        conn.execute(
            insert(sessions).values(
                token_hash=_token_hash(token), user_name=row["name"], expires_at=now + timedelta(hours=session_hours)
            )
        )
        audit.write(conn, audit.Line(row["name"], "sign_in", row["name"], {"client": client or UNKNOWN_CLIENT}))
    return _user(row), token


def authenticate(engine, name: str, password: str, *, client: str, origin: Mapping[str, object] | None = None) -> User:
    """:func:`sign_in` without a session: who a command-line action runs as (``--as NAME``), checked
    by their password under the same throttle, and audited as a sign-in with ``origin``."""
    row, account, client_k = _check_password(engine, name, password, client, origin)
    with _write(engine) as conn, conn.begin():
        _succeeded(conn, account, client_k)
        audit.write(conn, audit.Line(row["name"], "sign_in", row["name"], {"client": client, **(origin or {})}))
    return _user(row)


def unlock(engine, name: str, *, by: str, client: str | None = None, origin: Mapping[str, object] | None = None) -> int:
    """Lift the sign-in lock-out of account ``name`` (its failure count is forgotten) and, given a
    ``client``, that client's too; audited. Returns how many failures were forgotten."""
    keys = [account_key(name)] + ([client_key(client)] if client else [])
    with _write(engine) as conn, conn.begin():
        _lock_throttle(conn)
        if conn.execute(select(users.c.id).where(users.c.name == name)).first() is None:
            raise _problem(Code.UNKNOWN_USER, name=name)
        counts = _counts(conn, keys, _now())
        conn.execute(delete(throttle).where(throttle.c.name.in_(keys)))
        forgotten = sum(c.failures for c in counts.values())
        details = {"failures": forgotten, **({"client": client} if client else {}), **(origin or {})}
        audit.write(conn, audit.Line(by, "user_unlock", name, details))
    return forgotten


def lock_wait(engine, name: str) -> int | None:
    """The seconds every sign-in as ``name`` must still wait because of its failures (the account's
    lock-out, which :func:`unlock` lifts), or None."""
    key = account_key(name)
    with engine.connect() as conn:
        at = conn.execute(select(throttle.c.next_allowed_at).where(throttle.c.name == key)).scalar()
    return _Count(1, _aware(at)).wait(_now())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _user(row) -> User:
    areas = tuple(a for a in (row["areas"] or "").split(",") if a)
    return User(row["name"], row["role"], areas, bool(row["is_demo"]), int(row["id"]))


def find_user(engine, name: str) -> User | None:
    """The enabled account called ``name``, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name)).mappings().first()
    return None if row is None or row["disabled"] else _user(row)


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
    """End the session of ``token`` (if any); audited in the same transaction."""
    with _write(engine) as conn, conn.begin():
        if token:
            conn.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))
        audit.write(conn, audit.Line(user, "sign_out", user))


def disable_demo_accounts(engine, by: str, origin: Mapping[str, object] | None = None) -> list[str]:
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
        change_user(engine, name, disabled=True, by=by, origin=origin)
    return names


def ensure_demo_account(engine) -> bool:
    """Create the documented local demo account (admin, marked as demo) if no user exists yet."""
    with engine.connect() as conn:
        if conn.execute(select(users.c.id).limit(1)).first():
            return False
    add_user(engine, DEMO_USER, DEMO_PASSWORD, "admin", by="demo", is_demo=True)
    return True
