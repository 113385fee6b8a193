"""An Altair chart as the Vega-Lite dictionary the app sends to the browser.

Altair checks every spec against the Vega-Lite JSON schema when it is turned into a dictionary;
on a page of a dozen small charts that check alone took a fifth of a second per rerun. The tests
build every chart through Altair with that check on (``to_dict()``); the app, which only shows
charts the tests have already validated in form, skips it here.

A chart's tables are not written into the spec as JSON: each stays a DataFrame under the spec's
``datasets``, named by a hash of its content, and Streamlit sends it to the browser as Arrow (as
``st.altair_chart`` does). A 40 × 90 status grid as inline JSON made every rerun of the district
page parse and rewrite a large spec.
"""

from __future__ import annotations

import hashlib
import threading
from typing import Any

import altair as alt
import pandas as pd

# Altair's data transformer and theme are process-wide settings; runs of several sessions are
# threads of one process, so they take turns while a chart is converted.
_LOCK = threading.Lock()
_TRANSFORMER = "dashboard_named_frames"


def _frame_name(frame: pd.DataFrame) -> str:
    """A name that is the same for the same table on every rerun (Streamlit keys the chart on it)."""
    digest = hashlib.sha256(str(list(frame.columns)).encode())
    digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return "table-" + digest.hexdigest()[:20]


def _named_frames(data: Any, frames: dict[str, pd.DataFrame]) -> dict[str, str]:
    # Altair hands every chart's data to the active transformer: tables are kept aside by name.
    name = _frame_name(data)
    frames[name] = data
    return {"name": name}


alt.data_transformers.register(_TRANSFORMER, _named_frames)


def vega_lite(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """``chart`` as a Vega-Lite spec, tables under ``datasets`` as DataFrames; no Altair theme, not
    schema-validated."""
    frames: dict[str, pd.DataFrame] = {}
    with _LOCK, alt.data_transformers.enable(_TRANSFORMER, frames=frames), alt.theme.enable("none"):
        spec = chart.to_dict(validate=False)
    if frames:
        spec["datasets"] = {**spec.get("datasets", {}), **frames}
    return spec
