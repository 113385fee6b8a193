"""Problems are values: every error the product reports carries a location and a message
in Chinese and English, so the same object serves the command line, the app and the tests."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, located precisely.

    ``file``/``line`` locate problems in YAML rules; ``row``/``column`` locate problems in an
    uploaded data file (row numbers are the ones a person sees in Excel: header = row 1).
    """

    code: str
    message_zh: str
    message_en: str
    file: str | None = None
    line: int | None = None
    row: int | None = None
    column: str | None = None
    severity: str = "error"

    def location(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file if self.line is None else f"{self.file}:{self.line}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def message(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message_zh

    def format(self, lang: str = "both") -> str:
        """``path:line: CODE: message`` — one line, grep-able, as compilers print."""
        if lang == "both":
            text = f"{self.message_zh} / {self.message_en}"
        else:
            text = self.message(lang)
        loc = self.location()
        return f"{loc}: {self.code}: {text}" if loc else f"{self.code}: {text}"

    def as_dict(self) -> dict:
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


@dataclass
class ProblemList:
    """Collects problems instead of stopping at the first, so a maintainer sees every one."""

    items: list[Problem] = field(default_factory=list)

    def add(self, problem: Problem) -> None:
        self.items.append(problem)

    def extend(self, problems) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    def __bool__(self) -> bool:
        return bool(self.items)

    def __iter__(self):
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
