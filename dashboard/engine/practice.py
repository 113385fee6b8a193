"""The Chinese evaluation practice beside the StatCan classes: 达标率 and the four classes.

Committees report two things the progress classes do not say directly (docs/method.md, part C):

- **达标率**: indicators achieved ÷ indicators that can be monitored (any status but no data), for all,
  binding and expected indicators; indicators without data, and those the area's plan does not
  monitor (status ``not_monitored``, rules/overrides/), are counted apart, never in the denominator;
- **the four classes** of the mid-term and final evaluations — 提前达标 / 预期可达标 / 预期难以达标 /
  无法判断 — mapped from the engine's status by one documented rule (:data:`CLASS_OF_STATUS`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..messages import t

CLASSES = ["ahead", "expected", "not_expected", "unknown"]
# The status of an indicator an area's plan leaves out: only in the evaluation table, never judged.
NOT_MONITORED = "not_monitored"
CLASS_OF_STATUS = {
    "achieved": "ahead",
    "on_track": "expected",
    "needs_acceleration": "not_expected",
    "limited": "not_expected",
    "deterioration": "not_expected",
    "not_achieved": "not_expected",
    "no_data": "unknown",
}


def class_label(cls: str, lang: str = "zh", final: bool = False) -> str:
    """提前达标 / 预期可达标 / 预期难以达标 / 无法判断; in the target year "ahead" reads 已达标."""
    return t(f"class_{cls}_final" if final and cls in ("ahead", "not_expected") else f"class_{cls}", lang)


def evaluation_classes(status: pd.Series) -> pd.Series:
    """The four-class code of each status."""
    return status.astype(str).map(CLASS_OF_STATUS).fillna("unknown")


@dataclass(frozen=True)
class Attainment:
    """达标率 of one group of indicators: achieved / monitorable (no data counted apart)."""

    achieved: int
    monitorable: int
    no_data: int
    not_monitored: int = 0

    @property
    def rate(self) -> float | None:
        """Achieved ÷ monitorable as a fraction, or None when nothing can be monitored."""
        return self.achieved / self.monitorable if self.monitorable else None

    def text(self, lang: str = "zh") -> str:
        """``76.5%（26/34，另有 2 项无数据）`` / ``76.5% (26 of 34; 2 more without data)``."""
        if self.rate is None:
            text = t("attainment_none", lang, no_data=self.no_data)
        else:
            key = "attainment_text_gaps" if self.no_data else "attainment_text"
            text = t(key, lang, rate=self.rate * 100, achieved=self.achieved, n=self.monitorable, no_data=self.no_data)
        return text + (t("attainment_not_monitored", lang, n=self.not_monitored) if self.not_monitored else "")


def attainment(part: pd.DataFrame) -> dict[str, Attainment]:
    """达标率 for ``all``, ``binding`` and ``expected`` indicators of an evaluation slice (one area, one year)."""
    status = part["status"].astype(str).to_numpy() if len(part) else np.array([], dtype=object)
    attribute = part["attribute"].astype(str).to_numpy() if len(part) else np.array([], dtype=object)
    out = {}
    for group, mask in (
        ("all", np.ones(len(status), dtype=bool)),
        ("binding", attribute == "binding"),
        ("expected", attribute == "expected"),
    ):
        s = status[mask]
        no_data = int((s == "no_data").sum())
        left_out = int((s == NOT_MONITORED).sum())
        out[group] = Attainment(
            achieved=int((s == "achieved").sum()),
            monitorable=len(s) - no_data - left_out,
            no_data=no_data,
            not_monitored=left_out,
        )
    return out


def class_counts(part: pd.DataFrame, lang: str = "zh", final: bool = False) -> pd.DataFrame:
    """Indicators per class (all four, zeros kept) with binding and expected counts.

    Columns: class, label, total, binding, expected.
    """
    part = part[part["status"].astype(str) != NOT_MONITORED] if len(part) else part  # in no class
    cls = evaluation_classes(part["status"]) if len(part) else pd.Series([], dtype=object)
    attribute = part["attribute"].astype(str) if len(part) else pd.Series([], dtype=object)
    rows = []
    for c in CLASSES:
        hit = (cls == c).to_numpy()
        rows.append(
            {
                "class": c,
                "label": class_label(c, lang, final),
                "total": int(hit.sum()),
                "binding": int((hit & (attribute == "binding").to_numpy()).sum()),
                "expected": int((hit & (attribute == "expected").to_numpy()).sum()),
            }
        )
    return pd.DataFrame(rows, columns=["class", "label", "total", "binding", "expected"])
