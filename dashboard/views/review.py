"""审核 Review: the queue of reported values by batch and by value, the review history in words, the
marks on values not yet approved (the switch 含未审核). The reminders of the overview and the units
page (missing, returned, late) are ``views.completeness``'s.

Everything here reads frames the store gave (``Store.review_states``, ``Store.review_events``, the
shown values); the actions themselves go through ``access.authorization.review_as``. No Streamlit.
"""

from __future__ import annotations

import pandas as pd

from ..messages import separator, t
from ..messages.numbers import MISSING
from ..rules import RuleSet
from ..store.review import KEYS, Action, ReviewState
from .common import local_time

STATES = [ReviewState.SUBMITTED.value, ReviewState.RETURNED.value, ReviewState.APPROVED.value]
"""The states the page filters by, in the order it offers them (the work waiting first)."""

QUEUE_COLUMNS = [
    "area",
    "area_name",
    "indicator",
    "indicator_name",
    "year",
    "value",
    "value_text",
    "review",
    "state_label",
    "comment",
    "batch_id",
    "uploader",
    "file_name",
    "created_at",
]


def state_label(state: str, lang: str = "zh") -> str:
    """A review state in words, standing alone as an option or a cell (已报待审, 已审核, 退回; Approved)."""
    return ReviewState(state).label(lang)


def queue(
    states: pd.DataFrame,
    rules: RuleSet,
    state: str = ReviewState.SUBMITTED.value,
    year: int | None = None,
    area: str | None = None,
    lang: str = "zh",
) -> pd.DataFrame:
    """The current values in ``state`` (of ``year`` and ``area`` when given) from ``Store.review_states``,
    oldest batch first, with names and the value as its indicator writes it. Columns :data:`QUEUE_COLUMNS`."""
    if states is None or states.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    part = states[states["review"].astype(str) == state]
    if year is not None:
        part = part[part["year"].astype(int) == int(year)]
    if area is not None:
        part = part[part["area"].astype(str) == str(area)]
    if part.empty:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    part = part.sort_values(["batch_id", "area", "indicator", "year"], kind="stable")
    areas, codes = part["area"].astype(str), part["indicator"].astype(str)
    inds = [rules.indicator_for(a, c) if c in rules.indicators else None for a, c in zip(areas, codes)]
    out = pd.DataFrame(
        {
            "area": areas.to_numpy(),
            "area_name": [rules.area_name(a, lang) for a in areas],
            "indicator": codes.to_numpy(),
            "indicator_name": [i.name(lang) if i is not None else c for i, c in zip(inds, codes)],
            "year": part["year"].astype(int).to_numpy(),
            "value": part["value"].astype(float).to_numpy(),
            "value_text": [
                i.format(v, lang) if i is not None else (MISSING if pd.isna(v) else f"{v:g}")
                for i, v in zip(inds, part["value"])
            ],
            "review": part["review"].astype(str).to_numpy(),
            "state_label": [state_label(s, lang) for s in part["review"].astype(str)],
            "comment": part["comment"].to_numpy() if "comment" in part else None,
            "batch_id": part["batch_id"].astype(int).to_numpy(),
            "uploader": part["uploader"].astype(str).to_numpy(),
            "file_name": part["file_name"].astype(str).to_numpy(),
            "created_at": part["created_at"].to_numpy(),
        }
    )
    return out[QUEUE_COLUMNS].reset_index(drop=True)


def state_counts(states: pd.DataFrame, year: int | None = None, area: str | None = None) -> dict[str, int]:
    """How many current values are in each review state (of ``year`` and ``area`` when given)."""
    if states is None or states.empty:
        return dict.fromkeys(STATES, 0)
    part = states
    if year is not None:
        part = part[part["year"].astype(int) == int(year)]
    if area is not None:
        part = part[part["area"].astype(str) == str(area)]
    counts = part["review"].astype(str).value_counts()
    return {s: int(counts.get(s, 0)) for s in STATES}


def batches(values: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The values of :func:`queue` grouped by batch: batch_id, uploader, file_name, at (local time),
    areas (names), n — oldest batch first."""
    cols = ["batch_id", "uploader", "file_name", "at", "areas", "n"]
    if values.empty:
        return pd.DataFrame(columns=cols)
    sep = separator(lang)
    rows = []
    for batch_id, group in values.groupby("batch_id", sort=True):
        first = group.iloc[0]
        rows.append(
            {
                "batch_id": int(batch_id),
                "uploader": str(first["uploader"]),
                "file_name": str(first["file_name"]),
                "at": local_time(pd.Series([first["created_at"]])).iloc[0],
                "areas": sep.join(dict.fromkeys(group["area_name"].astype(str))),
                "n": len(group),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def batch_label(row: object, lang: str = "zh") -> str:
    """One batch in the picker: ``批次 12 · 2024.csv · lihua · 2026-12-02 19:45 · 3 个数值``."""
    return t(
        "review_batch_label",
        lang,
        batch=row.batch_id,  # type: ignore[attr-defined]
        file=row.file_name,  # type: ignore[attr-defined]
        uploader=row.uploader,  # type: ignore[attr-defined]
        at=row.at,  # type: ignore[attr-defined]
        n=row.n,  # type: ignore[attr-defined]
    )


def batches_table(frame: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`batches` headed in ``lang``."""
    columns = {
        "batch_id": "review_table_batch",
        "uploader": "review_table_uploader",
        "file_name": "review_table_file",
        "at": "review_table_at",
        "areas": "review_table_areas",
        "n": "review_table_count",
    }
    return frame[list(columns)].rename(columns={k: t(v, lang) for k, v in columns.items()})


def values_table(values: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """:func:`queue` as the page's selectable table, headed in ``lang`` (a missing comment as a dash)."""
    columns = {
        "batch_id": "review_table_batch",
        "area_name": "review_table_area",
        "indicator": "review_table_code",
        "indicator_name": "review_table_indicator",
        "year": "review_table_year",
        "value_text": "review_table_value",
        "state_label": "review_table_state",
        "comment": "review_table_comment",
        "uploader": "review_table_uploader",
    }
    shown = values[list(columns)].copy()
    shown["comment"] = shown["comment"].where(shown["comment"].notna() & (shown["comment"] != ""), MISSING)
    return shown.rename(columns={k: t(v, lang) for k, v in columns.items()})


def keys_of(values: pd.DataFrame, rows: list[int]) -> list[tuple[str, str, int]]:
    """The (area, indicator, year) keys of the chosen table rows (positions in ``values``)."""
    picked = values.iloc[[r for r in rows if 0 <= r < len(values)]]
    return [(str(a), str(i), int(y)) for a, i, y in zip(picked["area"], picked["indicator"], picked["year"])]


def history_table(events: pd.DataFrame, rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """``Store.review_events`` for people: local time, who, the action and the change of state in
    words, the value's area, indicator and year, the comment."""
    columns = [
        "review_table_when",
        "review_table_user",
        "review_table_action",
        "review_table_change",
        "review_table_area",
        "review_table_code",
        "review_table_year",
        "review_table_comment",
    ]
    if events is None or events.empty:
        return pd.DataFrame(columns=[t(c, lang) for c in columns])
    actions = {a.value: a.label(lang) for a in Action}
    shown = pd.DataFrame(
        {
            "review_table_when": local_time(events["at"]).to_numpy(),
            "review_table_user": events["user"].astype(str).to_numpy(),
            "review_table_action": [actions.get(str(a), str(a)) for a in events["action"]],
            "review_table_change": [
                f"{state_label(str(b), lang)} → {state_label(str(a), lang)}"
                for b, a in zip(events["before"], events["after"])
            ],
            "review_table_area": [rules.area_name(str(a), lang) for a in events["area"]],
            "review_table_code": events["indicator"].astype(str).to_numpy(),
            "review_table_year": events["year"].astype(int).to_numpy(),
            "review_table_comment": [c if isinstance(c, str) and c else MISSING for c in events["comment"]],
        }
    )
    return shown.rename(columns={c: t(c, lang) for c in columns})


# ------------------------------------------------------------------------------ marks on values shown
def unreviewed_keys(shown: pd.DataFrame) -> pd.MultiIndex:
    """The (area, indicator, year) keys of the shown values that are not approved (``review`` column
    of ``Store.shown_values``; none without it)."""
    if shown is None or shown.empty or "review" not in shown:
        return pd.MultiIndex.from_tuples([], names=KEYS)
    part = shown[shown["review"].astype(str) != ReviewState.APPROVED.value]
    return pd.MultiIndex.from_arrays(
        [part["area"].astype(str), part["indicator"].astype(str), part["year"].astype(int)], names=KEYS
    )


def marked(text: str, lang: str = "zh") -> str:
    """A value's text with the mark of a value not yet approved: ``12.0/10万 · 未审核``."""
    return f"{text} · {t('unreviewed_mark', lang)}"


def mark_texts(
    texts: pd.Series, areas: pd.Series, indicators: pd.Series, years: pd.Series, keys: pd.MultiIndex, lang: str = "zh"
) -> pd.Series:
    """``texts`` with :func:`marked` where (area, indicator, year) is among ``keys`` (a missing year:
    no mark)."""
    if len(keys) == 0 or texts.empty:
        return texts
    found = pd.MultiIndex.from_arrays(
        [areas.astype(str).to_numpy(), indicators.astype(str).to_numpy(), years.fillna(-1).astype(int).to_numpy()]
    ).isin(keys)
    return pd.Series(
        [marked(str(x), lang) if hit else x for x, hit in zip(texts, found)], index=texts.index, dtype=object
    )


def mark_indicator_values(
    values: pd.DataFrame, shown: pd.DataFrame, rules: RuleSet, code: str, areas: list[str], lang: str = "zh"
) -> pd.DataFrame:
    """The indicator page's values table (``views.indicator.indicator_values``) with each value not
    yet approved marked 未审核 in ``value_text``."""
    keys = unreviewed_keys(shown)
    if len(keys) == 0 or values.empty:
        return values
    by_name = {rules.area_name(a, lang): a for a in areas}
    codes = values["area"].map(by_name)
    out = values.copy()
    out["value_text"] = mark_texts(
        out["value_text"], codes, pd.Series(code, index=out.index), out["year"], keys, lang
    ).to_numpy()
    return out


def mark_area_vs_city(
    frame: pd.DataFrame, ev: pd.DataFrame, shown: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh"
) -> pd.DataFrame:
    """The district page's area-versus-city table (``views.district.area_vs_city``) with the area's and
    the city's values marked 未审核 where the value shown (the latest up to ``year``) is not approved."""
    keys = unreviewed_keys(shown)
    if len(keys) == 0 or frame.empty:
        return frame
    from .common import city_code, slice_ev

    out = frame.copy()
    for who, column in ((area, "area_text"), (city_code(rules), "city_text")):
        if who is None:
            continue
        part = slice_ev(ev, who, year)
        value_year = dict(zip(part["indicator"].astype(str), part["value_year"]))
        years = out["indicator"].astype(str).map(value_year)
        out[column] = mark_texts(
            out[column], pd.Series(who, index=out.index), out["indicator"], years, keys, lang
        ).to_numpy()
    return out
