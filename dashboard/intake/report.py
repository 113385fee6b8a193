"""What reading one uploaded file found: the one report type of every file kind."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..messages import Problem, ReportStatus

SKIPPED_COLUMNS = ("row", "column", "area", "indicator", "year", "text", "reason_zh", "reason_en")


def empty_skipped() -> pd.DataFrame:
    """The ``skipped`` frame of a report that skipped nothing."""
    return pd.DataFrame({c: pd.Series(dtype=object) for c in SKIPPED_COLUMNS})


@dataclass
class IntakeReport(ReportStatus):
    """What a file kind's reader found. ``ok`` means: no errors, ``rows`` may be stored.

    ``rows`` has the kind's record columns plus ``source_row`` (the Excel row it came from);
    ``problems`` are located by row and column. ``skipped`` lists the cells reported as "no value"
    (blank, 暂无, —) and ``n_unfilled`` counts template rows nobody filled in; both are counted as
    skipped in the batch, and neither is an error.
    """

    kind: str
    file_name: str
    sha256: str
    rows: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    skipped: pd.DataFrame = field(default_factory=empty_skipped)
    n_unfilled: int = 0
    layout: str = ""  # "long" or "wide" for indicator values, "tasks" for task progress
    encoding: str = ""  # "utf-8", "utf-8-sig", "gb18030", "utf-16" or "xlsx"
    n_bytes: int = 0

    @property
    def n_skipped(self) -> int:
        """Cells reported as "no value" plus template rows left unfilled."""
        return len(self.skipped) + self.n_unfilled
