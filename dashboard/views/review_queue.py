"""The review queue and the review history as tables people read (the command line's ``review``
tables; the review page builds on the same frames)."""

from __future__ import annotations

import pandas as pd

from ..messages import t
from ..rules import RuleSet
from ..store.review import Action
from .review import state_label

QUEUE_COLUMNS = ["area", "indicator", "year", "value", "review", "comment", "batch_id", "uploader", "created_at"]
HISTORY_COLUMNS = ["at", "user", "action", "area", "indicator", "year", "before", "after", "comment"]


def _names(frame: pd.DataFrame, rules: RuleSet, lang: str) -> pd.DataFrame:
    out = frame.copy()
    out["area_name"] = [rules.area_name(a, lang) for a in out["area"]]
    return out


def queue_table(states: pd.DataFrame, rules: RuleSet, state: str, lang: str) -> pd.DataFrame:
    """Current values in ``state`` (``all``: every state), oldest upload first, with headers and
    state names in ``lang``."""
    frame = states if state == "all" else states[states["review"] == state]
    frame = frame.sort_values(["created_at", "area", "indicator", "year"], kind="stable")
    frame = _names(frame[QUEUE_COLUMNS], rules, lang)
    frame["review"] = [state_label(s, lang) for s in frame["review"]]
    frame["created_at"] = pd.to_datetime(frame["created_at"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    columns = ["area", "area_name", *QUEUE_COLUMNS[1:]]
    return frame[columns].rename(columns={c: t(f"review_col_{c}", lang) for c in columns}).reset_index(drop=True)


def history_table(events: pd.DataFrame, rules: RuleSet, lang: str) -> pd.DataFrame:
    """Review events, newest first, with headers, actions and states in ``lang``."""
    if events.empty:
        frame = pd.DataFrame(columns=["area_name", *HISTORY_COLUMNS])
    else:
        frame = _names(events[HISTORY_COLUMNS], rules, lang)
        frame["action"] = [Action(a).label(lang) for a in frame["action"]]
        for c in ("before", "after"):
            frame[c] = [state_label(s, lang) for s in frame[c]]
        frame["at"] = pd.to_datetime(frame["at"], utc=True).dt.strftime("%Y-%m-%d %H:%M")
    columns = ["at", "user", "action", "area", "area_name", *HISTORY_COLUMNS[4:]]
    return frame[columns].rename(columns={c: t(f"review_col_{c}", lang) for c in columns}).reset_index(drop=True)
