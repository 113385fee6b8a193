"""The review of reported values (issue 15, part 3), through the API every page and command uses.

A full cycle with known answers: an area editor's upload is a submission the dashboards do not
show; a reviewer returns one row with a comment; the re-upload is re-submitted; the reviewer
approves; the value is shown. An approved value is locked against uploads and rollbacks until an
approver re-opens it with a reason. Every step is in the review history and the audit trail.
Each refusal is checked per role. SQLite, and PostgreSQL when ``DASHBOARD_TEST_PG_URL`` is set.
"""

from __future__ import annotations

import io
import json
import sys

import pytest
from sqlalchemy import delete

from dashboard.access import accounts
from dashboard.access.authorization import (
    Refused,
    declare_not_obtainable_as,
    review_as,
    rollback_as,
    upload_any_as,
)
from dashboard.cli import main
from dashboard.intake import INDICATORS
from dashboard.intake.indicator_values import read_upload
from dashboard.messages import Code
from dashboard.store import audit
from dashboard.store.review import Action
from dashboard.store.schema import users

PASSWORD = "a long test password for review"
WANZHOU, JIANGJIN = "500101", "500116"


ROLES = [
    ("clerk", "area_editor", [WANZHOU]),
    ("checker", "reviewer", []),
    ("office", "city_editor", []),
    ("boss", "admin", []),
    ("reader", "viewer", []),
    ("keeper", "maintainer", []),
]


def _drop_people(store) -> None:
    # PostgreSQL's test database outlives a test (the store fixture clears data, not accounts).
    names = [name for name, _, _ in ROLES]
    with store.engine.begin() as conn:
        conn.execute(delete(users).where(users.c.name.in_(names)))


@pytest.fixture
def people(store):
    """One account per role (the area editor for 万州区)."""
    _drop_people(store)
    made = {name: accounts.add_user(store.engine, name, PASSWORD, role, areas=areas) for name, role, areas in ROLES}
    yield made
    store.clear()
    _drop_people(store)


def upload(store, rules, user, text: str, name: str = "u.csv", reason: str | None = None) -> int:
    report = read_upload(text.encode(), name, rules)
    assert report.ok, [p.format() for p in report.problems]
    return upload_any_as(user, store, INDICATORS, report, reason=reason)


def shown(store, **kwargs) -> dict[tuple[str, str, int], float]:
    frame = store.shown_values(**kwargs)
    return {(r.area, r.indicator, int(r.year)): float(r.value) for r in frame.itertuples()}


def test_a_full_cycle_submit_return_resubmit_approve(store, rules, people):
    clerk, checker = people["clerk"], people["checker"]
    first = upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,93.5\n万州区,W02,2024,80\n")
    # A submission: stored, current, but not on the dashboards until approved.
    assert store.batch(first)["review"] == "submitted"
    assert shown(store) == {}
    assert shown(store, unreviewed=True) == {(WANZHOU, "W04", 2024): 93.5, (WANZHOU, "W02", 2024): 80.0}
    assert set(store.shown_values(unreviewed=True)["review"]) == {"submitted"}

    # Returning needs a comment; with one, only the chosen row goes back.
    with pytest.raises(Refused) as refused:
        review_as(checker, store, Action.RETURN, keys=[(WANZHOU, "W04", 2024)])
    assert refused.value.problems[0].message_id is Code.REVIEW_COMMENT_NEEDED
    assert review_as(checker, store, Action.RETURN, keys=[(WANZHOU, "W04", 2024)], comment="口径与上年不一致") == 1
    states = store.review_states().set_index(["indicator"])
    assert states.loc["W04", "review"] == "returned" and states.loc["W04", "comment"] == "口径与上年不一致"
    assert states.loc["W02", "review"] == "submitted"

    # The unit corrects the returned row and uploads again: a new version, submitted.
    second = upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,94.1\n万州区,W02,2024,80\n")
    states = store.review_states().set_index(["indicator"])
    assert states.loc["W04", "review"] == "submitted" and float(states.loc["W04", "value"]) == 94.1
    assert int(states.loc["W04", "batch_id"]) == second
    assert shown(store) == {}

    # The reviewer approves the batch: both current values of it (W02 was only confirmed by it,
    # so it is approved through its own batch).
    assert review_as(checker, store, Action.APPROVE, batch_id=second) == 1
    assert review_as(checker, store, Action.APPROVE, batch_id=first) == 1
    assert shown(store) == {(WANZHOU, "W04", 2024): 94.1, (WANZHOU, "W02", 2024): 80.0}
    # Approving again finds nothing waiting: refused in words, nothing written.
    with pytest.raises(Refused) as refused:
        review_as(checker, store, Action.APPROVE, batch_id=second)
    assert refused.value.problems[0].message_id is Code.REVIEW_NOTHING

    # Every step is in the review history (the first states are the batches') and the audit trail.
    events = store.review_events(area=WANZHOU, indicator="W04").sort_values("id")
    assert events[["action", "before", "after", "user"]].values.tolist() == [
        ["return", "submitted", "returned", "checker"],
        ["approve", "submitted", "approved", "checker"],
    ]
    assert events["comment"].tolist()[0] == "口径与上年不一致"
    history = store.history_of(WANZHOU, "W04")
    assert history[["value", "review", "is_current"]].values.tolist() == [
        [93.5, "returned", False],
        [94.1, "approved", True],
    ]
    trail = audit.entries(store.engine)
    assert {"upload", "review_return", "review_approve", "review_refused"} <= set(trail["action"])


def test_an_approved_value_is_locked_until_reopened(store, rules, people):
    clerk, checker, office = people["clerk"], people["checker"], people["office"]
    batch = upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,93.5\n")
    review_as(checker, store, Action.APPROVE, batch_id=batch)

    # The unit's correction of an approved value is refused, naming the row and column; nothing stored.
    before = store.batches()
    with pytest.raises(Refused) as refused:
        upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,95\n", "fix.csv")
    problem = refused.value.problems[0]
    assert problem.message_id is Code.VALUE_APPROVED and problem.row == 2 and problem.column == "数值"
    assert len(store.batches()) == len(before)
    assert shown(store) == {(WANZHOU, "W04", 2024): 93.5}
    # Reporting the same value again is no change and is accepted (it stays approved).
    upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,93.5\n", "same.csv")
    assert store.review_states()["review"].tolist() == ["approved"]

    # A rollback of the batch that holds the approved value is refused, for everyone.
    for who in (clerk, office):
        with pytest.raises(Refused) as refused:
            rollback_as(who, store, batch)
        assert refused.value.problems[0].message_id is Code.ROLLBACK_APPROVED
    assert store.batch(batch)["status"] == "active"

    # Re-opening needs a reason; then the unit may correct it, and the correction waits for review.
    with pytest.raises(Refused):
        review_as(checker, store, Action.REOPEN, batch_id=batch)
    assert review_as(checker, store, Action.REOPEN, batch_id=batch, comment="统计局更正了口径") == 1
    assert shown(store) == {}  # re-opened: no longer approved
    fixed = upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,95\n", "fix.csv")
    assert shown(store, unreviewed=True) == {(WANZHOU, "W04", 2024): 95.0}
    review_as(checker, store, Action.APPROVE, batch_id=fixed)
    assert shown(store) == {(WANZHOU, "W04", 2024): 95.0}
    actions = store.review_events(area=WANZHOU, indicator="W04").sort_values("id")["action"].tolist()
    assert actions == ["approve", "reopen", "approve"]
    reopen = audit.entries(store.engine, action="review_reopen")
    assert len(reopen) == 1 and "统计局更正了口径" in reopen["details"].iloc[0]


def test_an_approvers_correcting_upload_needs_a_reason_and_reopens(store, rules, people):
    office = people["office"]
    batch = upload(store, rules, office, "区县,指标,年份,数值\n江津区,W04,2024,90\n")
    # An approver's own upload is the approving level's figure: approved at once.
    assert store.batch(batch)["review"] == "approved"
    assert shown(store) == {(JIANGJIN, "W04", 2024): 90.0}
    with pytest.raises(Refused) as refused:
        upload(store, rules, office, "区县,指标,年份,数值\n江津区,W04,2024,91\n", "v2.csv")
    assert refused.value.problems[0].message_id is Code.VALUE_APPROVED
    upload(store, rules, office, "区县,指标,年份,数值\n江津区,W04,2024,91\n", "v2.csv", reason="区统计局复核后更正")
    assert shown(store) == {(JIANGJIN, "W04", 2024): 91.0}
    events = store.review_events(area=JIANGJIN).sort_values("id")
    assert events[["action", "before", "after", "comment"]].values.tolist() == [
        ["reopen", "approved", "submitted", "区统计局复核后更正"]
    ]


def test_while_a_correction_waits_the_approved_value_stays_shown(store, rules, people):
    clerk, checker = people["clerk"], people["checker"]
    first = upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,93.5\n")
    review_as(checker, store, Action.APPROVE, batch_id=first)
    review_as(checker, store, Action.REOPEN, batch_id=first, comment="请核实")
    review_as(checker, store, Action.APPROVE, batch_id=first)
    # Not changed after approval, a re-submitted value of another key waits; W04 stays as approved.
    upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W02,2024,70\n")
    assert shown(store) == {(WANZHOU, "W04", 2024): 93.5}
    assert shown(store, unreviewed=True) == {(WANZHOU, "W04", 2024): 93.5, (WANZHOU, "W02", 2024): 70.0}


def test_a_returned_value_reported_again_unchanged_is_resubmitted(store, rules, people):
    clerk, checker = people["clerk"], people["checker"]
    upload(store, rules, clerk, "区县,指标,年份,数值\n万州区,W04,2024,93.5\n")
    review_as(checker, store, Action.RETURN, keys=[(WANZHOU, "W04", 2024)], comment="请说明比上年高的原因")
    upload(store, rules, clerk, "区县,指标,年份,数值,备注\n万州区,W04,2024,93.5,\n", "again.csv")
    assert store.review_states()["review"].tolist() == ["submitted"]
    actions = store.review_events(area=WANZHOU).sort_values("id")["action"].tolist()
    assert actions == ["return", "resubmit"]


@pytest.mark.parametrize(
    "role_user, allowed",
    [("clerk", False), ("reader", False), ("keeper", False), ("checker", True), ("office", True), ("boss", True)],
)
def test_reviewing_is_refused_server_side_for_roles_that_may_not(store, rules, people, role_user, allowed):
    batch = upload(store, rules, people["clerk"], "区县,指标,年份,数值\n万州区,W04,2024,93.5\n")
    user = people[role_user]
    for action, comment in ((Action.APPROVE, None), (Action.REOPEN, "y"), (Action.RETURN, "x")):
        if allowed:
            assert review_as(user, store, action, batch_id=batch, comment=comment) == 1
        else:
            with pytest.raises(Refused) as refused:
                review_as(user, store, action, batch_id=batch, comment=comment)
            assert refused.value.problems[0].message_id is Code.NOT_ALLOWED
    if not allowed:
        assert store.review_states()["review"].tolist() == ["submitted"]
        # The audit trail outlives a test on PostgreSQL: this user's refusals only.
        refusals = audit.entries(store.engine, user=role_user, action="access_refused")
        assert (refusals["target"] == f"batch {batch}").sum() == 3


def test_not_obtainable_is_stated_per_area_and_withdrawn(store, people):
    clerk = people["clerk"]
    declare_not_obtainable_as(clerk, store, WANZHOU, "W30", 2024, "本年度未开展专项调查")
    with pytest.raises(Refused) as refused:
        declare_not_obtainable_as(clerk, store, JIANGJIN, "W30", 2024, "x")
    assert refused.value.problems[0].message_id is Code.REVIEW_AREA_NOT_ALLOWED
    with pytest.raises(Refused):
        declare_not_obtainable_as(people["checker"], store, WANZHOU, "W30", 2024, "x")
    standing = store.not_obtainable(years=[2024])
    assert standing[["area", "indicator", "year", "reason", "user"]].values.tolist() == [
        [WANZHOU, "W30", 2024, "本年度未开展专项调查", "clerk"]
    ]
    declare_not_obtainable_as(people["office"], store, WANZHOU, "W30", 2024, "")
    assert store.not_obtainable(years=[2024]).empty
    lines = audit.entries(store.engine, action="not_obtainable")
    assert lines.loc[lines["target"] == f"{WANZHOU} W30 2024", "user"].tolist() == ["office", "clerk"]


def test_a_review_changes_the_data_version(store, rules, people):
    batch = upload(store, rules, people["clerk"], "区县,指标,年份,数值\n万州区,W04,2024,93.5\n")
    before = store.data_version()
    review_as(people["checker"], store, Action.APPROVE, batch_id=batch)
    assert store.data_version() != before  # the dashboards' caches see the approval at once


def run(*argv: str, stdin: str = "") -> tuple[int, str]:
    """The command line in this process: exit code and what it wrote (standard output and error)."""
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        try:
            code = main(list(argv))
        except SystemExit as exc:  # a clear line for a bad argument, as the shell sees it
            code = 2 if exc.code is None or isinstance(exc.code, int) else 1
            err.write(str(exc.code))
    finally:
        sys.stdin, sys.stdout, sys.stderr = old
    return code, out.getvalue() + err.getvalue()


def test_the_cycle_from_the_command_line(store, people, tmp_path):
    as_clerk = ("--as", "clerk", "--password-stdin")
    as_checker = ("--as", "checker", "--password-stdin")
    first = tmp_path / "wanzhou-2024.csv"
    first.write_text("区县,指标,年份,数值\n万州区,W04,2024,93.5\n", encoding="utf-8")
    code, out = run("import", str(first), *as_clerk, stdin=PASSWORD + "\n")
    assert code == 0, out
    batch = int(store.batches()["id"].iloc[0])

    # The queue lists the submission; evaluate shows it only with --unreviewed.
    code, out = run("review", "list", "--year", "2024", "--format", "json")
    assert code == 0 and '"指标":"W04"' in out.replace(" ", "") and "已报待审" in out
    code, out = run("evaluate", "--year", "2024", "--area", "万州区", "--format", "json")
    w04 = [r for r in json.loads(out) if r["indicator"] == "W04"]
    assert code == 0 and [r["value"] for r in w04] == [None]
    code, out = run("evaluate", "--year", "2024", "--area", "万州区", "--format", "json", "--unreviewed")
    w04 = [r for r in json.loads(out) if r["indicator"] == "W04"]
    assert code == 0 and [r["value"] for r in w04] == [93.5]

    # A clerk may not approve; a return needs its comment; then return, and the unit re-uploads.
    code, out = run("review", "approve", "--batch", str(batch), *as_clerk, stdin=PASSWORD + "\n")
    assert code == 1 and "无权" in out
    code, out = run("review", "return", "--value", "万州区,W04,2024", *as_checker, stdin=PASSWORD + "\n")
    assert code == 1 and "必须写明原因" in out
    code, out = run(
        "review", "return", "--value", "万州区,W04,2024", "--comment", "请核实", *as_checker, stdin=PASSWORD + "\n"
    )
    assert code == 0 and "已退回 1 个数值" in out
    first.write_text("区县,指标,年份,数值\n万州区,W04,2024,94\n", encoding="utf-8")
    code, out = run("import", str(first), *as_clerk, stdin=PASSWORD + "\n")
    assert code == 0, out
    second = int(store.batches()["id"].iloc[0])
    code, out = run("review", "approve", "--batch", str(second), *as_checker, stdin=PASSWORD + "\n")
    assert code == 0 and "已审核通过 1 个数值" in out
    assert shown(store) == {(WANZHOU, "W04", 2024): 94.0}

    # Locked: the clerk's change is refused naming the row; the operator needs --reason.
    first.write_text("区县,指标,年份,数值\n万州区,W04,2024,95\n", encoding="utf-8")
    code, out = run("import", str(first), *as_clerk, stdin=PASSWORD + "\n")
    assert code == 1 and "row 2, column 数值" in out and "万州区 W04 2024 年的数值已审核、已锁定" in out
    code, out = run("import", str(first))
    assert code == 1 and "已审核、已锁定" in out
    code, out = run("import", str(first), "--reason", "市统计局年报更正")
    assert code == 0, out
    assert shown(store) == {(WANZHOU, "W04", 2024): 95.0}
    code, out = run("review", "history", "--area", "万州区", "--format", "json")
    assert code == 0
    assert [e["操作"] for e in json.loads(out)] == ["重新打开", "审核通过", "退回"]
    # A value given wrongly is a clear line, not a trace.
    code, out = run("review", "approve", "--value", "万州区,W04", *as_checker, stdin=PASSWORD + "\n")
    assert code != 0 and "地区,指标,年份" in out
