"""``趋于平衡``: into the normal band of the sex ratio at birth (settings: 103–107)."""

from dashboard.checks import parse_target
from dashboard.checks.band import Band


def test_recognised():
    assert parse_target("趋于平衡", "band") == Band()
    assert parse_target("逐步趋于平衡", "band") == Band()


def test_words_engine_and_value(settings):
    assert Band().describe("en", settings) == "within the normal band 103–107"
    row = Band().engine_row("band", settings)
    assert (row.d, row.centre, row.half) == (-1.0, 105.0, 2.0)
    assert Band().judge_value(107, settings) is True and Band().judge_value(108, settings) is False
    assert Band(low=100, high=110).judge_value(108, settings) is True
