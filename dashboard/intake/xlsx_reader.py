"""An .xlsx workbook's sheets as rows of cell texts, streamed from the zip with expat.

openpyxl reads about 100,000 cells a second (a Python object per XML element and per cell), and
without a ``<dimension>`` element it parses every sheet twice — once to learn its size when the
sheet is first listed. A workbook within the upload limits (a million cells) took it a minute.
This reader keeps only what the intake needs — each cell's value as the person sees it (a number
formatted as % read as shown, a date as openpyxl would give it) at its row and column — with one
small Python callback per element, several times faster, and reads a sheet only when asked, as
far as asked (the kind of a file is recognised from its first rows).

The XML is untrusted: a document type declaration or an entity declaration is refused (the
protections of ``defusedxml``), text is never expanded, and a text longer than the cell limit stops
the parse. Sizes and counts are the caller's to check first (:func:`.grid.unpacked_problem`,
:func:`.grid.counted_problem`); the zip reader never unpacks a part past its declared size.
"""

from __future__ import annotations

import io
import posixpath
import pyexpat
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

_MAIN = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SEP = "}"
_CHUNK = 1 << 16
MAX_COLUMN = 16_384  # Excel's widest sheet (XFD)

# Element kinds of a sheet, keyed by the namespaced name expat reports (transitional or strict).
_C, _V, _T, _IS, _RPH, _ROW, _SI = range(7)
_KINDS = {
    f"{ns}{_SEP}{local}": kind
    for ns in _MAIN
    for local, kind in (("c", _C), ("v", _V), ("t", _T), ("is", _IS), ("rPh", _RPH), ("row", _ROW), ("si", _SI))
}


class UnsafeXML(ValueError):
    """A workbook part declares a document type or entities: refused, as defusedxml refuses them."""


class TextTooLong(ValueError):
    """A text longer than the cell limit, not read further; ``row``/``column`` where a cell holds it
    (none for a shared string: no cell may show it)."""

    def __init__(self, row: int | None = None, column: int | None = None) -> None:
        super().__init__(row, column)
        self.row, self.column = row, column


class TooWide(ValueError):
    """A cell in ``column`` of ``row``, past the widest row allowed: the row is not laid out."""

    def __init__(self, row: int, column: int) -> None:
        super().__init__(row, column)
        self.row, self.column = row, column


def _parser() -> Any:
    parser = pyexpat.ParserCreate(namespace_separator=_SEP)

    def refuse(*_args: object) -> int:
        raise UnsafeXML("DTD or entity declaration in a workbook part")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.UnparsedEntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.SetParamEntityParsing(pyexpat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.buffer_text = True
    return parser


def _parse(part: Any, parser: Any) -> None:
    """Feed a whole (small) part to ``parser``."""
    while chunk := part.read(_CHUNK):
        parser.Parse(chunk, False)
    parser.Parse(b"", True)


_COLUMN_OF: dict[str, int] = {}  # column letters → number, filled as met (a sheet uses few)


def _column(ref: str) -> int:
    """The column number of a cell reference (``AB12`` → 28)."""
    letters = ref.rstrip("0123456789")
    n = _COLUMN_OF.get(letters)
    if n is not None:
        return n
    n = 0
    for ch in letters.upper():
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif ch != "$":
            break
    if len(_COLUMN_OF) < 20_000:
        _COLUMN_OF[letters] = n
    return n


def _number(text: str) -> int | float:
    # As openpyxl does: a value with a point or an exponent is a float, else an int.
    return float(text) if ("." in text or "E" in text or "e" in text) else int(text)


def shown(value: object, number_format: str) -> str:
    """A cell's value as the text a person sees (``93.5`` for 0.935 formatted ``0.0%``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in number_format:
            value = round(value * 100, 10)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)


@dataclass
class _Styles:
    formats: list[str] = field(default_factory=list)  # number format of each cell style (cellXfs)
    dates: set[int] = field(default_factory=set)
    durations: set[int] = field(default_factory=set)


def _read_styles(archive: zipfile.ZipFile, path: str | None) -> _Styles:
    styles = _Styles()
    if path is None or path not in archive.namelist():
        return styles
    custom: dict[int, str] = {}
    ids: list[int] = []
    depth = {"cellXfs": 0}
    parser = _parser()

    def start(name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(_SEP)[2]
        if local == "numFmt":
            custom[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local == "cellXfs":
            depth["cellXfs"] += 1
        elif local == "xf" and depth["cellXfs"]:
            ids.append(int(attrs.get("numFmtId", "0")))

    def end(name: str) -> None:
        if name.rpartition(_SEP)[2] == "cellXfs":
            depth["cellXfs"] -= 1

    parser.StartElementHandler, parser.EndElementHandler = start, end
    with archive.open(path) as part:
        _parse(part, parser)
    for index, fmt_id in enumerate(ids):
        fmt = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id) or "General"
        styles.formats.append(fmt)
        if is_date_format(fmt):
            styles.dates.add(index)
            if is_timedelta_format(fmt):
                styles.durations.add(index)
    return styles


class SharedStrings:
    """The shared strings, parsed only as far as a cell asks: ``strings[i]``.

    Each ``<si>``'s text runs are joined (phonetic runs, ``<rPh>``, left out). Excel numbers its
    strings in the order it first meets them, so reading a header asks for the first few only; a
    hostile table of a million strings no cell shows is never parsed or held.
    """

    def __init__(self, archive: zipfile.ZipFile, path: str | None, max_chars: int) -> None:
        self._items: list[str] = []
        self._part = archive.open(path) if path is not None and path in archive.namelist() else None
        self._max_chars = max_chars
        self._text: list[str] = []
        self._in_t = False
        self._rph = 0
        self._n = 0
        self._parser = _parser()
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end
        self._parser.CharacterDataHandler = self._chars

    def __getitem__(self, index: int) -> str:
        if 0 <= index < len(self._items):
            return self._items[index]
        if index < 0:
            raise IndexError(index)
        while index >= len(self._items) and self._part is not None:
            chunk = self._part.read(_CHUNK)
            self._parser.Parse(chunk, not chunk)
            if not chunk:
                self.close()
        return self._items[index]  # IndexError past the last string: a broken workbook

    def close(self) -> None:
        """Stop reading the part."""
        if self._part is not None:
            self._part.close()
            self._part = None

    def _start(self, name: str, _attrs: dict[str, str]) -> None:
        kind = _KINDS.get(name)
        if kind == _T:
            self._in_t = not self._rph
        elif kind == _SI:
            self._text = []
            self._n = 0
        elif kind == _RPH:
            self._rph += 1

    def _end(self, name: str) -> None:
        kind = _KINDS.get(name)
        if kind == _T:
            self._in_t = False
        elif kind == _SI:
            self._items.append("".join(self._text))
        elif kind == _RPH:
            self._rph -= 1

    def _chars(self, data: str) -> None:
        if self._in_t:
            self._n += len(data)
            if self._n > self._max_chars:  # no cell may show it: not read further
                raise TextTooLong()
            self._text.append(data)


def _relationships(archive: zipfile.ZipFile, path: str) -> dict[str, tuple[str, str]]:
    """Id → (type, part path) of a part's relationships file (``dir/_rels/name.rels``)."""
    folder, name = posixpath.split(path)
    rels_path = posixpath.join(folder, "_rels", name + ".rels")
    found: dict[str, tuple[str, str]] = {}
    if rels_path not in archive.namelist():
        return found
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == f"{_RELS}{_SEP}Relationship" and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            target = (
                target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            )
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), target)

    parser.StartElementHandler = start
    with archive.open(rels_path) as part:
        _parse(part, parser)
    return found


_CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_PART_KINDS = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml": "sharedStrings",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml": "styles",
}


def _content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """``sharedStrings`` / ``styles`` → part path, as ``[Content_Types].xml`` declares them."""
    found: dict[str, str] = {}
    if "[Content_Types].xml" not in archive.namelist():
        return found
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        kind = _PART_KINDS.get(attrs.get("ContentType", ""))
        if tag == f"{_CONTENT_TYPES}{_SEP}Override" and kind is not None:
            found.setdefault(kind, attrs.get("PartName", "").lstrip("/"))

    parser.StartElementHandler = start
    with archive.open("[Content_Types].xml") as part:
        _parse(part, parser)
    return found


class Sheet:
    """One worksheet; :meth:`iter_rows` streams it."""

    def __init__(self, book: Workbook, title: str, path: str) -> None:
        self._book, self.title, self.path = book, title, path

    def iter_rows(self, max_row: int | None = None, max_column: int = MAX_COLUMN) -> Iterator[tuple[int, list[str]]]:
        """``(row number, cell texts)`` of every row that has a cell, in order, up to row ``max_row``.

        A row's list reaches its last cell; a cell missing before it is ``""``. A cell past
        ``max_column`` raises :class:`TooWide` (a reference such as ``ZZZZZZ1`` must not lay out
        millions of cells); a text longer than the book's ``max_chars`` raises :class:`TextTooLong`.
        A row numbered at or before the previous one is skipped, as openpyxl skips it.
        """
        return _SheetRows(self._book, self.path, max_row, max_column).rows()


class _SheetRows:
    """The expat callbacks of one sheet's parse; completed rows are collected and handed out in chunks."""

    def __init__(self, book: Workbook, path: str, max_row: int | None, max_column: int) -> None:
        self.book, self.path = book, path
        self.max_row, self.max_column = max_row, max_column
        self.done: list[tuple[int, list[str]]] = []
        self.row: list[str] = []
        self.number = 0
        self.column = 0
        self.kind = "n"
        self.style = 0
        self.text: list[str] = []
        self.n_chars = 0
        self.collect = False
        self.in_is = False
        self.rph = 0
        self.has_value = False
        self.stop = False
        self.skip = False

    def start(self, name: str, attrs: dict[str, str]) -> None:
        kind = _KINDS.get(name)
        if kind is None:
            return
        if kind == _C:
            ref = attrs.get("r")
            self.column = _column(ref) if ref else self.column + 1
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            self.style = int(style) if style else 0
            self.text = []
            self.n_chars = 0
            self.has_value = False
        elif kind == _V:
            if not self.in_is:
                self.collect = True
                self.has_value = True
        elif kind == _T:
            if self.in_is and not self.rph:
                self.collect = True
        elif kind == _IS:
            self.in_is = True
            self.has_value = True
        elif kind == _RPH:
            self.rph += 1
        elif kind == _ROW:
            ref = attrs.get("r")
            number = int(ref) if ref else self.number + 1
            self.skip = number <= self.number
            self.number = max(number, self.number)
            if self.max_row is not None and self.number > self.max_row:
                self.stop = True
            self.row = []
            self.column = 0

    def end(self, name: str) -> None:
        kind = _KINDS.get(name)
        if kind is None:
            return
        if kind in (_V, _T):
            self.collect = False
        elif kind == _IS:
            self.in_is = False
        elif kind == _RPH:
            self.rph -= 1
        elif kind == _C:
            row, column = self.row, self.column
            if column > self.max_column:
                raise TooWide(self.number, column)
            if column == len(row) + 1:  # the commonest: the next cell
                row.append(self.value())
                return
            if column > len(row):
                row.extend([""] * (column - len(row)))
            row[column - 1] = self.value()
        elif kind == _ROW and not self.stop and not self.skip:
            self.done.append((self.number, self.row))

    def chars(self, data: str) -> None:
        if self.collect:
            self.text.append(data)
            self.n_chars += len(data)
            if self.n_chars > self.book.max_chars:  # stop reading it: it is refused whatever follows
                raise TextTooLong(self.number, self.column)

    def value(self) -> str:
        """The finished cell's text, as openpyxl (``data_only``) and :func:`shown` would give it."""
        if not self.has_value:
            return ""
        raw = "".join(self.text)
        kind = self.kind
        book = self.book
        if kind == "s":  # the commonest: a shared string, shown as it is
            try:
                return book.strings[int(raw)]
            except TextTooLong:
                raise TextTooLong(self.number, self.column) from None
        if kind == "inlineStr" or not raw:
            return raw
        fmt = book.styles.formats[self.style] if self.style < len(book.styles.formats) else "General"
        value: object
        if kind == "n":
            value = _number(raw)
            if self.style in book.styles.dates:
                try:
                    value = from_excel(value, book.epoch, timedelta=self.style in book.styles.durations)
                except (OverflowError, ValueError):
                    value = "#VALUE!"
        elif kind == "b":
            value = bool(int(raw))
        elif kind == "d":
            value = from_ISO8601(raw)
        else:  # "str" (a formula's text), "e" (an error such as #N/A)
            value = raw
        return shown(value, fmt)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        parser = _parser()
        parser.StartElementHandler, parser.EndElementHandler = self.start, self.end
        parser.CharacterDataHandler = self.chars
        with self.book.archive.open(self.path) as part:
            while not self.stop and (chunk := part.read(_CHUNK)):
                parser.Parse(chunk, False)
                yield from self.done
                self.done.clear()
            if not self.stop:
                parser.Parse(b"", True)
        yield from self.done
        self.done.clear()


class Workbook:
    """A workbook's sheets (titles and parts), its shared strings and number formats.

    ``max_chars`` bounds any one text (``upload.max_cell_chars``): a longer one raises
    :class:`TextTooLong` while it is read.
    """

    def __init__(self, content: bytes, max_chars: int) -> None:
        self.archive = zipfile.ZipFile(io.BytesIO(content))
        self.max_chars = max_chars
        names = set(self.archive.namelist())
        main = next(
            (t for kind, t in _relationships(self.archive, "").values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        if main not in names:
            raise KeyError(main)
        rels = _relationships(self.archive, main)
        sheets: list[tuple[str, str]] = []
        self.epoch = CALENDAR_WINDOWS_1900
        parser = _parser()

        def start(name: str, attrs: dict[str, str]) -> None:
            local = name.rpartition(_SEP)[2]
            if local == "sheet":
                rel = next((v for k, v in attrs.items() if k.endswith(f"{_SEP}id")), "")
                kind, target = rels.get(rel, ("", ""))
                if kind.endswith("/worksheet") and target in names:
                    sheets.append((attrs.get("name", ""), target))
            elif local == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904

        parser.StartElementHandler = start
        with self.archive.open(main) as part:
            _parse(part, parser)
        # The workbook's relationships name its styles and shared strings; the content types too
        # (where openpyxl looks for them), which serve when a writer left the relationship out.
        by_type = {**_content_types(self.archive), **{k.rpartition("/")[2]: t for k, t in rels.values()}}
        self.styles = _read_styles(self.archive, by_type.get("styles"))
        self.strings = SharedStrings(self.archive, by_type.get("sharedStrings"), max_chars)
        self.worksheets = [Sheet(self, title, path) for title, path in sheets]

    @property
    def sheetnames(self) -> list[str]:
        """The sheets' titles, in the workbook's order."""
        return [s.title for s in self.worksheets]

    def __getitem__(self, title: str) -> Sheet:
        return next(s for s in self.worksheets if s.title == title)

    def close(self) -> None:
        """Release the zip."""
        self.strings.close()
        self.archive.close()
