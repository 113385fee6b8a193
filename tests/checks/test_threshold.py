"""Threshold targets (``≥94``, ``<8``, ``100``): recognition, words, engine parameters, one value."""

import math

import pytest

from dashboard.checks import parse_target
from dashboard.checks.threshold import Threshold


@pytest.mark.parametrize(
    "text,direction,expected",
    [
        ("<8", "lower", Threshold(op="<", value=8)),
        ("≥82.3", "higher", Threshold(op=">=", value=82.3)),
        ("＞98.5", "higher", Threshold(op=">", value=98.5)),  # full-width, as printed in W12
        (">98.5", "higher", Threshold(op=">", value=98.5)),
        ("≤5", "lower", Threshold(op="<=", value=5)),
        ("=100", "higher", Threshold(op="==", value=100)),
        ("100", "higher", Threshold(op=">=", value=100)),  # bare number, higher is better
        ("8", "lower", Threshold(op="<", value=8)),  # sloppy copy of <8
        ("<38  ", "lower", Threshold(op="<", value=38)),  # trailing spaces as in C10b
        ("≥95%", "higher", Threshold(op=">=", value=95)),
    ],
)
def test_recognised(text, direction, expected):
    assert parse_target(text, direction) == expected


def test_bare_number_on_a_band_indicator_is_not_a_threshold():
    assert Threshold.recognise("105", "band", None) is None


def test_words(settings):
    assert Threshold(op="<", value=8).describe("zh", settings) == "低于 8"
    assert Threshold(op="<", value=8).describe("en", settings) == "below 8"
    assert Threshold(op=">=", value=82.3).describe("en", settings) == "at least 82.3"


def test_engine_parameters(settings):
    up = Threshold(op=">", value=98.5).engine_row("higher", settings)
    assert (up.d, up.strict, up.tval) == (1.0, True, 98.5) and math.isnan(up.centre)
    down = Threshold(op="<=", value=5).engine_row("lower", settings)
    assert (down.d, down.strict, down.tval) == (-1.0, False, 5.0)
    # "=100" is judged like "about 100": distance from the centre, tolerance from settings (5 %).
    eq = Threshold(op="==", value=100).engine_row("higher", settings)
    assert (eq.d, eq.centre, eq.half) == (-1.0, 100.0, pytest.approx(5.0))


def test_one_value(settings):
    assert Threshold(op=">=", value=100).judge_value(100, settings) is True
    assert Threshold(op=">", value=100).judge_value(100, settings) is False
    assert Threshold(op="<", value=8).judge_value(7.9, settings) is True
