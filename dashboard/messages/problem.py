"""Problems are values: a code, its parameters and where it was found — rendered when shown.

Every error the product reports (a YAML slip, a bad cell in an upload, a refused action) is a
:class:`Problem`. It does not hold sentences: it holds the message's :class:`~.codes.Code` and
the parameters, so the same problem is shown in Chinese or English, grouped by code, exported in
both languages, and checked by a translator in the catalogue (``dashboard/messages/text``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .catalogue import t
from .codes import Code

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely.

    ``file``/``line`` locate problems in YAML rules; ``row``/``column`` locate problems in an
    uploaded file (row numbers as a person sees them in Excel: header = row 1; column = the
    header text in the file).
    """

    message_id: Code
    params: Mapping[str, Any] = field(default_factory=dict)
    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    severity: Severity = "error"

    @property
    def code(self) -> str:
        """The code people and scripts see (``BAD_TARGET``): the message id without its variant."""
        return self.message_id.code

    def message(self, lang: str = "zh") -> str:
        return t(self.message_id.value, lang, **self.params)

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")

    def location(self, lang: str = "en") -> str:
        """``file:line`` and/or the row and column, in ``lang`` ("第 3 行，“数值”列" / "row 3, column 数值")."""
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        cells = []
        if self.row is not None:
            cells.append(t("loc_row", lang, row=self.row))
        if self.column:
            cells.append(t("loc_column", lang, column=self.column))
        if cells:
            parts.append(t("loc_join", lang).join(cells))
        return t("loc_join", lang).join(parts)

    def format(self, lang: str = "both") -> str:
        """``path:line: CODE: message`` — one line, grep-able, as compilers print."""
        if lang == "both":
            text = f"{self.message('zh')} / {self.message('en')}"
            loc = self.location("en")
        else:
            text = self.message(lang)
            loc = self.location(lang)
        return f"{loc}: {self.code}: {text}" if loc else f"{self.code}: {text}"

    def at(self, **where: Any) -> Problem:
        """The same problem at another place (``p.at(file=..., line=...)``)."""
        return replace(self, **where)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "row": self.row,
            "column": self.column,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }


def warning(message_id: Code, params: Mapping[str, Any] | None = None, **where: Any) -> Problem:
    """A problem that does not stop anything, but must be seen."""
    return Problem(message_id, params or {}, severity="warning", **where)


@dataclass
class ProblemList:
    """Collects problems instead of stopping at the first, so a maintainer sees every one."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


class ReportStatus:
    """Mixin for upload reports: ``problems`` split into errors and warnings; ``ok`` = no errors."""

    problems: list[Problem]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity != "error"]

    @property
    def ok(self) -> bool:
        return not self.errors
