"""An Altair chart as the Vega-Lite dictionary the app sends to the browser.

Altair checks every spec against the Vega-Lite JSON schema when it is turned into a dictionary;
on a page of a dozen small charts that check alone took a fifth of a second per rerun. The tests
build every chart through Altair with that check on (``to_dict()``); the app, which only shows
charts the tests have already validated in form, skips it here.
"""

from __future__ import annotations

import threading
from typing import Any

import altair as alt

# Altair's data transformer and theme are process-wide settings; runs of several sessions are
# threads of one process, so they take turns while a chart is converted.
_LOCK = threading.Lock()


def vega_lite(chart: alt.TopLevelMixin) -> dict[str, Any]:
    """``chart`` as a Vega-Lite spec: data inline (no row limit), no Altair theme, not schema-validated."""
    with _LOCK, alt.data_transformers.enable("default", max_rows=None), alt.theme.enable("none"):
        return chart.to_dict(validate=False)
