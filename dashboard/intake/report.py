"""What reading one uploaded file found: the one report type of every file kind."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..messages import Code, Problem, ReportStatus, Severity

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
    # Problems found beyond ``upload.max_problems``: counted in one PROBLEMS_NOT_LISTED line, not listed.
    n_unlisted: int = 0
    n_unlisted_errors: int = 0

    @property
    def n_skipped(self) -> int:
        """Cells reported as "no value" plus template rows left unfilled."""
        return len(self.skipped) + self.n_unfilled

    @property
    def n_analyses(self) -> int:
        """Rows that carry an analysis text (the 分析 column) to store with the batch (0 for task files)."""
        rows = self.rows
        return int(rows["analysis"].notna().sum()) if rows is not None and "analysis" in rows else 0

    @property
    def n_errors(self) -> int:
        """Errors found, listed or only counted (the PROBLEMS_NOT_LISTED line is not one of them)."""
        listed = sum(p.severity == "error" and p.message_id is not Code.PROBLEMS_NOT_LISTED for p in self.problems)
        return listed + self.n_unlisted_errors


def not_listed(n: int, severity: Severity = "error") -> Problem:
    """Stands for ``n`` problems a check found beyond what it built; :func:`list_problems` adds them up."""
    return Problem(Code.PROBLEMS_NOT_LISTED, {"n": n}, severity=severity)


class ProblemCap:
    """Builds at most ``limit`` problems of each code and counts the rest.

    A check that finds a mistake in each of 500,000 rows must not build 500,000 problems (each with
    its parameters) only for all but the first to go unshown. Each code keeps its first ``limit`` in
    the order found: when every check runs in row order, the first ``limit`` of the whole file are
    among them, so :func:`list_problems` lists exactly what an unbounded run would have listed first.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._kept: Counter[str] = Counter()
        self._unlisted: Counter[str] = Counter()

    def take(self, code: Code, severity: Severity = "error") -> bool:
        """True when a problem of ``code`` is to be built; False when it is only counted."""
        if self._kept[code.code] < self.limit:
            self._kept[code.code] += 1
            return True
        self._unlisted[severity] += 1
        return False

    def placeholders(self) -> list[Problem]:
        """One :func:`not_listed` per severity for what :meth:`take` only counted."""
        return [not_listed(n, severity) for severity, n in self._unlisted.items() if n]  # type: ignore[arg-type]


def list_problems(
    report: IntakeReport, problems: Iterable[Problem], limit: int, order: Callable[[Problem], Any]
) -> None:
    """Add ``problems`` to ``report`` in ``order``: the first ``limit`` listed, the rest counted.

    What is not listed (including what :func:`not_listed` placeholders stand for) becomes one
    PROBLEMS_NOT_LISTED line at the end, an error when any of it is one, so a file with more
    mistakes than are listed is refused all the same.
    """
    found: list[Problem] = []
    counted: list[Problem] = []
    for p in problems:
        (counted if p.message_id is Code.PROBLEMS_NOT_LISTED else found).append(p)
    found.sort(key=order)
    rest = found[limit:]
    weight = [(p.severity, 1) for p in rest] + [(p.severity, int(p.params["n"])) for p in counted]
    total = sum(n for _, n in weight)
    errors = sum(n for severity, n in weight if severity == "error")
    report.problems.extend(found[:limit])
    if total:
        report.n_unlisted += total
        report.n_unlisted_errors += errors
        report.problems.append(
            Problem(Code.PROBLEMS_NOT_LISTED, {"n": total, "max": limit}, severity="error" if errors else "warning")
        )
