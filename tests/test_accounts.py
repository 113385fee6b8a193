"""Users, roles, sign-in, sessions and the audit trail — through the dashboard/ API and the CLI."""

import io
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import update

from dashboard.access import accounts
from dashboard.access.accounts import ANONYMOUS, AuthError, User
from dashboard.access.authorization import Refused, can, rollback_as, upload_as
from dashboard.cli import main
from dashboard.intake.indicator_values import read_upload
from dashboard.store import Store, audit

ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "correct horse battery"


@pytest.fixture()
def store():
    s = Store(os.environ["DASHBOARD_DB_URL"])
    yield s
    s.dispose()


def csv_upload(rules, lines: str, name="values.csv"):
    content = ("区县,指标,年份,数值\n" + lines).encode("utf-8")
    report = read_upload(content, name, rules)
    assert report.ok, [p.format() for p in report.problems]
    return report


def test_password_stored_only_as_argon2_hash(store, tmp_path):
    accounts.add_user(store.engine, "alice", PASSWORD, "admin")
    db_file = store.url.replace("sqlite:///", "")
    raw = Path(db_file).read_bytes()
    assert PASSWORD.encode() not in raw
    row = sqlite3.connect(db_file).execute("select password_hash from users where name='alice'").fetchone()
    assert row[0].startswith("$argon2id$")
    assert "password" not in accounts.list_users(store.engine).columns.str.cat()


def test_weak_password_and_unknown_role_refused(store):
    with pytest.raises(AuthError) as err:
        accounts.add_user(store.engine, "bob", "short", "admin")
    assert err.value.problem.code == "WEAK_PASSWORD"
    with pytest.raises(AuthError) as err:
        accounts.add_user(store.engine, "bob", PASSWORD, "superuser")
    assert err.value.problem.code == "BAD_ROLE"
    with pytest.raises(AuthError) as err:
        accounts.add_user(store.engine, "bob", PASSWORD, "area_editor")
    assert err.value.problem.code == "NO_AREA"


def test_sign_in_session_and_sign_out(store):
    accounts.add_user(store.engine, "alice", PASSWORD, "city_editor")
    user, token = accounts.sign_in(store.engine, "alice", PASSWORD)
    assert user == User("alice", "city_editor")
    assert accounts.user_for_session(store.engine, token) == user
    accounts.sign_out(store.engine, token, "alice")
    assert accounts.user_for_session(store.engine, token) is None


def test_sessions_expire(store):
    accounts.add_user(store.engine, "alice", PASSWORD, "viewer")
    _, token = accounts.sign_in(store.engine, "alice", PASSWORD)
    past = datetime.now(UTC) - timedelta(minutes=1)
    with store.engine.begin() as conn:
        conn.execute(update(accounts.sessions).values(expires_at=past))
    assert accounts.user_for_session(store.engine, token) is None


def test_failed_sign_ins_are_slowed_down(store):
    accounts.add_user(store.engine, "alice", PASSWORD, "viewer")
    for _ in range(accounts.FREE_ATTEMPTS):
        with pytest.raises(AuthError) as err:
            accounts.sign_in(store.engine, "alice", "wrong password!")
        assert err.value.problem.code == "BAD_CREDENTIALS"
    with pytest.raises(AuthError):
        accounts.sign_in(store.engine, "alice", "wrong password!")  # 4th failure sets a 2 s wait
    with pytest.raises(AuthError) as err:
        accounts.sign_in(store.engine, "alice", PASSWORD)  # even the right one must wait
    assert err.value.problem.code == "TOO_MANY_ATTEMPTS"
    # unknown names are slowed down the same way (no way to probe which names exist)
    for _ in range(accounts.FREE_ATTEMPTS + 1):
        with pytest.raises(AuthError):
            accounts.sign_in(store.engine, "nobody", "x")
    with pytest.raises(AuthError) as err:
        accounts.sign_in(store.engine, "nobody", "x")
    assert err.value.problem.code == "TOO_MANY_ATTEMPTS"


def test_parallel_wrong_passwords_never_pass_the_throttle(store, monkeypatch):
    _sixteen_parallel_guesses(store, monkeypatch)


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DASHBOARD_TEST_PG_URL"), reason="PostgreSQL: set DASHBOARD_TEST_PG_URL (.ci/run does)"
)
def test_parallel_wrong_passwords_never_pass_the_throttle_on_postgresql(monkeypatch):
    from sqlalchemy import delete

    from dashboard.store.schema import throttle, users

    pg = Store(os.environ["DASHBOARD_TEST_PG_URL"])
    name = f"parallel-{os.getpid()}"
    try:
        _sixteen_parallel_guesses(pg, monkeypatch, name)
    finally:
        with pg.engine.begin() as conn:  # the shared test database keeps no account of this test
            conn.execute(delete(throttle).where(throttle.c.name == name))
            conn.execute(delete(users).where(users.c.name == name))
        pg.dispose()


def _sixteen_parallel_guesses(store, monkeypatch, name: str = "alice"):
    import threading
    from concurrent.futures import ThreadPoolExecutor

    accounts.add_user(store.engine, name, PASSWORD, "viewer")
    checked = []
    lock = threading.Lock()
    real = accounts._hasher

    class Counting:
        # The password check, counted and made slow: every guess that reaches it is in flight at once.
        def verify(self, hashed, password):
            with lock:
                checked.append(password)
            threading.Event().wait(0.2)
            return real.verify(hashed, password)

        def hash(self, password):
            return real.hash(password)

    monkeypatch.setattr(accounts, "_hasher", Counting())

    def guess(k: int) -> str:
        try:
            accounts.sign_in(store.engine, name, f"wrong guess {k}")
        except AuthError as exc:
            return exc.problem.code
        return "signed in"

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(guess, range(16)))
    assert len(checked) == accounts.FREE_ATTEMPTS  # only the free attempts reach the check
    assert answers.count("BAD_CREDENTIALS") == accounts.FREE_ATTEMPTS
    assert answers.count("TOO_MANY_ATTEMPTS") == 16 - accounts.FREE_ATTEMPTS


def test_disabled_user_cannot_sign_in_and_loses_sessions(store):
    accounts.add_user(store.engine, "alice", PASSWORD, "admin")
    _, token = accounts.sign_in(store.engine, "alice", PASSWORD)
    accounts.change_user(store.engine, "alice", disabled=True, by="root")
    assert accounts.user_for_session(store.engine, token) is None
    with pytest.raises(AuthError):
        accounts.sign_in(store.engine, "alice", PASSWORD)


@pytest.mark.parametrize(
    "role,allowed",
    [
        ("viewer", {"view"}),
        ("area_editor", {"view", "upload", "rollback"}),
        ("city_editor", {"view", "upload", "rollback"}),
        ("maintainer", {"view", "rules_actions"}),
        ("admin", {"view", "upload", "rollback", "rules_actions", "manage_users", "view_audit"}),
    ],
)
def test_role_matrix(role, allowed):
    user = User("u", role, ("500101",))
    actions = {"view", "upload", "rollback", "rules_actions", "manage_users", "view_audit"}
    assert {a for a in actions if can(user, a)} == allowed


def test_viewer_upload_is_refused_and_audited(rules, store):
    report = csv_upload(rules, "万州区,W03,2021,10\n")
    with pytest.raises(Refused) as err:
        upload_as(ANONYMOUS, store, report)
    assert err.value.problems[0].code == "NOT_ALLOWED"
    assert store.current_values().empty
    log = audit.entries(store.engine)
    assert log.iloc[0]["action"] == "access_refused"


def test_area_editor_cross_area_rows_are_named(rules, store):
    editor = User("wz", "area_editor", ("500101",))
    report = csv_upload(rules, "万州区,W03,2021,10\n江津区,W03,2021,9\n万州区,W04,2021,93\n渝中区,C19,2021,97\n")
    before = store.current_values()
    with pytest.raises(Refused) as err:
        upload_as(editor, store, report)
    assert [(p.code, p.row, p.column) for p in err.value.problems] == [
        ("AREA_NOT_ALLOWED", 3, "area"),
        ("AREA_NOT_ALLOWED", 5, "area"),
    ]
    assert "500116" in err.value.problems[0].message_en
    pd.testing.assert_frame_equal(store.current_values(), before)
    assert audit.entries(store.engine).iloc[0]["action"] == "upload_refused"


def test_area_editor_own_area_upload_and_rollback_rules(rules, store):
    editor = User("wz", "area_editor", ("500101",))
    other = User("yz", "area_editor", ("500103",))
    city = User("city", "city_editor")
    batch = upload_as(editor, store, csv_upload(rules, "万州区,W03,2021,10\n"))
    assert len(store.current_values()) == 1
    with pytest.raises(Refused):
        rollback_as(other, store, batch)  # not their batch
    rollback_as(city, store, batch)  # a city editor may
    assert store.current_values().empty
    actions = list(audit.entries(store.engine)["action"])
    assert actions[:3] == ["rollback", "rollback_refused", "upload"]


def test_cli_creates_first_admin_and_shows_audit(store, monkeypatch, capsys):
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "root", "--role", "admin", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "wz", "--role", "area_editor", "--area", "万州区", "--password-stdin"]) == 0
    assert main(["user", "list"]) == 0
    out = capsys.readouterr().out
    assert "wz,area_editor,500101" in out and "$argon2" not in out
    assert main(["audit"]) == 0
    out = capsys.readouterr().out
    assert out.count("user_add") == 2


def test_demo_account_only_on_an_empty_user_table(store):
    assert accounts.ensure_demo_account(store.engine)
    user, _ = accounts.sign_in(store.engine, accounts.DEMO_USER, accounts.DEMO_PASSWORD)
    assert user.is_demo and user.role == "admin"
    assert not accounts.ensure_demo_account(store.engine)
    with pytest.raises(AuthError):  # the public password is refused for real accounts
        accounts.add_user(store.engine, "carol", accounts.DEMO_PASSWORD, "admin")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        (" " * 10, "WEAK_PASSWORD.guessable"),
        ("aaaaaaaaaa", "WEAK_PASSWORD.guessable"),
        ("1234567890", "WEAK_PASSWORD.guessable"),
        ("password12", "WEAK_PASSWORD.guessable"),
        ("qwertyuiop", "WEAK_PASSWORD.guessable"),
        ("carolcarolcarol", "WEAK_PASSWORD.name"),
        ("Carol-2030-Chongqing", "WEAK_PASSWORD.name"),
        ("short1!", "WEAK_PASSWORD"),
        (accounts.DEMO_PASSWORD, "WEAK_PASSWORD.demo"),
    ],
)
def test_guessable_passwords_are_refused_in_words(store, password, code):
    with pytest.raises(AuthError) as err:
        accounts.add_user(store.engine, "carol", password, "viewer")
    assert err.value.problem.message_id.value == code
    assert err.value.problem.message_zh and "zxcvbn" not in err.value.problem.message_en
    accounts.add_user(store.engine, "carol", "Shu-Ju.2030!Cq", "viewer")  # a strong one goes in
    with pytest.raises(AuthError) as err:  # and a change of password is held to the same rules
        accounts.set_password(store.engine, "carol", password, by="carol")
    assert err.value.problem.message_id.value == code


def test_serving_beyond_this_computer_disables_the_demo_account(store, capsys):
    from dashboard.cli import main
    from dashboard.services import Config, Services

    assert accounts.ensure_demo_account(store.engine)
    services = Services(Config.from_env())
    assert main(["user", "demo-account", "--off"], services=services) == 0
    assert "demo" in capsys.readouterr().out
    with pytest.raises(AuthError):  # the README's password opens nothing any more
        accounts.sign_in(store.engine, accounts.DEMO_USER, accounts.DEMO_PASSWORD)
    audit_lines = audit.entries(store.engine, limit=5)
    assert "user_disable" in set(audit_lines["action"]) or "user_change" in set(audit_lines["action"])
    assert accounts.disable_demo_accounts(store.engine, by="test") == []  # nothing left to disable
    services.close()


def test_manage_run_listens_on_this_computer_unless_told_otherwise():
    import importlib.util

    spec = importlib.util.spec_from_file_location("manage", ROOT / "manage.py")
    manage = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(manage)
    assert manage.served_address([]) is None  # run_app then adds 127.0.0.1
    assert manage.served_address(["--server.port", "8600", "--server.address", "0.0.0.0"]) == "0.0.0.0"
    assert manage.served_address(["--server.address=10.1.2.3"]) == "10.1.2.3"
    assert "0.0.0.0" not in manage.LOCAL_ADDRESSES and "127.0.0.1" in manage.LOCAL_ADDRESSES


def test_rollback_candidates_follow_the_role():
    from dashboard.access.authorization import rollback_candidates

    batches = pd.DataFrame(
        {"id": [1, 2, 3], "uploader": ["wz", "city", "wz"], "status": ["active", "active", "rolled_back"]}
    )
    assert list(rollback_candidates(User("wz", "area_editor", ("500101",)), batches)["id"]) == [1]
    assert list(rollback_candidates(User("city", "city_editor"), batches)["id"]) == [1, 2]
    assert rollback_candidates(User("v", "viewer"), batches).empty
