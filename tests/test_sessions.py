"""The session cookie's value and tickets (``access/session_cookie.py``) and the mapping of OpenID
Connect identities onto accounts (``access/oidc.py``), through their APIs on a real SQLite database.

The browser side — a sign-in that survives a reload, sign-out, edited and expired cookies, and
``st.login`` against a provider started in the test — is in ``test_browser_sessions.py`` and
``test_browser_oidc.py``.
"""

from __future__ import annotations

import time

import pytest
from itsdangerous import TimestampSigner
from sqlalchemy import select

from dashboard.access import accounts, oidc, session_cookie
from dashboard.access.session_cookie import Reading, Tickets
from dashboard.messages import Code
from dashboard.store import Store, audit
from dashboard.store.schema import oidc_identities

SECRET = "a test secret that is long enough"
PASSWORD = "a long test password"


def test_a_signed_cookie_gives_back_its_token():
    value = session_cookie.sign("tok-123", SECRET)
    assert value.startswith("tok-123.")
    assert session_cookie.read(value, SECRET, 3600) == (Reading.OK, "tok-123")


@pytest.mark.parametrize(
    "edit",
    [
        lambda v: "tok-124" + v[len("tok-123") :],  # another token under the old signature
        # the signature edited (not its last character: in base64 its low bits are padding, and an
        # edit there can decode to the very same signature)
        lambda v: v[:-5] + ("A" if v[-5] != "A" else "B") + v[-4:],
        lambda v: v.rsplit(".", 1)[0],  # the signature cut off
        lambda v: "tok-123",  # a bare token
        lambda v: "",
        lambda v: "é.ü.ß",  # not even ASCII
    ],
)
def test_an_edited_cookie_is_refused(edit):
    value = session_cookie.sign("tok-123", SECRET)
    assert session_cookie.read(edit(value), SECRET, 3600) == (Reading.INVALID, None)


def test_a_cookie_signed_with_another_secret_is_refused():
    value = session_cookie.sign("tok-123", "another secret altogether")
    assert session_cookie.read(value, SECRET, 3600) == (Reading.INVALID, None)


def test_a_cookie_older_than_the_session_is_refused():
    class Then(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time()) - 2 * 3600

    old = Then(SECRET, salt=session_cookie.SALT).sign("tok-123").decode()
    assert session_cookie.read(old, SECRET, 3 * 3600) == (Reading.OK, "tok-123")
    assert session_cookie.read(old, SECRET, 3600) == (Reading.EXPIRED, None)


def test_a_ticket_is_redeemed_once_and_only_while_fresh():
    now = [1000.0]
    tickets = Tickets(seconds=60, clock=lambda: now[0])
    first = tickets.issue("tok-a", 8 * 3600)
    second = tickets.issue("tok-b", 90.4)
    assert first != second and "tok-a" not in first
    assert tickets.redeem(first) == session_cookie.Handoff("tok-a", 8 * 3600)
    assert tickets.redeem(first) is None  # used
    assert tickets.redeem("made-up") is None and tickets.redeem("") is None and tickets.redeem(None) is None
    now[0] += 61
    assert tickets.redeem(second) is None  # too late
    # Tickets are kept hashed: nothing stored could be replayed.
    third = tickets.issue("tok-c", 60)
    assert third not in repr(tickets._open) and "tok-c" in repr(tickets._open)


# ------------------------------------------------------------------ OpenID Connect identities


@pytest.fixture
def engine(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'accounts.db'}")
    yield store.engine
    store.dispose()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Amy.Lee@Example.ORG", "amy.lee@example.org"),
        ("  amy@example.org ", "amy@example.org"),
        ("sub:248289761001", "sub:248289761001"),
        ("SUB: 00u1ab2C3d ", "sub:00u1ab2C3d"),  # subjects keep their case
    ],
)
def test_identities_are_stored_as_typed_in_one_form(typed, stored):
    assert oidc.parse_identity(typed) == stored


@pytest.mark.parametrize("typed", ["amy", "amy@", "@example.org", "a b@example.org", "sub:", "sub:a b", "", "x" * 330])
def test_what_is_no_identity_is_refused(typed):
    with pytest.raises(accounts.AuthError) as exc:
        oidc.parse_identity(typed)
    assert exc.value.problem.code == Code.BAD_OIDC_IDENTITY


def test_only_a_verified_address_counts():
    assert oidc.identities_of({"sub": "s1", "email": "Amy@Example.org", "email_verified": True}) == [
        "sub:s1",
        "amy@example.org",
    ]
    assert oidc.identities_of({"sub": "s1", "email": "amy@example.org"}) == ["sub:s1"]
    assert oidc.identities_of({"sub": "s1", "email": "amy@example.org", "email_verified": "true"}) == ["sub:s1"]
    assert oidc.shown_identity({"sub": "s1", "email": "amy@example.org", "email_verified": True}) == "amy@example.org"
    assert oidc.shown_identity({"sub": "s1", "email": "amy@example.org"}) == "sub:s1"


def test_a_linked_identity_signs_in_as_its_account_with_its_role(engine):
    user, identity = oidc.add_user(engine, "amy", "area_editor", ["500116"], "Amy@Example.org", by="admin")
    assert identity == "amy@example.org" and user.role == "area_editor"
    claims = {"sub": "google-1", "email": "amy@example.org", "email_verified": True}
    found = oidc.resolve(engine, claims)
    assert found.user is not None and found.problem is None
    assert (found.user.name, found.user.role, found.user.areas, found.identity) == (
        "amy",
        "area_editor",
        ("500116",),
        "amy@example.org",
    )
    # The account has a password nobody knows: it signs in through the provider only.
    with pytest.raises(accounts.AuthError):
        accounts.sign_in(engine, "amy", "")
    # A change of role applies at the next resolution (every run of the app).
    accounts.change_user(engine, "amy", role="city_editor", by="admin")
    assert oidc.resolve(engine, claims).user.role == "city_editor"


def test_the_subject_is_matched_before_the_address(engine):
    accounts.add_user(engine, "amy", PASSWORD, "viewer", by="admin")
    accounts.add_user(engine, "amy2", PASSWORD, "city_editor", by="admin")
    oidc.link(engine, "amy", "amy@example.org", by="admin")
    oidc.link(engine, "amy2", "sub:google-1", by="admin")
    found = oidc.resolve(engine, {"sub": "google-1", "email": "amy@example.org", "email_verified": True})
    assert found.user.name == "amy2" and found.identity == "sub:google-1"


def test_an_unknown_unverified_or_disabled_identity_gets_no_account(engine):
    oidc.add_user(engine, "amy", "city_editor", [], "amy@example.org", by="admin")
    stranger = oidc.resolve(engine, {"sub": "s9", "email": "zoe@example.org", "email_verified": True})
    assert stranger.user is None and stranger.problem.code == Code.OIDC_NO_ACCOUNT
    assert stranger.problem.params == {"identity": "zoe@example.org"}
    # The right address, but the provider does not vouch for it: no account.
    unverified = oidc.resolve(engine, {"sub": "s9", "email": "amy@example.org"})
    assert unverified.user is None and unverified.problem.params == {"identity": "sub:s9"}
    assert oidc.resolve(engine, {}).user is None
    accounts.change_user(engine, "amy", disabled=True, by="admin")
    disabled = oidc.resolve(engine, {"sub": "s1", "email": "amy@example.org", "email_verified": True})
    assert disabled.user is None and disabled.problem.code == Code.OIDC_ACCOUNT_DISABLED
    assert "amy" in disabled.problem.message("en")


def test_linking_is_checked_and_audited(engine):
    accounts.add_user(engine, "amy", PASSWORD, "viewer", by="admin")
    accounts.add_user(engine, "bob", PASSWORD, "viewer", by="admin")
    oidc.link(engine, "amy", "amy@example.org", by="admin", origin={"via": "cli"})
    for name, identity, code in [
        ("bob", "AMY@example.org", Code.OIDC_IDENTITY_TAKEN),
        ("nobody", "x@example.org", Code.UNKNOWN_USER),
        ("bob", "bob", Code.BAD_OIDC_IDENTITY),
    ]:
        with pytest.raises(accounts.AuthError) as exc:
            oidc.link(engine, name, identity, by="admin")
        assert exc.value.problem.message_id is code
    # An identity already taken creates no account either.
    with pytest.raises(accounts.AuthError):
        oidc.add_user(engine, "carol", "viewer", [], "amy@example.org", by="admin")
    assert "carol" not in accounts.list_users(engine)["name"].tolist()
    assert oidc.list_identities(engine)[["name", "identity"]].values.tolist() == [["amy", "amy@example.org"]]
    assert oidc.unlink(engine, "Amy@example.org", by="admin") == "amy"
    with pytest.raises(accounts.AuthError) as exc:
        oidc.unlink(engine, "amy@example.org", by="admin")
    assert exc.value.problem.code == Code.OIDC_IDENTITY_UNKNOWN
    with engine.connect() as conn:
        assert conn.execute(select(oidc_identities)).all() == []
    lines = audit.entries(engine, action=None)
    linked = lines[lines["action"].isin(["user_oidc_link", "user_oidc_unlink"])]
    assert linked[["action", "target"]].values.tolist() == [["user_oidc_unlink", "amy"], ["user_oidc_link", "amy"]]


def test_provider_sign_ins_are_audited(engine):
    oidc.add_user(engine, "amy", "city_editor", [], "amy@example.org", by="admin")
    known = oidc.resolve(engine, {"sub": "s1", "email": "amy@example.org", "email_verified": True})
    oidc.audit_sign_in(engine, known, "default")
    oidc.audit_sign_in(engine, oidc.resolve(engine, {"sub": "s9"}), "default")
    lines = audit.entries(engine)
    assert lines[["user", "action", "target"]].values.tolist()[:2] == [
        ["sub:s9", "sign_in_failed", "sub:s9"],
        ["amy", "sign_in", "amy"],
    ]


def test_the_command_line_links_identities(capsys, tmp_path, monkeypatch):
    from dashboard.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DASHBOARD_DB_URL", url)
    assert (
        main(["user", "add", "lihua", "--role", "area_editor", "--area", "江津区", "--oidc", "LiHua@Example.org"]) == 0
    )
    out = capsys.readouterr().out
    assert "lihua@example.org" in out and "area_editor" in out and "500116" in out
    assert main(["user", "add", "other", "--role", "viewer", "--oidc", "lihua@example.org"]) == 1
    assert "OIDC_IDENTITY_TAKEN" in capsys.readouterr().err
    assert main(["user", "add", "other", "--role", "viewer", "--oidc", "lihua"]) == 1
    assert "BAD_OIDC_IDENTITY" in capsys.readouterr().err
    assert main(["user", "oidc", "lihua", "sub:248289761001"]) == 0
    capsys.readouterr()
    assert main(["user", "identities"]) == 0
    rows = capsys.readouterr().out.splitlines()
    assert rows[0] == "name,identity,created_at"
    assert [r.split(",")[:2] for r in rows[1:]] == [["lihua", "lihua@example.org"], ["lihua", "sub:248289761001"]]
    assert main(["user", "oidc-remove", "sub:999"]) == 1
    assert "OIDC_IDENTITY_UNKNOWN" in capsys.readouterr().err
    assert main(["user", "oidc-remove", "SUB:248289761001"]) == 0  # the prefix in any case
    store = Store(url)
    try:
        assert [r.identity for r in oidc.list_identities(store.engine).itertuples()] == ["lihua@example.org"]
        assert accounts.list_users(store.engine)["name"].tolist() == ["lihua"]  # "other" was never created
        found = oidc.resolve(store.engine, {"sub": "x", "email": "lihua@example.org", "email_verified": True})
        assert found.user.areas == ("500116",)
    finally:
        store.dispose()
