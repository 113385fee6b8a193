"""An uploaded file → validated observations, or every problem in it.

``read_upload`` accepts what office staff actually send: long CSV (one value per row, headers in
Chinese or English, any order), the wide per-area template (``template.py``) filled in Excel,
as CSV in UTF-8 / UTF-8 with BOM / GBK / GB18030 / UTF-16, or as .xlsx. Nothing is stored here:
the report lists every problem (row as Excel shows it, column as the header in the file), the
rows that would be stored, and the cells skipped as "no value reported". ``Store.commit`` stores
a report only when it has no errors.

Validation is vectorised: each rule is a pandas operation on the whole column; Python loops run
only over columns, over distinct names, and over the problems found.
"""

from __future__ import annotations

import hashlib
import io
import operator
import os
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.records import INDICATOR_VALUES, diff
from ..messages import Problem, ReportStatus, legacy
from ..rules import RuleSet
from .cells import NO_VALUE_TOKENS, by_distinct, normalise_text, parse_values
from .matching import area_index, closest, indicator_index, key

FIELDS = ("area", "indicator", "year", "value", "note")
REQUIRED = ("area", "indicator", "year", "value")

# Accepted header names, compared after ``matching.key`` (NFKC, no spaces, lower case). When a
# file has several matching columns (an export has both 地区代码 and 地区名称) the earlier alias wins.
ALIASES: dict[str, tuple[str, ...]] = {
    "area": ("区县", "地区", "area", "地区代码", "区县代码", "area_code", "地区名称", "区县名称", "area_name"),
    "indicator": (
        "指标",
        "指标代码",
        "indicator",
        "indicator_code",
        "代码",
        "code",
        "指标名称",
        "indicator_name",
        "名称",
    ),
    "year": ("年份", "year", "年度"),
    "value": ("数值", "监测值", "value", "值"),
    "note": ("备注", "note", "notes", "说明"),
}
# The name shown for a missing column, and the alternatives listed in the message.
SHOWN = {"area": "区县", "indicator": "指标", "year": "年份", "value": "数值", "note": "备注"}
_YEAR_HEADER = re.compile(r"^(\d{4})(?:\.0)?年?$")
_WIDE_NAME_HEADERS = ("指标名称", "indicator_name", "名称", "指标")

_MAGIC = {
    b"\x89PNG": "PNG 图片 / PNG image",
    b"%PDF": "PDF 文档 / PDF document",
    b"GIF8": "GIF 图片 / GIF image",
    b"\xff\xd8\xff": "JPEG 图片 / JPEG image",
    b"\xd0\xcf\x11\xe0": "旧版 Excel（.xls）或 Word 文件 / old Excel (.xls) or Word file",
    b"\x1f\x8b": "gzip 压缩包 / gzip archive",
    b"Rar!": "RAR 压缩包 / RAR archive",
    b"7z\xbc\xaf": "7z 压缩包 / 7z archive",
}


@dataclass
class UploadReport(ReportStatus):
    """What ``read_upload`` found. ``ok`` means: no errors, ``rows`` may be stored."""

    file_name: str
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    rows: pd.DataFrame = field(default_factory=lambda: _empty_rows())
    skipped: pd.DataFrame = field(default_factory=lambda: _empty_skipped())
    layout: str = ""  # "long" or "wide" once the header is understood
    encoding: str = ""  # "utf-8", "utf-8-sig", "gb18030", "utf-16" or "xlsx"
    n_bytes: int = 0

    @property
    def n_skipped(self) -> int:
        """Cells reported as "no value" (the task report keeps the same name as a field)."""
        return len(self.skipped)


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": pd.Series(dtype=object),
            "indicator": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            "value": pd.Series(dtype="float64"),
            "note": pd.Series(dtype=object),
            "source_row": pd.Series(dtype="int64"),
        }
    )


def _empty_skipped() -> pd.DataFrame:
    return pd.DataFrame(
        {
            c: pd.Series(dtype=object)
            for c in ("row", "column", "area", "indicator", "year", "text", "reason_zh", "reason_en")
        }
    )


# ------------------------------------------------------------------------------ size & entry points
def max_upload_bytes(rules: RuleSet, max_bytes: int | None = None) -> int:
    """The size limit: the explicit argument, else ``settings.yaml`` ``upload.max_bytes``."""
    return int(max_bytes) if max_bytes is not None else int(rules.settings.upload.max_bytes)


def size_problem(n_bytes: int, limit: int) -> Problem | None:
    """FILE_TOO_LARGE when ``n_bytes`` exceeds ``limit``; callers check before reading the file."""
    if n_bytes <= limit:
        return None
    return legacy(
        "FILE_TOO_LARGE",
        f"文件大小 {n_bytes / 1048576:.1f} MB 超过上限 {limit / 1048576:.1f} MB；请按地区拆分后分别上传",
        f"the file is {n_bytes / 1048576:.1f} MB, above the limit of {limit / 1048576:.1f} MB; "
        "split it by area and upload the parts",
    )


def read_upload_path(path: str | os.PathLike, rules: RuleSet, *, max_bytes: int | None = None) -> UploadReport:
    """Like :func:`read_upload` for a file on disk, refusing an oversized file before reading it."""
    path = Path(path)
    limit = max_upload_bytes(rules, max_bytes)
    size = path.stat().st_size
    too_big = size_problem(size, limit)
    if too_big is not None:
        return UploadReport(file_name=path.name, sha256="", problems=[too_big], n_bytes=size)
    return read_upload(path.read_bytes(), path.name, rules, max_bytes=limit)


def open_grid(report, content: bytes, file_name: str, rules: RuleSet, max_bytes: int | None = None):
    """The file's cells as a string grid without blank rows, or None with the reason in ``report``.

    Shared by every kind of upload: size limit, empty file, format and encoding detection.
    """
    too_big = size_problem(len(content), max_upload_bytes(rules, max_bytes))
    if too_big is not None:
        report.problems.append(too_big)
        return None
    if not content.strip(b" \t\r\n\x00\xef\xbb\xbf"):
        report.problems.append(legacy("EMPTY_FILE", "文件是空的", "the file is empty"))
        return None
    grid, encoding, problem = _read_grid(content, file_name, rules)
    report.encoding = encoding
    if problem is not None:
        report.problems.append(problem)
        return None
    grid = _drop_blank_rows(grid)
    if grid is None or grid.empty:
        report.problems.append(legacy("EMPTY_FILE", "文件中没有任何内容", "the file has no content"))
        return None
    return grid


def read_upload(content: bytes, file_name: str, rules: RuleSet, *, max_bytes: int | None = None) -> UploadReport:
    """Read and validate one uploaded file; never raises for bad input, reports it instead."""
    report = UploadReport(file_name=file_name, sha256=hashlib.sha256(content).hexdigest(), n_bytes=len(content))
    grid = open_grid(report, content, file_name, rules, max_bytes)
    if grid is None:
        return report

    header_row = _find_header(grid)
    long, layout, problems = _to_long(grid, header_row)
    report.layout = layout
    if problems:
        report.problems.extend(problems)
        return report
    if long.empty:
        if layout == "wide":
            empty = legacy(
                "NO_DATA_ROWS", "模板中没有填写任何数值", "nothing is filled in in the template", row=int(header_row)
            )
        else:
            empty = legacy(
                "NO_DATA_ROWS", "表头下面没有数据行", "there are no data rows below the header", row=int(header_row)
            )
        report.problems.append(empty)
        return report
    _validate(long, rules, report)
    return report


# ------------------------------------------------------------------------------ bytes → grid of text
def _read_grid(content: bytes, file_name: str, rules: RuleSet):
    """(DataFrame of cell texts indexed by Excel row number, encoding, problem)."""
    is_zip = content[:4] == b"PK\x03\x04"
    if is_zip or file_name.lower().endswith((".xlsx", ".xlsm")):
        if not is_zip:
            return (
                None,
                "xlsx",
                legacy(
                    "NOT_PARSEABLE",
                    "文件扩展名是 .xlsx，但内容不是 Excel 工作簿",
                    "the file is named .xlsx but is not an Excel workbook",
                ),
            )
        return _read_xlsx(content)
    for magic, what in _MAGIC.items():
        if content.startswith(magic):
            zh, en = what.split(" / ")
            return (
                None,
                "",
                legacy(
                    "BINARY_FILE",
                    f"文件不是文本表格（看起来是{zh}）；请上传 CSV 或 Excel（.xlsx）文件",
                    f"the file is not a text table (it looks like a {en}); upload a CSV or Excel (.xlsx) file",
                ),
            )
    text, encoding = _decode(content)
    if text is None:
        return (
            None,
            "",
            legacy(
                "BINARY_FILE" if encoding == "binary" else "NOT_PARSEABLE",
                "文件不是文本表格（含有二进制内容）；请上传 CSV 或 Excel（.xlsx）文件"
                if encoding == "binary"
                else "无法识别文件编码（既不是 UTF-8 也不是 GBK/GB18030）；请在 Excel 中另存为“CSV UTF-8”",
                "the file is not a text table (it contains binary data); upload a CSV or Excel (.xlsx) file"
                if encoding == "binary"
                else "the text encoding is neither UTF-8 nor GBK/GB18030; save it from Excel as 'CSV UTF-8'",
            ),
        )
    grid, problem = _read_csv_text(text)
    return grid, encoding, problem


def _decode(content: bytes) -> tuple[str | None, str]:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        # Excel's "Unicode text" export: UTF-16 with a BOM, tab separated.
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            return None, "unknown"
    head = content[:65536]
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
    if b"\x00" in head or controls > max(8, len(head) // 100):
        return None, "binary"
    if content.startswith(b"\xef\xbb\xbf"):
        try:
            return content.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            return None, "unknown"
    for encoding in ("utf-8", "gb18030"):
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None, "unknown"


def _read_csv_text(text: str) -> tuple[pd.DataFrame | None, Problem | None]:
    lines = text.splitlines()
    first = next((ln for ln in lines[:50] if ln.strip(" ,;\t")), "")
    delimiter = max((",", "\t", ";"), key=first.count) if first else ","
    # An upper bound on the fields in any line (a quoted delimiter only adds an empty column), so
    # rows with trailing commas never make the parser fail. map() runs str.count at C speed.
    width = max(map(operator.methodcaller("count", delimiter), lines), default=0) + 1
    try:
        grid = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            header=None,
            names=range(width),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except (pd.errors.ParserError, ValueError) as exc:
        return None, legacy(
            "NOT_PARSEABLE", f"无法按 CSV 格式读取文件：{exc}", f"the file cannot be read as CSV: {exc}"
        )
    grid.index = np.arange(1, len(grid) + 1)  # Excel row numbers: the first line is row 1
    return grid, None


def _read_xlsx(content: bytes):
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        return (
            None,
            "xlsx",
            legacy("NOT_PARSEABLE", f"无法读取 Excel 文件：{exc}", f"the Excel file cannot be read: {exc}"),
        )
    try:
        grids = []
        for sheet in book.worksheets:
            # openpyxl hands out cells one by one in Python anyway; the number format is only known
            # per cell, and a cell shown as "93.5%" holds 0.935.
            grid = pd.DataFrame([[_cell_text(c) for c in row] for row in sheet.iter_rows()])
            grid.index = np.arange(1, len(grid) + 1)
            grid = _drop_blank_rows(grid.fillna(""))
            if not grid.empty:
                grids.append(grid)
                if _header_score(grid.iloc[0]) >= 2:
                    break
    finally:
        book.close()
    if not grids:
        return pd.DataFrame(), "xlsx", None
    best = next((g for g in grids if _header_score(g.loc[_find_header(g)]) >= 2), grids[0])
    return best, "xlsx", None


def _cell_text(cell) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, float)):
        if "%" in (getattr(cell, "number_format", "") or ""):
            value = round(value * 100, 10)
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return repr(value) if isinstance(value, float) else str(value)
    return str(value)


def _strip(cells: pd.Series) -> pd.Series:
    """Cell texts without surrounding spaces (computed once per distinct text)."""
    return by_distinct(cells, lambda u: u.fillna("").astype(str).str.strip()).astype(object)


def _drop_blank_rows(grid: pd.DataFrame) -> pd.DataFrame:
    if grid.empty:
        return grid
    blank = np.column_stack([(_strip(grid[c]) == "").to_numpy() for c in grid.columns])
    keep = grid.loc[~blank.all(axis=1)]
    # Columns that are empty everywhere (trailing commas) only get in the way.
    used = ~blank[~blank.all(axis=1)].all(axis=0)
    return keep.loc[:, used] if len(keep) else keep


# ------------------------------------------------------------------------------ header & layout
def _field_of(header: str) -> str | None:
    k = key(header)
    for name, aliases in ALIASES.items():
        if k in aliases:
            return name
    return None


def _year_of(header: str) -> int | None:
    m = _YEAR_HEADER.match(key(header))
    return int(m.group(1)) if m else None


def _header_score(cells: pd.Series) -> int:
    texts = [str(c) for c in cells]
    fields = {_field_of(t) for t in texts} - {None}
    years = sum(1 for t in texts if _year_of(t) is not None)
    return len(fields) + (2 if years and "indicator" in fields else 0)


def _find_header(grid: pd.DataFrame) -> int:
    # A title line above the header ("2021年万州区监测数据") is common in Excel sheets.
    for row in grid.index[:20]:
        if _header_score(grid.loc[row]) >= 2:
            return int(row)
    return int(grid.index[0])


def _columns(header: pd.Series) -> tuple[dict[str, object], dict[object, int]]:
    found: dict[str, tuple[int, object]] = {}
    years: dict[object, int] = {}
    for col, text in header.items():
        text = str(text)
        name = _field_of(text)
        if name is not None:
            rank = ALIASES[name].index(key(text))
            if name not in found or rank < found[name][0]:
                found[name] = (rank, col)
        year = _year_of(text)
        if year is not None:
            years[col] = year
    return {name: col for name, (_, col) in found.items()}, years


def _missing_column(name: str, header_row: int) -> Problem:
    names = "、".join(a for a in ALIASES[name][:4])
    return legacy(
        "MISSING_COLUMN",
        f"缺少必需的列“{SHOWN[name]}”（可用的列名：{names}）",
        f"the required column '{SHOWN[name]}' is missing (accepted names: {', '.join(ALIASES[name][:4])})",
        row=header_row,
        column=SHOWN[name],
    )


def _to_long(grid: pd.DataFrame, header_row: int) -> tuple[pd.DataFrame, str, list[Problem]]:
    """One row per cell to validate, with the column header it came from."""
    header = grid.loc[header_row].astype(str).str.strip()
    data = grid.loc[grid.index > header_row]
    data = pd.DataFrame({c: _strip(data[c]) for c in data.columns}, index=data.index)
    cols, years = _columns(header)
    shown = {name: header[col] for name, col in cols.items()}

    if "value" not in cols and years and "indicator" in cols:
        if "area" not in cols:
            return pd.DataFrame(), "wide", [_missing_column("area", header_row)]
        indicator = data[cols["indicator"]]
        # The template has both 代码 and 指标名称; a row whose code was deleted still has its name.
        name_col = next((c for c, t in header.items() if key(t) in _WIDE_NAME_HEADERS and c != cols["indicator"]), None)
        if name_col is not None:
            indicator = indicator.where(indicator != "", data[name_col])
        base = pd.DataFrame(
            {"row": data.index, "area_text": data[cols["area"]].to_numpy(), "indicator_text": indicator.to_numpy()}
        )
        cells = data[list(years)].set_axis(range(len(years)), axis=1)
        cells.index = range(len(cells))
        melted = cells.melt(ignore_index=False, var_name="k", value_name="value_text")
        year_list = list(years.values())
        header_list = [header[c] for c in years]
        long = base.loc[melted.index].reset_index(drop=True)
        long["value_text"] = melted["value_text"].to_numpy()
        k = melted["k"].to_numpy()
        long["year_text"] = np.asarray(year_list, dtype=object)[k].astype(str)
        long["col_value"] = np.asarray(header_list, dtype=object)[k]
        long["col_year"] = long["col_value"]
        long["note_text"] = ""
        long["col_area"], long["col_indicator"] = shown["area"], shown["indicator"]
        # Empty template slots (future years, indicators not collected) are not "skipped" cells:
        # only what someone typed is validated and reported.
        typed = long["value_text"] != ""
        long = long.loc[typed].sort_values(["row"], kind="stable").reset_index(drop=True)
        return long, "wide", []

    missing = [name for name in REQUIRED if name not in cols]
    if missing:
        return pd.DataFrame(), "long", [_missing_column(name, header_row) for name in missing]
    long = pd.DataFrame(
        {
            "row": data.index.to_numpy(),
            "area_text": data[cols["area"]].to_numpy(),
            "indicator_text": data[cols["indicator"]].to_numpy(),
            "year_text": data[cols["year"]].to_numpy(),
            "value_text": data[cols["value"]].to_numpy(),
            "note_text": data[cols["note"]].to_numpy() if "note" in cols else "",
        }
    )
    for name in REQUIRED:
        long[f"col_{name}"] = shown[name]
    texts = long[["area_text", "indicator_text", "year_text", "value_text", "note_text"]]
    long = long.loc[(texts != "").any(axis=1)].reset_index(drop=True)
    return long, "long", []


# ------------------------------------------------------------------------------ validation
def _resolve(texts: pd.Series, index: dict[str, str]) -> pd.Series:
    """Map cell texts to codes, computing ``key`` once per distinct text."""
    distinct = pd.unique(texts)
    lookup = {t: index.get(key(t)) for t in distinct}
    return texts.map(lookup)


def _suggestions(texts, choices: list[str]) -> dict[str, str | None]:
    return {t: closest(t, choices) for t in texts}


def _problems(mask: pd.Series, long: pd.DataFrame, code: str, column_field: str, zh, en) -> list[Problem]:
    """One Problem per true row of ``mask``; ``zh``/``en`` build the messages from a row."""
    hit = long.loc[mask]
    return [
        legacy(code, zh(r), en(r), row=int(r.row), column=str(getattr(r, f"col_{column_field}")))
        for r in hit.itertuples(index=False)
    ]


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else repr(x)


def _validate(long: pd.DataFrame, rules: RuleSet, report: UploadReport) -> None:
    problems: list[Problem] = []

    parsed = parse_values(long["value_text"])
    long["value"] = parsed.values
    invalid, missing = parsed.invalid, parsed.missing

    # Areas and indicators ------------------------------------------------------
    long["area"] = _resolve(long["area_text"], area_index(rules))
    long["indicator"] = _resolve(long["indicator_text"], indicator_index(rules))
    blank_area, blank_ind = long["area_text"] == "", long["indicator_text"] == ""
    problems += _problems(blank_area, long, "EMPTY_CELL", "area", lambda r: "地区为空", lambda r: "the area is blank")
    problems += _problems(
        blank_ind, long, "EMPTY_CELL", "indicator", lambda r: "指标为空", lambda r: "the indicator is blank"
    )
    bad_area = long["area"].isna() & ~blank_area
    if bad_area.any():
        names = [a.name_zh for a in rules.areas.values()]
        hint = _suggestions(pd.unique(long.loc[bad_area, "area_text"]), names)
        problems += _problems(
            bad_area,
            long,
            "UNKNOWN_AREA",
            "area",
            lambda r: f"未知地区“{r.area_text}”" + (f"；是不是“{hint[r.area_text]}”？" if hint[r.area_text] else ""),
            lambda r: (
                f"unknown area '{r.area_text}'"
                + (f"; did you mean '{hint[r.area_text]}'?" if hint[r.area_text] else "")
            ),
        )
    bad_ind = long["indicator"].isna() & ~blank_ind
    if bad_ind.any():
        names = (
            [i.name_zh for i in rules.indicators.values()]
            + [i.code for i in rules.indicators.values()]
            + [c.name_zh for c in rules.context_series.values()]
            + list(rules.context_series)
        )
        hint = _suggestions(pd.unique(long.loc[bad_ind, "indicator_text"]), names)
        problems += _problems(
            bad_ind,
            long,
            "UNKNOWN_INDICATOR",
            "indicator",
            lambda r: (
                f"未知指标“{r.indicator_text}”"
                + (f"；是不是“{hint[r.indicator_text]}”？" if hint[r.indicator_text] else "")
            ),
            lambda r: (
                f"unknown indicator '{r.indicator_text}'"
                + (f"; did you mean '{hint[r.indicator_text]}'?" if hint[r.indicator_text] else "")
            ),
        )

    # Years ---------------------------------------------------------------------
    year_num = by_distinct(
        long["year_text"],
        lambda u: pd.to_numeric(normalise_text(u).str.replace(r"年度?$", "", regex=True), errors="coerce").astype(
            "float64"
        ),
    ).astype("float64")
    bad_year = year_num.isna() | (year_num % 1 != 0) | (year_num.abs() > 9999)
    start, end = rules.settings.plan_period.start, rules.settings.plan_period.end
    problems += _problems(
        bad_year & (long["year_text"] == ""),
        long,
        "EMPTY_CELL",
        "year",
        lambda r: "年份为空",
        lambda r: "the year is blank",
    )
    problems += _problems(
        bad_year & (long["year_text"] != ""),
        long,
        "BAD_YEAR",
        "year",
        lambda r: f"年份“{r.year_text}”不是有效的年份",
        lambda r: f"'{r.year_text}' is not a year",
    )
    out_year = ~bad_year & ((year_num < start) | (year_num > end))
    long["year"] = year_num.where(~bad_year, 0).astype("int64")
    problems += _problems(
        out_year,
        long,
        "YEAR_OUT_OF_RANGE",
        "year",
        lambda r: f"年份 {r.year} 不在规划期 {start}–{end} 内",
        lambda r: f"year {r.year} is outside the plan period {start}-{end}",
    )

    # Values --------------------------------------------------------------------
    problems += _problems(
        invalid,
        long,
        "NOT_A_NUMBER",
        "value",
        lambda r: f"“{r.value_text}”不是数字",
        lambda r: f"'{r.value_text}' is not a number",
    )
    lo_map = {c: i.valid_min for c, i in rules.indicators.items()}
    hi_map = {c: i.valid_max for c, i in rules.indicators.items()}
    unit_map = {c: i.unit for c, i in rules.indicators.items()}
    name_map = {c: i.name_zh for c, i in rules.indicators.items()}
    for c, s in rules.context_series.items():
        rng = s.valid_range or ((0.0, 100.0) if s.unit == "%" else (None, None))
        lo_map[c], hi_map[c], unit_map[c], name_map[c] = rng[0], rng[1], s.unit, s.name_zh
    lo = pd.to_numeric(long["indicator"].map(lo_map), errors="coerce")
    hi = pd.to_numeric(long["indicator"].map(hi_map), errors="coerce")
    out_value = long["value"].notna() & ((long["value"] < lo) | (long["value"] > hi))
    if out_value.any():
        long["range_lo"], long["range_hi"] = lo, hi

        def rng(r) -> str:
            a = "" if pd.isna(r.range_lo) else _fmt(r.range_lo)
            b = "" if pd.isna(r.range_hi) else _fmt(r.range_hi)
            return f"{a}–{b}" if b else f"≥{a}"

        problems += _problems(
            out_value,
            long,
            "OUT_OF_RANGE",
            "value",
            lambda r: (
                f"数值 {_fmt(r.value)} 超出“{name_map[r.indicator]}”的有效范围 {rng(r)}（{unit_map[r.indicator] or '无单位'}）"
            ),
            lambda r: (
                f"value {_fmt(r.value)} is outside the valid range {rng(r)} of {r.indicator} "
                f"({unit_map[r.indicator] or 'no unit'})"
            ),
        )

    # Duplicates among otherwise valid rows --------------------------------------
    good = long["area"].notna() & long["indicator"].notna() & ~bad_year & ~out_year & ~out_value
    keys = ["area", "indicator", "year"]
    valued = long.loc[good & long["value"].notna()]
    dup = valued.duplicated(keys, keep=False)
    if dup.any():
        groups = valued.loc[dup]
        distinct = groups.assign(_r=groups["value"].round(9)).groupby(keys)["_r"].transform("nunique")
        conflict = groups.loc[distinct > 1]
        if len(conflict):
            listing = conflict.groupby(keys).apply(
                lambda g: "、".join(f"{int(r)}:{_fmt(v)}" for r, v in zip(g["row"], g["value"])), include_groups=False
            )
            conflict = conflict.join(listing.rename("dup_listing"), on=keys)
            problems += _problems(
                pd.Series(True, index=conflict.index),
                conflict,
                "CONFLICTING_DUPLICATE",
                "value",
                lambda r: (
                    f"{rules.area_name(r.area)} {name_map[r.indicator]} {r.year} 年出现多次且数值不同"
                    f"（行:数值 {r.dup_listing}）"
                ),
                lambda r: (
                    f"{rules.area_name(r.area, 'en')} {r.indicator} {r.year} appears more than once with different values "
                    f"(row:value {r.dup_listing.replace('、', ', ')})"
                ),
            )
        same = groups.loc[distinct <= 1]
        first_row = same.groupby(keys)["row"].transform("min")
        repeat = same.loc[same["row"] != first_row].assign(first_row=first_row)
        problems += [
            legacy(
                "DUPLICATE_ROW",
                f"与第 {int(r.first_row)} 行重复（数值相同），已忽略",
                f"repeats row {int(r.first_row)} with the same value; ignored",
                row=int(r.row),
                column=str(r.col_value),
                severity="warning",
            )
            for r in repeat.itertuples(index=False)
        ]

    # Skipped "no value reported" cells ------------------------------------------
    skipped = long.loc[missing]
    report.skipped = (
        pd.DataFrame(
            {
                "row": skipped["row"].astype("int64").to_numpy(),
                "column": skipped["col_value"].astype(str).to_numpy(),
                "area": skipped["area"].fillna(skipped["area_text"]).to_numpy(),
                "indicator": skipped["indicator"].fillna(skipped["indicator_text"]).to_numpy(),
                "year": skipped["year_text"].to_numpy(),
                "text": skipped["value_text"].to_numpy(),
                "reason_zh": "未填报（空白或“暂无”等），不导入",
                "reason_en": "no value reported (blank, dash or 暂无); not imported",
            }
        )
        if len(skipped)
        else _empty_skipped()
    )

    rows = long.loc[good & long["value"].notna()].drop_duplicates(keys, keep="first")
    note = rows["note_text"].where(rows["note_text"] != "", None)
    report.rows = pd.DataFrame(
        {
            "area": rows["area"].astype(object).to_numpy(),
            "indicator": rows["indicator"].astype(object).to_numpy(),
            "year": rows["year"].astype("int64").to_numpy(),
            "value": rows["value"].astype("float64").to_numpy(),
            "note": note.astype(object).to_numpy(),
            "source_row": rows["row"].astype("int64").to_numpy(),
        }
    )
    if not any(p.severity == "error" for p in problems) and report.rows.empty:
        problems.append(
            legacy(
                "NO_VALUES",
                "文件中没有任何可导入的数值（全部为空或“暂无”）",
                "the file has no values to import (all blank or 'no data')",
            )
        )
    order = {name: i for i, name in enumerate(FIELDS)}
    col_rank = {}
    for name in FIELDS:
        if f"col_{name}" in long:
            for text in pd.unique(long[f"col_{name}"]):
                col_rank.setdefault(str(text), order[name])
    problems.sort(key=lambda p: (p.row or 0, col_rank.get(p.column or "", 9), p.column or ""))
    report.problems.extend(problems)


# ------------------------------------------------------------------------------ preview
def preview_changes(report: UploadReport, store) -> pd.DataFrame:
    """What storing ``report`` would do to each value: ``new``, ``correction`` (old → new) or ``unchanged``."""
    rows = report.rows
    cols = ["area", "indicator", "year", "old", "new", "old_note", "note", "kind", "source_row"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    current = store.current_values(areas=pd.unique(rows["area"]).tolist(), years=pd.unique(rows["year"]).tolist())
    merged = rows.merge(
        current[["area", "indicator", "year", "value", "note"]].rename(columns={"value": "old", "note": "old_note"}),
        on=["area", "indicator", "year"],
        how="left",
    )
    merged = merged.rename(columns={"value": "new"})
    old = merged[["old", "old_note"]].set_axis(["value", "note"], axis=1)
    merged["kind"] = diff(INDICATOR_VALUES, old, merged[["new", "note"]].set_axis(["value", "note"], axis=1))
    return merged[cols]


__all__ = [
    "NO_VALUE_TOKENS",
    "UploadReport",
    "max_upload_bytes",
    "preview_changes",
    "read_upload",
    "read_upload_path",
    "size_problem",
]
