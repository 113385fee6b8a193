"""``得到控制``: not above the baseline."""

from dashboard.checks import parse_target
from dashboard.checks.contain import Contain


def test_recognised_words_engine(settings):
    assert parse_target("得到控制", "lower") == Contain()
    assert Contain().describe("en", settings) == "not above the baseline"
    row = Contain().engine_row("lower", settings)
    assert (row.d, row.from_baseline, row.offset) == (-1.0, True, 0.0)
    assert Contain().judge_value(3, settings) is None  # needs the baseline
