"""The message catalogue: every key and problem code used in code exists in both languages, once."""

import ast
import re
import string
from pathlib import Path

import pytest

from dashboard.core.records import NOT_REPORTED, TASK_STATUSES
from dashboard.engine import FLAGS, STATUSES
from dashboard.engine.warnings import KINDS as WARNING_KINDS
from dashboard.messages import Code, Msg, Name, Problem, as_label, catalogue, t
from dashboard.messages.catalogue import CatalogueError, _load_file

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [*(ROOT / "dashboard").rglob("*.py"), *(ROOT / "app_pages").glob("*.py"), ROOT / "streamlit_app.py"]
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
# English texts that carry Chinese on purpose: bilingual labels shown the same in both views, and the
# Chinese words a maintainer or clerk must type (约束性, 暂无, …) quoted in the English explanation.
EN_MAY_QUOTE_CHINESE = {"language", "demo_banner", "demo_account"}


def _fields(text: str) -> set[str]:
    return {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_problem_code_has_both_texts():
    cat = catalogue()
    missing = [c.value for c in Code if c.value not in cat]
    assert missing == []
    for c in Code:
        assert cat[c.value].zh.strip() and cat[c.value].en.strip(), c.value


def test_every_problem_text_has_a_code():
    """A catalogue entry named like a problem (upper case) belongs to a member of ``Code``."""
    values = {c.value for c in Code}
    orphans = [k for k in catalogue() if k[0].isupper() and k not in values]
    assert orphans == []


def test_zh_and_en_take_the_same_parameters():
    mismatched = [(e.key, _fields(e.zh), _fields(e.en)) for e in catalogue().values() if _fields(e.zh) != _fields(e.en)]
    assert mismatched == []


def test_english_texts_have_no_chinese_of_their_own():
    offenders = []
    for e in catalogue().values():
        if e.key in EN_MAY_QUOTE_CHINESE:
            continue
        # Chinese is allowed inside quotes or brackets (a word the reader must type), not as running text.
        for english in (e.en, e.en_one or ""):
            bare = re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\([^)]*\)", "", english)
            if CJK.search(bare):
                offenders.append((e.key, english))
    assert offenders == []


def _literal_keys() -> dict[str, list[str]]:
    """Every ``t("key", …)`` / ``Msg("key", …)`` with a literal key in the code, with where it is."""
    found: dict[str, list[str]] = {}
    for path in SOURCES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            first = node.args[0]
            if name in ("t", "Msg", "say") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.setdefault(first.value, []).append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_every_literal_key_used_in_code_exists():
    cat = catalogue()
    missing = {k: where for k, where in _literal_keys().items() if k not in cat}
    assert missing == {}


@pytest.mark.parametrize(
    "prefix,names",
    [
        ("status_", STATUSES),
        ("flag_", FLAGS),
        ("warning_kind_", WARNING_KINDS),
        ("task_status_", (*TASK_STATUSES, NOT_REPORTED)),
        ("role_", ("viewer", "area_editor", "city_editor", "maintainer", "admin")),
    ],
)
def test_every_key_built_from_a_vocabulary_exists(prefix, names):
    cat = catalogue()
    assert [f"{prefix}{n}" for n in names if f"{prefix}{n}" not in cat] == []


def test_a_key_defined_twice_is_refused():
    with pytest.raises(CatalogueError, match="repeats line 1"):
        _load_file("x.yaml", 'a:\n  zh: "一"\n  en: "one"\na:\n  zh: "二"\n  en: "two"\n')
    with pytest.raises(CatalogueError, match="needs a zh and an en text"):
        _load_file("x.yaml", 'a:\n  zh: "一"\n')
    with pytest.raises(CatalogueError, match="needs a zh and an en text"):
        _load_file("x.yaml", 'a:\n  zh: "一"\n  en: "one"\n  fr: "un"\n')
    with pytest.raises(CatalogueError, match="en_one is for texts with a count"):
        _load_file("x.yaml", 'a:\n  zh: "一"\n  en: "one"\n  en_one: "one"\n')


def test_english_says_one_value_not_one_values():
    [entry] = _load_file(
        "x.yaml", 'a:\n  zh: "已选 {n} 个数值"\n  en: "{n} values selected"\n  en_one: "1 value selected"\n'
    )
    assert (entry.text("en", 1), entry.text("en", 2), entry.text("en", 0)) == (
        "1 value selected",
        "{n} values selected",
        "{n} values selected",
    )
    assert entry.text("zh", 1) == "已选 {n} 个数值"  # Chinese has one form
    # Through t(), with the shipped catalogue.
    assert t("review_selected", "en", n=1) == "1 value selected"
    assert t("review_selected", "en", n=3) == "3 values selected"
    assert t("review_done", "en", action="approve", n=1) == "'approve' done: 1 value."
    assert t("review_selected", "zh", n=1) == "已选 1 个数值"


def test_a_singular_text_takes_no_parameter_its_plural_lacks():
    extra = [
        (e.key, _fields(e.en_one) - _fields(e.en))
        for e in catalogue().values()
        if e.en_one is not None and _fields(e.en_one) - _fields(e.en)
    ]
    assert extra == []


def test_problems_render_when_shown_in_the_reader_s_language():
    p = Problem(Code.DUPLICATE_AREA_CODE, {"code": "500101"}, file="rules/areas.yaml", line=7)
    assert p.code == "DUPLICATE_CODE"
    assert p.message("zh") == "地区代码 500101 重复" and p.message("en") == "area code 500101 is used twice"
    assert p.format("en") == "rules/areas.yaml:7: DUPLICATE_CODE: area code 500101 is used twice"
    cell = Problem(Code.AREA_NOT_ALLOWED, {"area": "500101", "areas": ["500116", "500110"]}, row=3, column="区县")
    assert cell.location("zh") == "第 3 行，“区县”列" and cell.location("en") == "row 3, column 区县"
    assert cell.message("zh").endswith("（500116、500110）之内") and "(500116, 500110)" in cell.message("en")


def test_parameters_render_in_the_same_language():
    name = Name("江津区", "Jiangjin District")
    assert t("who_user", "en", name=name) == "user Jiangjin District"
    assert t("who_user", "zh", name=name) == "用户 江津区"
    hint = Msg("hint_did_you_mean", {"guess": "target"})
    assert t("UNKNOWN_KEY", "en", subject="", key="taget", where="x", hint=hint).endswith("; did you mean 'target'?")


def test_a_word_standing_alone_starts_with_a_capital_in_english_only():
    assert as_label(t("review_state_submitted", "en"), "en") == "Submitted, awaiting review"
    assert as_label(t("review_state_submitted", "zh"), "zh") == "已报待审"
    assert as_label("", "en") == "" and as_label("re-open", "en") == "Re-open"
    # The same words inside a sentence stay lower case.
    nothing = Problem(
        Code.REVIEW_NOTHING,
        {
            "action": Msg("review_action_approve"),
            "states": [Msg("review_state_submitted"), Msg("review_state_returned")],
        },
    )
    assert nothing.message("en") == (
        "none of the chosen values can be given 'approve' (it applies to: submitted, awaiting review, returned)"
    )


@pytest.mark.parametrize(
    ("key", "params", "one", "many"),
    [
        ("report_bad", {}, "1 problem found; nothing", "3 problems found; nothing"),
        ("report_ok", {"s": 0}, "Valid: 1 row can be stored, 0 skipped.", "Valid: 3 rows can be stored, 0 skipped."),
        ("n_warnings", {}, "1 warning", "3 warnings"),
        ("completeness_overview_reminder", {"year": 2025, "rate": "99.9%"}, "1 value due for 2025 is", "3 values due"),
        (
            "report_conclusion_gaps",
            {"total": 90},
            "1 of 90 indicators still has no data",
            "3 of 90 indicators still have",
        ),
        ("cli_dry_run_tasks", {}, "dry run: 1 task report would", "dry run: 3 task reports would"),
        ("VALUE_APPROVED.more", {}, "1 more row changes an approved value", "3 more rows change approved values"),
        (
            "report_tasks_intro",
            {},
            "1 work-plan task with a named lead unit moves",
            "3 work-plan tasks with named lead",
        ),
    ],
)
def test_english_counts_read_right_for_one_and_for_several(key, params, one, many):
    assert t(key, "en", n=1, **params).startswith(one)
    assert t(key, "en", n=3, **params).startswith(many)
    assert "(s)" not in t(key, "en", n=3, **params)


def test_no_english_text_hedges_its_plural_with_s_in_brackets():
    assert [k for k, e in catalogue().items() if "(s)" in e.en or "(s)" in (e.en_one or "")] == []
