"""指标详情 Indicator: the series, baseline, target line and projection; the values table; the target in words."""

from __future__ import annotations

import pandas as pd

from ..engine import (
    flags_words,
    status_label,
)
from ..engine.sentences import judgement_sentence
from ..messages import t
from ..messages.numbers import MISSING, unit_label
from ..rules import RuleSet, attribute_label
from .common import (
    local_time,
    status_strings,
)


def judgement(row: pd.DataFrame, rules: RuleSet, area: str, lang: str = "zh") -> str:
    """The rule that judged the first row of ``row`` (one evaluated area × indicator × year)."""
    r = row.iloc[0]
    code = str(r["indicator"])
    check = rules.target_for(area, code).check
    return judgement_sentence(r, rules.indicator_for(area, code), check, rules.settings, lang)


def indicator_layers(
    ev: pd.DataFrame, rules: RuleSet, code: str, areas: list[str], year: int | None = None, lang: str = "zh"
) -> dict[str, pd.DataFrame]:
    """The pieces of an indicator's chart for the chosen areas.

    Returns frames: ``observed`` (area_name, year, value), ``baseline`` (area_name, year, value),
    ``target`` (area_name, value — the target line; empty when the target is not a number),
    ``projection`` (area_name, year, value: from the latest value to the projected 2030 value).
    ``year`` caps the data at the chosen year (the status as of then).
    """
    part = ev[(ev["indicator"] == code) & ev["area_code"].isin(areas)]
    if year is not None:
        part = part[part["year"] <= year]
    names = {a: rules.area_name(a, lang) for a in areas}
    an = part["area_code"].astype(str).map(names)
    observed = pd.DataFrame({"area_name": an, "year": part["year"].astype(int), "value": part["value"]})
    observed = observed.dropna(subset=["value"]).reset_index(drop=True)
    base_rows, target_rows, proj_rows = [], [], []
    target_year = rules.settings.target_year
    for a in areas:
        rows = part[part["area_code"] == a]
        if rows.empty:
            continue
        last = rows.loc[rows["year"].idxmax()]
        if pd.notna(last["baseline"]) and pd.notna(last["baseline_year"]):
            base_rows.append(
                {"area_name": names[a], "year": int(last["baseline_year"]), "value": float(last["baseline"])}
            )
        if pd.notna(last["target_value"]):
            target_rows.append({"area_name": names[a], "value": float(last["target_value"])})
        if pd.notna(last["projected_2030"]) and pd.notna(last["value_used"]) and pd.notna(last["value_year"]):
            proj_rows.append(
                {"area_name": names[a], "year": int(last["value_year"]), "value": float(last["value_used"])}
            )
            proj_rows.append({"area_name": names[a], "year": target_year, "value": float(last["projected_2030"])})
    return {
        "observed": observed,
        "baseline": pd.DataFrame(base_rows, columns=["area_name", "year", "value"]),
        "target": pd.DataFrame(target_rows, columns=["area_name", "value"]).drop_duplicates("value"),
        "projection": pd.DataFrame(proj_rows, columns=["area_name", "year", "value"]),
    }


def indicator_values(ev: pd.DataFrame, rules: RuleSet, code: str, areas: list[str], lang: str = "zh") -> pd.DataFrame:
    """The values table of the indicator page: area × year with the value uploaded for that year, the
    value judged (its latest value, or the multi-year mean of a rare-event rate), status, progress,
    projection and flags — numbers as the indicator writes them."""
    part = ev[(ev["indicator"] == code) & ev["area_code"].isin(areas)]
    st = status_strings(part["status"])
    # Each area's values in its own unit (an area may measure a rate where the catalogue counts).
    inds = [rules.indicator_for(a, code) for a in part["area_code"].astype(str)]
    out = pd.DataFrame(
        {
            "area": [rules.area_name(a, lang) for a in part["area_code"].astype(str)],
            "year": part["year"].astype(int).to_numpy(),
            "value": part["value"].to_numpy(),
            "value_text": [i.format(v, lang) for i, v in zip(inds, part["value"])],
            "value_used": part["value_used"].to_numpy(),
            "judged_text": [i.format(v, lang) for i, v in zip(inds, part["value_used"])],
            "progress_text": [MISSING if pd.isna(p) else f"{p:.0f}%" for p in part["progress_pct"]],
            "projected_text": [i.format(v, lang) for i, v in zip(inds, part["projected_2030"])],
            "target_text": part["target_text"].to_numpy(),
            "status": [status_label(s, lang) for s in st],
            "progress_pct": part["progress_pct"].to_numpy(),
            "projected_2030": part["projected_2030"].to_numpy(),
            "flags": flags_words(part, lang).to_numpy(),
        }
    )
    return out.reset_index(drop=True)


def describe_target(rules: RuleSet, area: str, code: str, lang: str = "zh") -> dict:
    """The printed target (as the plan prints it, in Chinese), the check in words in ``lang``, the
    attribute, the unit and where the target comes from (the plan, or the area's own plan and file);
    the indicator as the area defines it (name, unit, definition, data source), which of its fields
    differ from the catalogue's (``differs``: their words), whether the area monitors it, the notes."""
    tgt = rules.target_for(area, code)
    ind = rules.indicator_for(area, code)
    words = tgt.check.describe(lang, rules.settings)
    source = t(f"target_source_{tgt.source}", lang)
    left_out = rules.not_monitored_in(area, code)
    changed = rules.defined_differently(area, code)
    return {
        "name": ind.name(lang),
        "unit": ind.unit,
        "definition": ind.definition or "",
        "data_source": ind.data_source or "",
        "note": "；".join(dict.fromkeys(n for n in (ind.note, tgt.note, left_out and left_out.note) if n)),
        "added": rules.indicators[code].area is not None,
        "differs": [t(f"field_{c.field}", lang) for c in changed],
        "definition_file": changed[0].file if changed else (ind.source_file or ""),
        "not_monitored": left_out.reason if left_out is not None else None,
        "target_text": tgt.target_text,
        "check": words,
        "kind": tgt.check.kind,
        "attribute": tgt.attribute,
        "attribute_label": attribute_label(tgt.attribute, lang),
        "unit_label": unit_label(ind.unit, lang),
        "direction_words": t({"higher": "dir_higher", "lower": "dir_lower"}.get(ind.direction, "dir_band"), lang),
        "source": tgt.source,
        "source_file": tgt.source_file,
        "source_words": f"{source} ({tgt.source_file})" if tgt.source_file else source,
    }


def analysis_of(engine, area: str, code: str, year: int, lang: str = "zh") -> dict:
    """The responsible unit's analysis (分析评估) of ``area``'s ``code`` in ``year``, for the page:
    ``text`` (None when there is none or it was withdrawn), ``by`` (author and local time, in
    ``lang``), ``history`` (every text written for that year, newest first: at, author, text — a
    withdrawal shown as such)."""
    from ..store.analyses import analysis_history, current_analyses

    now = current_analyses(engine, areas=[area], years=[int(year)])
    now = now.loc[now["indicator"] == code]
    history = analysis_history(engine, area, code, int(year))
    shown = pd.DataFrame(
        {
            "at": local_time(history["at"]).to_numpy(),
            "author": history["author"].astype(str).to_numpy(),
            "text": [x or t("analysis_withdrawn_mark", lang) for x in history["text"]],
        }
    )
    if now.empty:
        return {"text": None, "by": "", "history": shown}
    r = now.iloc[0]
    when = local_time(pd.Series([r["at"]])).iloc[0]
    return {"text": str(r["text"]), "by": t("analysis_by", lang, author=r["author"], at=when), "history": shown}
