"""数据上传 Upload and 审计 audit: the problem table, the preview of changes, the audit trail in words."""

from __future__ import annotations

import json

import pandas as pd

from ..engine.task_status import task_status_label
from ..intake import TASKS
from ..messages import has, separator, t
from ..rules import RuleSet
from ..store.audit import action_label
from ..store.review import ReviewState
from .common import MISSING, display, local_time

PROBLEM_COLUMNS = ["location", "code", "severity", "message", "message_zh", "message_en"]


def problem_table(problems, lang: str = "zh") -> pd.DataFrame:
    """Problems as the validation report shows and downloads them: location, code, message (+ both languages)."""
    return pd.DataFrame(
        [
            {
                "location": p.location(lang),
                "code": p.code,
                "severity": p.severity,
                "message": p.message(lang),
                "message_zh": p.message_zh,
                "message_en": p.message_en,
            }
            for p in problems
        ],
        columns=PROBLEM_COLUMNS,
    )


def problems_for_reading(problems: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The problems as the page shows them: where, how serious (in words) and what — no codes."""
    return pd.DataFrame(
        {
            t("problem_location", lang): problems["location"],
            t("problem_severity", lang): [t(f"severity_{s}", lang) for s in problems["severity"]],
            t("problem_message", lang): problems["message"],
        }
    )


def preview_table(kind: str, preview: pd.DataFrame, rules: RuleSet, lang: str = "zh") -> pd.DataFrame:
    """The preview of changes with names and words instead of codes, for people to read."""
    shown = preview.copy()
    if shown.empty:
        return shown
    if "old_review" in shown:
        # The stored value's review state; a row that would change an approved (locked) value says so.
        locked = changes_approved(preview)
        shown["old_review"] = [
            t("preview_locked_mark", lang) if lock else (ReviewState(r).label(lang) if isinstance(r, str) else MISSING)
            for r, lock in zip(shown["old_review"], locked)
        ]
    shown["kind"] = [t(f"kind_{k}", lang) if has(f"kind_{k}") else k for k in shown["kind"].astype(str)]
    if kind == TASKS:
        for col in ("status", "old_status"):
            if col in shown:
                shown[col] = [task_status_label(v, lang) if isinstance(v, str) else v for v in shown[col]]
        for col in ("old_reached", "reached"):
            if col in shown:
                shown[col] = [MISSING if pd.isna(v) else f"{float(v):g}" for v in shown[col]]
    else:
        shown["area"] = [rules.area_name(str(a), lang) for a in shown["area"]]
        inds = rules.indicators
        # Values written as the indicator's unit says (82.6岁, 7.5/10万); nothing stored yet is a dash.
        for col in ("old", "new"):
            shown[col] = [
                inds[c].format(v, lang) if c in inds and not pd.isna(v) else (MISSING if pd.isna(v) else f"{v:g}")
                for c, v in zip(shown["indicator"], shown[col])
            ]
        shown.insert(2, "name", [inds[c].name(lang) if c in inds else c for c in shown["indicator"]])
    # A missing note or old value is shown as a dash, never as "None".
    for col in shown.columns:
        if shown[col].dtype == object:
            shown[col] = shown[col].where(shown[col].notna() & (shown[col].astype(str) != ""), MISSING)
    return shown


def changes_approved(preview: pd.DataFrame) -> pd.Series:
    """The rows of an indicator-values preview that would change an approved value (locked: an area
    editor's upload is refused for them; an approver's needs a reason)."""
    if "old_review" not in preview or preview.empty:
        return pd.Series(False, index=preview.index)
    return preview["kind"].astype(str).eq("correction") & preview["old_review"].eq(ReviewState.APPROVED.value)


# Details an audit line may carry, in the order they are written out; anything else is not shown.
AUDIT_DETAILS = (
    "batch",
    "rows",
    "kind",
    "reason",
    "requested",
    "role",
    "areas",
    "scope",
    "via",
    "os_user",
    "client",
    "failures",
    "wait_seconds",
    "demo",
    "disabled",
)


def audit_details(details: object, lang: str = "zh") -> str:
    """An audit line's details (stored as JSON) in words: ``批次 12；行数 340；类型 指标数据上传``."""
    if not isinstance(details, str) or not details:
        return ""
    try:
        data = json.loads(details)
    except ValueError:
        return ""
    if not isinstance(data, dict):
        return ""
    parts = []
    for key in AUDIT_DETAILS:
        if key not in data or data[key] in (None, "", [], False):
            continue
        value = data[key]
        if key == "kind":
            value = t(f"batch_kind_{'task_upload' if value == 'tasks' else 'upload'}", lang)
        elif key in ("requested",):
            value = t(f"action_{value}", lang) if has(f"action_{value}") else value
        elif key == "role":
            value = t(f"role_{value}", lang) if has(f"role_{value}") else value
        elif key == "via":
            value = t("audit_via_cli", lang) if value == "cli" else value
        elif isinstance(value, bool):
            value = t("yes" if value else "no", lang)
        elif isinstance(value, list):
            value = separator(lang).join(map(str, value))
        parts.append(f"{t(f'audit_detail_{key}', lang)} {value}")
    return t("list_semicolon", lang).join(parts)


def audit_table(log: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """Audit entries for people: local time, user, the action and its details in words, the target."""
    return pd.DataFrame(
        {
            t("audit_at", lang): local_time(log["at"]),
            t("audit_user", lang): log["user"].astype(str),
            t("audit_action", lang): [action_label(a, lang) for a in log["action"]],
            t("audit_target", lang): log["target"].fillna("").astype(str),
            t("audit_details", lang): [audit_details(d, lang) for d in log["details"]],
        }
    )


HISTORY_COLUMNS = {
    "id": "batch",
    "created_at": "uploaded_at",
    "kind": "batch_kind",
    "uploader": "uploader",
    "file_name": "file",
    "n_rows": "n_rows",
    "n_new": "n_new",
    "n_corrected": "n_corrected",
    "n_unchanged": "n_unchanged",
    "n_skipped": "n_skipped",
    "status": "batch_status",
    "rolled_back_at": "rolled_back_at",
    "rolled_back_by": "rolled_back_by",
}


def history_table(batches: pd.DataFrame, lang: str = "zh") -> pd.DataFrame:
    """The upload batches as the history page shows them: local times, kinds and states in words."""
    shown = batches.copy()
    for col in ("created_at", "rolled_back_at"):
        shown[col] = local_time(shown[col])
    shown["kind"] = [t(f"batch_kind_{k}", lang) for k in shown["kind"].astype(str)]
    shown["status"] = [t(f"batch_status_{s}", lang) for s in shown["status"].astype(str)]
    return display(shown, HISTORY_COLUMNS, lang)


def batch_label(row: object, lang: str = "zh") -> str:
    """One batch in a picker: ``#12 · 2024.csv · 2026-12-02 19:45``."""
    return f"#{row.id} · {row.file_name} · {local_time(pd.Series([row.created_at])).iloc[0]}"
