"""Targets compared with another series of the same area and year."""

import pytest

from dashboard.checks import TargetParseError, parse_target
from dashboard.checks.reference import Reference


def test_recognised_with_the_series_named():
    assert parse_target("不低于本地区党员总数中女性比例", "higher", "W20") == Reference(series="W20", op=">=")
    assert parse_target("与女职工比例相适应", "higher", "CTX_FEMALE_WORKERS") == Reference(
        series="CTX_FEMALE_WORKERS", op="about"
    )


def test_refused_without_the_series():
    with pytest.raises(TargetParseError) as err:
        parse_target("不低于本地区党员总数中女性比例", "higher")
    assert "reference" in err.value.message_en and "reference" in err.value.message_zh


def test_engine(settings):
    at_least = Reference(series="W20").engine_row("higher", settings)
    assert (at_least.ref_series, at_least.d, at_least.ref_about) == ("W20", 1.0, False)
    near = Reference(series="CTX", op="about").engine_row("higher", settings)
    assert (near.ref_about, near.d, near.half) == (True, -1.0, 0.05)  # relative: ±5 % of the reference
