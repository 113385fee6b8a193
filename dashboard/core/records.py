"""What one reported record is, for each kind of file, and how a new record compares with a stored one.

Two kinds of yearly report reach the product: **indicator values** (area, indicator, year → value,
note) and **task progress** (task, year, target → status, reached number, note). Intake validates
them by these keys and the store versions them by the same keys; :func:`diff` is the one rule,
used by the upload preview and by the store's commit alike, that says whether a row is new, a
correction or unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

TASK_STATUSES = ("not_started", "in_progress", "done", "delayed")
"""What a member unit may report for a task in a year (未开始 / 推进中 / 已完成 / 滞后)."""
NOT_REPORTED = "not_reported"


@dataclass(frozen=True)
class RecordKind:
    """A kind of reported record: its name, the columns that identify it and the columns it reports.

    ``numbers`` are compared with a tolerance (floats), ``texts`` exactly (None and "" are equal);
    ``stored`` is the column that is never empty in a stored record (its absence means "nothing
    stored yet").
    """

    name: str
    keys: tuple[str, ...]
    numbers: tuple[str, ...]
    texts: tuple[str, ...]
    stored: str

    @property
    def values(self) -> tuple[str, ...]:
        return self.numbers + self.texts


INDICATOR_VALUES = RecordKind(
    "indicators", keys=("area", "indicator", "year"), numbers=("value",), texts=("note",), stored="value"
)
TASK_PROGRESS = RecordKind(
    "tasks", keys=("task", "year", "target_no"), numbers=("reached",), texts=("status", "note"), stored="status"
)
KINDS = {k.name: k for k in (INDICATOR_VALUES, TASK_PROGRESS)}

NEW, CORRECTION, UNCHANGED = "new", "correction", "unchanged"


def diff(kind: RecordKind, old: pd.DataFrame, new: pd.DataFrame) -> np.ndarray:
    """``new`` / ``correction`` / ``unchanged`` for each row of ``new``, against ``old`` aligned with it.

    ``old`` holds the stored values of the same keys, row by row (NaN/None where nothing is stored). A changed note alone is a
    correction: the note is part of what was reported.
    """
    same = np.ones(len(new), dtype=bool)
    for col in kind.numbers:
        o = pd.to_numeric(old[col], errors="coerce").to_numpy(dtype=float)
        n = pd.to_numeric(new[col], errors="coerce").to_numpy(dtype=float)
        same &= (np.isnan(o) & np.isnan(n)) | np.isclose(o, n, rtol=1e-12, atol=1e-12)
    for col in kind.texts:
        same &= old[col].fillna("").astype(str).to_numpy() == new[col].fillna("").astype(str).to_numpy()
    absent = old[kind.stored].isna().to_numpy()
    return np.where(absent, NEW, np.where(same, UNCHANGED, CORRECTION))
