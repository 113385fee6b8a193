"""Qualitative targets are never guessed: ``保持合理比例`` needs an explicit maintain check."""

import pytest

from dashboard.checks import TargetParseError, parse_target
from dashboard.checks.maintain import Maintain


def test_qualitative_text_is_refused_with_a_hint():
    with pytest.raises(TargetParseError) as err:
        parse_target("保持合理比例", "higher")
    assert err.value.message_id.code == "BAD_TARGET" and "kind: maintain" in err.value.message_en


def test_words_engine(settings):
    assert Maintain(tolerance=2).describe("zh", settings) == "不低于基期值减 2"
    assert Maintain(tolerance=2, note_en="not below baseline − 2").describe("en", settings) == "not below baseline − 2"
    # higher is better: the value to reach is baseline − 2; lower is better: baseline + 2.
    up = Maintain(tolerance=2).engine_row("higher", settings)
    assert (up.d, up.from_baseline, up.offset) == (1.0, True, -2.0)
    down = Maintain(tolerance=2).engine_row("lower", settings)
    assert (down.d, down.offset) == (-1.0, 2.0)
