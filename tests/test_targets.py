"""Every target form that occurs in the seeds parses into the right typed check."""
import pytest

from dashboard.checks import TargetParseError, parse_target
from dashboard.checks.about import About
from dashboard.checks.band import Band
from dashboard.checks.contain import Contain
from dashboard.checks.improve import Improve
from dashboard.checks.maintain import Maintain
from dashboard.checks.ratio import Ratio
from dashboard.checks.reference import Reference
from dashboard.checks.rise_every_year import RiseEveryYear
from dashboard.checks.threshold import Threshold
from dashboard.rules import Settings


@pytest.mark.parametrize("text,direction,expected", [
    ("<8", "lower", Threshold(op="<", value=8)),
    ("≥82.3", "higher", Threshold(op=">=", value=82.3)),
    ("＞98.5", "higher", Threshold(op=">", value=98.5)),      # full-width, as printed in W12
    (">98.5", "higher", Threshold(op=">", value=98.5)),
    ("≤5", "lower", Threshold(op="<=", value=5)),
    ("=100", "higher", Threshold(op="==", value=100)),
    ("100", "higher", Threshold(op=">=", value=100)),         # bare number, higher is better
    ("8", "lower", Threshold(op="<", value=8)),               # sloppy copy of <8
    ("<38  ", "lower", Threshold(op="<", value=38)),          # trailing spaces as in C10b
    ("45左右", "higher", About(value=45)),
    ("５０左右", "higher", About(value=50)),                   # full-width digits
    ("逐年提高", "higher", RiseEveryYear()),
    ("提高", "higher", Improve(direction="up")),
    ("提升", "higher", Improve(direction="up")),
    ("逐步提高", "higher", Improve(direction="up")),
    ("增加", "higher", Improve(direction="up")),
    ("巩固提高", "higher", Improve(direction="up")),
    ("下降", "lower", Improve(direction="down")),
    ("降低", "lower", Improve(direction="down")),
    ("减少", "lower", Improve(direction="down")),
    ("明显降低", "lower", Improve(direction="down", significant=True)),
    ("得到控制", "lower", Contain()),
    ("2：3", "higher", Ratio(first=2, second=3, op=">=")),
    ("1:1.4", "higher", Ratio(first=1, second=1.4, op=">=")),
    ("趋于平衡", "band", Band()),
])
def test_forms(text, direction, expected):
    assert parse_target(text, direction) == expected


def test_ratio_is_second_over_first():
    assert parse_target("2：3", "higher").value == pytest.approx(1.5)


def test_references_need_a_code():
    assert parse_target("不低于本地区党员总数中女性比例", "higher", "W20") == Reference(series="W20", op=">=")
    assert parse_target("与女职工比例相适应", "higher", "CTX_FEMALE_WORKERS") == Reference(
        series="CTX_FEMALE_WORKERS", op="about")
    with pytest.raises(TargetParseError) as err:
        parse_target("不低于本地区党员总数中女性比例", "higher")
    assert "reference" in err.value.message_en


@pytest.mark.parametrize("text", ["保持合理比例", "大约五十", "好", "≥", "0：3"])
def test_unparsable_texts_are_errors(text):
    with pytest.raises(TargetParseError) as err:
        parse_target(text, "higher")
    assert err.value.message_zh and err.value.message_en


def test_every_shipped_target_is_typed(rules):
    kinds = {ind.code: ind.check.kind for ind in rules.indicators.values()}
    assert kinds["W03"] == "threshold" and kinds["W15"] == "about" and kinds["W01"] == "rise_every_year"
    assert kinds["W41"] == "ratio" and kinds["W40"] == "band" and kinds["W21"] == "reference"
    assert kinds["W20"] == "maintain" and kinds["W46"] == "contain" and kinds["W19"] == "improve"
    assert rules.indicators["W19"].check.significant is True
    assert rules.indicators["W30"].check == Reference(series="CTX_FEMALE_WORKERS", op="about")


def test_describe_in_both_languages():
    settings = Settings(about_tolerance=0.05)
    assert Threshold(op="<", value=8).describe("zh", settings) == "低于 8"
    assert Threshold(op="<", value=8).describe("en", settings) == "below 8"
    assert About(value=45).describe("en", settings) == "about 45 (42.75–47.25)"
    assert Maintain(tolerance=2, note_en="not below baseline − 2").describe("en", settings) == "not below baseline − 2"
