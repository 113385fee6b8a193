"""``2：3``: judged on second/first, the comparison from the indicator's direction."""

import pytest

from dashboard.checks import TargetParseError, parse_target
from dashboard.checks.ratio import Ratio


@pytest.mark.parametrize(
    "text,direction,expected",
    [
        ("2：3", "higher", Ratio(first=2, second=3, op=">=")),
        ("1:1.4", "higher", Ratio(first=1, second=1.4, op=">=")),
        ("3:2", "lower", Ratio(first=3, second=2, op="<=")),
    ],
)
def test_recognised(text, direction, expected):
    assert parse_target(text, direction) == expected


def test_value_is_second_over_first():
    assert parse_target("2：3", "higher").value == pytest.approx(1.5)


@pytest.mark.parametrize("text,direction,code", [("0：3", "higher", "BAD_TARGET"), ("2：3", "band", "BAD_TARGET")])
def test_refused(text, direction, code):
    with pytest.raises(TargetParseError) as err:
        parse_target(text, direction)
    assert err.value.message_id.code == code


def test_words_and_engine(settings):
    r = Ratio(first=2, second=3)
    assert r.describe("en", settings) == "ratio 2:3, i.e. second/first at least 1.5"
    row = r.engine_row("higher", settings)
    assert (row.d, row.tval) == (1.0, pytest.approx(1.5))
    assert r.judge_value(1.6, settings) is True and r.judge_value(1.4, settings) is False
