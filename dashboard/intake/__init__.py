"""Intake: an uploaded file (bytes) → validated rows, or every problem in it, located.

Both kinds of yearly file — indicator values and task progress — enter through ``pipeline``:
read the bytes into a grid of cells, find the header, recognise the kind, validate every cell.
Nothing is stored here; the store commits a report only when it has no errors.
"""

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
)

__all__ = [
    "INDICATORS",
    "TASKS",
    "commit_any",
    "detect_upload_kind",
    "header_kind",
    "preview_any",
    "preview_counts",
    "read_any_upload",
    "read_any_upload_path",
]
