"""A kind of uploaded file, declared once: its fields, the header names people use, its record.

Indicator values and task progress are two :class:`FileKind` instances (declared in
``indicator_values.py`` and ``task_progress.py``); the header search, the column mapping and the
"missing column" problem are written here once for both. The pipeline recognises a file's kind by
asking each declared kind whether a row looks like its header.

A header never leaves a guess: two columns that mean one field (数值 and 值, 区县 and 地区, 数值
twice) are refused naming both by their letters. The one pair allowed is a field given by its code
and by its name (代码 + 指标名称 in the wide template, 地区代码 + 地区名称 in an export): the kind
then reads the code, falls back on the name where the code cell is blank, and refuses a row whose
two cells name different things.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ..core.records import RecordKind
from ..messages import Code, Msg, Problem
from .grid import column_letter, header_row
from .matching import key
from .report import IntakeReport

HeaderBonus = Callable[[list[str], set[str]], int]
"""Extra header score from a row's texts and the fields found in it (a wide sheet's year columns)."""


@dataclass(frozen=True)
class ColumnMap:
    """Where a header puts each field.

    ``columns``: field → its grid column. ``names``: field → the column that gives the same thing by
    its name beside ``columns``' code column (代码 + 指标名称). ``problems``: DUPLICATE_COLUMN for
    each field two columns claim otherwise (the field is then left out of ``columns``).
    """

    columns: dict[str, object]
    names: dict[str, object]
    problems: list[Problem]


def column_label(col: object) -> str:
    """A grid column as Excel heads it: the grid's columns are 0-based positions (0 → A)."""
    return column_letter(int(col) + 1) if isinstance(col, (int, np.integer)) else str(col)


@dataclass(frozen=True)
class FileKind:
    """One kind of yearly file.

    ``aliases`` lists, per field, the header names accepted (compared after :func:`matching.key`:
    NFKC, no spaces, lower case). ``codes`` and ``names`` mark which of a field's aliases give it by
    its code (指标代码) and by its name (指标名称); the rest (指标) may hold either. A field may have
    one column, or two of different sorts (code + name, code + either, either + name); any other two
    are DUPLICATE_COLUMN. ``shown`` is the header named in a "missing column" message. ``record``
    is what one stored row is (keys and reported values), shared with the store.
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
    codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

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

    def _sort(self, name: str, text: str) -> int:
        """0 for a header giving field ``name`` by its code, 2 by its name, 1 for either."""
        k = key(text)
        if k in {key(a) for a in self.codes.get(name, ())}:
            return 0
        return 2 if k in {key(a) for a in self.names.get(name, ())} else 1

    def column_map(self, header: pd.Series, header_row: int) -> ColumnMap:
        """Each field's column in ``header`` (the Excel row ``header_row``), refusing what would be a guess."""
        claims: dict[str, list[object]] = {}
        for col, text in header.items():
            hit = self._index.get(key(str(text)))
            if hit is not None:
                claims.setdefault(hit[0], []).append(col)
        columns: dict[str, object] = {}
        names: dict[str, object] = {}
        problems: list[Problem] = []
        for name, cols in claims.items():
            sorts = sorted((self._sort(name, str(header[c])), i, c) for i, c in enumerate(cols))
            if len(cols) == 1 or (len(cols) == 2 and sorts[0][0] != sorts[1][0]):
                columns[name] = sorts[0][2]
                if len(cols) == 2:
                    names[name] = sorts[1][2]
                continue
            listing = [Msg("intake_column_at", {"letter": column_label(c), "text": str(header[c])}) for c in cols]
            problems.append(
                Problem(
                    Code.DUPLICATE_COLUMN,
                    {"columns": listing, "field": self.shown[name]},
                    row=header_row,
                    column=str(header[cols[-1]]),
                )
            )
        return ColumnMap(columns, names, problems)

    def missing_column(self, name: str, header_row: int) -> Problem:
        """MISSING_COLUMN for field ``name``, listing the first accepted names."""
        return Problem(
            Code.MISSING_COLUMN,
            {"column": self.shown[name], "names": list(self.aliases[name][:4])},
            row=header_row,
            column=self.shown[name],
        )
