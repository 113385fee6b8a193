"""The frames each page shows, computed from the engine's output — no Streamlit here.

Every function takes ``ev`` (the long frame of ``progress.evaluate``: one row per area ×
indicator × year) and the ``RuleSet``, and returns a small pandas frame ready for a table or an
Altair chart. Names come out in the requested language (``lang`` 'zh' or 'en').
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .i18n import attribute_label, flag_label, status_label, t
from .progress import FLAGS, STATUSES
from .rules import RuleSet
from .targets import describe

GOOD = ("achieved", "on_track")
# Most worrying first: used to order attention lists.
SEVERITY = {"deterioration": 0, "limited": 1, "needs_acceleration": 2, "no_data": 3, "on_track": 4, "achieved": 5}
WARNING_FLAGS = ("will_miss", "may_slip", "swing")


# ------------------------------------------------------------------------------ basics
def indicator_meta(rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """One row per indicator in plan order: code, plan, domain, names, unit, default attribute."""
    rows = []
    for ind in sorted(rules.indicators.values(), key=lambda i: i.order):
        rows.append({
            "indicator": ind.code,
            "plan": ind.plan,
            "domain": ind.domain,
            "domain_name": rules.domain_name(ind.plan, ind.domain, lang),
            "number": ind.number,
            "order": ind.order,
            "name": ind.name(lang),
            "label": f"{ind.code} {ind.name(lang)}",
            "unit": ind.unit,
            "direction": ind.direction,
            "default_attribute": ind.attribute,
        })
    return pd.DataFrame(rows, columns=["indicator", "plan", "domain", "domain_name", "number", "order", "name",
                                       "label", "unit", "direction", "default_attribute"])


def area_options(rules: RuleSet) -> list[str]:
    """Area codes, the city first, then the districts in the YAML order."""
    city = [c for c, a in rules.areas.items() if a.parent is None]
    return city + [c for c, a in rules.areas.items() if a.parent is not None]


def city_code(rules: RuleSet) -> str | None:
    return next((c for c, a in rules.areas.items() if a.parent is None), None)


def years_of(ev: pd.DataFrame, rules: RuleSet | None = None) -> list[int]:
    """The years the evaluation covers (ascending); the plan's start year when it is empty."""
    if ev is None or ev.empty:
        return [rules.settings.plan_period.start] if rules is not None else []
    return sorted(int(y) for y in pd.unique(ev["year"]))


def default_year(ev: pd.DataFrame, rules: RuleSet | None = None) -> int | None:
    """The latest year that has any observed value; else the latest year covered."""
    years = years_of(ev, rules)
    if not years:
        return None
    if ev is not None and not ev.empty:
        with_value = ev.loc[ev["value"].notna(), "year"]
        if not with_value.empty:
            return int(with_value.max())
    return years[-1]


def _slice(ev: pd.DataFrame, area: str | None = None, year: int | None = None) -> pd.DataFrame:
    mask = np.ones(len(ev), dtype=bool)
    if area is not None:
        mask &= (ev["area_code"] == area).to_numpy()
    if year is not None:
        mask &= (ev["year"] == year).to_numpy()
    return ev.loc[mask]


def _status_str(series: pd.Series) -> pd.Series:
    return series.astype(str)


def flags_words(frame: pd.DataFrame, lang: str = "zh", flags=FLAGS) -> pd.Series:
    """The raised flags of each row in words, joined with '；' (zh) or '; ' (en)."""
    sep = "；" if lang != "en" else "; "
    out = pd.Series([""] * len(frame), index=frame.index, dtype=object)
    for f in flags:
        if f not in frame:
            continue
        hit = frame[f].to_numpy(dtype=bool)
        if hit.any():
            word = flag_label(f, lang)
            out[hit] = np.where(out[hit] == "", word, out[hit] + sep + word)
    return out


# ------------------------------------------------------------------------------ overview
def status_counts(ev: pd.DataFrame, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Counts of indicators by status for one area and year, all six statuses (zeros kept).

    Columns: status, label, total, binding, expected.
    """
    part = _slice(ev, area, year)
    st = _status_str(part["status"])
    rows = []
    for s in STATUSES:
        hit = st == s
        rows.append({
            "status": s,
            "label": status_label(s, lang),
            "total": int(hit.sum()),
            "binding": int((hit & (part["attribute"] == "binding")).sum()),
            "expected": int((hit & (part["attribute"] == "expected")).sum()),
        })
    return pd.DataFrame(rows, columns=["status", "label", "total", "binding", "expected"])


def domain_status(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Indicators per domain and status for one area and year (only non-zero cells).

    Columns: plan, domain, domain_name, domain_order, status, label, n.
    """
    part = _slice(ev, area, year)
    meta = indicator_meta(rules, lang)
    cols = ["plan", "domain", "domain_name", "domain_order", "status", "label", "n"]
    if part.empty or meta.empty:
        return pd.DataFrame(columns=cols)
    merged = pd.DataFrame({"indicator": part["indicator"].astype(str).to_numpy(),
                           "status": _status_str(part["status"]).to_numpy()}).merge(meta, on="indicator")
    dom_order = {key: k for k, key in enumerate(rules.domains)}
    g = merged.groupby(["plan", "domain", "domain_name", "status"], observed=True).size().reset_index(name="n")
    g["domain_order"] = [dom_order.get((p, d), 999) for p, d in zip(g["plan"], g["domain"])]
    g["label"] = [status_label(s, lang) for s in g["status"]]
    g["_s"] = g["status"].map({s: k for k, s in enumerate(STATUSES)})
    g = g.sort_values(["domain_order", "_s"]).drop(columns="_s").reset_index(drop=True)
    g["n"] = g["n"].astype(int)
    return g[cols]


def attention_list(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """What a leader should look at: binding indicators not achieved or on track, and any indicator
    with a warning (projected to miss, may slip, unusual swing). Most worrying first.

    Columns: indicator, name, attribute, attribute_label, status, label, value_used, unit,
    target_text, reason.
    """
    cols = ["indicator", "name", "attribute", "attribute_label", "status", "label", "value_used", "unit",
            "target_text", "reason"]
    part = _slice(ev, area, year)
    if part.empty:
        return pd.DataFrame(columns=cols)
    st = _status_str(part["status"])
    binding_bad = (part["attribute"] == "binding") & ~st.isin(GOOD)
    warned = np.zeros(len(part), dtype=bool)
    for f in WARNING_FLAGS:
        warned |= part[f].to_numpy(dtype=bool)
    sel = part.loc[binding_bad.to_numpy() | warned]
    if sel.empty:
        return pd.DataFrame(columns=cols)
    meta = indicator_meta(rules, lang).set_index("indicator")
    codes = sel["indicator"].astype(str)
    sel_st = _status_str(sel["status"])
    words = flags_words(sel, lang, WARNING_FLAGS)
    reasons = []
    sep = "；" if lang != "en" else "; "
    for is_bind, s, w in zip((sel["attribute"] == "binding") & ~sel_st.isin(GOOD), sel_st, words):
        parts = [t("reason_binding", lang, status=status_label(s, lang))] if is_bind else []
        if w:
            parts.append(w)
        reasons.append(sep.join(parts))
    out = pd.DataFrame({
        "indicator": codes.to_numpy(),
        "name": [meta.at[c, "name"] for c in codes],
        "attribute": sel["attribute"].to_numpy(),
        "attribute_label": [attribute_label(a, lang) for a in sel["attribute"]],
        "status": sel_st.to_numpy(),
        "label": [status_label(s, lang) for s in sel_st],
        "value_used": sel["value_used"].to_numpy(),
        "unit": [meta.at[c, "unit"] for c in codes],
        "target_text": sel["target_text"].to_numpy(),
        "reason": reasons,
    })
    out["_bind"] = (out["attribute"] != "binding").astype(int)
    out["_sev"] = out["status"].map(SEVERITY)
    out["_order"] = [meta.at[c, "order"] for c in out["indicator"]]
    out = out.sort_values(["_bind", "_sev", "_order"]).drop(columns=["_bind", "_sev", "_order"])
    return out.reset_index(drop=True)[cols]


# ------------------------------------------------------------------------------ by domain
def domain_summary(ev: pd.DataFrame, rules: RuleSet, plan: str, domain: str, area: str, year: int,
                   lang: str = "zh") -> pd.DataFrame:
    """Each indicator of one domain for one area and year.

    Columns: indicator, name, unit, target_text, attribute, attribute_label, value_used, value_year,
    status, label, flags.
    """
    cols = ["indicator", "name", "unit", "target_text", "attribute", "attribute_label", "value_used",
            "value_year", "status", "label", "flags"]
    meta = indicator_meta(rules, lang)
    meta = meta[(meta["plan"] == plan) & (meta["domain"] == domain)]
    part = _slice(ev, area, year)
    part = part[part["indicator"].astype(str).isin(meta["indicator"])]
    if part.empty:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame({
        "indicator": part["indicator"].astype(str).to_numpy(),
        "target_text": part["target_text"].to_numpy(),
        "attribute": part["attribute"].to_numpy(),
        "value_used": part["value_used"].to_numpy(),
        "value_year": part["value_year"].to_numpy(),
        "status": _status_str(part["status"]).to_numpy(),
        "flags": flags_words(part, lang).to_numpy(),
    }).merge(meta[["indicator", "name", "unit", "order"]], on="indicator")
    out["attribute_label"] = [attribute_label(a, lang) for a in out["attribute"]]
    out["label"] = [status_label(s, lang) for s in out["status"]]
    return out.sort_values("order").reset_index(drop=True)[cols]


def domain_series(ev: pd.DataFrame, rules: RuleSet, plan: str, domain: str, area: str,
                  upto: int | None = None) -> pd.DataFrame:
    """Observed values of every indicator of a domain in one area (for small multiples).

    Columns: indicator, year, value, target_value.
    """
    codes = [c for c, i in rules.indicators.items() if i.plan == plan and i.domain == domain]
    part = _slice(ev, area)
    part = part[part["indicator"].astype(str).isin(codes)]
    if upto is not None:
        part = part[part["year"] <= upto]
    return pd.DataFrame({
        "indicator": part["indicator"].astype(str).to_numpy(),
        "year": part["year"].to_numpy(dtype=int),
        "value": part["value"].to_numpy(dtype=float),
        "target_value": part["target_value"].to_numpy(dtype=float),
    })


# ------------------------------------------------------------------------------ by district
def district_grid(ev: pd.DataFrame, rules: RuleSet, year: int, lang: str = "zh",
                  attribute: str | None = None, plan: str | None = None) -> pd.DataFrame:
    """Status of every area × indicator in one year (long form, for a heat-map grid).

    Columns: area_code, area_name, area_order, indicator, indicator_label, ind_order, status, label,
    value_used, attribute.
    """
    cols = ["area_code", "area_name", "area_order", "indicator", "indicator_label", "ind_order", "status",
            "label", "value_used", "attribute"]
    part = _slice(ev, None, year)
    if attribute:
        part = part[part["attribute"] == attribute]
    if plan:
        part = part[part["indicator"].astype(str).map(lambda c: rules.indicators[c].plan if c in rules.indicators else "") == plan]
    if part.empty:
        return pd.DataFrame(columns=cols)
    order = {c: k for k, c in enumerate(area_options(rules))}
    areas = part["area_code"].astype(str)
    codes = part["indicator"].astype(str)
    names = {c: rules.area_name(c, lang) for c in pd.unique(areas)}
    labels = {c: f"{c} {rules.indicators[c].name(lang)}" for c in pd.unique(codes) if c in rules.indicators}
    status = _status_str(part["status"])
    slabels = {s: status_label(s, lang) for s in STATUSES}
    out = pd.DataFrame({
        "area_code": areas.to_numpy(),
        "area_name": areas.map(names).to_numpy(),
        "area_order": areas.map(order).to_numpy(),
        "indicator": codes.to_numpy(),
        "indicator_label": codes.map(labels).to_numpy(),
        "ind_order": codes.map({c: rules.indicators[c].order for c in labels}).to_numpy(),
        "status": status.to_numpy(),
        "label": status.map(slabels).to_numpy(),
        "value_used": part["value_used"].to_numpy(),
        "attribute": part["attribute"].to_numpy(),
    })
    return out.sort_values(["area_order", "ind_order"]).reset_index(drop=True)[cols]


def grid_table(grid: pd.DataFrame) -> pd.DataFrame:
    """The long grid pivoted: one row per area, one column per indicator, cells = status label."""
    if grid.empty:
        return pd.DataFrame()
    wide = grid.pivot_table(index=["area_order", "area_name"], columns=["ind_order", "indicator"],
                            values="label", aggfunc="first", observed=True)
    wide.columns = [c for _, c in wide.columns]
    wide.index = [n for _, n in wide.index]
    return wide


def area_ranking(ev: pd.DataFrame, rules: RuleSet, year: int, lang: str = "zh",
                 include_city: bool = False) -> pd.DataFrame:
    """Areas ordered by the share of their indicators with data that are achieved or on track.

    Columns: rank, area_code, area_name, with_data, share_good, then one count column per status.
    """
    part = _slice(ev, None, year)
    city = city_code(rules)
    cols = ["rank", "area_code", "area_name", "with_data", "share_good", *STATUSES]
    if part.empty:
        return pd.DataFrame(columns=cols)
    counts = pd.crosstab(part["area_code"].astype(str), _status_str(part["status"]))
    for s in STATUSES:
        if s not in counts:
            counts[s] = 0
    counts = counts[list(STATUSES)]
    if not include_city and city in counts.index:
        counts = counts.drop(index=city)
    out = counts.reset_index().rename(columns={"index": "area_code", "row_0": "area_code"})
    out.columns = ["area_code", *STATUSES]
    out["with_data"] = out[[s for s in STATUSES if s != "no_data"]].sum(axis=1)
    good = out["achieved"] + out["on_track"]
    out["share_good"] = np.where(out["with_data"] > 0, good / out["with_data"].where(out["with_data"] > 0, 1), np.nan)
    out["area_name"] = [rules.area_name(c, lang) for c in out["area_code"]]
    out = out.sort_values(["share_good", "achieved", "area_code"], ascending=[False, False, True],
                          na_position="last").reset_index(drop=True)
    out["rank"] = out["share_good"].rank(method="min", ascending=False).astype("Int64")
    return out[cols]


def area_vs_city(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """One area against the city for each indicator in one year.

    Columns: indicator, name, unit, area_value, city_value, difference, area_status, area_label,
    city_status, city_label, better (True when the area is on the better side of the city).
    """
    cols = ["indicator", "name", "unit", "area_value", "city_value", "difference", "area_status",
            "area_label", "city_status", "city_label", "better"]
    city = city_code(rules)
    a = _slice(ev, area, year)
    c = _slice(ev, city, year)
    if a.empty:
        return pd.DataFrame(columns=cols)
    left = pd.DataFrame({"indicator": a["indicator"].astype(str).to_numpy(),
                         "area_value": a["value_used"].to_numpy(),
                         "area_status": _status_str(a["status"]).to_numpy()})
    right = pd.DataFrame({"indicator": c["indicator"].astype(str).to_numpy(),
                          "city_value": c["value_used"].to_numpy(),
                          "city_status": _status_str(c["status"]).to_numpy()})
    meta = indicator_meta(rules, lang)[["indicator", "name", "unit", "order", "direction"]]
    out = meta.merge(left, on="indicator").merge(right, on="indicator", how="left")
    out["difference"] = out["area_value"] - out["city_value"]
    sign = np.where(out["direction"] == "lower", -1.0, np.where(out["direction"] == "higher", 1.0, np.nan))
    with np.errstate(invalid="ignore"):
        better = sign * out["difference"].to_numpy(dtype=float)
    out["better"] = pd.array(np.where(np.isnan(better), None, better > 0), dtype="boolean")
    out["area_label"] = [status_label(s, lang) for s in out["area_status"]]
    out["city_label"] = [status_label(s, lang) if isinstance(s, str) else "" for s in out["city_status"]]
    return out.sort_values("order").reset_index(drop=True)[cols]


# ------------------------------------------------------------------------------ constraint type
def constraint_table(ev: pd.DataFrame, rules: RuleSet, area: str, year: int, lang: str = "zh") -> pd.DataFrame:
    """Every indicator of one area and year with its type (binding/expected), status and flags.

    Columns: attribute, indicator, name, domain_name, unit, target_text, value_used, status, label, flags.
    """
    cols = ["attribute", "indicator", "name", "domain_name", "unit", "target_text", "value_used", "status",
            "label", "flags"]
    part = _slice(ev, area, year)
    if part.empty:
        return pd.DataFrame(columns=cols)
    meta = indicator_meta(rules, lang)[["indicator", "name", "domain_name", "unit", "order"]]
    out = pd.DataFrame({
        "attribute": part["attribute"].to_numpy(),
        "indicator": part["indicator"].astype(str).to_numpy(),
        "target_text": part["target_text"].to_numpy(),
        "value_used": part["value_used"].to_numpy(),
        "status": _status_str(part["status"]).to_numpy(),
        "flags": flags_words(part, lang).to_numpy(),
    }).merge(meta, on="indicator")
    out["label"] = [status_label(s, lang) for s in out["status"]]
    return out.sort_values("order").reset_index(drop=True)[cols]


# ------------------------------------------------------------------------------ indicator
def indicator_layers(ev: pd.DataFrame, rules: RuleSet, code: str, areas: list[str], year: int | None = None,
                     lang: str = "zh") -> dict[str, pd.DataFrame]:
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
            base_rows.append({"area_name": names[a], "year": int(last["baseline_year"]), "value": float(last["baseline"])})
        if pd.notna(last["target_value"]):
            target_rows.append({"area_name": names[a], "value": float(last["target_value"])})
        if pd.notna(last["projected_2030"]) and pd.notna(last["value_used"]) and pd.notna(last["value_year"]):
            proj_rows.append({"area_name": names[a], "year": int(last["value_year"]), "value": float(last["value_used"])})
            proj_rows.append({"area_name": names[a], "year": target_year, "value": float(last["projected_2030"])})
    return {
        "observed": observed,
        "baseline": pd.DataFrame(base_rows, columns=["area_name", "year", "value"]),
        "target": pd.DataFrame(target_rows, columns=["area_name", "value"]).drop_duplicates("value"),
        "projection": pd.DataFrame(proj_rows, columns=["area_name", "year", "value"]),
    }


def indicator_values(ev: pd.DataFrame, rules: RuleSet, code: str, areas: list[str], lang: str = "zh") -> pd.DataFrame:
    """The values table of the indicator page: area × year with value, value used, status, flags."""
    part = ev[(ev["indicator"] == code) & ev["area_code"].isin(areas)]
    st = _status_str(part["status"])
    out = pd.DataFrame({
        "area": [rules.area_name(a, lang) for a in part["area_code"].astype(str)],
        "year": part["year"].astype(int).to_numpy(),
        "value": part["value"].to_numpy(),
        "value_used": part["value_used"].to_numpy(),
        "target_text": part["target_text"].to_numpy(),
        "status": [status_label(s, lang) for s in st],
        "progress_pct": part["progress_pct"].to_numpy(),
        "projected_2030": part["projected_2030"].to_numpy(),
        "flags": flags_words(part, lang).to_numpy(),
    })
    return out.reset_index(drop=True)


def describe_target(rules: RuleSet, area: str, code: str, lang: str = "zh") -> dict:
    """The printed target, the typed check in words and where the target comes from."""
    tgt = rules.target_for(area, code)
    s = rules.settings
    words = describe(tgt.check, lang, about_tolerance=s.about_tolerance, band=tuple(s.sex_ratio_band),
                     significant_change=s.significant_change)
    return {
        "target_text": tgt.target_text,
        "check": words,
        "kind": tgt.check.kind,
        "attribute": tgt.attribute,
        "source": tgt.source,
        "source_file": tgt.source_file,
    }


def tasks_for_indicator(rules: RuleSet, code: str) -> pd.DataFrame:
    """Work-plan tasks linked to an indicator (filled by the tasks feature; empty until then).

    Columns: code, title, lead_units.
    """
    return pd.DataFrame(columns=["code", "title", "lead_units"])


def all_tasks(rules: RuleSet) -> pd.DataFrame:
    """Every work-plan task (empty until the tasks feature loads them). Columns: code, title, lead_units."""
    return pd.DataFrame(columns=["code", "title", "lead_units"])


# ------------------------------------------------------------------------------ rules
def problems_frame(rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """Every validation problem with its file and line."""
    rows = [{"file": p.file or "", "line": p.line, "code": p.code, "severity": p.severity,
             "message": p.message(lang)} for p in rules.problems]
    out = pd.DataFrame(rows, columns=["file", "line", "code", "severity", "message"])
    out["line"] = out["line"].astype("Int64")
    return out


def area_targets(rules: RuleSet, area: str, lang: str = "zh") -> pd.DataFrame:
    """The targets that apply in ``area`` next to the plan defaults.

    Columns: indicator, name, default_target, area_target, attribute, source, source_file, differs.
    """
    rows = []
    for ind in sorted(rules.indicators.values(), key=lambda i: i.order):
        tgt = rules.target_for(area, ind.code)
        differs = tgt.source == "override" and (tgt.target_text != ind.target_text or tgt.check != ind.check
                                                or tgt.attribute != ind.attribute)
        rows.append({
            "indicator": ind.code,
            "name": ind.name(lang),
            "default_target": ind.target_text,
            "area_target": tgt.target_text,
            "attribute": attribute_label(tgt.attribute, lang),
            "source": t(f"target_source_{tgt.source}", lang),
            "source_file": tgt.source_file or "",
            "differs": bool(differs),
        })
    return pd.DataFrame(rows, columns=["indicator", "name", "default_target", "area_target", "attribute",
                                       "source", "source_file", "differs"])
