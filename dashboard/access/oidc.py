"""统一身份认证 OpenID Connect identities mapped onto accounts and roles.

A deployment with an OpenID Connect provider lets people sign in through Streamlit's ``st.login``
(``dashboard/app/oidc_signin.py``). The provider says who someone is — its subject (``sub``) and,
often, an e-mail address it has verified — never what they may do here: that is the account an
administrator linked the identity to (``python -m dashboard user add NAME --role ROLE --oidc EMAIL``,
or ``user oidc NAME EMAIL`` for an existing account), with that account's role and areas, checked on
every run like a password session (a disabled account or a new role applies at once). An identity
linked to no account gets no role.

An identity is written as people type it: an e-mail address (compared in lower case, and only when
the provider marks it verified, ``email_verified: true``) or ``sub:`` + the provider's subject for
providers that send no verified address. Several identities may lead to one account; one identity
leads to one account at most.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
from sqlalchemy import delete, insert, select

from ..messages import Code, Problem
from ..store import audit
from ..store.schema import oidc_identities, users
from . import accounts
from .accounts import AuthError, User

SUBJECT_PREFIX = "sub:"
MAX_LENGTH = 320  # oidc_identities.identity
_EMAIL = re.compile(r"^[^@\s:]+@[^@\s:]+\.[^@\s:]+$")


def _problem(code: Code, **params: object) -> AuthError:
    return AuthError(Problem(code, params))


def _write(engine):
    """A connection for a change (the store's write lock on SQLite, as in ``accounts``)."""
    conn = engine.connect()
    conn.execution_options(write=True)
    return conn


def parse_identity(text: str) -> str:
    """An identity as stored: a lower-cased e-mail address or ``sub:SUBJECT``; else ``AuthError``."""
    text = (text or "").strip()
    if text[: len(SUBJECT_PREFIX)].lower() == SUBJECT_PREFIX:
        subject = text[len(SUBJECT_PREFIX) :].strip()
        if subject and not any(c.isspace() for c in subject) and len(SUBJECT_PREFIX + subject) <= MAX_LENGTH:
            return SUBJECT_PREFIX + subject
    elif _EMAIL.match(text) and len(text) <= MAX_LENGTH:
        return text.lower()
    raise _problem(Code.BAD_OIDC_IDENTITY, identity=text)


def identities_of(claims: Mapping[str, object]) -> list[str]:
    """The identities the provider vouches for, most specific first: the subject, then the e-mail
    address if the provider says it verified it (an unverified address proves nothing)."""
    found = []
    subject = str(claims.get("sub") or "").strip()
    if subject:
        found.append(SUBJECT_PREFIX + subject)
    email = str(claims.get("email") or "").strip().lower()
    if email and claims.get("email_verified") is True and _EMAIL.match(email):
        found.append(email)
    return found


def shown_identity(claims: Mapping[str, object]) -> str:
    """How to name this person's identity to them and to an administrator: the verified address if
    there is one (what ``--oidc`` would take), else ``sub:SUBJECT``."""
    found = identities_of(claims)
    return found[-1] if found else "?"


@dataclass(frozen=True)
class Resolution:
    """Who an identity signs in as: ``user``, or why nobody (``problem``); ``identity`` as shown."""

    identity: str
    user: User | None = None
    problem: Problem | None = None


def resolve(engine, claims: Mapping[str, object]) -> Resolution:
    """The enabled account linked to the identity in ``claims`` (``st.user``), or a problem saying
    why there is none. Reads only; :func:`audit_sign_in` records the outcome."""
    found = identities_of(claims)
    shown = shown_identity(claims)
    if not found:
        return Resolution(shown, problem=Problem(Code.OIDC_NO_ACCOUNT, {"identity": shown}))
    with engine.connect() as conn:
        rows = conn.execute(
            select(oidc_identities.c.identity, users)
            .join(users, users.c.id == oidc_identities.c.user_id)
            .where(oidc_identities.c.identity.in_(found))
        ).mappings()
        by_identity = {r["identity"]: r for r in rows}
    for identity in found:  # the subject first: it is the provider's own, stable name for the person
        row = by_identity.get(identity)
        if row is None:
            continue
        if row["disabled"]:
            return Resolution(
                identity, problem=Problem(Code.OIDC_ACCOUNT_DISABLED, {"identity": identity, "name": row["name"]})
            )
        user = accounts.find_user(engine, row["name"])
        if user is not None:
            return Resolution(identity, user=user)
    return Resolution(shown, problem=Problem(Code.OIDC_NO_ACCOUNT, {"identity": shown}))


def audit_sign_in(engine, resolution: Resolution, provider: str) -> None:
    """The audit line of a sign-in through the provider: ``sign_in`` as the account, or
    ``sign_in_failed`` naming the identity that has none."""
    details = {"via": "oidc", "provider": provider, "identity": resolution.identity}
    if resolution.user is not None:
        audit.record(engine, resolution.user.name, "sign_in", resolution.user.name, **details)
    else:
        reason = resolution.problem.code if resolution.problem else None
        audit.record(engine, resolution.identity, "sign_in_failed", resolution.identity, reason=reason, **details)


def audit_sign_out(engine, user: User, provider: str) -> None:
    """The audit line of signing out of a provider sign-in."""
    audit.record(engine, user.name, "sign_out", user.name, via="oidc", provider=provider)


def link(engine, name: str, identity: str, *, by: str, origin: Mapping[str, object] | None = None) -> str:
    """Let ``identity`` (as typed) sign in as account ``name``; returns the identity as stored."""
    identity = parse_identity(identity)
    with _write(engine) as conn, conn.begin():
        user_id = conn.execute(select(users.c.id).where(users.c.name == name)).scalar()
        if user_id is None:
            raise _problem(Code.UNKNOWN_USER, name=name)
        owner = conn.execute(
            select(users.c.name)
            .join(oidc_identities, oidc_identities.c.user_id == users.c.id)
            .where(oidc_identities.c.identity == identity)
        ).scalar()
        if owner is not None:
            raise _problem(Code.OIDC_IDENTITY_TAKEN, identity=identity, name=owner)
        conn.execute(insert(oidc_identities).values(identity=identity, user_id=user_id, created_at=datetime.now(UTC)))
        audit.write(conn, audit.Line(by, "user_oidc_link", name, {"identity": identity, **(origin or {})}))
    return identity


def unlink(engine, identity: str, *, by: str, origin: Mapping[str, object] | None = None) -> str:
    """Stop ``identity`` signing in as anyone; returns the account name it led to."""
    identity = parse_identity(identity)
    with _write(engine) as conn, conn.begin():
        owner = conn.execute(
            select(users.c.name)
            .join(oidc_identities, oidc_identities.c.user_id == users.c.id)
            .where(oidc_identities.c.identity == identity)
        ).scalar()
        if owner is None:
            raise _problem(Code.OIDC_IDENTITY_UNKNOWN, identity=identity)
        conn.execute(delete(oidc_identities).where(oidc_identities.c.identity == identity))
        audit.write(conn, audit.Line(by, "user_oidc_unlink", owner, {"identity": identity, **(origin or {})}))
    return str(owner)


def add_user(
    engine,
    name: str,
    role: str,
    areas: list[str],
    identity: str,
    *,
    by: str,
    known_areas: set[str] | None = None,
    origin: Mapping[str, object] | None = None,
) -> tuple[User, str]:
    """A new account that signs in through the provider as ``identity``: the account gets a random
    password nobody is told (``user passwd`` can give it one later). The identity is checked before
    the account is created, so a typing mistake creates nothing."""
    stored = parse_identity(identity)
    with engine.connect() as conn:
        owner = conn.execute(
            select(users.c.name)
            .join(oidc_identities, oidc_identities.c.user_id == users.c.id)
            .where(oidc_identities.c.identity == stored)
        ).scalar()
    if owner is not None:
        raise _problem(Code.OIDC_IDENTITY_TAKEN, identity=stored, name=owner)
    user = accounts.add_user(
        engine, name, secrets.token_urlsafe(32), role, areas, by=by, known_areas=known_areas, origin=origin
    )
    return user, link(engine, user.name, stored, by=by, origin=origin)


def list_identities(engine) -> pd.DataFrame:
    """Every linked identity with its account, by account then identity."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(users.c.name, oidc_identities.c.identity, oidc_identities.c.created_at)
            .join(users, users.c.id == oidc_identities.c.user_id)
            .order_by(users.c.name, oidc_identities.c.identity)
        ).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=["name", "identity", "created_at"])
