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

import os
import re

import numpy as np
import pandas as pd

from ..core.records import INDICATOR_VALUES, diff
from ..messages import Code, Msg, Name, Problem, t
from ..messages.numbers import unit_label
from ..rules import RuleSet
from .area_definitions import (
    area_definitions,
    definition_keys,
    not_in_plan_of_year,
    not_the_areas,
    plans_of_year,
    year_range,
)
from .cells import MAX_NOTE, NO_VALUE_TOKENS, by_distinct, normalise_text, parse_values, shown_items, shown_text
from .file_kind import FileKind
from .grid import LooksLikeHeader, open_grid, read_path, strip_cells
from .matching import area_index, indicator_index, key, suggestions
from .report import IntakeReport, empty_skipped, list_problems, not_listed

_YEAR_HEADER = re.compile(r"^(\d{4})(?:\.0)?年?$")


def _year_of(header: str) -> int | None:
    m = _YEAR_HEADER.match(key(header))
    return int(m.group(1)) if m else None


def _wide_bonus(texts: list[str], fields: set[str]) -> int:
    # The wide template's header is 区县, 代码, 指标名称, 2021, 2022 …: year columns beside an
    # indicator column make a header even without a 数值 column.
    return 2 if "indicator" in fields and any(_year_of(t) is not None for t in texts) else 0


def _empty_rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "area": pd.Series(dtype=object),
            "indicator": pd.Series(dtype=object),
            "year": pd.Series(dtype="int64"),
            "value": pd.Series(dtype="float64"),
            "note": pd.Series(dtype=object),
            "source_row": pd.Series(dtype="int64"),
            "analysis": pd.Series(dtype=object),
        }
    )


KIND = FileKind(
    name="indicators",
    record=INDICATOR_VALUES,
    fields=("area", "indicator", "year", "value", "note", "analysis"),
    required=("area", "indicator", "year", "value"),
    aliases={
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
        # The responsible unit's analysis (分析评估) of the row's year: stored apart from the value
        # (``store.analyses``), by the uploader, with the batch. Optional.
        "analysis": ("分析", "情况分析", "分析说明", "分析评估", "analysis"),
    },
    empty_rows=_empty_rows,
    shown={"area": "区县", "indicator": "指标", "year": "年份", "value": "数值", "note": "备注", "analysis": "分析"},
    header_bonus=_wide_bonus,
    # A field given by code and by name (the template's 代码 + 指标名称, an export's 地区代码 + 地区名称).
    codes={"area": ("地区代码", "区县代码", "area_code"), "indicator": ("指标代码", "indicator_code", "代码", "code")},
    names={"area": ("地区名称", "区县名称", "area_name"), "indicator": ("指标名称", "indicator_name", "名称")},
)
FIELDS, REQUIRED, ALIASES, SHOWN = KIND.fields, KIND.required, KIND.aliases, KIND.shown


# ------------------------------------------------------------------------------ entry points
def read_upload_path(
    path: str | os.PathLike, rules: RuleSet, *, max_bytes: int | None = None, sheet: str | None = None
) -> IntakeReport:
    """Like :func:`read_upload` for a file on disk, refusing an oversized file before reading it."""
    return read_path(
        path,
        rules,
        max_bytes,
        lambda name, size, problem: KIND.new_report(name, None, size, [problem]),
        lambda content, name, limit: read_upload(content, name, rules, max_bytes=limit, sheet=sheet),
    )


def read_upload(
    content: bytes,
    file_name: str,
    rules: RuleSet,
    *,
    max_bytes: int | None = None,
    sheet: str | None = None,
    tables: LooksLikeHeader | None = None,
) -> IntakeReport:
    """Read and validate one indicator-values file; never raises for bad input, reports it instead.

    ``sheet``: the one sheet of a workbook to read (else the one with a header row). ``tables``: the
    header rows that make a sheet a table (default: this kind's; the pipeline passes every kind's,
    so that a workbook with a task sheet beside this one is SEVERAL_SHEETS, not one of them unsaid).
    """
    report = KIND.new_report(file_name, content, len(content))
    grid = open_grid(report, content, file_name, rules, tables or KIND.looks_like_header, max_bytes, sheet)
    if grid is None:
        return report

    header_row = KIND.find_header(grid)
    long, layout, problems = _to_long(grid, header_row)
    report.layout = layout
    if problems:
        report.problems.extend(problems)
        return report
    if long.empty:
        code = Code.NO_DATA_ROWS_TEMPLATE if layout == "wide" else Code.NO_DATA_ROWS
        report.problems.append(Problem(code, row=int(header_row)))
        return report
    _validate(long, rules, report)
    return report


# ------------------------------------------------------------------------------ header & layout
def _year_columns(header: pd.Series) -> dict[object, int]:
    return {col: y for col, y in ((c, _year_of(str(text))) for c, text in header.items()) if y is not None}


def _keys(data: pd.DataFrame, header: pd.Series, cols: dict[str, object], names: dict[str, object]) -> pd.DataFrame:
    """Area and indicator texts per data row: the code column's, else (blank) the name column's.

    Where a field has both (代码 + 指标名称), the name column's texts are kept beside as
    ``{field}_alt_text`` with their header ``col_{field}_alt``: ``_validate`` refuses a row whose two
    cells name different things.
    """
    frame = pd.DataFrame({"row": data.index.to_numpy()})
    for name in ("area", "indicator"):
        texts = data[cols[name]]
        if name in names:
            other = data[names[name]]
            # A row whose code was deleted still has its name.
            texts = texts.where(texts != "", other)
            frame[f"{name}_alt_text"] = other.to_numpy()
            frame[f"col_{name}_alt"] = header[names[name]]
        frame[f"{name}_text"] = texts.to_numpy()
    return frame


def _to_long(grid: pd.DataFrame, header_row: int) -> tuple[pd.DataFrame, str, list[Problem]]:
    """One row per cell to validate, with the column header it came from."""
    header = grid.loc[header_row].astype(str).str.strip()
    data = grid.loc[grid.index > header_row]
    data = pd.DataFrame({c: strip_cells(data[c]) for c in data.columns}, index=data.index)
    placed = KIND.column_map(header, header_row)
    if placed.problems:
        return pd.DataFrame(), "long", placed.problems
    cols, names, years = placed.columns, placed.names, _year_columns(header)
    shown = {name: header[col] for name, col in cols.items()}

    if "value" not in cols and years and "indicator" in cols:
        if "area" not in cols:
            return pd.DataFrame(), "wide", [KIND.missing_column("area", header_row)]
        base = _keys(data, header, cols, names)
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
        if "analysis" in cols:
            typed = _wide_analysis(long, data[cols["analysis"]], typed, shown["analysis"])
        long = long.loc[typed].sort_values(["row"], kind="stable").reset_index(drop=True)
        return long, "wide", []

    missing = [name for name in REQUIRED if name not in cols]
    if missing:
        return pd.DataFrame(), "long", [KIND.missing_column(name, header_row) for name in missing]
    long = _keys(data, header, cols, names).assign(
        **{
            "year_text": data[cols["year"]].to_numpy(),
            "value_text": data[cols["value"]].to_numpy(),
            "note_text": data[cols["note"]].to_numpy() if "note" in cols else "",
            "analysis_text": data[cols["analysis"]].to_numpy() if "analysis" in cols else "",
        }
    )
    for name in REQUIRED:
        long[f"col_{name}"] = shown[name]
    long["col_note"] = shown.get("note", SHOWN["note"])
    long["col_analysis"] = shown.get("analysis", SHOWN["analysis"])
    texts = long[["area_text", "indicator_text", "year_text", "value_text", "note_text", "analysis_text"]]
    long = long.loc[(texts != "").any(axis=1)].reset_index(drop=True)
    return long, "long", []


def _wide_analysis(long: pd.DataFrame, texts: pd.Series, typed: pd.Series, header: str) -> pd.Series:
    """The wide template's 分析 column: one text per row, for the row's newest year with a cell typed
    (the year being reported; earlier years are usually pre-filled). A row with an analysis and no
    cell typed keeps its last year's empty cell, so that the analysis is reported, not dropped.
    ``texts``: the column's cells by grid row. Sets ``analysis_text`` and ``col_analysis``; returns
    the cells to keep."""
    long["analysis_text"] = ""
    long["col_analysis"] = header
    given = long["row"].map(texts).fillna("").astype(str)
    years = long["year_text"].astype("int64")
    candidates = typed | ~long["row"].isin(long.loc[typed, "row"])
    newest = years.where(candidates).groupby(long["row"]).transform("max")
    chosen = candidates & (years == newest) & (given != "")
    long.loc[chosen, "analysis_text"] = given[chosen]
    return typed | chosen


# ------------------------------------------------------------------------------ validation
def _resolve(texts: pd.Series, index: dict[str, str]) -> pd.Series:
    """Map cell texts to codes, computing ``key`` once per distinct text."""
    distinct = pd.unique(texts)
    lookup = {t: index.get(key(t)) for t in distinct}
    return texts.map(lookup)


def _problems(
    mask: pd.Series,
    long: pd.DataFrame,
    code: Code,
    column_field: str,
    params=None,
    *,
    hinted=None,
    limit: int | None = None,
) -> list[Problem]:
    """One Problem per true row of ``mask``; ``params(row)`` gives the message's parameters.

    ``hinted`` (the code's ``.hint`` variant) is used for rows whose parameters carry a hint.
    Past ``limit`` rows (``upload.max_problems``) the rest are only counted (``not_listed``).
    """
    hit = long.loc[mask]
    rest = len(hit) - limit if limit is not None and len(hit) > limit else 0
    found = []
    for r in hit.iloc[: len(hit) - rest].itertuples(index=False):
        values = params(r) if params is not None else {}
        use = hinted if hinted is not None and values.get("hint") else code
        found.append(Problem(use, values, row=int(r.row), column=str(getattr(r, f"col_{column_field}"))))
    return found + ([not_listed(rest)] if rest else [])


def _unit(unit: str | None) -> Name | Msg:
    """A unit in the reader's language (1/10万 → per 100,000), or "no unit"."""
    return Name(unit, unit_label(unit, "en")) if unit else Msg("no_unit")


def _fmt(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e15 else repr(x)


def _bound(x: float) -> str:
    """A bound as people read it: 100,000,000 rather than 1e+08."""
    return f"{x:,.12g}"


def _validate(long: pd.DataFrame, rules: RuleSet, report: IntakeReport) -> None:
    problems: list[Problem] = []
    limits = rules.settings.upload
    cap = limits.max_problems  # each check builds at most this many; list_problems lists the first

    parsed = parse_values(long["value_text"])
    long["value"] = parsed.values
    invalid, missing = parsed.invalid, parsed.missing

    # Areas and indicators ------------------------------------------------------
    long["area"] = _resolve(long["area_text"], area_index(rules))
    long["indicator"] = _resolve(long["indicator_text"], indicator_index(rules))
    blank_area, blank_ind = long["area_text"] == "", long["indicator_text"] == ""
    problems += _problems(blank_area, long, Code.EMPTY_CELL_AREA, "area", limit=cap)
    problems += _problems(blank_ind, long, Code.EMPTY_CELL_INDICATOR, "indicator", limit=cap)
    bad_area = long["area"].isna() & ~blank_area
    if bad_area.any():
        names = [a.name_zh for a in rules.areas.values()]
        area_hint, limited = suggestions(pd.unique(long.loc[bad_area, "area_text"]), names, limits)
        problems += [limited] if limited is not None else []
        problems += _problems(
            bad_area,
            long,
            Code.UNKNOWN_AREA,
            "area",
            lambda r: {"text": shown_text(r.area_text), "hint": area_hint[r.area_text]},
            hinted=Code.UNKNOWN_AREA_HINT,
            limit=cap,
        )
    bad_ind = long["indicator"].isna() & ~blank_ind
    if bad_ind.any():
        names = (
            [i.name_zh for i in rules.indicators.values()]
            + [i.code for i in rules.indicators.values()]
            + [c.name_zh for c in rules.context_series.values()]
            + list(rules.context_series)
        )
        ind_hint, limited = suggestions(pd.unique(long.loc[bad_ind, "indicator_text"]), names, limits)
        problems += [limited] if limited is not None else []
        problems += _problems(
            bad_ind,
            long,
            Code.UNKNOWN_INDICATOR,
            "indicator",
            lambda r: {"text": shown_text(r.indicator_text), "hint": ind_hint[r.indicator_text]},
            hinted=Code.UNKNOWN_INDICATOR_HINT,
            limit=cap,
        )
    # A code and a name that name two different things: which one is meant would be a guess. (A name
    # not known at all beside a known code is not refused: the code says what is meant.)
    for name, index in (("area", area_index(rules)), ("indicator", indicator_index(rules))):
        if f"{name}_alt_text" in long:
            other = _resolve(long[f"{name}_alt_text"], index)
            clash = long[name].notna() & other.notna() & (other != long[name])
            problems += _problems(
                clash,
                long,
                Code.CODE_NAME_DISAGREE,
                f"{name}_alt",
                lambda r, n=name: {
                    "text": shown_text(getattr(r, f"{n}_text")),
                    "column": getattr(r, f"col_{n}"),
                    "other": shown_text(getattr(r, f"{n}_alt_text")),
                    "other_column": getattr(r, f"col_{n}_alt"),
                },
                limit=cap,
            )

    # An indicator another area adds, or one the area does not monitor, is none of the row's area.
    foreign, left_out = not_the_areas(rules, long["area"], long["indicator"])
    if foreign.any():
        owners = {c: i.area for c, i in rules.indicators.items() if i.area is not None}
        problems += _problems(
            foreign,
            long,
            Code.NOT_AREA_INDICATOR,
            "indicator",
            lambda r: {
                "code": r.indicator,
                "owner": Name(rules.area_name(owners[r.indicator]), rules.area_name(owners[r.indicator], "en")),
                "area": Name(rules.area_name(r.area), rules.area_name(r.area, "en")),
            },
            limit=cap,
        )
    if left_out.any():
        problems += _problems(
            left_out,
            long,
            Code.NOT_MONITORED_VALUE,
            "indicator",
            lambda r: {
                "code": r.indicator,
                "area": Name(rules.area_name(r.area), rules.area_name(r.area, "en")),
                "reason": rules.not_monitored[r.area][r.indicator].reason,
            },
            limit=cap,
        )

    # Years ---------------------------------------------------------------------
    year_num = by_distinct(
        long["year_text"],
        lambda u: pd.to_numeric(normalise_text(u).str.replace(r"年度?$", "", regex=True), errors="coerce").astype(
            "float64"
        ),
    ).astype("float64")
    bad_year = year_num.isna() | (year_num % 1 != 0) | (year_num.abs() > 9999)
    start, end = year_range(rules)  # a previous plan's years too (rules/periods/)
    problems += _problems(bad_year & (long["year_text"] == ""), long, Code.EMPTY_CELL_YEAR, "year", limit=cap)
    problems += _problems(
        bad_year & (long["year_text"] != ""),
        long,
        Code.BAD_YEAR,
        "year",
        lambda r: {"text": shown_text(r.year_text)},
        limit=cap,
    )
    out_year = ~bad_year & ((year_num < start) | (year_num > end))
    long["year"] = year_num.where(~bad_year, 0).astype("int64")
    problems += _problems(
        out_year,
        long,
        Code.YEAR_OUT_OF_RANGE,
        "year",
        lambda r: {"year": int(r.year), "start": start, "end": end},
        limit=cap,
    )
    # A year a previous plan judges takes that plan's indicators only (2015: the 2011-2020 plan's).
    other_plan = ~bad_year & ~out_year & not_in_plan_of_year(rules, long["indicator"], long["year"])
    problems += _problems(
        other_plan,
        long,
        Code.NOT_IN_PLAN_OF_YEAR,
        "indicator",
        lambda r: {"code": r.indicator, "year": int(r.year), "plans": plans_of_year(rules, int(r.year))},
        limit=cap,
    )

    # Values --------------------------------------------------------------------
    problems += _problems(
        invalid, long, Code.NOT_A_NUMBER, "value", lambda r: {"text": shown_text(r.value_text)}, limit=cap
    )
    # Each series' plausible bounds: its own valid_range, else its unit's (settings.yaml value_bounds).
    bounds_of = rules.settings.value_bounds
    bounds = {c: bounds_of.resolve(i.unit, i.valid_range) for c, i in rules.indicators.items()}
    unit_map = {c: i.unit for c, i in rules.indicators.items()}
    # English names carry the code (W03 Maternal mortality ratio): the English reader's file has codes.
    name_map = {c: Name(i.name_zh, f"{c} {i.name_en}".strip()) for c, i in rules.indicators.items()}
    for c, s in rules.context_series.items():
        bounds[c], unit_map[c] = bounds_of.resolve(s.unit, s.valid_range), s.unit
        name_map[c] = Name(s.name_zh, f"{c} {s.name_en}".strip())
    # An area that defines an indicator otherwise (a rate in % for a count in 万人) is read with its own.
    for k, i in area_definitions(rules).items():
        bounds[k], unit_map[k] = bounds_of.resolve(i.unit, i.valid_range), i.unit
        name_map[k] = Name(i.name_zh, f"{i.code} {i.name_en}".strip())
    long["series_def"] = definition_keys(rules, long["area"], long["indicator"])
    lo = pd.to_numeric(long["series_def"].map({c: b.lo for c, b in bounds.items()}), errors="coerce")
    hi = pd.to_numeric(long["series_def"].map({c: b.hi for c, b in bounds.items()}), errors="coerce")
    out_value = long["value"].notna() & ((long["value"] < lo) | (long["value"] > hi))
    if out_value.any():
        long["range_lo"], long["range_hi"] = lo, hi

        def where(r) -> Msg:
            """Where the bound the value broke is set: the series' own valid_range, or its unit's."""
            b, unit = bounds[r.series_def], unit_map[r.series_def]
            if b.lo_own if r.value < b.lo else b.hi_own:
                return Msg("value_bound_own", {"code": r.indicator})
            if unit in bounds_of.units:
                return Msg("value_bound_unit", {"unit": f'"{unit}"'})
            return Msg("value_bound_other", {"unit": f'"{unit}"'})

        problems += _problems(
            out_value,
            long,
            Code.OUT_OF_RANGE,
            "value",
            lambda r: {
                "value": _fmt(r.value),
                "name": name_map[r.series_def],
                "range": f"{_bound(r.range_lo)}–{_bound(r.range_hi)}",
                "unit": _unit(unit_map[r.series_def]),
                "where": where(r),
            },
            limit=cap,
        )

    # "85.5%" on a count (or "5%" on a ‰ rate) would be stored as 85.5 of the indicator's own unit:
    # a sign that contradicts the unit is refused, never dropped in silence.
    sign = by_distinct(long["value_text"], lambda u: normalise_text(u).str.extract(r"([%‰])\s*$")[0])
    wrong_sign = sign.notna() & long["value"].notna() & (sign != long["series_def"].map(unit_map))
    wrong_sign &= long["indicator"].notna() & ~out_value
    if wrong_sign.any():
        long["sign"] = sign
        problems += _problems(
            wrong_sign,
            long,
            Code.SIGN_NOT_UNIT,
            "value",
            lambda r: {
                "text": shown_text(r.value_text),
                "sign": r.sign,
                "name": name_map[r.series_def],
                "unit": _unit(unit_map[r.series_def]),
            },
            limit=cap,
        )

    # Notes are a remark, not a document: a very long one is refused, not stored.
    if "col_note" in long:
        long_note = long["note_text"].str.len() > MAX_NOTE
        problems += _problems(long_note, long, Code.NOTE_TOO_LONG, "note", lambda r: {"max": MAX_NOTE}, limit=cap)
    else:
        long_note = pd.Series(False, index=long.index)
    no_value = long["value"].isna() & ~invalid  # blank or "no value reported" (a bad number has its error)
    long_analysis = _analysis_problems(long, no_value, rules.settings.analysis.max_chars, cap, problems)

    # Duplicates among otherwise valid rows --------------------------------------
    good = (
        (
            long["area"].notna()
            & long["indicator"].notna()
            & ~bad_year
            & ~out_year
            & ~out_value
            & ~wrong_sign
            & ~long_note
            & ~long_analysis
        )
        & ~foreign
        & ~left_out
        & ~other_plan
    )
    keys = ["area", "indicator", "year"]
    valued = long.loc[good & long["value"].notna()]
    dup = valued.duplicated(keys, keep=False)
    if dup.any():
        groups = valued.loc[dup]
        distinct = groups.assign(_r=groups["value"].round(9)).groupby(keys)["_r"].transform("nunique")
        conflict = groups.loc[distinct > 1]
        if len(conflict):
            # Each row's message lists the group's first rows only: 8,000 rows of one key must not
            # make 8,000 messages of 8,000 entries each.
            listing = conflict.groupby(keys).apply(
                lambda g: tuple(
                    shown_items([f"{int(r)}:{_fmt(v)}" for r, v in zip(g["row"], g["value"])], limits.max_rows_named)
                ),
                include_groups=False,
            )
            conflict = conflict.join(listing.rename("dup_listing"), on=keys)
            problems += _problems(
                pd.Series(True, index=conflict.index),
                conflict,
                Code.CONFLICTING_DUPLICATE,
                "value",
                lambda r: {
                    "area": Name(rules.area_name(r.area), rules.area_name(r.area, "en")),
                    "name": name_map[r.series_def],
                    "year": int(r.year),
                    "listing": list(r.dup_listing),
                },
                limit=cap,
            )
        same = groups.loc[distinct <= 1]
        first_row = same.groupby(keys)["row"].transform("min")
        repeat = same.loc[same["row"] != first_row].assign(first_row=first_row)
        problems += [
            Problem(
                Code.DUPLICATE_ROW,
                {"first": int(r.first_row)},
                row=int(r.row),
                column=str(r.col_value),
                severity="warning",
            )
            for r in repeat.iloc[:cap].itertuples(index=False)
        ]
        problems += [not_listed(len(repeat) - cap, "warning")] if len(repeat) > cap else []

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
                "reason_zh": t("intake_skipped_no_value", "zh"),
                "reason_en": t("intake_skipped_no_value", "en"),
            }
        )
        if len(skipped)
        else empty_skipped()
    )

    rows = long.loc[good & long["value"].notna()].drop_duplicates(keys, keep="first")
    note = rows["note_text"].where(rows["note_text"] != "", None)
    analysis = rows["analysis_text"].where(rows["analysis_text"] != "", None) if "analysis_text" in rows else None
    report.rows = pd.DataFrame(
        {
            "area": rows["area"].astype(object).to_numpy(),
            "indicator": rows["indicator"].astype(object).to_numpy(),
            "year": rows["year"].astype("int64").to_numpy(),
            "value": rows["value"].astype("float64").to_numpy(),
            "note": note.astype(object).to_numpy(),
            "source_row": rows["row"].astype("int64").to_numpy(),
            # Where the value stands in the file, for a refusal after validation (an approved value
            # it would change): the column's header as typed, and the area as typed.
            "source_column": rows["col_value"].astype(str).to_numpy(),
            "source_area": rows["area_text"].astype(str).to_numpy(),
            "analysis": analysis.astype(object).to_numpy() if analysis is not None else None,
        }
    )
    if not any(p.severity == "error" for p in problems) and report.rows.empty:
        problems.append(Problem(Code.NO_VALUES))
    order = {name: i for i, name in enumerate(FIELDS)}
    col_rank: dict[str, int] = {}
    for name in FIELDS:
        if f"col_{name}" in long:
            for text in pd.unique(long[f"col_{name}"]):
                col_rank.setdefault(str(text), order[name])
    list_problems(report, problems, cap, lambda p: (p.row or 0, col_rank.get(p.column or "", 9), p.column or ""))


def _analysis_problems(long: pd.DataFrame, no_value: pd.Series, max_chars: int, cap: int, problems: list) -> pd.Series:
    """The 分析 column's checks, added to ``problems``: a text over ``analysis.max_chars`` is an error;
    one on a row that stores no value (blank, or reported as "no value") is a warning: it is not
    stored, and must not be lost in silence. Returns the rows with a text too long."""
    if "analysis_text" not in long:
        return pd.Series(False, index=long.index)
    length = long["analysis_text"].str.len()
    too_long = length > max_chars
    if too_long.any():
        long["analysis_chars"] = length
        problems += _problems(
            too_long,
            long,
            Code.ANALYSIS_TOO_LONG,
            "analysis",
            lambda r: {"max": max_chars, "n": int(r.analysis_chars)},
            limit=cap,
        )
    unused = no_value & (long["analysis_text"] != "")
    if unused.any():
        hit = long.loc[unused]
        problems += [
            Problem(Code.ANALYSIS_WITHOUT_VALUE, row=int(r.row), column=str(r.col_analysis), severity="warning")
            for r in hit.iloc[:cap].itertuples(index=False)
        ]
        problems += [not_listed(len(hit) - cap, "warning")] if len(hit) > cap else []
    return too_long


# ------------------------------------------------------------------------------ preview
def preview_changes(report: IntakeReport, store) -> pd.DataFrame:
    """What storing ``report`` would do to each value: ``new``, ``correction`` (old → new) or ``unchanged``;
    ``old_review``: the stored value's review state (None where nothing is stored, or the store keeps none)."""
    rows = report.rows
    cols = ["area", "indicator", "year", "old", "new", "old_note", "note", "kind", "source_row", "old_review"]
    if rows.empty:
        return pd.DataFrame(columns=cols)
    current = store.current_values(areas=pd.unique(rows["area"]).tolist(), years=pd.unique(rows["year"]).tolist())
    if "review" not in current:
        current = current.assign(review=None)
    merged = rows.merge(
        current[["area", "indicator", "year", "value", "note", "review"]].rename(
            columns={"value": "old", "note": "old_note", "review": "old_review"}
        ),
        on=["area", "indicator", "year"],
        how="left",
    )
    merged = merged.rename(columns={"value": "new"})
    old = merged[["old", "old_note"]].set_axis(["value", "note"], axis=1)
    merged["kind"] = diff(INDICATOR_VALUES, old, merged[["new", "note"]].set_axis(["value", "note"], axis=1))
    return merged[cols]


__all__ = [
    "KIND",
    "NO_VALUE_TOKENS",
    "preview_changes",
    "read_upload",
    "read_upload_path",
]
