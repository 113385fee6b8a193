"""Intake: an uploaded file (bytes) → validated rows, or every problem in it, located.

Both kinds of yearly file — indicator values and task progress — enter through ``pipeline``:
read the bytes into a grid of cells, find the header, recognise the kind, validate every cell.
Nothing is stored here; the store commits a report only when it has no errors.

``grid``        bytes → a grid of cell texts (every upload limit, encodings, CSV, xlsx), once for all kinds
``xlsx_reader`` a workbook's sheets streamed as cell texts (expat; DTDs and entities refused)
``file_kind``   a kind of file declared as data: fields, header aliases, record; header search
``report``      ``IntakeReport``, the one report type of every kind
``indicator_values`` / ``task_progress``  the two declared kinds and their cell validation
``pipeline``    recognises the kind of a file and hands it on; preview and commit for either kind
"""

from .grid import max_upload_bytes, size_problem
from .pipeline import (
    INDICATORS,
    TASKS,
    commit_any,
    detect_upload_kind,
    header_kind,
    preview_any,
    preview_counts,
    read_any_upload,
    read_any_upload_path,
    sheet_choices,
)
from .report import IntakeReport

__all__ = [
    "INDICATORS",
    "TASKS",
    "IntakeReport",
    "commit_any",
    "detect_upload_kind",
    "header_kind",
    "max_upload_bytes",
    "preview_any",
    "preview_counts",
    "read_any_upload",
    "read_any_upload_path",
    "sheet_choices",
    "size_problem",
]
