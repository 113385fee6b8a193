"""Cached loaders and query-parameter helpers for the Streamlit app.

Caching:
- the rules are re-read when any file under the rules directory changes (size or mtime), so an
  edit to the YAML shows on the next rerun without a restart; the loaded ``RuleSet`` is kept with
  ``st.cache_resource`` (it is identity-hashed, not picklable data);
- observations and the evaluation are ``st.cache_data``, keyed on ``rules.fingerprint`` and
  ``store.data_version()``, so they are recomputed exactly when the rules or the database change.

Query parameters keep the chosen year, area, indicator and language (``?year=2024&area=500116``),
so every view can be opened again from a link.
"""
from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pandas as pd
import streamlit as st

from .config import db_url, rules_dir
from .rules import RuleSet, load_rules

OBS_COLUMNS = ["area", "indicator", "year", "value", "note", "batch_id"]


# ------------------------------------------------------------------------------ rules
def rules_signature(root: Path) -> tuple:
    """Cheap change detector: (path, size, mtime) of every file under the rules directory."""
    out = []
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            if p.is_file():
                try:
                    s = p.stat()
                except OSError:
                    continue
                out.append((str(p), s.st_size, s.st_mtime_ns))
    return tuple(out)


@st.cache_resource(show_spinner=False, max_entries=4)
def _load_rules(root: str, signature: tuple) -> RuleSet:
    return load_rules(root)


def get_rules() -> RuleSet:
    root = rules_dir()
    return _load_rules(str(root), rules_signature(root))


# ------------------------------------------------------------------------------ store
class EmptyStore:
    """Stands in when ``dashboard.store`` cannot be used, so the pages still render."""

    def __init__(self, error: str = ""):
        self.error = error

    def current_values(self) -> pd.DataFrame:
        return pd.DataFrame(columns=OBS_COLUMNS)

    def has_demo_data(self) -> bool:
        return False

    def data_version(self) -> str:
        return "empty"

    def batches(self) -> pd.DataFrame:
        return pd.DataFrame(columns=["id", "created_at", "uploader", "file_name", "sha256", "kind", "n_rows",
                                     "n_new", "n_corrected", "n_unchanged", "n_skipped", "status"])


@st.cache_resource(show_spinner=False, max_entries=8)
def _store_for(url: str):
    try:
        from .store import Store
    except ImportError as exc:  # the data layer is not there yet
        return EmptyStore(f"dashboard.store: {exc}")
    return Store(url)


def get_store():
    """The store for ``DASHBOARD_DB_URL`` (or the default SQLite file), opened once per URL."""
    url = db_url()
    store = _store_for(url)
    return store


def store_error(store) -> str | None:
    return getattr(store, "error", None) or None


def data_version(store) -> str:
    try:
        return str(store.data_version())
    except Exception as exc:  # noqa: BLE001 - a broken database must not break every page
        return f"error:{exc}"


@st.cache_data(show_spinner=False, max_entries=8)
def _observations(_store, url: str, version: str) -> pd.DataFrame:
    try:
        obs = _store.current_values()
    except Exception:  # noqa: BLE001
        return pd.DataFrame(columns=OBS_COLUMNS)
    return obs if obs is not None else pd.DataFrame(columns=OBS_COLUMNS)


def get_observations(store=None) -> pd.DataFrame:
    store = store or get_store()
    return _observations(store, db_url(), data_version(store))


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluation(_rules: RuleSet, fingerprint: str, _store, url: str, version: str) -> pd.DataFrame:
    from .progress import evaluate

    obs = _observations(_store, url, version)
    if not _rules.indicators or not _rules.areas:
        return pd.DataFrame(columns=["area_code", "area_name", "indicator", "year", "value", "status"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return evaluate(_rules, obs[["area", "indicator", "year", "value"]] if not obs.empty else obs)


def get_evaluation(rules: RuleSet, store=None) -> pd.DataFrame:
    """The engine's output for every area × indicator × year, recomputed only when rules or data change."""
    store = store or get_store()
    return _evaluation(rules, rules.fingerprint, store, db_url(), data_version(store))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_view(name: str, fingerprint: str, version: str, _fn: Callable, *args: Any, **kwargs: Any):
    """Memoise a ``views`` function on (name, rules fingerprint, data version, arguments)."""
    return _fn(*args, **kwargs)


# ------------------------------------------------------------------------------ tasks, warnings, reports
TASK_REPORT_COLUMNS = ["task", "year", "target_no", "status", "reached", "note", "batch_id"]


def _empty_reports() -> pd.DataFrame:
    return pd.DataFrame({"task": pd.Series(dtype=object), "year": pd.Series(dtype="int64"),
                         "target_no": pd.Series(dtype="int64"), "status": pd.Series(dtype=object),
                         "reached": pd.Series(dtype="float64"), "note": pd.Series(dtype=object),
                         "batch_id": pd.Series(dtype="int64")})


@st.cache_data(show_spinner=False, max_entries=8)
def _task_reports(_store, url: str, version: str) -> pd.DataFrame:
    if not hasattr(_store, "current_task_reports"):   # a store without task progress: no reports
        return _empty_reports()
    try:
        frame = _store.current_task_reports()
    except Exception:  # noqa: BLE001 - an old database without the table must not break the pages
        return _empty_reports()
    return frame if frame is not None else _empty_reports()


def get_task_reports(store=None) -> pd.DataFrame:
    """Current task-progress reports (task, year, target_no, status, reached, note, batch_id)."""
    store = store or get_store()
    return _task_reports(store, db_url(), data_version(store))


@st.cache_data(show_spinner=False, max_entries=64)
def _task_history(_store, url: str, version: str, task: str) -> pd.DataFrame | None:
    if hasattr(_store, "task_report_history"):
        try:
            return _store.task_report_history(task)
        except Exception:  # noqa: BLE001
            return None
    reports = _task_reports(_store, url, version)
    return reports[reports["task"] == task].assign(is_current=True)


def get_task_history(task: str, store=None) -> pd.DataFrame | None:
    """Every stored report of one task (``Store.task_report_history``), or its current reports."""
    store = store or get_store()
    return _task_history(store, db_url(), data_version(store), task)


@st.cache_data(show_spinner=False, max_entries=32)
def _warnings(_rules: RuleSet, fingerprint: str, _store, url: str, version: str, year: int, lang: str,
              areas: tuple, kinds: tuple, binding_only: bool) -> pd.DataFrame:
    from .views import warnings_view

    ev = _evaluation(_rules, fingerprint, _store, url, version)
    return warnings_view(ev, _rules, year, lang, areas=list(areas) or None, kinds=list(kinds) or None,
                         binding_only=binding_only)


def get_warnings(rules: RuleSet, year: int, lang: str, areas=None, kinds=None, binding_only: bool = False,
                 store=None) -> pd.DataFrame:
    """``views.warnings_view`` on the cached evaluation, recomputed only when rules, data or filters change."""
    store = store or get_store()
    return _warnings(rules, rules.fingerprint, store, db_url(), data_version(store), int(year), lang,
                     tuple(areas or ()), tuple(kinds or ()), bool(binding_only))


@st.cache_data(show_spinner=False, max_entries=16)
def _report_file(kind: str, _rules: RuleSet, fingerprint: str, _store, url: str, version: str, area: str,
                 year: int, lang: str) -> bytes:
    from .reports import build_docx, build_xlsx

    ev = _evaluation(_rules, fingerprint, _store, url, version)
    demo = has_demo_data(_store)
    if kind == "docx":
        return build_docx(_rules, ev, area, year, lang, demo=demo)
    obs = _observations(_store, url, version)
    return build_xlsx(_rules, ev, area, year, lang, observations=obs, demo=demo)


def report_file(kind: str, rules: RuleSet, area: str, year: int, lang: str, store=None) -> bytes:
    """The evaluation report (``kind`` 'docx') or tables ('xlsx') as bytes, built once per rules,
    data, area, year and language."""
    store = store or get_store()
    return _report_file(kind, rules, rules.fingerprint, store, db_url(), data_version(store), area, int(year), lang)


def has_demo_data(store) -> bool:
    try:
        return bool(store.has_demo_data())
    except Exception:  # noqa: BLE001
        return False


# ------------------------------------------------------------------------------ language
def lang() -> str:
    """The chosen language: 'en' or 'zh' (default), from the sidebar switch or ``?lang=en``."""
    value = st.session_state.get("lang")
    if value in ("zh", "en"):
        return value
    return "en" if st.query_params.get("lang") == "en" else "zh"


# ------------------------------------------------------------------------------ query params
def qp_get(name: str) -> str | None:
    value = st.query_params.get(name)
    return value if value not in (None, "") else None


def qp_set(name: str, value: Any) -> None:
    """Write ``value`` to the query parameter ``name`` (remove it when None)."""
    if value is None or value == "" or value == []:
        if name in st.query_params:
            del st.query_params[name]
        return
    text = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else str(value)
    if st.query_params.get(name) != text:
        st.query_params[name] = text


@dataclass
class Selection:
    """One linkable choice: widget key, query parameter, parse and validity rules."""

    key: str
    parse: Callable[[str], Any]
    multi: bool = False


def parse_int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def parse_list(text: str) -> list[str]:
    return [p for p in (text or "").split(",") if p]


def initial_value(key: str, options: list, default: Any, parse: Callable[[str], Any] = str,
                  multi: bool = False) -> None:
    """Put the value a picker should show into ``st.session_state[key]`` before it is drawn.

    Order: a query parameter that changed since we last wrote it (a link was opened), the value the
    widget already holds, the value remembered from another page, then ``default``.
    """
    raw = qp_get(key)
    last_written = st.session_state.get(f"_qp_{key}")

    def valid(v):
        if multi:
            return isinstance(v, list) and all(x in options for x in v)
        return v in options

    if raw is not None and raw != last_written:
        v = parse_list(raw) if multi else parse(raw)
        if multi:
            v = [x for x in v if x in options]
        if valid(v) and (not multi or v):
            st.session_state[key] = v
            return
    if key in st.session_state and valid(st.session_state[key]):
        return
    remembered = st.session_state.get(f"_keep_{key}")
    if remembered is not None and valid(remembered):
        st.session_state[key] = remembered
        return
    st.session_state[key] = default


def remember(key: str, value: Any) -> None:
    """After a picker: remember the value across pages and put it in the URL."""
    st.session_state[f"_keep_{key}"] = value
    qp_set(key, value)
    st.session_state[f"_qp_{key}"] = st.query_params.get(key)


def db_label() -> str:
    url = db_url()
    return url.split("@")[-1] if "@" in url else url


def env_flag(name: str) -> bool:
    return os.environ.get(name, "") not in ("", "0", "false", "False")
