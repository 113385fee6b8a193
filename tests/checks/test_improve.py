"""``提高`` / ``降低`` / ``明显降低``: beyond the baseline (by 10 % of it for 明显)."""

import pytest

from dashboard.checks import IMPROVE, parse_target
from dashboard.checks.improve import Improve


@pytest.mark.parametrize(
    "text,direction,expected",
    [
        ("提高", "higher", Improve(direction="up")),
        ("提升", "higher", Improve(direction="up")),
        ("逐步提高", "higher", Improve(direction="up")),
        ("增加", "higher", Improve(direction="up")),
        ("巩固提高", "higher", Improve(direction="up")),
        ("下降", "lower", Improve(direction="down")),
        ("降低", "lower", Improve(direction="down")),
        ("减少", "lower", Improve(direction="down")),
        ("明显降低", "lower", Improve(direction="down", significant=True)),
        ("明显提高", "higher", Improve(direction="up", significant=True)),
    ],
)
def test_recognised(text, direction, expected):
    assert parse_target(text, direction) == expected


def test_words_and_engine(settings):
    assert Improve(direction="down", significant=True).describe("en", settings) == "below baseline by at least 10%"
    assert Improve(direction="up").describe("zh", settings) == "高于基期值"
    row = Improve(direction="down", significant=True).engine_row("lower", settings)
    assert (row.family, row.d, row.margin) == (IMPROVE, -1.0, 0.1)
