"""Cell text → number: every spelling office staff use, parsed for a whole column at once."""

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
INVALID = ["abc", "九十", "1,23", "12,3456", "0:5", "1e400", "inf", "93.5%%", "1:2:3", "2021年"]


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
