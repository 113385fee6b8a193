"""One upload path for both kinds of file: indicator values and yearly task-progress reports.

``read_any_upload`` looks at the header (the first rows only — it never parses a large file twice)
and hands the file to ``indicator_values.read_upload`` or ``task_progress.read_task_progress``. A file is a
task-progress report when one header row has a task column (任务代码 / task …) and a status
column (状态 / status …) and no indicator column (指标 / indicator …); everything else, including
files that cannot be read at all, goes the indicator way, whose report explains what is wrong.

``preview_any`` and ``commit_any`` then do the right thing for the kind, so a caller (the app's
upload page, ``python -m dashboard import``) needs no ``if`` of its own beyond what it shows.
"""

from __future__ import annotations

import os

import pandas as pd

from ..messages import Code
from ..rules import RuleSet, catalogue_for
from ..rules.models import UploadSettings
from . import indicator_values, task_progress
from .grid import (
    XLSX_ERRORS,
    chosen_sheet,
    counted_problem,
    decode,
    max_upload_bytes,
    read_csv_text,
    read_grid,
    read_path,
    size_problem,
    unpacked_problem,
)
from .matching import key
from .report import IntakeReport

INDICATORS = indicator_values.KIND.name
TASKS = task_progress.KIND.name
_PEEK_BYTES = 64 * 1024
_PEEK_ROWS = 20
# A damaged workbook can fail in any of these ways (the reader's too long or too wide rows are
# ValueErrors); the full reader then says so.
_XLSX_ERRORS = XLSX_ERRORS

# 代码 / code may head either kind's code column: only the indicator words no task file uses count.
_TASK_WORDS = task_progress.KIND.alias_keys("task")
_STATUS_WORDS = task_progress.KIND.alias_keys("status")
_INDICATOR_ONLY = indicator_values.KIND.alias_keys("indicator") - _TASK_WORDS


def header_kind(cells) -> str | None:
    """``"tasks"``, ``"indicators"`` or None (not a header row) for one row of cell texts."""
    texts = [str(c) for c in cells if str(c).strip()]
    keys = {key(t) for t in texts}
    if keys & _TASK_WORDS and keys & _STATUS_WORDS and not keys & _INDICATOR_ONLY:
        return TASKS
    if indicator_values.KIND.looks_like_header(pd.Series(texts, dtype=object)):
        return INDICATORS
    return None


def _any_header(cells: pd.Series) -> bool:
    return header_kind(cells.tolist()) is not None


def _kind_of_grid(grid: pd.DataFrame | None) -> str | None:
    if grid is None or grid.empty:
        return None
    for row in grid.index[:_PEEK_ROWS]:
        kind = header_kind(grid.loc[row].tolist())
        if kind is not None:
            return kind
    return None


def _csv_prefix(content: bytes) -> bytes:
    """The first ~64 KB, cut after a complete line (in the file's own encoding's newline)."""
    if len(content) <= _PEEK_BYTES:
        return content
    head = content[:_PEEK_BYTES]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16: a newline is two bytes at an even offset
        newline = b"\n\x00" if head[:2] == b"\xff\xfe" else b"\x00\n"
        at = head.rfind(newline)
        while at > 0 and at % 2:
            at = head.rfind(newline, 0, at)
        return head[: at + 2] if at > 0 else head[: len(head) // 2 * 2]
    at = head.rfind(b"\n")  # in UTF-8 and GB18030 the byte 0x0A is only ever a newline
    return head[: at + 1] if at > 0 else head


def _peek_xlsx(content: bytes, limits: UploadSettings, sheet: str | None = None) -> str | None:
    from .xlsx_reader import Workbook  # imports a little of openpyxl; only workbooks need it

    if unpacked_problem(content, limits) is not None or counted_problem(content, limits) is not None:
        return None  # never opened: the full reader refuses it with the reason
    try:
        book = Workbook(content, limits.max_cell_chars)
    except _XLSX_ERRORS:
        return None
    try:
        worksheets = book.worksheets
        if sheet is not None:  # only the chosen sheet says what the file is (none: the reader says so)
            chosen = chosen_sheet(book.sheetnames, sheet)
            worksheets = [book[chosen]] if chosen is not None else []
        for worksheet in worksheets:
            for _number, texts in worksheet.iter_rows(max_row=_PEEK_ROWS, max_column=limits.max_columns):
                kind = header_kind(texts)
                if kind is not None:
                    return kind
    except _XLSX_ERRORS:  # a damaged workbook: the full reader reports it properly
        return None
    finally:
        book.close()
    return None


def detect_upload_kind(content: bytes, file_name: str, rules: RuleSet, sheet: str | None = None) -> str:
    """``"tasks"`` for a task-progress file, else ``"indicators"`` (also when the file is unreadable).

    ``sheet``: of a workbook, only that sheet is looked at.
    """
    if content[:4] == b"PK\x03\x04" or file_name.lower().endswith((".xlsx", ".xlsm")):
        if content[:4] != b"PK\x03\x04":
            return INDICATORS
        return _peek_xlsx(content, rules.settings.upload, sheet) or INDICATORS
    prefix = _csv_prefix(content)
    kind = None
    text, _ = decode(prefix)
    if text is not None:
        grid, problem = read_csv_text(text)
        kind = _kind_of_grid(grid) if problem is None else None
    if kind is None and len(prefix) < len(content):
        # The prefix ended inside a quoted cell, say: look at the whole file once.
        grid, _, problem = read_grid(content, file_name, _any_header, rules.settings.upload)
        kind = _kind_of_grid(grid) if problem is None else None
    return kind or INDICATORS


def read_any_upload(
    content: bytes, file_name: str, rules: RuleSet, *, max_bytes: int | None = None, cat=None, sheet: str | None = None
) -> tuple[str, IntakeReport]:
    """Read and validate an uploaded file of either kind; never raises for bad input.

    Returns ``(kind, report)`` with ``kind`` ``"indicators"`` or ``"tasks"``. ``cat`` defaults to
    the task catalogue of ``rules``. ``sheet``: the one sheet of a workbook to read — the choice
    SEVERAL_SHEETS asks for (its ``sheets`` parameter lists them: :func:`sheet_choices`).
    """
    limit = max_upload_bytes(rules, max_bytes)
    if size_problem(len(content), limit) is None and detect_upload_kind(content, file_name, rules, sheet) == TASKS:
        report = task_progress.read_task_progress(
            content, file_name, cat or catalogue_for(rules), rules, max_bytes=limit, sheet=sheet, tables=_any_header
        )
        return TASKS, report
    # Either kind's header makes a sheet a table: a task sheet beside a values sheet is SEVERAL_SHEETS.
    report = indicator_values.read_upload(content, file_name, rules, max_bytes=limit, sheet=sheet, tables=_any_header)
    return INDICATORS, report


def read_any_upload_path(
    path: str | os.PathLike, rules: RuleSet, *, max_bytes: int | None = None, cat=None, sheet: str | None = None
) -> tuple[str, IntakeReport]:
    """Like :func:`read_any_upload` for a file on disk, refusing an oversized file before reading it."""
    return read_path(
        path,
        rules,
        max_bytes,
        lambda name, size, problem: (INDICATORS, indicator_values.KIND.new_report(name, None, size, [problem])),
        lambda content, name, limit: read_any_upload(content, name, rules, max_bytes=limit, cat=cat, sheet=sheet),
    )


def sheet_choices(report: IntakeReport) -> list[str]:
    """The sheets a workbook refused as SEVERAL_SHEETS offers to choose from (none for any other report)."""
    for problem in report.problems:
        if problem.message_id is Code.SEVERAL_SHEETS:
            return [str(name) for name in problem.params.get("sheets", ())]
    return []


def preview_any(kind: str, report: IntakeReport, store) -> pd.DataFrame:
    """What storing ``report`` would change, one row per report row with ``kind`` new/correction/unchanged.

    Indicators: area, indicator, year, old, new, old_note, note, kind, source_row. Tasks: task,
    year, target_no, old_status, status, old_reached, reached, old_note, note, kind, source_row.
    """
    if kind == TASKS:
        tasks = sorted(set(report.rows["task"])) if len(report.rows) else []
        years = sorted({int(y) for y in report.rows["year"]}) if len(report.rows) else []
        current = store.current_task_reports(tasks=tasks, years=years) if tasks else None
        return task_progress.preview_task_changes(report, current)
    return indicator_values.preview_changes(report, store)


def preview_counts(preview: pd.DataFrame | None) -> dict[str, int]:
    """How many rows of a preview are new, corrections and unchanged."""
    counts = preview["kind"].astype(str).value_counts() if preview is not None and len(preview) else {}
    return {k: int(counts.get(k, 0)) for k in ("new", "correction", "unchanged")}


def commit_any(kind: str, report: IntakeReport, store, uploader: str, **batch: object) -> int:
    """Store an accepted report of either kind as one batch; returns the batch id (``StoreError`` if not ok).

    ``batch``: the store's keyword arguments of a commit (``owner_id``, ``audit_line``), passed on.
    """
    if kind == TASKS:
        return store.commit_task_report(report, uploader=uploader, **batch)
    return store.commit(report, uploader=uploader, **batch)


__all__ = [
    "INDICATORS",
    "TASKS",
    "commit_any",
    "detect_upload_kind",
    "header_kind",
    "preview_any",
    "read_any_upload",
    "read_any_upload_path",
    "sheet_choices",
]
