"""The review cycle through the app (issue 15, ``streamlit.testing.v1.AppTest``): the 审核 page per
role (hidden and refused on the server for viewers, area editors and maintainers; a reviewer approves
a batch, returns a value — refused without a comment — and re-opens one with a reason), the switch
含未审核 on the indicator page, the upload page's notes on submissions and locked values, and what the
report and the export say about their values. ``tests/test_review.py`` covers the API itself.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.access import accounts, authorization
from dashboard.intake import read_any_upload
from dashboard.store import Store, audit
from dashboard.store.review import Action

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "streamlit_app.py")
PASSWORD = "a long test password"
JJ = "500116"  # 江津区


@pytest.fixture
def store(tmp_path, monkeypatch, rules):
    """An empty database of our own; the app reads it through ``DASHBOARD_DB_URL``."""
    url = f"sqlite:///{tmp_path / 'review.db'}"
    monkeypatch.setenv("DASHBOARD_DB_URL", url)
    monkeypatch.delenv("DASHBOARD_ALLOW_ANONYMOUS", raising=False)
    s = Store(url)
    s.clear()
    yield s
    s.dispose()


def account(store: Store, name: str, role: str, areas=()) -> accounts.User:
    accounts.add_user(store.engine, name, PASSWORD, role, list(areas), by="test")
    user = accounts.find_user(store.engine, name)
    assert user is not None
    return user


def token(store: Store, name: str) -> str:
    return accounts.sign_in(store.engine, name, PASSWORD)[1]


def upload(store: Store, rules, user: accounts.User, text: str, name: str = "jj.csv", reason: str | None = None) -> int:
    kind, report = read_any_upload(text.encode("utf-8"), name, rules)
    assert report.ok, [p.message_en for p in report.problems]
    return authorization.upload_any_as(user, store, kind, report, reason=reason)


def app(page: str, tok: str | None = None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if tok:
        at.session_state["_auth_token"] = tok
    at.switch_page(f"app_pages/{page}.py")
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def menu(at: AppTest) -> set[str]:
    return {link.proto.page for link in at.sidebar.get("page_link")}


def rows_key(at: AppTest) -> str:
    return next(d.key for d in at.dataframe if d.key and d.key.startswith("review_rows_"))


def select_rows(at: AppTest, rows: list[int]) -> AppTest:
    """Tick table rows as a reader does (the selection state Streamlit keeps for the table)."""
    at.session_state[rows_key(at)] = {"selection": {"rows": rows, "columns": [], "cells": []}}
    return at.run()


def comment_box(at: AppTest):
    return next(a for a in at.text_area if a.key and a.key.startswith("review_comment_"))


def states_of(store: Store) -> dict[tuple[str, str, int], str]:
    frame = store.review_states()
    return {(r.area, r.indicator, int(r.year)): r.review for r in frame.itertuples()}


# ------------------------------------------------------------------------------ who sees the page
@pytest.mark.parametrize("role", ["viewer", "area_editor", "maintainer"])
def test_roles_without_review_do_not_see_the_page_and_are_refused_by_url(store, role):
    account(store, "someone", role, [JJ] if role == "area_editor" else [])
    at = app("review", token(store, "someone"))
    no_exception(at)
    assert "review" not in menu(at)
    text = "\n".join(e.value for e in at.error)
    assert "无权审核、退回或重新打开数值" in text, text
    assert not at.dataframe and not any(b.key and b.key.startswith("review_") for b in at.button)
    refused = audit.entries(store.engine, action="access_refused")
    assert refused["target"].iloc[0] == "review page"


def test_anonymous_opening_the_review_page_is_refused(store):
    at = app("review")
    no_exception(at)
    assert "review" not in menu(at)
    assert "未登录用户（查看者）无权审核、退回或重新打开数值" in at.error[0].value


@pytest.mark.parametrize("role", ["reviewer", "city_editor", "admin"])
def test_approvers_see_the_page_in_the_menu(store, role):
    account(store, "approver", role)
    at = app("overview", token(store, "approver"))
    no_exception(at)
    assert "review" in menu(at)


# ------------------------------------------------------------------------------ the reviewer's actions
def test_reviewer_approves_a_batch_returns_a_value_and_reopens_one(store, rules):
    editor = account(store, "jj_clerk", "area_editor", [JJ])
    account(store, "rev", "reviewer")
    first = upload(store, rules, editor, "区县,指标,年份,数值\n江津区,W03,2024,7.5\n江津区,W04,2024,96\n", "a.csv")
    upload(store, rules, editor, "区县,指标,年份,数值\n江津区,W01,2024,70\n江津区,W02,2024,82\n", "b.csv")
    assert set(states_of(store).values()) == {"submitted"}

    tok = token(store, "rev")
    at = app("review", tok)
    no_exception(at)
    assert "review" in menu(at)
    batches = at.dataframe[0].value
    assert list(batches["批次"]) == [first, first + 1] and list(batches["数值个数"]) == [2, 2]
    assert set(batches["上传人"]) == {"jj_clerk"} and set(batches["地区"]) == {"江津区"}
    assert any("退回和重新打开必须填写意见" in c.value for c in at.caption)  # said before the click

    # The whole first batch.
    at.selectbox(key="review_batch").set_value(first).run()
    at.button(key="review_approve_batch").click().run()
    no_exception(at)
    assert any("“审核通过”完成：2 个数值" in s.value for s in at.success)
    assert states_of(store)[(JJ, "W03", 2024)] == "approved"
    assert states_of(store)[(JJ, "W04", 2024)] == "approved"

    # Return W01 (row 0 of what is left): refused without a comment, done with one.
    values = at.dataframe[1].value
    assert list(values["代码"]) == ["W01", "W02"]
    at = select_rows(at, [0])
    assert any("已选 1 个数值" in c.value for c in at.caption)
    at.button(key="review_return_rows").click().run()
    no_exception(at)
    assert any("“退回”必须写明原因或意见" in e.value for e in at.error)
    assert states_of(store)[(JJ, "W01", 2024)] == "submitted"
    comment_box(at).input("2024 年数值与统计年鉴不符，请核对").run()
    at.button(key="review_return_rows").click().run()
    no_exception(at)
    assert any("“退回”完成：1 个数值" in s.value for s in at.success)
    assert states_of(store)[(JJ, "W01", 2024)] == "returned"
    assert states_of(store)[(JJ, "W02", 2024)] == "submitted"  # the row not ticked is untouched

    # The returned value, with its comment, under its filter.
    at = app("review", tok, review_state="returned")
    assert at.dataframe[1].value["意见或原因"].tolist() == ["2024 年数值与统计年鉴不符，请核对"]

    # Re-open an approved value: the reason is required too.
    at = app("review", tok, review_state="approved")
    values = at.dataframe[1].value
    assert list(values["代码"]) == ["W03", "W04"]
    at = select_rows(at, [1])
    at.button(key="review_reopen_rows").click().run()
    assert any("“重新打开”必须写明原因或意见" in e.value for e in at.error)
    comment_box(at).input("卫健委更正了口径").run()
    at.button(key="review_reopen_rows").click().run()
    no_exception(at)
    assert states_of(store)[(JJ, "W04", 2024)] == "submitted"
    assert states_of(store)[(JJ, "W03", 2024)] == "approved"

    # Every step in the history below, in words, newest first.
    history = at.dataframe[-1].value
    assert history["操作"].tolist() == ["重新打开", "退回", "审核通过", "审核通过"]
    assert history["状态变化"].iloc[0] == "已审核 → 已报待审"
    assert history["意见或原因"].iloc[0] == "卫健委更正了口径"
    actions = audit.entries(store.engine)["action"].tolist()
    assert {"review_approve", "review_return", "review_reopen", "review_refused"} <= set(actions)


def test_review_page_in_english(store, rules):
    editor = account(store, "jj_clerk", "area_editor", [JJ])
    account(store, "rev", "reviewer")
    upload(store, rules, editor, "区县,指标,年份,数值\n江津区,W03,2024,7.5\n")
    at = app("review", token(store, "rev"), lang="en")
    no_exception(at)
    assert at.title[0].value == "Review"
    assert list(at.dataframe[1].value.columns)[:4] == ["Batch", "Area", "Code", "Indicator"]
    assert at.dataframe[1].value["State"].tolist() == [
        "Submitted, awaiting review"
    ]  # a cell: capitalised, unlike the same words mid-sentence


# ------------------------------------------------------------------------------ the switch 含未审核
def test_the_switch_shows_a_submitted_value_marked_on_the_indicator_page(store, rules):
    editor = account(store, "jj_clerk", "area_editor", [JJ])
    upload(store, rules, editor, "区县,指标,年份,数值\n江津区,W03,2024,7.5\n")
    at = app("indicator", indicator="W03", areas=JJ, year="2024")
    no_exception(at)
    assert any(c.value == "仅显示已审核数值" for c in at.caption)
    table = at.dataframe[0].value
    assert not table["上报值"].astype(str).str.contains("7.5").any()  # not shown by default

    at.sidebar.toggle(key="w_unreviewed").set_value(True).run()
    no_exception(at)
    assert at.query_params.get("unreviewed") in ("1", ["1"])
    assert any(c.value == "含未审核数值（标记为“未审核”）" for c in at.caption)
    table = at.dataframe[0].value
    row = table[table["年份"] == 2024]
    assert row["上报值"].tolist() == ["7.5/10万 · 未审核"]
    # Links carry the switch: the menu's link to another page keeps it.
    link = next(p for p in at.sidebar.get("page_link") if p.proto.page == "domain")
    assert "unreviewed=1" in link.proto.query_string

    # Approved, it shows without the switch and without the mark.
    reviewer = account(store, "rev", "reviewer")
    authorization.review_as(reviewer, store, Action.APPROVE, keys=[(JJ, "W03", 2024)])
    at = app("indicator", indicator="W03", areas=JJ, year="2024")
    row = at.dataframe[0].value
    assert row[row["年份"] == 2024]["上报值"].tolist() == ["7.5/10万"]


# ------------------------------------------------------------------------------ the upload page
def _upload_page(at: AppTest, text: str) -> AppTest:
    return at.file_uploader(key="upload_file").upload("jj.csv", text.encode("utf-8"), "text/csv").run()


def test_area_editor_is_told_the_upload_is_a_submission_and_locked_rows_are_marked(store, rules):
    account(store, "jj_clerk", "area_editor", [JJ])
    account(store, "rev", "reviewer")
    at = app("upload", token(store, "jj_clerk"))
    if not hasattr(at, "file_uploader"):
        pytest.skip("this AppTest cannot drive st.file_uploader")
    at = _upload_page(at, "区县,指标,年份,数值\n江津区,W03,2024,7.5\n")
    no_exception(at)
    assert any("作为“已报待审”报送" in i.value for i in at.info)
    at.button(key="confirm_upload").click().run()
    assert states_of(store) == {(JJ, "W03", 2024): "submitted"}

    # Approved, the value is locked: a correction is marked in the preview and refused row by row.
    reviewer = accounts.find_user(store.engine, "rev")
    authorization.review_as(reviewer, store, Action.APPROVE, keys=[(JJ, "W03", 2024)])
    at = _upload_page(app("upload", token(store, "jj_clerk")), "区县,指标,年份,数值\n江津区,W03,2024,7.9\n")
    no_exception(at)
    assert any("有 1 行会修改已审核" in w.value for w in at.warning)
    preview = at.dataframe[-1].value
    assert preview["原数值状态"].tolist() == ["已审核，将被修改"]
    assert not any(x.key and x.key.startswith("upload_reason_") for x in at.text_input)  # not an approver
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("上传被拒绝" in e.value for e in at.error)
    refused = at.dataframe[-1].value
    assert refused.iloc[:, 0].tolist() == ["第 2 行，“数值”列"]  # the row and column, as for any refusal
    assert "已审核、已锁定" in refused.iloc[0, 2]
    assert states_of(store) == {(JJ, "W03", 2024): "approved"}
    assert store.current_values()["value"].tolist() == [7.5]


def test_approver_changing_an_approved_value_must_give_a_reason(store, rules):
    account(store, "city", "city_editor")
    city = accounts.find_user(store.engine, "city")
    upload(store, rules, city, "区县,指标,年份,数值\n江津区,W03,2024,7.5\n")  # an approver's own: approved
    at = app("upload", token(store, "city"))
    if not hasattr(at, "file_uploader"):
        pytest.skip("this AppTest cannot drive st.file_uploader")
    at = _upload_page(at, "区县,指标,年份,数值\n江津区,W03,2024,7.9\n")
    no_exception(at)
    assert not any("已报待审" in i.value for i in at.info)  # an approver's upload is not a submission
    reason = next(x for x in at.text_input if x.key and x.key.startswith("upload_reason_"))
    at.button(key="confirm_upload").click().run()
    assert any("请先填写修改原因" in e.value for e in at.error)
    assert store.current_values()["value"].tolist() == [7.5]
    reason.input("统计局年鉴更正").run()
    at.button(key="confirm_upload").click().run()
    no_exception(at)
    assert any("已入库" in s.value for s in at.success)
    assert store.current_values()["value"].tolist() == [7.9]
    events = store.review_events()
    assert events["action"].tolist() == ["reopen"] and events["comment"].tolist() == ["统计局年鉴更正"]


# ------------------------------------------------------------------------------ reports and exports
def test_report_and_export_say_which_values_they_hold(store, rules):
    from docx import Document
    from openpyxl import load_workbook

    from dashboard.reports.documents import area_report
    from dashboard.reports.exports import export_table

    editor = account(store, "jj_clerk", "area_editor", [JJ])
    upload(store, rules, editor, "区县,指标,年份,数值\n江津区,W03,2024,7.5\n")

    def text(unreviewed: bool) -> str:
        data = area_report(store, rules, None, JJ, 2024, "docx", unreviewed=unreviewed)
        return "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)

    assert "本报告只使用已审核通过的数值。" in text(False)
    assert "本报告含尚未审核通过的数值（已报待审或退回），仅供内部核对。" in text(True)
    book = load_workbook(io.BytesIO(area_report(store, rules, None, JJ, 2024, "xlsx", lang="en", unreviewed=True)))
    first = next(iter(book.worksheets))
    assert (
        first["A2"].value
        == "This report includes values not yet approved (submitted or returned); for internal checking only."
    )

    assert export_table(store, rules).empty  # approved values only: none yet
    shown = export_table(store, rules, unreviewed=True)
    assert shown[["指标代码", "数值", "审核状态"]].values.tolist() == [["W03", 7.5, "已报待审"]]
