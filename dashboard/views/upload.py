"""数据上传 Upload and 审计 audit: the problem table, the preview of changes, the audit trail in words."""
from __future__ import annotations

import pandas as pd

from ..engine.task_status import task_status_label
from ..intake import TASKS
from ..messages import has, t
from ..rules import RuleSet
from ..store.audit import action_label


PROBLEM_COLUMNS = ["location", "code", "severity", "message", "message_zh", "message_en"]


def problem_table(problems, lang: str = "zh") -> pd.DataFrame:
    """Problems as the validation report shows and downloads them: location, code, message (+ both languages)."""
    return pd.DataFrame([{"location": p.location(), "code": p.code, "severity": p.severity,
                          "message": p.message(lang), "message_zh": p.message_zh, "message_en": p.message_en}
                         for p in problems], columns=PROBLEM_COLUMNS)


def preview_table(kind: str, preview: pd.DataFrame, rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """The preview of changes with names and words instead of codes, for people to read."""
    shown = preview.copy()
    if shown.empty:
        return shown
    shown["kind"] = [t(f"kind_{k}", lang) if has(f"kind_{k}") else k for k in shown["kind"].astype(str)]
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
    return pd.DataFrame({
        t("audit_at", lang): pd.to_datetime(log["at"]).dt.strftime("%Y-%m-%d %H:%M:%S"),
        t("audit_user", lang): log["user"].astype(str),
        t("audit_action", lang): [action_label(a, lang) for a in log["action"]],
        "code": log["action"].astype(str),
        t("audit_target", lang): log["target"].fillna("").astype(str),
        t("audit_details", lang): log["details"].fillna("").astype(str),
    })
