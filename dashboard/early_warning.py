"""预警 Early warning: what a committee must look at, each with its reason in words.

Built from the engine's output (``progress.evaluate``); one row per warning, so an indicator with
two problems in one area shows twice, each with its own reason.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .rules import RuleSet

KINDS = ["binding_not_on_track", "will_miss", "deterioration", "swing", "data_gap"]
KIND_LABELS = {
    "binding_not_on_track": ("约束性指标未达到进展顺利", "Binding indicator not on track"),
    "will_miss": ("预计2030年难以达标", "Expected to miss the 2030 target"),
    "deterioration": ("较基期倒退", "Worse than the baseline"),
    "swing": ("年度波动异常", "Unusual year-to-year swing"),
    "data_gap": ("数据缺失两年及以上", "No data for two years or more"),
}
_SEVERITY = {"binding_not_on_track": 0, "will_miss": 1, "deterioration": 2, "swing": 3, "data_gap": 4}


def kind_label(kind: str, lang: str = "zh") -> str:
    zh, en = KIND_LABELS[kind]
    return en if lang == "en" else zh


def _fmt(x) -> str:
    return "—" if pd.isna(x) else f"{x:.4g}"


def warnings_frame(rules: RuleSet, evaluated: pd.DataFrame, year: int, lang: str = "zh") -> pd.DataFrame:
    """Warnings for ``year`` from an ``evaluate`` frame, most severe first.

    Columns: area_code, area_name, indicator, name, attribute, kind, kind_label, status, value,
    target_text, projected_2030, reason (a sentence in ``lang``).
    """
    e = evaluated[evaluated["year"] == year]
    if e.empty:
        return pd.DataFrame(columns=["area_code", "area_name", "indicator", "name", "attribute", "kind",
                                     "kind_label", "status", "value", "target_text", "projected_2030", "reason"])
    status = e["status"].astype(str)
    binding = e["attribute"].astype(str) == "binding"
    masks = {
        "binding_not_on_track": binding & ~status.isin(["achieved", "on_track", "no_data"]),
        "will_miss": e["will_miss"].to_numpy() & ~status.isin(["no_data"]),
        "deterioration": status == "deterioration",
        "swing": e["swing"].to_numpy(),
        "data_gap": e["data_gap"].to_numpy() & e["value_year"].notna(),
    }
    parts = []
    for kind, mask in masks.items():
        sub = e[np.asarray(mask)]
        if not sub.empty:
            parts.append(sub.assign(kind=kind))
    if not parts:
        return warnings_frame(rules, e.iloc[0:0], year, lang)
    w = pd.concat(parts, ignore_index=True)
    inds = rules.indicators
    smoothed_ind = {c for c, i in inds.items() if i.smoothing_years}
    w["name"] = [inds[c].name(lang) for c in w["indicator"].astype(str)]
    w["kind_label"] = [kind_label(k, lang) for k in w["kind"]]
    w["reason"] = [_reason(r, lang, str(r.indicator) in smoothed_ind, inds[str(r.indicator)].unit)
                   for r in w.itertuples()]
    w["severity"] = w["kind"].map(_SEVERITY)
    w = w.sort_values(["severity", "area_code", "indicator"]).drop(columns="severity")
    return w[["area_code", "area_name", "indicator", "name", "attribute", "kind", "kind_label", "status",
              "value_used", "target_text", "projected_2030", "reason"]].rename(columns={"value_used": "value"}) \
        .reset_index(drop=True)


def _reason(r, lang: str, rare_event: bool, unit: str) -> str:
    """One sentence a leader can read out (loops over warnings, not observations)."""
    zh = lang != "en"
    v, t, p = _fmt(r.value_used), r.target_text, _fmt(r.projected_2030)
    if r.kind == "binding_not_on_track":
        from .progress import status_label
        s = status_label(str(r.status), lang)
        return (f"约束性指标，目前 {v}{unit}，目标 {t}，评估为“{s}”" if zh
                else f"binding indicator at {v} {unit}, target {t}, judged '{s}'")
    if r.kind == "will_miss":
        return (f"按当前趋势2030年约为 {p}，达不到目标 {t}" if zh
                else f"at the current trend about {p} in 2030, short of the target {t}")
    if r.kind == "deterioration":
        return (f"目前 {v}，比基期 {_fmt(r.baseline)}（{int(r.baseline_year)}年）更差" if zh
                else f"now {v}, worse than the baseline {_fmt(r.baseline)} ({int(r.baseline_year)})")
    if r.kind == "swing":
        if rare_event:
            return ("与上年相比波动明显；该指标为小数字的稀有事件率，几例之差即可造成此波动，"
                    "请结合多年平均值判断" if zh else
                    "a marked change from the year before; this is a rare-event rate where a few cases "
                    "make such a swing — judge it on the multi-year mean")
        return ("与上年相比的变化超过该序列通常变化的3倍，请核实数据" if zh
                else "the change from the year before is over 3 times the series' usual change; check the data")
    if r.kind == "data_gap":
        last = int(r.value_year)
        return (f"最近一次数据为 {last} 年，已连续两年以上无数据" if zh
                else f"the latest value is from {last}; no data for two years or more")
    return ""
