"""The frames each page shows, computed from the engine's output — no Streamlit here.

Every function takes ``ev`` (the long frame of ``progress.evaluate``: one row per area ×
indicator × year) and the ``RuleSet``, and returns a small pandas frame ready for a table or an
Altair chart. Names come out in the requested language (``lang`` 'zh' or 'en').
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .i18n import LABELS, attribute_label, flag_label, status_label, t
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
    target_text, reason, lead_units (the lead units of the work-plan tasks linked to the indicator,
    empty when none).
    """
    cols = ["indicator", "name", "attribute", "attribute_label", "status", "label", "value_used", "unit",
            "target_text", "reason", "lead_units"]
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
    leads = indicator_lead_units(rules, lang)
    out["lead_units"] = [leads.get(c, "") for c in out["indicator"]]
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


# ------------------------------------------------------------------------------ tasks
TASK_STATUSES = ("not_reported", "not_started", "in_progress", "done", "delayed")
TASK_LIST_COLUMNS = ["code", "title", "source", "section", "lead_units", "responsible_units", "domain",
                     "domain_name", "indicators", "n_targets", "status", "status_label", "status_year", "role", "via"]
REPORT_COLUMNS = ["task", "year", "target_no", "status", "reached", "note", "batch_id"]


def task_catalogue(rules: RuleSet):
    """The work-plan task catalogue of ``rules`` (loaded once per rule set), or None without the module."""
    try:
        from .tasks import catalogue_for
    except ImportError:  # pragma: no cover - the tasks module is part of the app
        return None
    return catalogue_for(rules)


def has_tasks(rules: RuleSet) -> bool:
    cat = task_catalogue(rules)
    return bool(cat is not None and cat.tasks)


def task_status_label(status: str, lang: str = "zh") -> str:
    from .task_progress import STATUS_LABELS

    return STATUS_LABELS.get(status, {}).get("en" if lang == "en" else "zh", status)


def _join(names, lang: str) -> str:
    return ("、" if lang != "en" else ", ").join(names)


def tasks_for_indicator(rules: RuleSet, code: str, lang: str = "zh") -> pd.DataFrame:
    """Work-plan tasks that move indicator ``code``, in catalogue order.

    Columns: code, title, lead_units, responsible_units, source, section (units as display names
    joined with 、 or ", ").
    """
    cols = ["code", "title", "lead_units", "responsible_units", "source", "section"]
    cat = task_catalogue(rules)
    if cat is None:
        return pd.DataFrame(columns=cols)
    from .tasks import tasks_for_indicator as _for_indicator

    return _for_indicator(cat, code, lang)[cols].reset_index(drop=True)


def indicator_lead_units(rules: RuleSet, lang: str = "zh") -> dict[str, str]:
    """For every indicator with linked tasks: the lead units of those tasks (display names, no repeats)."""
    cat = task_catalogue(rules)
    if cat is None:
        return {}
    found: dict[str, dict[str, None]] = {}
    for task in cat.tasks.values():
        for code in task.indicators:
            for u in task.lead_units:
                found.setdefault(code, {}).setdefault(cat.unit_name(u, lang), None)
    return {code: _join(names, lang) for code, names in found.items()}


def all_tasks(rules: RuleSet, lang: str = "zh", reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every work-plan task, one row each (``task_list`` without filters)."""
    return task_list(rules, lang, reports)


def task_list(rules: RuleSet, lang: str = "zh", reports: pd.DataFrame | None = None, *,
              source: str | None = None, section: str | None = None, domain: str | None = None,
              unit: str | None = None, role: str | None = None, status: str | None = None) -> pd.DataFrame:
    """The tasks list, every filter optional.

    ``unit`` keeps the tasks the unit leads or is responsible for (directly or through a group such
    as 市级各成员单位); ``role`` ('lead' or 'responsible') narrows that to one role. ``status`` is a
    task-progress status (``TASK_STATUSES``) judged on each task's latest report.
    Columns: ``TASK_LIST_COLUMNS`` (``role``/``via`` filled only when ``unit`` is given).
    """
    cat = task_catalogue(rules)
    if cat is None or not cat.tasks:
        return pd.DataFrame(columns=TASK_LIST_COLUMNS)
    from .tasks import catalogue_frame, tasks_for_unit

    reports = reports if reports is not None else pd.DataFrame(columns=REPORT_COLUMNS)
    frame = catalogue_frame(cat, source=source or None, section=section or None, domain=domain or None,
                            status=status or None, reports=reports, lang=lang)
    frame["status_label"] = [task_status_label(s, lang) for s in frame["status"]]
    frame["role"] = ""
    frame["via"] = ""
    if unit:
        mine = tasks_for_unit(cat, unit, lang)
        if role:
            mine = mine[mine["role"] == role]
        # A task a unit leads and is responsible for shows once, as lead.
        mine = mine.sort_values("role", key=lambda r: r.map({"lead": 0, "responsible": 1}), kind="stable") \
            .drop_duplicates("code")
        frame = frame.drop(columns=["role", "via"]).merge(mine[["code", "role", "via"]], on="code")
    return frame[TASK_LIST_COLUMNS].reset_index(drop=True)


def task_filter_options(rules: RuleSet, lang: str = "zh") -> dict:
    """The choices of the tasks page: sources (catalogue order), sections per source, domains and units.

    Returns {"sources": [...], "sections": {source: [...]}, "domains": {code: name},
    "units": {code: name}}.
    """
    cat = task_catalogue(rules)
    out: dict = {"sources": [], "sections": {}, "domains": {}, "units": {}}
    if cat is None:
        return out
    for task in cat.tasks.values():
        if task.source not in out["sections"]:
            out["sources"].append(task.source)
            out["sections"][task.source] = []
        if task.section not in out["sections"][task.source]:
            out["sections"][task.source].append(task.section)
        if task.domain and task.domain not in out["domains"]:
            plans = [p for (p, d) in rules.domains if d == task.domain]
            out["domains"][task.domain] = " / ".join(rules.domain_name(p, task.domain, lang) for p in plans) \
                or task.domain
    out["units"] = {c: u.name(lang) for c, u in cat.units.items()}
    return out


def task_info(rules: RuleSet, code: str | None, lang: str = "zh") -> dict | None:
    """One task for its page, or None when the code is unknown.

    Keys: code, title, text, source, section, period, column, domain_name, indicators (codes),
    lead (list of {code, name}), responsible (list of {code, name, members: [names]} — a group
    unit lists the units it stands for).
    """
    cat = task_catalogue(rules)
    if cat is None or not code or code not in cat.tasks:
        return None
    from .tasks import _domain_name

    task = cat.tasks[code]

    def unit(c: str) -> dict:
        return {"code": c, "name": cat.unit_name(c, lang),
                "members": [cat.unit_name(m, lang) for m in cat.group_members(c)]}

    return {"code": task.code, "title": task.title, "text": task.text, "source": task.source,
            "section": task.section, "period": task.period, "column": task.column,
            "domain_name": _domain_name(cat, task, lang), "indicators": list(task.indicators),
            "lead": [unit(c) for c in task.lead_units], "responsible": [unit(c) for c in task.responsible_units]}


def _indicator_status(ev: pd.DataFrame, rules: RuleSet, codes: list[str], area: str, year: int,
                      lang: str) -> pd.DataFrame:
    """Status of ``codes`` for one area and year, plan order (no_data where nothing is evaluated)."""
    cols = ["indicator", "name", "unit", "attribute", "attribute_label", "target_text", "value_used", "status",
            "label", "order"]
    codes = [c for c in dict.fromkeys(codes) if c in rules.indicators]
    if not codes:
        return pd.DataFrame(columns=cols)
    part = _slice(ev, area, year) if ev is not None and len(ev) else None
    found = {}
    if part is not None and not part.empty:
        part = part[part["indicator"].astype(str).isin(codes)]
        found = {str(r.indicator): r for r in part.itertuples(index=False)}
    rows = []
    for c in codes:
        ind = rules.indicators[c]
        r = found.get(c)
        tgt = rules.target_for(area, c) if area in rules.areas else None
        status = str(r.status) if r is not None else "no_data"
        attribute = str(r.attribute) if r is not None else (tgt.attribute if tgt else ind.attribute)
        rows.append({"indicator": c, "name": ind.name(lang), "unit": ind.unit, "attribute": attribute,
                     "attribute_label": attribute_label(attribute, lang),
                     "target_text": r.target_text if r is not None else (tgt.target_text if tgt else ind.target_text),
                     "value_used": float(r.value_used) if r is not None and pd.notna(r.value_used) else np.nan,
                     "status": status, "label": status_label(status, lang), "order": ind.order})
    return pd.DataFrame(rows, columns=cols).sort_values("order").reset_index(drop=True)


def task_indicators(ev: pd.DataFrame, rules: RuleSet, code: str, area: str, year: int,
                    lang: str = "zh") -> pd.DataFrame:
    """The indicators a task moves, with their status in ``area`` and ``year`` (plan order).

    Columns: indicator, name, unit, attribute, attribute_label, target_text, value_used, status, label, order.
    """
    info = task_info(rules, code, lang)
    return _indicator_status(ev, rules, info["indicators"] if info else [], area, year, lang)


def task_targets(rules: RuleSet, reports: pd.DataFrame | None, code: str, lang: str = "zh") -> pd.DataFrame:
    """A task's numeric targets next to what was reported for them (the task's latest reported year).

    Columns: target_no, measure, printed, target, unit, indicator, year, reached, met, status,
    status_label, note. Empty for a task without numeric targets.
    """
    cols = ["target_no", "measure", "printed", "target", "unit", "indicator", "year", "reached", "met", "status",
            "status_label", "note"]
    cat = task_catalogue(rules)
    if cat is None or code not in cat.tasks or not cat.tasks[code].targets:
        return pd.DataFrame(columns=cols)
    from .task_progress import task_status_frame

    mine = reports[reports["task"] == code] if reports is not None and len(reports) else None
    frame = task_status_frame(cat, mine, lang=lang)
    frame = frame[frame["task"] == code].copy()
    frame["status_label"] = [task_status_label(s, lang) for s in frame["status"]]
    return frame[cols].reset_index(drop=True)


def task_status_summary(rules: RuleSet, reports: pd.DataFrame | None, code: str, lang: str = "zh") -> dict:
    """The latest reported status of a task: {status, label, year} (``not_reported`` without reports)."""
    frame = task_list(rules, lang, reports)
    row = frame[frame["code"] == code]
    if row.empty or row["status"].iloc[0] == "not_reported":
        return {"status": "not_reported", "label": task_status_label("not_reported", lang), "year": None}
    year = row["status_year"].iloc[0]
    return {"status": row["status"].iloc[0], "label": row["status_label"].iloc[0],
            "year": int(year) if pd.notna(year) else None}


def task_history_table(rules: RuleSet, history: pd.DataFrame | None, code: str, lang: str = "zh") -> pd.DataFrame:
    """Every report stored for a task, oldest first, statuses in words and targets by their measure.

    ``history`` is ``Store.task_report_history(code)`` or, where the store has no history, the
    current reports of the task. Columns: year, target, status_label, reached, note, current,
    batch_id, created_at, uploader, file_name.
    """
    cols = ["year", "target", "status_label", "reached", "note", "current", "batch_id", "created_at",
            "uploader", "file_name"]
    if history is None or history.empty:
        return pd.DataFrame(columns=cols)
    cat = task_catalogue(rules)
    task = cat.tasks.get(code) if cat is not None else None
    measures = {g.no: g.measure for g in task.targets} if task is not None else {}
    whole = "（整体）" if lang != "en" else "(whole task)"
    h = history
    out = pd.DataFrame({
        "year": h["year"].astype(int).to_numpy(),
        "target": [measures.get(int(n), str(n)) if int(n) else whole for n in h["target_no"]],
        "status_label": [task_status_label(str(s), lang) for s in h["status"]],
        "reached": h["reached"].astype(float).to_numpy(),
        "note": h["note"].to_numpy(),
        "current": h["is_current"].astype(bool).to_numpy() if "is_current" in h else True,
        "batch_id": h["batch_id"].to_numpy(),
        "created_at": h["created_at"].to_numpy() if "created_at" in h else None,
        "uploader": h["uploader"].to_numpy() if "uploader" in h else None,
        "file_name": h["file_name"].to_numpy() if "file_name" in h else None,
    })
    return out[cols].reset_index(drop=True)


def unit_options(rules: RuleSet, lang: str = "zh") -> dict[str, str]:
    """Units of the catalogue in ``units.yaml`` order: {code: display name}."""
    cat = task_catalogue(rules)
    return {c: u.name(lang) for c, u in cat.units.items()} if cat is not None else {}


def unit_info(rules: RuleSet, unit: str, lang: str = "zh") -> dict | None:
    """A unit's names and, for a group unit, its members. None for an unknown unit."""
    cat = task_catalogue(rules)
    if cat is None or unit not in cat.units:
        return None
    u = cat.units[unit]
    groups = [cat.unit_name(c, lang) for c, g in cat.units.items()
              if g.group is not None and unit in cat.group_members(c)]
    return {"code": u.code, "name": u.name(lang), "aliases": list(u.aliases), "level": u.level,
            "is_group": u.is_group, "members": [cat.unit_name(m, lang) for m in cat.group_members(unit)],
            "groups": groups}


def unit_tasks(rules: RuleSet, unit: str, lang: str = "zh", reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every task a unit leads or shares (one row per task; a task it leads shows once, as lead).

    Columns: ``TASK_LIST_COLUMNS`` — ``role`` is 'lead' or 'responsible', ``via`` the group unit
    through which it is responsible (empty when named directly).
    """
    return task_list(rules, lang, reports, unit=unit)


def unit_indicators(ev: pd.DataFrame, rules: RuleSet, unit: str, area: str, year: int,
                    lang: str = "zh") -> pd.DataFrame:
    """The indicators the unit's tasks serve, with their status — most worrying first.

    Columns: indicator, name, unit, attribute, attribute_label, target_text, value_used, status,
    label, role ('lead' when the unit leads any task linked to the indicator, else 'responsible'),
    tasks (the linked task codes of this unit, joined with ", ").
    """
    cols = ["indicator", "name", "unit", "attribute", "attribute_label", "target_text", "value_used", "status",
            "label", "role", "tasks"]
    cat = task_catalogue(rules)
    mine = unit_tasks(rules, unit, lang)
    if cat is None or mine.empty:
        return pd.DataFrame(columns=cols)
    role: dict[str, str] = {}
    tasks: dict[str, list[str]] = {}
    for r in mine.itertuples(index=False):
        for c in cat.tasks[r.code].indicators:
            tasks.setdefault(c, []).append(r.code)
            if r.role == "lead" or c not in role:
                role[c] = r.role if role.get(c) != "lead" else "lead"
    out = _indicator_status(ev, rules, list(tasks), area, year, lang)
    if out.empty:
        return pd.DataFrame(columns=cols)
    out["role"] = out["indicator"].map(role)
    out["tasks"] = [", ".join(tasks[c]) for c in out["indicator"]]
    out["_lead"] = (out["role"] != "lead").astype(int)
    out["_sev"] = out["status"].map(SEVERITY)
    out = out.sort_values(["_sev", "_lead", "order"], kind="stable")
    return out[cols].reset_index(drop=True)


def unit_status_counts(indicators: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """``status_counts``-shaped counts (status, label, total, binding, expected) of ``unit_indicators``."""
    rows = []
    st = indicators["status"].astype(str) if len(indicators) else pd.Series(dtype=str)
    attr = indicators["attribute"] if len(indicators) else pd.Series(dtype=str)
    for s in STATUSES:
        hit = st == s
        rows.append({"status": s, "label": status_label(s, lang), "total": int(hit.sum()),
                     "binding": int((hit & (attr == "binding")).sum()),
                     "expected": int((hit & (attr == "expected")).sum())})
    return pd.DataFrame(rows, columns=["status", "label", "total", "binding", "expected"])


# ------------------------------------------------------------------------------ early warnings
def warning_kinds() -> list[str]:
    from .early_warning import KINDS

    return list(KINDS)


def warning_kind_label(kind: str, lang: str = "zh") -> str:
    from .early_warning import kind_label

    return kind_label(kind, lang)


def warnings_view(ev: pd.DataFrame, rules: RuleSet, year: int, lang: str = "zh", areas: list[str] | None = None,
                  kinds: list[str] | None = None, binding_only: bool = False) -> pd.DataFrame:
    """Warnings of ``year`` (``early_warning.warnings_frame``), filtered, areas in the picker's order.

    Columns: those of ``warnings_frame`` plus attribute_label, label (the status in words),
    lead_units (of the tasks linked to the indicator) and area_order.
    """
    from .early_warning import warnings_frame

    part = ev
    if areas:
        part = ev[ev["area_code"].astype(str).isin([str(a) for a in areas])]
    if part is None or part.empty or "will_miss" not in part:
        w = warnings_frame(rules, part.iloc[0:0] if part is not None and "will_miss" in part else _EMPTY_EV, year, lang)
    else:
        w = warnings_frame(rules, part, year, lang)
    if kinds:
        w = w[w["kind"].isin(kinds)]
    if binding_only:
        w = w[w["attribute"].astype(str) == "binding"]
    w = w.copy()
    w["area_code"] = w["area_code"].astype(str)
    w["area_name"] = w["area_name"].astype(str)
    w["indicator"] = w["indicator"].astype(str)
    order = {c: k for k, c in enumerate(area_options(rules))}
    w["area_order"] = w["area_code"].astype(str).map(order)
    w["attribute_label"] = [attribute_label(str(a), lang) for a in w["attribute"]]
    w["label"] = [status_label(str(s), lang) for s in w["status"]]
    leads = indicator_lead_units(rules, lang)
    w["lead_units"] = [leads.get(str(c), "") for c in w["indicator"]]
    from .early_warning import _SEVERITY

    w["_sev"] = w["kind"].map(_SEVERITY)
    w = w.sort_values(["area_order", "_sev", "indicator"], kind="stable").drop(columns="_sev")
    return w.reset_index(drop=True)


_EMPTY_EV = pd.DataFrame({c: pd.Series(dtype=object) for c in (
    "area_code", "area_name", "indicator", "year", "status", "attribute", "will_miss", "swing", "data_gap",
    "value_year", "value_used", "target_text", "projected_2030", "baseline", "baseline_year")})


def warning_counts(warnings_: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Number of warnings of each kind (every kind, zeros kept). Columns: kind, label, n."""
    from .early_warning import kind_label

    counts = warnings_["kind"].value_counts() if len(warnings_) else pd.Series(dtype=int)
    return pd.DataFrame([{"kind": k, "label": kind_label(k, lang), "n": int(counts.get(k, 0))}
                         for k in warning_kinds()], columns=["kind", "label", "n"])


def top_warnings(warnings_: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` most severe warnings, one per indicator (binding first, then by kind)."""
    if warnings_.empty:
        return warnings_
    from .early_warning import _SEVERITY

    w = warnings_.assign(_sev=warnings_["kind"].map(_SEVERITY),
                         _bind=(warnings_["attribute"].astype(str) != "binding").astype(int))
    w = w.sort_values(["_sev", "_bind", "area_order", "indicator"], kind="stable")
    w = w.drop_duplicates(["area_code", "indicator"])
    return w.head(n).drop(columns=["_sev", "_bind"]).reset_index(drop=True)


# ------------------------------------------------------------------------------ evaluation
EVAL_COLUMNS = ["domain_name", "number", "code", "name", "unit", "target_text", "attribute_label", "baseline",
                "value", "status", "label"]


def evaluation_years(ev: pd.DataFrame, rules: RuleSet) -> tuple[list[int], int]:
    """The years an evaluation can be run for and the default: the 2025 mid-term evaluation when the
    data reach it, the final year (2030) when present, else the latest year."""
    years = years_of(ev, rules)
    mid = 2025
    target = rules.settings.target_year
    if target in years:
        default = target
    elif mid in years:
        default = mid
    else:
        default = years[-1] if years else rules.settings.plan_period.start
    return years, default


def evaluation_kind(rules: RuleSet, year: int) -> str | None:
    """'midterm' for 2025, 'final' for the plan's target year, else None."""
    if year == rules.settings.target_year:
        return "final"
    if year == 2025:
        return "midterm"
    return None


def evaluation_view(ev: pd.DataFrame, rules: RuleSet, area: str, year: int,
                    lang: str = "zh") -> tuple[pd.DataFrame, list[str]]:
    """The plan's own indicator table for one area and year (plan order) and one line per domain.

    Table columns: ``EVAL_COLUMNS`` (value = the value used in that year; label = status in words).
    """
    from .evaluation import domain_summary as _domain_lines, evaluation_table

    if ev is None or ev.empty or "value_used" not in ev:
        ev = _EMPTY_EV.assign(value_used=pd.Series(dtype=float))
    table = evaluation_table(rules, ev, area, year, lang)
    if table.empty:
        return pd.DataFrame(columns=EVAL_COLUMNS), []
    lines = _domain_lines(rules, table, lang)
    out = table.assign(attribute_label=[attribute_label(a, lang) for a in table["attribute"]],
                       label=table["status_label"])
    for c in ("baseline", "value"):
        out[c] = pd.to_numeric(out[c], errors="coerce").astype(float)
    return out[EVAL_COLUMNS].reset_index(drop=True), lines


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


# ------------------------------------------------------------------------------ upload page
PROBLEM_COLUMNS = ["location", "code", "severity", "message", "message_zh", "message_en"]


def problem_table(problems, lang: str = "zh") -> pd.DataFrame:
    """Problems as the validation report shows and downloads them: location, code, message (+ both languages)."""
    return pd.DataFrame([{"location": p.location(), "code": p.code, "severity": p.severity,
                          "message": p.message(lang), "message_zh": p.message_zh, "message_en": p.message_en}
                         for p in problems], columns=PROBLEM_COLUMNS)


def preview_table(kind: str, preview: pd.DataFrame, rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """The preview of changes with names and words instead of codes, for people to read."""
    from .intake import TASKS

    shown = preview.copy()
    if shown.empty:
        return shown
    shown["kind"] = [t(f"kind_{k}", lang) if f"kind_{k}" in LABELS else k for k in shown["kind"].astype(str)]
    if kind == TASKS:
        for col in ("status", "old_status"):
            if col in shown:
                shown[col] = [task_status_label(v, lang) if isinstance(v, str) else v for v in shown[col]]
    else:
        shown["area"] = [rules.area_name(str(a), lang) for a in shown["area"]]
        shown.insert(2, "name", [rules.indicators[c].name(lang) if c in rules.indicators else c
                                 for c in shown["indicator"]])
    return shown


def audit_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Audit entries for people: time (UTC), user, the action in words and its code, target, details."""
    from .audit import action_label

    return pd.DataFrame({
        t("audit_at", lang): pd.to_datetime(log["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
        t("audit_user", lang): log["user"].astype(str),
        t("audit_action", lang): [action_label(a, lang) for a in log["action"]],
        "code": log["action"].astype(str),
        t("audit_target", lang): log["target"].fillna("").astype(str),
        t("audit_details", lang): log["details"].fillna("").astype(str),
    })
