"""Sign-in, roles and the audit trail through the app (``streamlit.testing.v1.AppTest``).

Each protected action is tried allowed and refused: opening the upload, history, users and audit
pages by URL, a cross-area upload, a city editor's upload, user management, sign-out, an expired
session, a deployment without anonymous viewing. ``tests/test_accounts.py`` covers the same rules
through the ``dashboard/`` API directly.
"""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, select, update
from streamlit.testing.v1 import AppTest

from dashboard.access import accounts
from dashboard.access.authorization import review_as
from dashboard.store import audit
from dashboard.store.review import Action
from dashboard.store.schema import throttle

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PASSWORD = "a long test password"


@pytest.fixture
def db(demo_db, tmp_path, monkeypatch):
    """A private copy of the demo database; yields an engine on it."""
    path = tmp_path / "demo.db"
    path.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{path}")
    monkeypatch.delenv("DASHBOARD_ALLOW_ANONYMOUS", raising=False)
    engine = create_engine(f"sqlite:///{path}")
    engine.path = path
    yield engine
    engine.dispose()


def token_for(engine, name: str, role: str, areas=()) -> str:
    accounts.add_user(engine, name, PASSWORD, role, list(areas), by="test")
    return accounts.sign_in(engine, name, PASSWORD)[1]


def app(page: str | None = None, token: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if token:
        at.session_state["_auth_token"] = token
    if page:
        at.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def errors(at: AppTest) -> str:
    return "\n".join(e.value for e in at.error)


def sidebar_text(at: AppTest) -> str:
    parts = [m.value for m in at.sidebar.markdown] + [c.value for c in at.sidebar.caption]
    parts += [w.value for w in at.sidebar.warning] + [i.value for i in at.sidebar.info]
    return "\n".join(parts)


def menu(at: AppTest) -> set[str]:
    """The pages linked from the sidebar menu on the last run (url paths; nothing when it is hidden)."""
    return {link.proto.page for link in at.sidebar.get("page_link")}


def sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.sidebar.text_input(key="signin_name").input(name)
    at.sidebar.text_input(key="signin_password").input(password)
    at.sidebar.button(key="signin_go").click()
    return at.run()


def upload(at: AppTest, name: str, content: bytes) -> AppTest:
    return at.file_uploader(key="upload_file").upload(name, content, "text/csv").run()


# ------------------------------------------------------------------------------ anonymous viewing
def test_anonymous_sees_the_overview_and_a_sign_in_form(db):
    at = app()
    no_exception(at)
    assert "规划实施进展" in at.title[0].value
    assert at.sidebar.text_input(key="signin_password")
    assert "未登录" in sidebar_text(at)
    assert not menu(at) & {"upload", "history", "users", "audit"}
    assert {"domain", "rules"} <= menu(at)


@pytest.mark.parametrize(
    "page,action", [("upload", "上传数据"), ("history", "撤回批次"), ("users", "管理用户"), ("audit", "查看审计日志")]
)
def test_anonymous_opening_a_protected_page_is_refused(db, page, action):
    at = app(page)
    no_exception(at)
    text = errors(at)
    assert text == f"未登录用户（查看者）无权{action}；请用有权限的账号登录", text  # the reader's language only
    assert not at.get("file_uploader")
    assert not any(b.key in ("confirm_upload", "rollback_go", "new_user_go") for b in at.button)
    assert audit.entries(db)["action"].iloc[0] == "access_refused"


def test_refusal_in_english(db):
    at = app("upload", lang="en")
    no_exception(at)
    assert errors(at).startswith("anonymous users (Viewer) may not upload data")


def test_no_anonymous_deployment_shows_only_the_sign_in(db, monkeypatch):
    monkeypatch.setenv("DASHBOARD_ALLOW_ANONYMOUS", "0")
    accounts.ensure_demo_account(db)
    at = app()
    no_exception(at)
    assert not any("规划实施进展" in t.value for t in at.title)
    assert any("需要登录" in i.value for i in at.info)
    assert not menu(at) and not at.metric
    at = app("indicator", indicator="W03")
    assert not any("孕产妇死亡率" in t.value for t in at.title) and not at.dataframe
    at = sign_in(at, accounts.DEMO_USER, accounts.DEMO_PASSWORD)
    no_exception(at)
    assert any("孕产妇死亡率" in t.value for t in at.title)


# ------------------------------------------------------------------------------ sign-in, demo account, sign-out
def test_demo_account_signs_in_through_the_form_and_may_upload(db):
    accounts.ensure_demo_account(db)
    at = app("upload")
    assert "未登录用户" in errors(at)
    at = sign_in(at, accounts.DEMO_USER, accounts.DEMO_PASSWORD)
    no_exception(at)
    assert not at.error
    assert at.get("file_uploader"), "the upload page is usable after signing in"
    side = sidebar_text(at)
    assert "演示账号 demo account — 仅限本机演示" in side and "管理员" in side and "demo" in side
    assert {"upload", "history", "users", "audit"} <= menu(at)
    assert accounts.DEMO_PASSWORD not in str(at._tree)  # never echoed back
    assert at.session_state["signin_password"] == ""
    assert audit.entries(db, action="sign_in")["user"].tolist() == ["demo"]


def test_wrong_password_shows_the_problem_in_the_reader_s_language(db):
    token_for(db, "alice", "city_editor")
    at = sign_in(app(), "alice", "wrong password!!")
    no_exception(at)
    shown = "\n".join(e.value for e in at.sidebar.error)
    # The reader's language only, no internal code (the code is in the audit trail).
    assert shown == "用户名或密码不正确"
    assert "wrong password!!" not in str(at._tree)
    assert "_auth_token" not in at.session_state
    for _ in range(accounts.CLIENT_FREE_ATTEMPTS - 1):
        at = sign_in(at, "alice", "wrong password!!")
    # The form passes the browser's address (none in AppTest, as on localhost): counted per client.
    client = accounts.client_key(accounts.UNKNOWN_CLIENT)
    with db.begin() as conn:
        row = conn.execute(select(throttle).where(throttle.c.name == client)).mappings().one()
        assert row["failures"] == accounts.CLIENT_FREE_ATTEMPTS
        # Failures went on for a while: this client must now wait a minute.
        later = datetime.now(UTC) + timedelta(seconds=60)
        conn.execute(update(throttle).where(throttle.c.name == client).values(next_allowed_at=later))
    line = audit.entries(db, action="sign_in_failed").iloc[0]
    assert json.loads(line["details"]) == {"client": accounts.UNKNOWN_CLIENT}
    at = sign_in(at, "alice", PASSWORD)
    slowed = "\n".join(e.value for e in at.sidebar.error)
    assert slowed.startswith("失败次数过多，请 ") and slowed.endswith(" 秒后再试")
    assert "_auth_token" not in at.session_state


def test_sign_out_returns_to_anonymous(db):
    at = app("upload", token=token_for(db, "city", "city_editor"))
    assert at.get("file_uploader") and not at.error
    at.sidebar.button(key="signout_go").click().run()
    no_exception(at)
    assert "未登录用户" in errors(at)
    assert at.sidebar.text_input(key="signin_password")
    assert audit.entries(db)["action"].tolist()[:2] == ["access_refused", "sign_out"]


def test_an_expired_session_is_signed_out(db):
    token = token_for(db, "city", "city_editor")
    at = app("upload", token=token)
    assert at.get("file_uploader")
    with db.begin() as conn:
        conn.execute(update(accounts.sessions).values(expires_at=datetime.now(UTC) - timedelta(minutes=1)))
    at.run()
    no_exception(at)
    assert "未登录用户" in errors(at)
    assert "_auth_token" not in at.session_state
    assert "登录已过期" in sidebar_text(at)


def test_a_disabled_user_loses_access_on_the_next_run(db):
    token = token_for(db, "city", "city_editor")
    at = app("history", token=token)
    assert not at.error
    accounts.change_user(db, "city", disabled=True, by="test")
    at.run()
    assert "未登录用户" in errors(at)


# ------------------------------------------------------------------------------ each role on each page
@pytest.mark.parametrize(
    "role,allowed",
    [
        ("viewer", set()),
        ("area_editor", {"upload", "history"}),
        ("city_editor", {"upload", "history"}),
        ("maintainer", set()),
        ("admin", {"upload", "history", "users", "audit"}),
    ],
)
def test_each_role_on_each_protected_page(db, role, allowed):
    token = token_for(db, "u1", role, ["500101"] if role == "area_editor" else [])
    for page in ("upload", "history", "users", "audit"):
        at = app(page, token=token)
        no_exception(at)
        refused = "无权" in errors(at)
        assert refused == (page not in allowed), (role, page, errors(at))
        if refused:
            assert "用户 u1" in errors(at)
    assert menu(app(token=token)) & {"upload", "history", "users", "audit"} == allowed


def test_rules_page_actions_only_for_maintainers_and_admins(db):
    for role, allowed in (("viewer", False), ("city_editor", False), ("maintainer", True), ("admin", True)):
        at = app("rules", token=token_for(db, f"r_{role}", role))
        no_exception(at)
        has = any(b.key == "rules_reload" for b in at.button)
        assert has == allowed, role
        if allowed:
            at.button(key="rules_reload").click().run()
            no_exception(at)
            assert any("已重新载入" in s.value for s in at.success)
        else:
            assert any("只读" in c.value for c in at.caption)


# ------------------------------------------------------------------------------ uploads
def _values_csv(lines: str) -> bytes:
    return ("区县,指标,年份,数值\n" + lines).encode("utf-8")


def test_area_editor_cross_area_upload_names_the_rows_and_stores_nothing(db):
    from dashboard.store import Store

    token = token_for(db, "wz", "area_editor", ["500101"])
    store = Store(os.environ["DASHBOARD_DB_URL"])
    before = store.current_values()
    n_batches = len(store.batches())
    at = app("upload", token=token)
    at = upload(
        at, "mixed.csv", _values_csv("万州区,W03,2026,10\n江津区,W03,2026,9\n万州区,W04,2026,93\n渝中区,C19,2026,97\n")
    )
    no_exception(at)
    assert "发现 2 个问题" in errors(at)
    report = at.dataframe[0].value
    assert report["类型"].tolist() == ["错误（须改正）"] * 2
    assert [re.search(r"第 (\d+) 行", loc).group(1) for loc in report["位置"]] == ["3", "5"]
    assert "500116" in report["说明"].iloc[0]
    assert not any(b.key == "confirm_upload" for b in at.button)
    pd.testing.assert_frame_equal(store.current_values(), before)
    assert len(store.batches()) == n_batches
    assert audit.entries(db)["action"].iloc[0] == "upload_refused"
    store.dispose()


def test_area_editor_own_area_upload_is_stored_as_theirs(db):
    from dashboard.store import Store

    at = app("upload", token=token_for(db, "wz", "area_editor", ["500101"]))
    at = upload(at, "wz.csv", _values_csv("万州区,W03,2026,10\n"))
    assert any("校验通过" in s.value for s in at.success)
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("已入库" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    newest = store.batches().iloc[0]
    assert newest["uploader"] == "wz" and newest["owner_id"] == accounts.find_user(db, "wz").id
    store.dispose()


def test_a_command_line_batch_under_an_area_editor_s_name_is_not_theirs(db, tmp_path, monkeypatch):
    """A batch of another area imported from the command line by an operating-system user called
    like the area editor: the history page does not offer it to them (the server refuses it too:
    tests/test_accounts.py); their own upload is offered."""
    from dashboard.cli import main
    from dashboard.store import Store

    token = token_for(db, "wz", "area_editor", ["500101"])
    monkeypatch.setenv("LOGNAME", "wz")  # getpass.getuser() reads it first
    other = tmp_path / "yuzhong.csv"
    other.write_bytes(_values_csv("渝中区,W03,2026,9\n"))
    assert main(["import", str(other)]) == 0
    at = app("upload", token=token)
    at = upload(at, "wz.csv", _values_csv("万州区,W03,2026,10\n"))
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    batches = store.batches().set_index("file_name")
    store.dispose()
    assert batches.loc["yuzhong.csv", "uploader"].startswith("wz@")

    at = app("history", token=token)
    no_exception(at)
    offered = at.selectbox(key="rollback_batch").options
    assert len(offered) == 1 and f"#{int(batches.loc['wz.csv', 'id'])}" in offered[0], offered


def test_city_editor_upload_succeeds_and_is_audited(db):
    from dashboard.store import Store

    at = app("upload", token=token_for(db, "city", "city_editor"))
    at = upload(at, "city.csv", _values_csv("万州区,W03,2026,10\n江津区,W03,2026,9\n"))
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("已入库" in s.value for s in at.success)
    store = Store(os.environ["DASHBOARD_DB_URL"])
    assert len(store.current_values(years=[2026])) == 2
    store.dispose()
    entry = audit.entries(db, action="upload").iloc[0]
    assert entry["user"] == "city" and entry["target"] == "city.csv"
    assert '"rows": 2' in entry["details"]


def test_task_reports_area_editor_refused_for_city_tasks_city_editor_allowed(db):
    from dashboard.store import Store

    csv = "任务代码,年份,状态,目标,完成值\nWP2020-11,2020,已完成,,104\n".encode()
    at = app("upload", token=token_for(db, "jj", "area_editor", ["500116"]))
    at = upload(at, "tasks.csv", csv)
    no_exception(at)
    report = at.dataframe[0].value
    assert report["类型"].tolist() == ["错误（须改正）"] and "第 2 行" in report["位置"].iloc[0]
    assert "WP2020-11" in report["说明"].iloc[0]
    store = Store(os.environ["DASHBOARD_DB_URL"])
    assert "WP2020-11" not in set(store.current_task_reports()["task"])  # the demo has no 2020 reports

    at = app("upload", token=token_for(db, "city", "city_editor"))
    at = upload(at, "tasks.csv", csv)
    assert any("校验通过" in s.value for s in at.success)
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("已入库" in s.value for s in at.success)
    assert store.current_task_reports(tasks=["WP2020-11"])["year"].tolist() == [2020]
    assert store.batches()["uploader"].iloc[0] == "city"
    store.dispose()
    entry = audit.entries(db, action="upload").iloc[0]
    assert entry["user"] == "city" and '"kind": "tasks"' in entry["details"]


def test_area_editor_may_roll_back_only_their_own_batches(db):
    from dashboard.store import Store

    at = app("history", token=token_for(db, "wz", "area_editor", ["500101"]))
    no_exception(at)
    assert not any(b.key == "rollback_go" for b in at.button)  # the demo batches are not theirs
    at = app("history", token=token_for(db, "city", "city_editor"))
    at.selectbox(key="rollback_batch").set_value(1).run()  # the demo values (batch 2: demo task reports)
    at.checkbox(key="rollback_sure").check().run()
    at.button(key="rollback_go").click().run()
    no_exception(at)
    # The demo batch holds approved values: refused until an approver re-opens them (issue 15).
    assert "不能撤回" in errors(at) and not at.success
    store = Store(os.environ["DASHBOARD_DB_URL"])
    city = accounts.find_user(db, "city")
    assert review_as(city, store, Action.REOPEN, batch_id=1, comment="演示数据重新导入") > 0
    at.button(key="rollback_go").click().run()
    no_exception(at)
    assert any("已回滚" in s.value for s in at.success)
    assert store.current_values().empty and len(store.current_task_reports()) > 0
    store.dispose()
    assert audit.entries(db, action="rollback")["user"].tolist() == ["city"]


# ------------------------------------------------------------------------------ admin pages
def test_admin_users_page_adds_disables_and_resets(db):
    at = app("users", token=token_for(db, "root", "admin"))
    no_exception(at)
    assert "root" in at.dataframe[0].value["用户名"].tolist()
    secret = "brand new secret 42"
    at.text_input(key="new_user_name").input("wz")
    at.selectbox(key="new_user_role").set_value("area_editor")
    at.multiselect(key="new_user_areas").set_value(["500101"])
    at.text_input(key="new_user_pw").input(secret)
    at.text_input(key="new_user_pw2").input(secret)
    at.button(key="new_user_go").click().run()
    no_exception(at)
    assert any("已新增用户 wz" in s.value for s in at.success), errors(at)
    users = accounts.list_users(db)
    row = users[users["name"] == "wz"].iloc[0]
    assert row["role"] == "area_editor" and row["areas"] == "500101"
    assert secret.encode() not in Path(db.path).read_bytes()
    assert secret not in str(at._tree)
    assert accounts.sign_in(db, "wz", secret)[0].areas == ("500101",)

    # passwords typed differently, or too short: refused with the reason
    at.text_input(key="new_user_name").input("x2")
    at.selectbox(key="new_user_role").set_value("viewer")
    at.text_input(key="new_user_pw").input("first password 1")
    at.text_input(key="new_user_pw2").input("other password 2")
    at.button(key="new_user_go").click().run()
    assert "两次输入的密码不一致" in errors(at)
    at.text_input(key="new_user_name").input("x2")
    at.text_input(key="new_user_pw").input("short")
    at.text_input(key="new_user_pw2").input("short")
    at.button(key="new_user_go").click().run()
    assert "密码至少需要 10 个字符" in errors(at)
    assert "x2" not in accounts.list_users(db)["name"].tolist()

    # disable, enable, reset a password
    at.selectbox(key="manage_user").set_value("wz").run()
    at.button(key="user_disable_go").click().run()
    no_exception(at)
    assert bool(accounts.list_users(db).set_index("name").loc["wz", "disabled"])
    at.selectbox(key="manage_user").set_value("wz").run()
    at.button(key="user_enable_go").click().run()
    assert not bool(accounts.list_users(db).set_index("name").loc["wz", "disabled"])
    at.selectbox(key="reset_user").set_value("wz")
    at.text_input(key="reset_pw").input("another secret 43")
    at.text_input(key="reset_pw2").input("another secret 43")
    at.button(key="reset_go").click().run()
    no_exception(at)
    assert any("已重设 wz 的密码" in s.value for s in at.success)
    assert accounts.sign_in(db, "wz", "another secret 43")[0].name == "wz"
    actions = audit.entries(db, user="root")["action"].tolist()
    assert {"user_add", "user_disable", "user_change", "password_change"} <= set(actions)


def test_a_user_name_is_shown_as_text_never_as_a_link(db):
    # A name is free text: on the users page (the lock-out warning, the unlock notice) it stays words.
    name = "[点此重新登录](https://evil.example/login)"
    token = token_for(db, "root", "admin")
    accounts.add_user(db, name, PASSWORD, "area_editor", ["500101"], by="test")
    for k in range(accounts.ACCOUNT_FREE_ATTEMPTS):
        with pytest.raises(accounts.AuthError):
            accounts.sign_in(db, name, "a guess", client=f"10.0.1.{k}")
    at = app("users", token=token)
    at.selectbox(key="manage_user").set_value(name).run()
    no_exception(at)
    warning = next(w.value for w in at.warning if "登录已暂缓" in w.value)
    assert r"\[点此重新登录\]" in warning and not re.search(r"(?<!\\)\]\(", warning), warning
    at.button(key="user_unlock_go").click().run()
    notice = next(s.value for s in at.success if "登录锁定" in s.value)
    assert not re.search(r"(?<!\\)\]\(", notice), notice


def test_admin_lifts_a_sign_in_lock_out_on_the_users_page(db):
    token = token_for(db, "root", "admin")
    accounts.add_user(db, "wz", PASSWORD, "area_editor", ["500101"], by="test")
    for k in range(accounts.ACCOUNT_FREE_ATTEMPTS):  # guesses from many clients lock the account
        with pytest.raises(accounts.AuthError):
            accounts.sign_in(db, "wz", "a guess", client=f"10.0.1.{k}")
    with db.begin() as conn:  # and went on for a while: a minute to wait
        later = datetime.now(UTC) + timedelta(seconds=60)
        conn.execute(update(throttle).where(throttle.c.name == "a:wz").values(next_allowed_at=later))
    with pytest.raises(accounts.AuthError) as refused:
        accounts.sign_in(db, "wz", PASSWORD, client="10.0.0.7")
    assert refused.value.problem.message_id.value == "TOO_MANY_ATTEMPTS.account"
    at = app("users", token=token)
    at.selectbox(key="manage_user").set_value("wz").run()
    no_exception(at)
    assert any("登录已暂缓" in w.value for w in at.warning)
    at.button(key="user_unlock_go").click().run()
    no_exception(at)
    assert any("已解除 wz 的登录锁定" in s.value for s in at.success)
    assert accounts.lock_wait(db, "wz") is None
    assert accounts.sign_in(db, "wz", PASSWORD, client="10.0.0.7")[0].name == "wz"
    assert audit.entries(db, action="user_unlock")[["user", "target"]].values.tolist() == [["root", "wz"]]


def test_admin_cannot_disable_themselves(db):
    at = app("users", token=token_for(db, "root", "admin"))
    at.selectbox(key="manage_user").set_value("root").run()
    at.button(key="user_disable_go").click().run()
    assert "不能停用自己的账号" in errors(at)
    assert not bool(accounts.list_users(db).set_index("name").loc["root", "disabled"])


def test_audit_page_lists_sign_ins_newest_first_with_filters(db):
    token = token_for(db, "root", "admin")
    token_for(db, "city", "city_editor")
    at = app("audit", token=token)
    no_exception(at)
    table = at.dataframe[0].value
    assert table["操作"].tolist()[:4] == ["登录", "新增用户", "登录", "新增用户"]  # newest first
    assert table["用户"].tolist()[:4] == ["city", "test", "root", "test"]
    at.selectbox(key="audit_action").set_value("sign_in").run()
    assert at.dataframe[0].value["用户"].tolist() == ["city", "root"]
    at.selectbox(key="audit_user").set_value("root").run()
    table = at.dataframe[0].value
    assert table["用户"].tolist() == ["root"] and table["操作"].tolist() == ["登录"]
    at.sidebar.radio(key="w_lang").set_value("en").run()
    no_exception(at)
    assert at.dataframe[0].value["Action"].tolist() == ["signed in"]


# ------------------------------------------------------------------------------ no HTML from user or YAML text
def test_no_page_renders_html_from_variables():
    """Every ``unsafe_allow_html=True`` (and ``st.html``) in the app passes only a constant string."""
    files = [
        ROOT / "streamlit_app.py",
        *sorted((ROOT / "app_pages").glob("*.py")),
        *sorted((ROOT / "dashboard").glob("*.py")),
    ]
    offenders = []
    for path in files:
        text = path.read_text(encoding="utf-8")
        for m in re.finditer(r"unsafe_allow_html\s*=\s*True|\bst\.html\(|components\.html\(", text):
            start = text.rfind("\n", 0, text.rfind("(", 0, m.start())) + 1
            call = text[start : m.end()]
            if not re.search(r"""\(\s*(["'])[^"'{}]*\1\s*,\s*unsafe_allow_html""", call):
                offenders.append(f"{path.relative_to(ROOT)}: {call.strip()[:120]}")
    assert not offenders, offenders


# ------------------------------------------------------------------------------ the task-report API
@pytest.mark.parametrize(
    "role,areas,allowed",
    [
        ("viewer", (), False),
        ("maintainer", (), False),
        ("area_editor", ("500116",), False),
        ("city_editor", (), True),
        ("admin", (), True),
    ],
)
def test_upload_tasks_as_for_each_role(rules, role, areas, allowed):
    from dashboard.access.accounts import User
    from dashboard.access.authorization import Refused, upload_tasks_as
    from dashboard.intake.task_progress import read_task_progress
    from dashboard.rules.workplan import catalogue_for
    from dashboard.store import Store

    cat = catalogue_for(rules)
    report = read_task_progress(
        "任务代码,年份,状态\nWP2020-11,2020,已完成\nWP2020-05,2020,推进中\n".encode(), "t.csv", cat, rules
    )
    assert report.ok
    store = Store(os.environ["DASHBOARD_DB_URL"])
    user = User("u", role, areas)
    if allowed:
        batch = upload_tasks_as(user, store, report, cat)
        assert store.batch(batch)["uploader"] == "u"
        assert sorted(store.current_task_reports()["task"]) == ["WP2020-05", "WP2020-11"]
        assert audit.entries(store.engine).iloc[0]["action"] == "upload"
    else:
        with pytest.raises(Refused) as err:
            upload_tasks_as(user, store, report, cat)
        codes = [(p.code, p.row) for p in err.value.problems]
        if role == "area_editor":
            assert codes == [("AREA_NOT_ALLOWED", 2), ("AREA_NOT_ALLOWED", 3)]
            assert audit.entries(store.engine).iloc[0]["action"] == "upload_refused"
        else:
            assert codes == [("NOT_ALLOWED", None)]
            assert audit.entries(store.engine).iloc[0]["action"] == "access_refused"
        assert store.current_task_reports().empty
    store.dispose()


def test_area_editor_may_report_tasks_led_by_their_units(rules):
    from types import SimpleNamespace

    from dashboard.access.accounts import User
    from dashboard.access.authorization import task_rows_outside_areas
    from dashboard.rules.workplan import catalogue_for

    cat = catalogue_for(rules)
    assert cat.units["jiangjin_wcc_office"].area == "500116"
    # A district work plan's task led by the Jiangjin office (the shipped tasks are all city tasks).
    local = SimpleNamespace(
        units=cat.units, tasks={**cat.tasks, "JJ-01": SimpleNamespace(lead_units=("jiangjin_wcc_office",))}
    )
    rows = pd.DataFrame({"task": ["JJ-01", "WP2020-11", "NO-SUCH"], "source_row": [2, 3, 4]})
    problems = task_rows_outside_areas(User("jj", "area_editor", ("500116",)), rows, local)
    assert [p.row for p in problems] == [3, 4]
    assert task_rows_outside_areas(User("wz", "area_editor", ("500101",)), rows, local)[0].row == 2
    assert task_rows_outside_areas(User("c", "city_editor"), rows, local) == []
