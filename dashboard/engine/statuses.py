"""The engine's vocabulary: the statuses and the flags, and their words in both languages.

The words themselves are in the catalogue (``status_*`` and ``flag_*`` in
``dashboard/messages/text/engine.yaml``), so every page, export and report says the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..messages import separator, t

# The position is the engine's status code. "not_achieved" is only ever the answer of the target
# year itself: at the deadline a target is met or not (or there is no value for that year).
STATUSES = ["achieved", "on_track", "needs_acceleration", "limited", "deterioration", "no_data", "not_achieved"]
FLAGS = [
    "will_miss",
    "near_miss",
    "fell_below",
    "may_slip",
    "swing",
    "data_gap",
    "single_point",
    "smoothed",
    "reference_missing",
]
GOOD = ("achieved", "on_track")
# Most worrying first: used to order attention lists.
SEVERITY = {
    "not_achieved": 0,
    "deterioration": 1,
    "limited": 2,
    "needs_acceleration": 3,
    "no_data": 4,
    "on_track": 5,
    "achieved": 6,
}


def statuses_for(year: int, target_year: int) -> list[str]:
    """The statuses a view lists for ``year``: "not achieved" exists only from the target year on."""
    return [s for s in STATUSES if s != "not_achieved" or year >= target_year]


def status_label(status: str, lang: str = "zh") -> str:
    """已达标 / Achieved … for a status code."""
    return t(f"status_{status}", lang)


def flag_label(flag: str, lang: str = "zh") -> str:
    return t(f"flag_{flag}", lang)


def flags_text(frame: pd.DataFrame, lang: str | None = None) -> pd.Series:
    """The flag columns joined as ``will_miss;swing`` (codes), or their words in ``lang``."""
    parts = []
    for f in FLAGS:
        label = f if lang is None else flag_label(f, lang)
        parts.append(np.where(frame[f].to_numpy(), label, ""))
    if not parts:
        return pd.Series([], dtype=object)
    joined = pd.Series(parts[0], index=frame.index)
    for p in parts[1:]:
        joined = joined.str.cat(pd.Series(p, index=frame.index), sep=";")
    return joined.str.replace(r";{2,}", ";", regex=True).str.strip(";")


def flags_words(frame: pd.DataFrame, lang: str = "zh", flags: list[str] | tuple[str, ...] = tuple(FLAGS)) -> pd.Series:
    """The raised flags of each row in words, joined with '；' (zh) or '; ' (en)."""
    sep = "；" if lang != "en" else "; "
    out = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    for f in flags:
        if f not in frame:
            continue
        hit = frame[f].to_numpy(dtype=bool)
        if hit.any():
            word = flag_label(f, lang)
            out[hit] = np.where(out[hit] == "", word, out[hit] + sep + word)
    return out


__all__ = [
    "FLAGS",
    "GOOD",
    "SEVERITY",
    "STATUSES",
    "flag_label",
    "flags_text",
    "flags_words",
    "separator",
    "status_label",
    "statuses_for",
]
