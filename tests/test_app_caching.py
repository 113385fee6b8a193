"""The app's chart-spec cache: a chart is built once for the same data, and again for any change.

The key of a frame argument is its pickled bytes (``state._frame_key``), not Streamlit's slower
frame hash; these tests pin what must and must not share a key.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from dashboard.app import state as app_state

logging.getLogger("streamlit").setLevel(logging.ERROR)


def _series(values=(93.5, 94.0, 95.2)) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator": ["W04"] * len(values),
            "year": np.arange(2021, 2021 + len(values)),
            "value": np.array(values, dtype=float),
            "target_value": [95.0] * len(values),
        }
    )


def test_equal_frames_built_separately_share_a_key():
    assert app_state._frame_key(_series()) == app_state._frame_key(_series())
    # A slice equal to a fresh frame with the same index is the same data.
    whole = _series((93.5, 94.0, 95.2, 96.0))
    assert app_state._frame_key(whole.iloc[:3].copy()) == app_state._frame_key(_series())


@pytest.mark.parametrize(
    "change",
    [
        lambda f: f.assign(value=f["value"].where(f["year"] != 2022, 94.1)),  # one value
        lambda f: f.assign(year=f["year"].astype("int32")),  # a dtype
        lambda f: f.rename(columns={"target_value": "target"}),  # a column name
        lambda f: f.set_axis([5, 6, 7]),  # the index
        lambda f: f.assign(value=f["value"].where(f["year"] != 2021)),  # a value becomes missing
    ],
    ids=["value", "dtype", "column", "index", "missing"],
)
def test_any_change_of_the_data_changes_the_key(change):
    assert app_state._frame_key(change(_series())) != app_state._frame_key(_series())


def test_a_chart_is_built_once_per_data_and_again_after_a_change():
    built: list[float] = []

    def builder(frame: pd.DataFrame, status: str) -> dict:
        built.append(float(frame["value"].iloc[-1]))
        return {"mark": "line", "status": status, "n": len(frame)}

    name = f"{__name__}.builder"
    first = app_state.chart_spec(name, builder, _series(), "on_track")
    again = app_state.chart_spec(name, builder, _series(), "on_track")
    assert first == again == {"mark": "line", "status": "on_track", "n": 3}
    assert built == [95.2]  # the second call was answered from the cache
    changed = app_state.chart_spec(name, builder, _series((93.5, 94.0, 96.1)), "on_track")
    assert built == [95.2, 96.1] and changed["n"] == 3
    app_state.chart_spec(name, builder, _series(), "limited")  # another argument: built again
    assert built == [95.2, 96.1, 95.2]
