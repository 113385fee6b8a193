"""Users, roles, sign-in, sessions and the audit trail — through the dashboard/ API and the CLI.

The sign-in throttle (keyed by client and by account; ``docs/security.md``) is tried with parallel
threads and processes on SQLite and PostgreSQL; time passing is played by moving the throttle's
stored times back, as the session tests move an expiry.
"""

import io
import json
import math
import os
import sqlite3
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import delete, insert, select, update

from dashboard.access import accounts
from dashboard.access.accounts import ANONYMOUS, AuthError, User
from dashboard.access.authorization import Refused, can, rollback_as, rollback_candidates, upload_as
from dashboard.cli import main
from dashboard.cli.common import os_identity
from dashboard.intake.indicator_values import read_upload
from dashboard.store import Store, audit
from dashboard.store.schema import audit_log, oidc_identities, sessions, throttle, users

ROOT = Path(__file__).resolve().parent.parent

PASSWORD = "correct horse battery"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, monkeypatch):
    """The test's SQLite file, or the PostgreSQL test database (DASHBOARD_TEST_PG_URL) emptied of
    batches, accounts, sessions, throttle counts and audit lines before and after."""
    if request.param == "sqlite":
        s = Store(os.environ["DASHBOARD_DB_URL"])
        yield s
        s.dispose()
        return
    url = os.environ.get("DASHBOARD_TEST_PG_URL")
    if not url:
        pytest.skip("PostgreSQL: set DASHBOARD_TEST_PG_URL (the CI script .ci/run does) to run these")
    monkeypatch.setenv("DASHBOARD_DB_URL", url)
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(ROOT / "rules"))
    s = Store(url)
    _empty(s)
    yield s
    _empty(s)
    s.dispose()


def _empty(s: Store) -> None:
    s.clear()  # the batches first: they refer to their owners
    with s.engine.begin() as conn:
        for table in (sessions, throttle, audit_log, oidc_identities, users):
            conn.execute(delete(table))


def csv_upload(rules, lines: str, name="values.csv"):
    content = ("区县,指标,年份,数值\n" + lines).encode("utf-8")
    report = read_upload(content, name, rules)
    assert report.ok, [p.format() for p in report.problems]
    return report


def test_password_stored_only_as_argon2_hash(store, tmp_path):
    if not store.is_sqlite:
        pytest.skip("reads the SQLite file's bytes")
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
    added = accounts.add_user(store.engine, "alice", PASSWORD, "city_editor")
    user, token = accounts.sign_in(store.engine, "alice", PASSWORD, client="10.0.0.7")
    assert isinstance(added.id, int) and user == User("alice", "city_editor", id=added.id)
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


# ------------------------------------------------------------------------------ the sign-in throttle
def elapse(engine, seconds: float) -> None:
    """Let ``seconds`` pass for the throttle: every stored time moves back by that much."""
    with engine.begin() as conn:
        rows = conn.execute(select(throttle.c.name, throttle.c.next_allowed_at)).all()
        for key, at in rows:
            if at is not None:
                moved = at - timedelta(seconds=seconds)
                conn.execute(update(throttle).where(throttle.c.name == key).values(next_allowed_at=moved))


def wait_of(engine, key: str) -> int:
    """The seconds ``key`` must still wait (0: none)."""
    with engine.connect() as conn:
        at = conn.execute(select(throttle.c.next_allowed_at).where(throttle.c.name == key)).scalar()
    return max(0, math.ceil((accounts._aware(at) - datetime.now(UTC)).total_seconds())) if at is not None else 0


def failures(engine, key: str) -> int:
    with engine.connect() as conn:
        return conn.execute(select(throttle.c.failures).where(throttle.c.name == key)).scalar() or 0


def attempt(engine, name: str, password: str, client: str) -> str:
    """One sign-in: ``signed in`` or the code of the refusal (with its variant)."""
    try:
        accounts.sign_in(engine, name, password, client=client)
    except AuthError as exc:
        return exc.problem.message_id.value
    return "signed in"


def test_failed_sign_ins_are_slowed_down(store):
    accounts.add_user(store.engine, "alice", PASSWORD, "viewer")
    for _ in range(accounts.CLIENT_FREE_ATTEMPTS):
        assert attempt(store.engine, "alice", "wrong password!", "10.0.0.66") == "BAD_CREDENTIALS"
    # The third failure set a 2 s wait for this client: even the right password must wait.
    assert attempt(store.engine, "alice", PASSWORD, "10.0.0.66") == "TOO_MANY_ATTEMPTS"
    # Unknown names are slowed down the same way (no way to probe which names exist).
    for _ in range(accounts.CLIENT_FREE_ATTEMPTS):
        assert attempt(store.engine, "nobody", "x", "10.0.0.67") == "BAD_CREDENTIALS"
    assert attempt(store.engine, "nobody", "x", "10.0.0.67") == "TOO_MANY_ATTEMPTS"
    # A name longer than any column is refused in words too (its key hashed, its audit line cut).
    assert attempt(store.engine, "长" * 300, "x", "10.0.0.68") == "BAD_CREDENTIALS"
    assert audit.entries(store.engine, action="sign_in_failed")["user"].iloc[0] == "长" * 200
    log = audit.entries(store.engine, action="sign_in_throttled")
    details = json.loads(log["details"].iloc[0])
    # The 2 s wait, as much of it as was left when the attempt came (a slow password check on a
    # loaded machine can take a second of it).
    assert details["client"] == "10.0.0.67" and details["wait_seconds"] in (1, 2)


def test_the_wait_doubles_only_while_failures_continue(store):
    accounts.add_user(store.engine, "alice", PASSWORD, "viewer")
    client = accounts.client_key("10.0.0.66")
    waits = []
    for _ in range(accounts.CLIENT_FREE_ATTEMPTS + 4):  # each failure as soon as the last wait is over
        started = datetime.now(UTC)
        assert attempt(store.engine, "alice", "wrong password!", "10.0.0.66") == "BAD_CREDENTIALS"
        with store.engine.connect() as conn:
            at = conn.execute(select(throttle.c.next_allowed_at).where(throttle.c.name == client)).scalar()
        waits.append(round((accounts._aware(at) - started).total_seconds()))  # set when it was counted
        elapse(store.engine, waits[-1] + 1)
    assert waits == [0, 0, 2, 4, 8, 16, 32]
    # Failures stop: once FORGET_SECONDS have passed after the last wait, the count is forgotten and
    # the client has its free attempts again.
    elapse(store.engine, accounts.FORGET_SECONDS)
    for _ in range(accounts.CLIENT_FREE_ATTEMPTS - 1):
        assert attempt(store.engine, "alice", "wrong password!", "10.0.0.66") == "BAD_CREDENTIALS"
    assert failures(store.engine, client) == accounts.CLIENT_FREE_ATTEMPTS - 1
    # A success clears the account's count and takes back its own advance count of the client.
    assert attempt(store.engine, "alice", PASSWORD, "10.0.0.66") == "signed in"
    assert failures(store.engine, accounts.account_key("alice")) == 0
    assert failures(store.engine, client) == accounts.CLIENT_FREE_ATTEMPTS - 1
    assert attempt(store.engine, "alice", PASSWORD, "10.0.0.66") == "signed in"  # no wait left


def test_one_client_cannot_lock_an_account_for_anyone_else(store):
    """An attacker who keeps guessing a known name from one client, at every moment the throttle
    allows and in between, locks their own client, never the account: the victim signs in from
    another client whenever they come."""
    accounts.add_user(store.engine, "alice", PASSWORD, "viewer")
    attacker = accounts.client_key("10.0.0.66")
    answers = []
    for turn in range(1, 41):
        answers.append(attempt(store.engine, "alice", "a guess", "10.0.0.66"))
        answers.append(attempt(store.engine, "alice", "another guess", "10.0.0.66"))  # during the wait
        assert failures(store.engine, accounts.account_key("alice")) <= accounts.CLIENT_FREE_ATTEMPTS
        if turn % 10 == 0:
            assert attempt(store.engine, "alice", PASSWORD, "10.0.0.7") == "signed in"
        wait = wait_of(store.engine, attacker)
        elapse(store.engine, wait + 1)  # the attacker waits each wait out
    assert answers[:3] == ["BAD_CREDENTIALS"] * 3 and "TOO_MANY_ATTEMPTS.account" not in answers
    # Every turn one guess was checked, and counted for the client; the one in between was refused
    # (unless a slow password check outlasted one of the first, short waits).
    checked = answers.count("BAD_CREDENTIALS")
    assert 41 <= checked <= 44 and answers.count("TOO_MANY_ATTEMPTS") == 80 - checked
    assert failures(store.engine, attacker) == checked
    # Doubled up to the cap (the wait left, read a moment after it was set: a second may be gone).
    assert accounts.MAX_DELAY_SECONDS - 1 <= wait <= accounts.MAX_DELAY_SECONDS


def test_many_clients_lock_the_account_until_an_administrator_unlocks_it(store, capsys):
    accounts.add_user(store.engine, "alice", PASSWORD, "viewer")
    account = accounts.account_key("alice")
    answers = [attempt(store.engine, "Alice ", "a guess", f"10.0.1.{k}") for k in range(10)]
    assert answers == ["BAD_CREDENTIALS"] * accounts.ACCOUNT_FREE_ATTEMPTS
    for k in range(10, 14):  # guesses go on from new clients as each of the account's waits passes
        elapse(store.engine, wait_of(store.engine, account) + 1)
        assert attempt(store.engine, "alice", "a guess", f"10.0.1.{k}") == "BAD_CREDENTIALS"
        assert attempt(store.engine, "alice", "a guess", f"10.0.2.{k}") == "TOO_MANY_ATTEMPTS.account"
    # Now every client waits for this account (32 s after 14 failures), the rightful user's too …
    assert attempt(store.engine, "alice", PASSWORD, "10.0.0.7") == "TOO_MANY_ATTEMPTS.account"
    assert 16 < accounts.lock_wait(store.engine, "alice") <= 32 and accounts.lock_wait(store.engine, "bob") is None
    # … until an administrator lifts the lock-out from the command line (audited with the OS user).
    assert main(["user", "unlock", "alice"]) == 0
    assert "alice" in capsys.readouterr().out
    assert attempt(store.engine, "alice", PASSWORD, "10.0.0.7") == "signed in"
    line = audit.entries(store.engine, action="user_unlock").iloc[0]
    assert (line["user"], line["target"]) == (os_identity(), "alice")
    details = json.loads(line["details"])
    assert details == {"failures": 14, "via": "cli", "os_user": os_identity()}
    assert main(["user", "unlock", "nobody"]) == 1  # an unknown account: refused, nothing audited
    assert len(audit.entries(store.engine, action="user_unlock")) == 1


def test_parallel_wrong_passwords_never_pass_the_throttle(store, monkeypatch):
    """Sixteen parallel guesses from one client: its free attempts reach the password check, no more;
    from sixteen clients at one account: the account's free attempts, no more."""
    for name in ("alice", "bob"):
        accounts.add_user(store.engine, name, PASSWORD, "viewer")
    checked, answers = _sixteen_parallel_guesses(store, monkeypatch, "alice", lambda k: "10.2.0.1")
    assert len(checked) == answers.count("BAD_CREDENTIALS") == accounts.CLIENT_FREE_ATTEMPTS
    assert answers.count("TOO_MANY_ATTEMPTS") == 16 - accounts.CLIENT_FREE_ATTEMPTS

    checked, answers = _sixteen_parallel_guesses(store, monkeypatch, "bob", lambda k: f"10.3.0.{k}")
    assert len(checked) == answers.count("BAD_CREDENTIALS") == accounts.ACCOUNT_FREE_ATTEMPTS
    assert answers.count("TOO_MANY_ATTEMPTS.account") == 16 - accounts.ACCOUNT_FREE_ATTEMPTS


def _sixteen_parallel_guesses(store, monkeypatch, name: str, client_of) -> tuple[list, list]:
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
        return attempt(store.engine, name, f"wrong guess {k}", client_of(k))

    with ThreadPoolExecutor(max_workers=16) as pool:
        answers = list(pool.map(guess, range(16)))
    monkeypatch.setattr(accounts, "_hasher", real)
    return checked, answers


GUESS = """
import sys, time
from pathlib import Path
from sqlalchemy import create_engine
from dashboard.access import accounts
url, name, go, ready = sys.argv[1], sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
engine = create_engine(url)
engine.connect().close()
ready.touch()
while not go.exists():
    time.sleep(0.01)
try:
    accounts.sign_in(engine, name, "a wrong guess", client="10.9.9.9")
    print("signed in")
except accounts.AuthError as exc:
    print(exc.problem.message_id.value)
"""


def test_parallel_processes_never_pass_the_throttle(store, tmp_path):
    """Eight processes guess at once from a client that has failed twelve times and waited its wait
    out: one attempt is checked (and sets a 15-minute wait), the other seven are refused unchecked."""
    from dashboard.store.store import _engine

    name = "alice"
    accounts.add_user(store.engine, name, PASSWORD, "viewer")
    served = datetime.now(UTC) - timedelta(seconds=1)
    with store.engine.begin() as conn:
        conn.execute(insert(throttle).values(name=accounts.client_key("10.9.9.9"), failures=12, next_allowed_at=served))
    go = tmp_path / "go"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    _engine(store.url)  # migrated already: the processes only sign in
    ready = [tmp_path / f"ready-{k}" for k in range(8)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GUESS, store.url, name, str(go), str(r)], env=env, stdout=subprocess.PIPE
        )
        for r in ready
    ]
    try:
        deadline = time.monotonic() + 120
        while not all(r.exists() for r in ready) and time.monotonic() < deadline:
            time.sleep(0.02)  # every process has started and connected: they guess together
        go.touch()
        answers = [p.communicate(timeout=120)[0].decode().strip() for p in procs]
        assert answers.count("BAD_CREDENTIALS") == 1, answers
        assert answers.count("TOO_MANY_ATTEMPTS") == 7, answers
        assert failures(store.engine, accounts.client_key("10.9.9.9")) == 13
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()


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
    editor = accounts.add_user(store.engine, "wz", PASSWORD, "area_editor", ["500101"])
    other = accounts.add_user(store.engine, "yz", PASSWORD, "area_editor", ["500103"])
    city = User("city", "city_editor")
    batch = upload_as(editor, store, csv_upload(rules, "万州区,W03,2021,10\n"))
    assert len(store.current_values()) == 1 and store.batch(batch)["owner_id"] == editor.id
    with pytest.raises(Refused):
        rollback_as(other, store, batch)  # not their batch
    rollback_as(city, store, batch)  # a city editor may
    assert store.current_values().empty
    actions = list(audit.entries(store.engine)["action"])
    assert actions[:3] == ["rollback", "rollback_refused", "upload"]
    second = upload_as(editor, store, csv_upload(rules, "万州区,W03,2021,11\n"))
    rollback_as(editor, store, second)  # their own
    assert store.batch(second)["status"] == "rolled_back"


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
    batches = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "uploader": ["wz", "city", "wz", "wz"],
            "owner_id": [7, 8, 7, None],  # batch 4: the command line's, under the same name
            "status": ["active", "active", "rolled_back", "active"],
        }
    )
    assert list(rollback_candidates(User("wz", "area_editor", ("500101",), id=7), batches)["id"]) == [1]
    assert rollback_candidates(User("wz", "area_editor", ("500101",)), batches).empty  # no account id
    assert list(rollback_candidates(User("city", "city_editor", id=8), batches)["id"]) == [1, 2, 4]
    assert rollback_candidates(User("v", "viewer"), batches).empty


# ------------------------------------------------------------------------------ batch ownership by account id
def run(*argv: str, stdin: str = "") -> tuple[int, str]:
    """The CLI in this process: exit code and what it wrote (standard output and error)."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = main(list(argv))
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue() + err.getvalue()


def test_an_area_editor_cannot_roll_back_another_area_s_batch_imported_under_their_name(
    rules, store, tmp_path, monkeypatch
):
    """The attack of issue 14: a batch of 渝中区 imported from the command line by an operating-system
    user called like an area editor of 万州区 (and so, before, recorded under the editor's name) is
    not the editor's — refused through the API and through the command line, audited."""
    wz = accounts.add_user(store.engine, "wz", PASSWORD, "area_editor", ["500101"])
    yz = accounts.add_user(store.engine, "yz", PASSWORD, "area_editor", ["500103"])
    monkeypatch.setenv("LOGNAME", "wz")  # getpass.getuser() reads it first
    other_area = tmp_path / "yuzhong.csv"
    other_area.write_text("区县,指标,年份,数值\n渝中区,W03,2021,9\n", encoding="utf-8")

    code, out = run("import", str(other_area))
    assert code == 0, out
    cli_batch = int(store.batches()["id"].iloc[0])
    info = store.batch(cli_batch)
    assert (info["uploader"], info["owner_id"]) == (os_identity(), None) and os_identity().startswith("wz@")
    upload = audit.entries(store.engine, action="upload").iloc[0]
    assert upload["user"] == os_identity()
    assert json.loads(upload["details"]) | {"sha256": ""} == {
        "batch": cli_batch,
        "rows": 1,
        "kind": "indicators",
        "scope": ["500103"],
        "sha256": "",
        "review": "approved",  # the operator's upload is the approving level's own (issue 15)
        "via": "cli",
        "os_user": os_identity(),
    }

    # Through the API: not offered, and refused.
    assert rollback_candidates(wz, store.batches()).empty
    with pytest.raises(Refused) as refused:
        rollback_as(wz, store, cli_batch)
    assert refused.value.problems[0].code == "NOT_ALLOWED"  # NOT_ALLOWED.own_batches
    # Through the command line, signed in as wz: refused the same way, audited with the OS user.
    code, out = run("rollback", str(cli_batch), "--as", "wz", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and "own batches" in out
    line = audit.entries(store.engine, action="rollback_refused").iloc[0]
    assert line["user"] == "wz" and json.loads(line["details"]) == {"via": "cli", "os_user": os_identity()}
    assert store.batch(cli_batch)["status"] == "active" and len(store.current_values()) == 1

    # Imported as yz (their area, their password): yz's own batch — still not wz's.
    code, out = run("import", str(other_area), "--as", "yz", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    yz_batch = int(store.batches()["id"].iloc[0])
    assert (store.batch(yz_batch)["uploader"], store.batch(yz_batch)["owner_id"]) == ("yz", yz.id)
    code, out = run("rollback", str(yz_batch), "--as", "wz", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and store.batch(yz_batch)["status"] == "active"
    # As wz, a file of another area is refused row by row; a wrong password stores nothing either.
    code, out = run("import", str(other_area), "--as", "wz", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 1 and "AREA_NOT_ALLOWED" in out and "nothing stored" in out
    code, out = run("import", str(other_area), "--as", "yz", "--password-stdin", stdin="wrong password\n")
    assert code == 1 and "BAD_CREDENTIALS" in out
    assert len(store.batches()) == 2

    # yz rolls their own back from the command line: the line names the account and the OS user.
    code, out = run("rollback", str(yz_batch), "--as", "yz", "--password-stdin", stdin=PASSWORD + "\n")
    assert code == 0, out
    line = audit.entries(store.engine, action="rollback").iloc[0]
    assert (line["user"], line["target"]) == ("yz", f"batch {yz_batch}")
    assert json.loads(line["details"]) == {"via": "cli", "os_user": os_identity()}
    # And the operator (no --as) may roll back the ownerless batch, as a city editor may in the app —
    # once its values, approved as the operator stored them (issue 15), are re-opened.
    code, out = run("rollback", str(cli_batch))
    assert code == 1 and "ROLLBACK_APPROVED" in out
    code, out = run("review", "reopen", "--batch", str(cli_batch), "--comment", "导入错了地区")
    assert code == 0, out
    code, out = run("rollback", str(cli_batch))
    assert code == 0 and store.current_values().empty
