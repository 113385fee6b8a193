"""``45左右``: within a relative tolerance of a value."""

import pytest

from dashboard.checks import parse_target
from dashboard.checks.about import About


@pytest.mark.parametrize(
    "text,direction,expected",
    [
        ("45左右", "higher", About(value=45)),
        ("５０左右", "higher", About(value=50)),  # full-width digits
        ("45%左右", "higher", About(value=45)),
        ("105", "band", About(value=105)),  # a bare number on a band indicator
    ],
)
def test_recognised(text, direction, expected):
    assert parse_target(text, direction) == expected


def test_words(settings):
    # 45 ± 5 % = 42.75–47.25
    assert About(value=45).describe("en", settings) == "about 45 (42.75–47.25)"
    assert About(value=45).describe("zh", settings) == "在 45 左右（42.75–47.25）"
    assert About(value=45, tolerance=0.1).describe("en", settings) == "about 45 (40.5–49.5)"


def test_engine_parameters(settings):
    r = About(value=45).engine_row("higher", settings)
    assert (r.d, r.tval, r.centre, r.half) == (-1.0, 45.0, 45.0, pytest.approx(2.25))


def test_one_value(settings):
    assert About(value=45).judge_value(47.25, settings) is True
    assert About(value=45).judge_value(47.3, settings) is False
