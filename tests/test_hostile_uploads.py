"""The hostile-upload corpus (``hostile_files``): each file refused with its own code, the store unchanged."""

from __future__ import annotations

import dataclasses

import pytest
from hostile_files import cases

from dashboard.intake import read_any_upload
from dashboard.intake.grid import unpacked_problem


def _rules_with(rules, limits):
    if not limits:
        return rules
    upload = rules.settings.upload.model_copy(update=limits)
    return dataclasses.replace(rules, settings=rules.settings.model_copy(update={"upload": upload}))


@pytest.fixture(scope="module")
def corpus():
    return cases()


def test_the_corpus_is_small_on_disk(corpus):
    # What makes them hostile is what they unpack to or how they are shaped, not their size.
    assert all(len(case.content) < 20 * 1024 * 1024 for case in corpus)


@pytest.mark.parametrize("name", [c.name for c in cases()])
def test_each_hostile_file_is_refused_with_its_code_and_stores_nothing(name, corpus, rules, store):
    case = next(c for c in corpus if c.name == name)
    before = store.current_values()
    _kind, report = read_any_upload(case.content, case.name, _rules_with(rules, case.limits))
    codes = [p.message_id.value for p in report.errors]
    assert codes and codes[0] == case.code, codes
    assert report.rows.empty
    # Every refusal reads like the catalogue says, in both languages, with no library wording.
    for problem in report.errors:
        assert problem.message_zh and problem.message_en and "Traceback" not in problem.message_en
    assert store.current_values().equals(before)


def test_a_zip_bomb_is_never_opened(corpus, rules, monkeypatch):
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    for case in corpus:
        if case.code == "FILE_TOO_LARGE.unpacked":
            problem = unpacked_problem(case.content, rules.settings.upload)
            assert problem is not None and problem.message_id.value == "FILE_TOO_LARGE.unpacked"
            assert problem.params["size_mb"] >= 250
            _, report = read_any_upload(case.content, case.name, rules)
            assert [p.message_id.value for p in report.errors] == ["FILE_TOO_LARGE.unpacked"]
            assert "upload.max_unpacked_bytes" in report.errors[0].message_en


def test_an_ordinary_workbook_stays_within_every_limit(rules):
    from hostile_files import HEADER, workbook

    content = workbook([HEADER, ["万州区", "W04", 2024, 90.5], ["江津区", "W04", 2024, 91]])
    assert unpacked_problem(content, rules.settings.upload) is None
    _, report = read_any_upload(content, "ok.xlsx", rules)
    assert report.ok and len(report.rows) == 2
