"""A kind of uploaded file, declared once: its fields, the header names people use, its record.

Indicator values and task progress are two :class:`FileKind` instances (declared in
``indicator_values.py`` and ``task_progress.py``); the header search, the column mapping and the
"missing column" problem are written here once for both. The pipeline recognises a file's kind by
asking each declared kind whether a row looks like its header.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from ..core.records import RecordKind
from ..messages import Code, Problem
from .grid import header_row
from .matching import key
from .report import IntakeReport

HeaderBonus = Callable[[list[str], set[str]], int]
"""Extra header score from a row's texts and the fields found in it (a wide sheet's year columns)."""


@dataclass(frozen=True)
class FileKind:
    """One kind of yearly file.

    ``aliases`` lists, per field, the header names accepted (compared after :func:`matching.key`:
    NFKC, no spaces, lower case); when a file has several matching columns (an export has both
    地区代码 and 地区名称) the earlier alias wins. ``shown`` is the header named in a "missing column"
    message. ``record`` is what one stored row is (keys and reported values), shared with the store.
    """

    name: str
    record: RecordKind
    fields: tuple[str, ...]
    required: tuple[str, ...]
    aliases: Mapping[str, tuple[str, ...]]
    shown: Mapping[str, str]
    empty_rows: Callable[[], pd.DataFrame] = field(compare=False)
    layout: str = ""  # the report's layout until the header says otherwise ("tasks" for task progress)
    header_bonus: HeaderBonus | None = field(default=None, compare=False)

    def new_report(
        self, file_name: str, content: bytes | None, n_bytes: int, problems: list[Problem] | None = None
    ) -> IntakeReport:
        """An empty report of this kind for a file (``content`` None: refused unread, no checksum)."""
        return IntakeReport(
            kind=self.name,
            file_name=file_name,
            sha256=hashlib.sha256(content).hexdigest() if content is not None else "",
            rows=self.empty_rows(),
            layout=self.layout,
            n_bytes=n_bytes,
            problems=list(problems or []),
        )

    @cached_property
    def _index(self) -> dict[str, tuple[str, int]]:
        index: dict[str, tuple[str, int]] = {}
        for name, names in self.aliases.items():
            for rank, alias in enumerate(names):
                index.setdefault(key(alias), (name, rank))
        return index

    def alias_keys(self, name: str) -> set[str]:
        """The keys of the header names accepted for field ``name``."""
        return {key(a) for a in self.aliases[name]}

    def field_of(self, header: str) -> str | None:
        """Which field a header text names, or None."""
        hit = self._index.get(key(header))
        return hit[0] if hit else None

    def header_score(self, cells: pd.Series) -> int:
        """How much a row of cell texts looks like this kind's header: fields named (+ bonus)."""
        texts = [str(c) for c in cells]
        fields = {self.field_of(t) for t in texts} - {None}
        bonus = self.header_bonus(texts, fields) if self.header_bonus else 0  # type: ignore[arg-type]
        return len(fields) + bonus

    def looks_like_header(self, cells: pd.Series) -> bool:
        """A header row names at least two of the kind's fields."""
        return self.header_score(cells) >= 2

    def find_header(self, grid: pd.DataFrame) -> int:
        """The header's row number (a title line above the header is common); the first row if none."""
        found = header_row(grid, self.looks_like_header)
        return found if found is not None else int(grid.index[0])

    def columns(self, header: pd.Series) -> dict[str, object]:
        """Field → grid column, the earlier alias winning where several columns name one field."""
        found: dict[str, tuple[int, object]] = {}
        for col, text in header.items():
            hit = self._index.get(key(str(text)))
            if hit is not None:
                name, rank = hit
                if name not in found or rank < found[name][0]:
                    found[name] = (rank, col)
        return {name: col for name, (_, col) in found.items()}

    def missing_column(self, name: str, header_row: int) -> Problem:
        """MISSING_COLUMN for field ``name``, listing the first accepted names."""
        return Problem(
            Code.MISSING_COLUMN,
            {"column": self.shown[name], "names": list(self.aliases[name][:4])},
            row=header_row,
            column=self.shown[name],
        )
