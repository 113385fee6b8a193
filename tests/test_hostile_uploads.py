"""The hostile-upload corpus (``dashboard.bench.hostile``): each file answered as expected — refused
with its own code, or accepted with its problems bounded — and the store unchanged."""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.bench.hostile import CASE_NAMES, HEADER, cases, workbook
from dashboard.intake import commit_any, preview_any, read_any_upload
from dashboard.intake.grid import counted_problem, unpacked_problem
from dashboard.intake.indicator_values import read_upload
from dashboard.intake.report import IntakeReport, ProblemCap, list_problems
from dashboard.messages import Code, Problem
from dashboard.store import StoreError


def _rules_with(rules, limits):
    if not limits:
        return rules
    upload = rules.settings.upload.model_copy(update=limits)
    return dataclasses.replace(rules, settings=rules.settings.model_copy(update={"upload": upload}))


@pytest.fixture(scope="module")
def corpus(rules):
    return {case.name: case for case in cases(rules)}


def _snapshot(store):
    return store.current_values(), store.current_task_reports(), store.batches()


def _unchanged(store, before) -> bool:
    return all(now.equals(then) for now, then in zip(_snapshot(store), before))


def test_the_corpus_is_small_on_disk_and_the_same_for_a_seed(corpus, rules):
    # What makes them hostile is what they unpack to or how they are shaped, not their size.
    assert set(corpus) == set(CASE_NAMES)
    assert all(len(case.content) < rules.settings.upload.max_bytes for case in corpus.values())
    again = {c.name: c.content for c in cases(rules, only=["not_a_zip.xlsx", "one_key_many_values.csv"])}
    assert again == {name: corpus[name].content for name in again}


@pytest.mark.parametrize("name", CASE_NAMES)
def test_each_hostile_file_is_answered_as_expected_and_stores_nothing(name, corpus, rules, store):
    case = corpus[name]
    # Something is stored already, so that "unchanged" means more than "still empty".
    seed = read_upload("区县,指标,年份,数值\n万州区,W04,2024,90.5\n".encode(), "seed.csv", rules)
    store.commit(seed, uploader="test")
    before = _snapshot(store)
    limited = _rules_with(rules, case.limits)
    kind, report = read_any_upload(case.content, case.name, limited)
    codes = [p.message_id.value for p in report.errors]
    if case.code:
        assert codes and codes[0] == case.code, codes[:5]
        assert not report.ok
        with pytest.raises(StoreError):  # and the store refuses to take it
            commit_any(kind, report, store, uploader="test")
    else:
        assert report.ok, codes[:5]
        assert len(preview_any(kind, report, store)) == len(report.rows) > 0
    limits = limited.settings.upload
    # Bounded: at most max_problems listed, plus the "N more" line and the suggestions warning.
    assert len(report.problems) <= limits.max_problems + 2
    for problem in report.problems:
        # Every answer reads like the catalogue says, in both languages, with no library wording and
        # no cell echoed whole (a cell is quoted up to 40 characters, rows up to max_rows_named).
        assert problem.message_zh and problem.message_en and "Traceback" not in problem.message_en
        assert len(problem.message_zh) < 1000 and len(problem.message_en) < 1000
    assert _unchanged(store, before)


def test_a_key_repeated_in_8000_rows_is_counted_and_listed_briefly(corpus, rules):
    _, report = read_any_upload(corpus["one_key_many_values.csv"].content, "k.csv", rules)
    limits = rules.settings.upload
    assert report.n_errors == 8000 and report.n_unlisted == 8000 - limits.max_problems
    listed = [p for p in report.errors if p.code == "CONFLICTING_DUPLICATE"]
    assert len(listed) == limits.max_problems and [p.row for p in listed[:3]] == [2, 3, 4]
    # Each names the group's first 10 rows and how many more, not all 8,000.
    assert listed[0].message_en.endswith("11:50.0009, … and 7990 more)")
    assert len(listed[0].params["listing"]) == limits.max_rows_named + 1
    last = report.problems[-1]
    assert last.code == "PROBLEMS_NOT_LISTED" and last.severity == "error"
    assert (
        last.message_zh
        == "另有 7000 个问题未列出（每个文件最多列出 1000 个，upload.max_problems）；请先改正上面列出的问题，再上传查看其余问题"
    )
    assert last.message_en.startswith("7,000 more problems not listed (at most 1,000 are listed per file")


def test_a_task_repeated_in_8000_rows_is_counted_and_listed_briefly(corpus, rules):
    kind, report = read_any_upload(corpus["one_task_many_statuses.csv"].content, "t.csv", rules)
    assert kind == "tasks" and not report.ok
    assert report.n_errors == 8000 and len(report.problems) <= rules.settings.upload.max_problems + 1
    first = report.errors[0]
    assert first.code == "CONFLICTING_DUPLICATE" and first.row == 2
    assert first.message_en.endswith("(rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, … and 7990 more)")


def test_100000_unknown_names_get_at_most_200_suggestions_and_say_so(corpus, rules):
    # 99,999 names: with the header, as many lines as upload.max_rows (100,000) allows.
    content = corpus["unknown_names.csv"].content
    assert len(content) > 3_000_000
    _, report = read_any_upload(content, "n.csv", rules)
    assert report.n_errors == 99_999
    warning = next(p for p in report.problems if p.code == "SUGGESTIONS_LIMITED")
    assert warning.severity == "warning" and warning.params == {"n": 99_999, "max": 200}
    assert "upload.max_suggested_names" in warning.message_en and "200" in warning.message_zh
    # 99,999 errors and the warning: 1,000 listed (the warning first: it has no row), the rest counted.
    assert report.problems[0] is warning and report.problems[-1].params["n"] == 100_000 - 1000


def test_a_10_mb_cell_is_refused_before_it_is_read_and_never_echoed(corpus, rules):
    case = corpus["huge_cell.csv"]
    assert len(case.content) > 10_000_000
    _, report = read_any_upload(case.content, case.name, rules)
    [problem] = report.problems
    assert (problem.code, problem.row, problem.column) == ("CELL_TOO_LONG", 2, "E")
    assert problem.message_zh == (
        "这个单元格有 3400000 个字符，超过上限 10000 个字符（upload.max_cell_chars），文件未读取；请缩短后再上传"
    )
    assert "3,400,000 characters, more than the limit of 10,000 (upload.max_cell_chars)" in problem.message_en


def test_a_cell_just_within_the_limit_is_read_and_quoted_short(rules):
    text = "九" * rules.settings.upload.max_cell_chars
    report = read_upload(f"区县,指标,年份,数值\n万州区,W04,2024,{text}\n".encode(), "x.csv", rules)
    [problem] = report.problems
    assert problem.code == "NOT_A_NUMBER" and problem.message_zh == "“" + "九" * 39 + "…”不是数字"


def test_each_limit_is_named_with_its_value(corpus, rules):
    _, rows = read_any_upload(corpus["many_rows.csv"].content, "r.csv", rules)
    assert rows.problems[0].message_zh.startswith("文件有 100001 行，超过上限 100000 行（upload.max_rows）")
    assert rows.problems[0].message_en.startswith("the file has 100,001 rows, more than the limit of 100,000")
    _, cells = read_any_upload(corpus["many_cells.csv"].content, "c.csv", rules)
    assert cells.problems[0].message_zh.startswith(
        "文件有 601 行、最宽一行 1000 列，共 601000 个单元格，超过上限 600000 个（upload.max_cells），未读取"
    )
    _, wide = read_any_upload(corpus["wide_row.xlsx"].content, "w.xlsx", rules)
    assert "（upload.max_columns）" in wide.problems[0].message_zh and wide.problems[0].row == 2


def test_a_zip_bomb_is_never_opened(corpus, rules, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    for case in corpus.values():
        if case.code == "FILE_TOO_LARGE.unpacked":
            problem = unpacked_problem(case.content, rules.settings.upload)
            assert problem is not None and problem.message_id.value == "FILE_TOO_LARGE.unpacked"
            assert problem.params["size_mb"] >= 250
            _, report = read_any_upload(case.content, case.name, rules)
            assert [p.message_id.value for p in report.errors] == ["FILE_TOO_LARGE.unpacked"]
            assert "upload.max_unpacked_bytes" in report.errors[0].message_en
    # Too many cells or rows: counted in the XML, refused before openpyxl parses a cell.
    case = corpus["many_rows.xlsx"]
    _, report = read_any_upload(case.content, case.name, _rules_with(rules, case.limits))
    assert [p.message_id.value for p in report.errors] == ["TOO_MANY_ROWS"]
    assert report.errors[0].params == {"n": 1001, "max": 1000}


def test_cells_and_rows_are_counted_in_the_xml_exactly():
    content = workbook([HEADER] + [["万州区", "W04", 2024, k] for k in range(99)])  # 100 rows, 400 cells
    from dashboard.rules.models import UploadSettings

    assert counted_problem(content, UploadSettings(max_cells=400, max_rows=100)) is None
    assert counted_problem(content, UploadSettings(max_cells=399)).message_id is Code.TOO_MANY_CELLS
    over = counted_problem(content, UploadSettings(max_rows=99))
    assert over.message_id is Code.TOO_MANY_ROWS and over.params == {"n": 100, "max": 99}


def test_an_ordinary_workbook_stays_within_every_limit(rules):
    content = workbook([HEADER, ["万州区", "W04", 2024, 90.5], ["江津区", "W04", 2024, 91]])
    assert unpacked_problem(content, rules.settings.upload) is None
    assert counted_problem(content, rules.settings.upload) is None
    _, report = read_any_upload(content, "ok.xlsx", rules)
    assert report.ok and len(report.rows) == 2


def test_the_problems_listed_are_the_first_an_unbounded_run_would_list(rules):
    # Four kinds of mistake in every one of 300 rows; each check builds at most max_problems of its
    # own, and the listing is still exactly the file's first problems, in row and column order.
    body = "".join(f"未知区{k},未知指标{k},19{k % 100:02d},x{k}\n" for k in range(300))
    content = ("区县,指标,年份,数值\n" + body).encode()
    full = read_upload(content, "a.csv", _rules_with(rules, {"max_problems": 5000}))
    short = read_upload(content, "a.csv", _rules_with(rules, {"max_problems": 7}))
    assert full.n_errors == short.n_errors == 1200 and full.n_unlisted == 0
    # Two SUGGESTIONS_LIMITED warnings (300 distinct unknown areas, 300 indicators) come first.
    assert len(full.problems) == 1202 and len(short.problems) == 8
    first = [(p.message_id, p.row, p.column) for p in full.problems[:7]]
    assert [(p.message_id, p.row, p.column) for p in short.problems[:7]] == first
    assert short.problems[-1].code == "PROBLEMS_NOT_LISTED" and short.n_unlisted == 1202 - 7


def test_list_problems_counts_warnings_apart_from_errors():
    report = IntakeReport(kind="x", file_name="f", sha256="", rows=pd.DataFrame())
    cap = ProblemCap(2)
    found = []
    for row in range(2, 7):
        if cap.take(Code.DUPLICATE_ROW, "warning"):
            found.append(Problem(Code.DUPLICATE_ROW, {"first": 1}, row=row, severity="warning"))
    list_problems(report, found + cap.placeholders(), 10, lambda p: p.row or 0)
    assert [p.row for p in report.problems[:2]] == [2, 3]
    last = report.problems[-1]
    assert (last.code, last.severity, last.params["n"]) == ("PROBLEMS_NOT_LISTED", "warning", 3)
    assert report.ok and report.n_errors == 0 and report.n_unlisted == 3


@pytest.mark.parametrize(
    ("setting", "value"),
    [("max_rows", "0"), ("max_columns", "2"), ("max_problems", "-1"), ("max_cell_chars", "many")],
)
def test_a_bad_limit_in_settings_is_reported_at_its_line(setting, value, tmp_path):
    from dashboard.rules import load_rules

    root = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parents[1] / "rules", root)
    settings = root / "settings.yaml"
    lines = settings.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(n for n, line in enumerate(lines) if line.startswith(f"  {setting}:"))
    lines[at] = f"  {setting}: {value}\n"
    settings.write_text("".join(lines), encoding="utf-8")
    loaded = load_rules(root)
    assert not loaded.ok
    [problem] = loaded.problems
    assert problem.file.endswith("settings.yaml") and problem.line == at + 1, problem.format()


def test_bench_limits_runs_each_case_in_a_child_and_prints_its_figures_beside_the_goal(capsys):
    from dashboard.cli import main

    assert main(["bench-limits", "--small", "--cases", "many_rows.csv,largest_accepted.csv"]) == 0
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines())
    assert lines["machine"].startswith(f"{os.cpu_count()} cores, load ")
    assert lines["goal"] == "any file up to the upload limit accepted or refused in ≤ 5 s and ≤ 300 MB peak RSS"
    figures = r"; \d+\.\d\d s \(goal ≤ 5 s [✓✗]\); peak RSS \d+ MB \(goal ≤ 300 MB [✓✗]; \d+ MB before the upload\); "
    assert re.fullmatch(
        "refused TOO_MANY_ROWS" + figures + r"1 problems listed, 0 counted; 2\.1 MB — 100,001 lines",
        lines["many_rows.csv"],
    ), lines["many_rows.csv"]
    assert re.fullmatch(
        "accepted 2,000 rows" + figures + r"0 problems listed, 0 counted; 0\.0 MB — 2,000 valid rows .*",
        lines["largest_accepted.csv"],
    ), lines["largest_accepted.csv"]


def test_bench_limits_refuses_an_unknown_case(capsys):
    from dashboard.cli import main

    assert main(["bench-limits", "--small", "--cases", "nothing.csv"]) == 1
    assert "unknown cases: nothing.csv" in capsys.readouterr().err
