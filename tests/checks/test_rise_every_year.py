"""``逐年提高``: a direction target in which a single fall breaks the target."""

from dashboard.checks import RISE, parse_target
from dashboard.checks.rise_every_year import RiseEveryYear


def test_recognised_words_engine(settings):
    assert parse_target("逐年提高", "higher") == RiseEveryYear()
    assert parse_target("逐年增加", "higher") == RiseEveryYear()
    assert RiseEveryYear().describe("en", settings) == "higher every year than the year before, and above baseline"
    row = RiseEveryYear().engine_row("higher", settings)
    assert (row.family, row.d) == (RISE, 1.0)
    assert RiseEveryYear().judge_value(50, settings) is None  # one number says nothing about every year
