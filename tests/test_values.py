"""Cell text → number: every spelling office staff use, parsed for a whole column at once."""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.intake.cells import NO_VALUE_TOKENS, normalise_text, parse_values

CASES = [
    ("93.5", 93.5),
    ("９３．５", 93.5),
    ("93.5%", 93.5),
    ("９３．５％", 93.5),
    (" 12 ", 12.0),
    ("1,234", 1234.0),
    ("1,234,567.5", 1234567.5),
    ("１，２３４", 1234.0),
    ("2：3", 1.5),
    ("1:1.4", 1.4),
    ("2.09‰", 2.09),
    ("-3", -3.0),
    ("+4", 4.0),
    (".5", 0.5),
    ("1e3", 1000.0),
    (93.5, 93.5),
    (2021, 2021.0),
]
MISSING = ["", "-", "—", "——", "－", "暂无", "无数据", " ", "\u3000", None, np.nan]
INVALID = ["abc", "九十", "1,23", "12,3456", "0:5", "1e400", "inf", "-inf", "nan", "NaN", "93.5%%", "1:2:3", "2021年"]


def test_numbers_in_every_spelling():
    cells = pd.Series([c for c, _ in CASES], dtype=object)
    parsed = parse_values(cells)
    assert parsed.values.tolist() == [v for _, v in CASES]
    assert not parsed.invalid.any() and not parsed.missing.any()
    assert parsed.values.dtype == np.float64


def test_no_value_tokens_are_missing_not_zero():
    parsed = parse_values(pd.Series(MISSING, dtype=object))
    assert parsed.missing.all()
    assert not parsed.invalid.any()
    assert parsed.values.isna().all()


@pytest.mark.parametrize("cell", INVALID)
def test_unparseable_cells_are_invalid(cell):
    parsed = parse_values(pd.Series([cell, "1"], dtype=object))
    assert parsed.invalid.tolist() == [True, False]
    assert parsed.missing.tolist() == [False, False]
    assert np.isnan(parsed.values.iloc[0]) and parsed.values.iloc[1] == 1.0


def test_masks_keep_the_index_and_order_of_a_mixed_column():
    cells = pd.Series(["1", "—", "x", "1", "2：3", None], index=[10, 11, 12, 13, 14, 15], dtype=object)
    parsed = parse_values(cells)
    assert list(parsed.values.index) == [10, 11, 12, 13, 14, 15]
    assert parsed.values.fillna(-1).tolist() == [1.0, -1, -1, 1.0, 1.5, -1]
    assert parsed.invalid.tolist() == [False, False, True, False, False, False]
    assert parsed.missing.tolist() == [False, True, False, False, False, True]


def test_large_column_is_parsed_without_per_row_work():
    # 200 000 cells with ~1 000 distinct texts: the distinct-value path must keep this fast.
    rng = np.random.default_rng(1)
    cells = pd.Series(np.round(rng.random(200_000) * 10, 2).astype(str), dtype=object)
    cells.iloc[::1000] = "暂无"
    parsed = parse_values(cells)
    assert parsed.missing.sum() == 200
    assert not parsed.invalid.any()


def test_normalise_text_and_tokens():
    assert normalise_text(pd.Series(["Ａ Ｂ\u3000c", None])).tolist() == ["ABc", ""]
    assert {"—", "-", "暂无", "无数据", ""} <= NO_VALUE_TOKENS


# ------------------------------------------------------------------------------ plausible values per unit
ROOT = Path(__file__).resolve().parent.parent


def _upload(rules, *rows: str):
    from dashboard.intake.indicator_values import read_upload

    return read_upload(("区县,指标,年份,数值\n" + "".join(f"{r}\n" for r in rows)).encode(), "x.csv", rules)


def _rules_copy(tmp_path, edit_settings=None, edit_women=None):
    """The shipped rules, copied to ``tmp_path`` with the settings and 01_women.yaml texts edited."""
    from dashboard.rules import load_rules

    shutil.copytree(ROOT / "rules", tmp_path / "rules")
    for name, edit in (("settings.yaml", edit_settings), ("indicators/01_women.yaml", edit_women)):
        if edit is not None:
            path = tmp_path / "rules" / name
            path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return load_rules(tmp_path / "rules")


def test_1e308_households_are_refused_naming_the_bound_and_where_it_is_set(rules):
    # W39 区级文明家庭 is counted in households (户): 1e308 would be stored, then projected to infinity.
    rep = _upload(rules, "万州区,W39,2024,1e308", "万州区,W39,2023,inf", "万州区,W39,2022,nan")
    assert [(p.code, p.row, p.column) for p in rep.errors] == [
        ("OUT_OF_RANGE", 2, "数值"),
        ("NOT_A_NUMBER", 3, "数值"),
        ("NOT_A_NUMBER", 4, "数值"),
    ]
    assert rep.errors[0].message_zh == (
        "数值 1e+308 超出“区级文明家庭”的有效范围 0–100,000,000"
        '（户；范围见 rules/settings.yaml 的 value_bounds.units."户"）'
    )
    assert rep.errors[0].message_en == (
        "value 1e+308 is outside the valid range 0–100,000,000 of W39 Number of district-level model families "
        '(households; the range is set in rules/settings.yaml, value_bounds.units."户")'
    )
    assert rep.errors[2].message_zh == "“nan”不是数字"


def test_realistic_values_are_accepted(rules):
    rep = _upload(rules, "万州区,W39,2024,1200", "万州区,W03,2024,11.7", "万州区,W04,2024,100", "万州区,W34,2024,85.6")
    assert rep.ok, rep.problems
    assert rep.rows["value"].tolist() == [1200.0, 11.7, 100.0, 85.6]


def test_a_per_cent_on_a_count_is_still_refused(rules):
    rep = _upload(rules, "万州区,W39,2024,85.5%")
    assert [(p.code, p.row) for p in rep.errors] == [("SIGN_NOT_UNIT", 2)]


def test_an_indicator_s_own_valid_range_is_named_and_overrides_its_unit(rules):
    # W02 life expectancy (岁) sets [40, 110] itself; the unit 岁 allows 0–150.
    rep = _upload(rules, "万州区,W02,2024,30", "万州区,W02,2023,120")
    assert [p.code for p in rep.errors] == ["OUT_OF_RANGE", "OUT_OF_RANGE"]
    assert rep.errors[0].message_zh.endswith("有效范围 40–110（岁；范围见 rules/indicators/ 中 W02 的 valid_range）")
    assert rep.errors[1].message_en.endswith("(years; the range is set by W02's valid_range in rules/indicators/)")


def test_a_rate_above_100_per_cent_when_the_indicator_allows_it(tmp_path):
    # A gross rate can pass 100 %: W04 given its own maximum of 150 takes 120 and refuses 160.
    def allow_150(text: str) -> str:
        return text.replace("  - code: W04\n", "  - code: W04\n    valid_range: [0, 150]\n", 1)

    rules = _rules_copy(tmp_path, edit_women=allow_150)
    assert rules.ok, rules.problems
    assert (rules.indicators["W04"].valid_min, rules.indicators["W04"].valid_max) == (0, 150)
    assert rules.indicators["W01"].valid_max == 100  # the other % indicators keep their unit's bound
    rep = _upload(rules, "万州区,W04,2024,120", "万州区,W04,2023,160")
    assert [(p.code, p.row) for p in rep.errors] == [("OUT_OF_RANGE", 3)]
    assert "有效范围 0–150（%；范围见 rules/indicators/ 中 W04 的 valid_range）" in rep.errors[0].message_zh


def test_the_unit_bounds_come_from_settings(tmp_path):
    def tighten(text: str) -> str:
        text = text.replace('"户": [0, 100000000]', '"户": [0, 1000]')
        return text.replace('"万人": [0, 10000]', "")  # 万人 is then not listed: value_bounds.other

    rules = _rules_copy(tmp_path, edit_settings=tighten)
    assert rules.ok, rules.problems
    assert rules.indicators["W39"].valid_max == 1000 and rules.indicators["W34"].valid_max == 1e9
    rep = _upload(rules, "万州区,W39,2024,1200", "万州区,W34,2024,2e9", "万州区,W34,2023,85.6")
    assert [(p.code, p.row) for p in rep.errors] == [("OUT_OF_RANGE", 2), ("OUT_OF_RANGE", 3)]
    assert rep.errors[0].message_zh.endswith('0–1,000（户；范围见 rules/settings.yaml 的 value_bounds.units."户"）')
    assert rep.errors[1].message_zh.endswith(
        '0–1,000,000,000（万人；单位 "万人" 未单列，范围见 rules/settings.yaml 的 value_bounds.other）'
    )


@pytest.mark.parametrize(
    "bound,code,words",
    [
        ("[100000000, 0]", "WRONG_TYPE", "“value_bounds.units.户”的最小值大于最大值"),
        ("[0, .inf]", "WRONG_TYPE", "“value_bounds.units.户.1” 应为数字"),
        ("[0, lots]", "WRONG_TYPE", "“value_bounds.units.户.1” 应为数字"),
        ("[0]", "MISSING_FIELD", "value_bounds.units.户.1"),
        ("100", "WRONG_TYPE", "value_bounds.units.户"),
    ],
)
def test_check_rules_refuses_a_malformed_bound_at_its_line(tmp_path, capsys, bound, code, words):
    from dashboard.cli import main

    _rules_copy(tmp_path, edit_settings=lambda text: text.replace('"户": [0, 100000000]', f'"户": {bound}'))
    text = (tmp_path / "rules" / "settings.yaml").read_text(encoding="utf-8")
    line = next(n for n, ln in enumerate(text.splitlines(), start=1) if ln.strip().startswith('"户"'))
    assert main(["check-rules", "--rules", str(tmp_path / "rules")]) == 1
    out = capsys.readouterr().out
    found = [ln for ln in out.splitlines() if ln.startswith("rules/settings.yaml:")]
    assert len(found) == 1 and found[0].startswith(f"rules/settings.yaml:{line}: {code}: "), out
    assert words in found[0]


def test_every_unit_the_shipped_rules_use_has_its_own_bound(rules):
    from dashboard.rules import catalogue_for
    from dashboard.rules.models import DEFAULT_UNIT_BOUNDS

    used = {i.unit for i in rules.indicators.values()} | {s.unit for s in rules.context_series.values()}
    used |= {g.unit for t in catalogue_for(rules).tasks.values() for g in t.targets}
    assert used <= set(rules.settings.value_bounds.units), used - set(rules.settings.value_bounds.units)
    assert dict(rules.settings.value_bounds.units) == DEFAULT_UNIT_BOUNDS  # settings.yaml says what the code assumes


def test_a_task_s_reached_number_is_held_to_its_target_s_unit(rules):
    from dashboard.intake import read_any_upload

    # WP2020-05's 4th target is 国家免疫规划的疫苗接种率 (%), its 1st 孕产妇死亡率 (1/10万).
    text = "任务代码,年份,状态,目标,完成值\nWP2020-05,2020,推进中,4,120\nWP2020-05,2020,推进中,1,1e308\n"
    kind, rep = read_any_upload(text.encode(), "t.csv", rules)
    assert kind == "tasks" and [(p.message_id.value, p.row, p.column) for p in rep.errors] == [
        ("OUT_OF_RANGE.reached", 2, "完成值"),
        ("OUT_OF_RANGE.reached", 3, "完成值"),
    ]
    assert rep.errors[0].message_zh == (
        "完成值 120 超出“国家免疫规划的疫苗接种率”的合理范围 0–100"
        '（%；范围见 rules/settings.yaml 的 value_bounds.units."%"）'
    )
    assert "range 0–100,000 of “孕产妇死亡率” (per 100,000; the range is set in" in rep.errors[1].message_en
    ok = "任务代码,年份,状态,目标,完成值\nWP2020-05,2020,推进中,4,99.2\nWP2020-05,2020,推进中,1,6.5\n"
    assert read_any_upload(ok.encode(), "t.csv", rules)[1].ok
