"""The app's services and caches, and the query-parameter helpers.

Services (rules, store, task catalogue) come from the composition root (``dashboard.services``),
built once per configuration with ``st.cache_resource``. Caching:

- the rules are re-read when any file under the rules directory changes (size or mtime); an edit
  that breaks them keeps the last rules that loaded cleanly in use (``RulesSource``);
- observations and the evaluation are ``st.cache_data``, keyed on ``rules.fingerprint`` and
  ``store.data_version()``, so they are recomputed exactly when the rules or the database change.

A database that fails is not hidden: its error reaches the page (``streamlit_app.py`` shows it in
words), never "no data yet".
"""

from __future__ import annotations

import hashlib
import pickle
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from ..charts.spec import vega_lite
from ..engine import evaluate
from ..reports.documents import build_docx, build_pdf, build_xlsx
from ..rules import RuleSet
from ..services import Config, RulesState, Services
from ..store import Store
from ..store.analyses import current_analyses
from ..views import review as review_view
from ..views.warnings import warnings_view


@st.cache_resource(show_spinner=False, max_entries=4)
def _services_for(config: Config) -> Services:
    return Services(config)


def services() -> Services:
    """The services of the configuration the environment asks for (built once per configuration)."""
    return _services_for(Config.from_env())


def get_rules_state() -> RulesState:
    return services().rules_state


def get_rules() -> RuleSet:
    """The rules in use (the last clean load while the files on disk are broken)."""
    return services().rules


def get_store() -> Store:
    return services().store


UNREVIEWED = "unreviewed"
"""The query parameter of the switch 含未审核: ``?unreviewed=1`` shows submitted values too."""


def show_unreviewed() -> bool:
    """Whether this view shows values not yet approved (the switch, in the address)."""
    return st.query_params.get(UNREVIEWED) == "1"


def data_version(store: Store) -> str:
    """The stored data's version, and which values are shown: every cache keyed by it keeps the
    approved view and the view with unreviewed values apart."""
    return str(store.data_version()) + (f"+{UNREVIEWED}" if show_unreviewed() else "")


@st.cache_data(show_spinner=False, max_entries=8)
def _observations(_store: Store, url: str, version: str) -> pd.DataFrame:
    # The approved values by default; the current ones (with their review state) with the switch.
    return _store.shown_values(unreviewed=version.endswith(f"+{UNREVIEWED}"))


def get_observations(store: Store | None = None) -> pd.DataFrame:
    store = store or get_store()
    return _observations(store, store.url, data_version(store))


@st.cache_data(show_spinner=False, max_entries=4)
def _review_states(_store: Store, url: str, version: str) -> pd.DataFrame:
    return _store.review_states()


@st.cache_data(show_spinner=False, max_entries=4)
def _review_years(_store: Store, url: str, version: str) -> list[int]:
    states = _review_states(_store, url, version)
    return sorted({int(y) for y in states["year"]}) if len(states) else []


@st.cache_data(show_spinner=False, max_entries=64)
def _review_queue(
    _store: Store,
    _rules: RuleSet,
    url: str,
    fingerprint: str,
    version: str,
    state: str,
    year: int | None,
    area: str | None,
    lang: str,
) -> tuple[dict[str, int], pd.DataFrame]:
    states = _review_states(_store, url, version)
    return review_view.state_counts(states, year, area), review_view.queue(states, _rules, state, year, area, lang)


# The review page asks for what it shows (the years, the counts, the queue), each cached on the data
# version and the filters: a cached frame comes back as a copy, and a copy of every current value's
# state (some 20,000 rows on the demo) on every run cost more than the rest of the page.
def get_review_years(store: Store, version: str) -> list[int]:
    """The years that have values, for the review page's year filter (``Store.review_states``),
    read again whenever the data ``version`` (the run's, ``data_version``) changes — whichever values
    the switch shows."""
    return _review_years(store, store.url, version)


def get_review_queue(
    store: Store, rules: RuleSet, version: str, state: str, year: int | None, area: str | None, lang: str
) -> tuple[dict[str, int], pd.DataFrame]:
    """The review page's counts per state (``views.review.state_counts``) and its queue
    (``views.review.queue``) for the filters, read again whenever the data ``version`` changes."""
    return _review_queue(store, rules, store.url, rules.fingerprint, version, state, year, area, lang)


@st.cache_data(show_spinner=False, max_entries=8)
def _evaluation(_rules: RuleSet, fingerprint: str, _store: Store, url: str, version: str) -> pd.DataFrame:
    obs = _observations(_store, url, version)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return evaluate(_rules, obs[["area", "indicator", "year", "value"]])


def get_evaluation(rules: RuleSet, store: Store | None = None, version: str | None = None) -> pd.DataFrame:
    """The engine's output for every area × indicator × year, recomputed only when rules or data change
    (``version``: the data version, when the caller has just read it)."""
    store = store or get_store()
    return _evaluation(rules, rules.fingerprint, store, store.url, version or data_version(store))


@st.cache_data(show_spinner=False, max_entries=256)
def cached_view(name: str, fingerprint: str, version: str, _fn: Callable, _ev: Any, _rules: Any, *args: Any) -> Any:
    """``_fn(_ev, _rules, *args)`` (a ``views`` function) memoised on (name, rules fingerprint, data
    version, arguments) — never on the evaluation frame itself, which the fingerprint and the data
    version already pin down (hashing it would cost more than most views)."""
    return _fn(_ev, _rules, *args)


@st.cache_data(show_spinner=False, max_entries=32)
def download_bytes(name: str, fingerprint: str, version: str, key: tuple, _build: Callable[[], bytes]) -> bytes:
    """The file ``_build()`` makes for a download button, memoised on (name, rules fingerprint, data
    version, ``key``: what else selects its content).

    Built once per selection rather than on every run of the page (the chase list's Excel file had
    been most of the completeness page's time), and given to the button as bytes: the same bytes are
    the same file on every run, so a click right after a rerun still downloads. A deferred callable
    (``data=callable``) is revoked when the page runs again, and a click that came during a rerun
    fetched nothing.
    """
    return _build()


def _frame_key(frame: pd.DataFrame) -> bytes:
    """A frame's cache key: its pickled bytes, digested.

    Streamlit's own frame hash took 0.8 ms for a six-row series, and the domain page hashes one per
    chart on every run; this takes 0.03 ms. Equal bytes mean equal content (pickle restores the
    frame from them); two equal frames that pickle differently only cost a rebuilt spec.
    """
    return hashlib.blake2b(pickle.dumps(frame, protocol=pickle.HIGHEST_PROTOCOL), digest_size=16).digest()


@st.cache_data(show_spinner=False, max_entries=512, hash_funcs={pd.DataFrame: _frame_key})
def chart_spec(name: str, _builder: Callable, *args: Any) -> dict[str, Any]:
    """``_builder(*args)`` (a ``dashboard.charts`` function) as a Vega-Lite spec, memoised on the
    builder's name and its arguments (frames by content, :func:`_frame_key`)."""
    made = _builder(*args)
    return made if isinstance(made, dict) else vega_lite(made)


@st.cache_data(show_spinner=False, max_entries=8)
def _task_reports(_store: Store, url: str, version: str) -> pd.DataFrame:
    return _store.current_task_reports()


def get_task_reports(store: Store | None = None) -> pd.DataFrame:
    """Current task-progress reports (task, year, target_no, status, reached, note, batch_id)."""
    store = store or get_store()
    return _task_reports(store, store.url, data_version(store))


@st.cache_data(show_spinner=False, max_entries=64)
def _task_history(_store: Store, url: str, version: str, task: str) -> pd.DataFrame:
    return _store.task_report_history(task)


def get_task_history(task: str, store: Store | None = None) -> pd.DataFrame:
    """Every stored report of one task (``Store.task_report_history``)."""
    store = store or get_store()
    return _task_history(store, store.url, data_version(store), task)


@st.cache_data(show_spinner=False, max_entries=32)
def _warnings(
    _rules: RuleSet,
    fingerprint: str,
    _store: Store,
    url: str,
    version: str,
    year: int,
    lang: str,
    areas: tuple,
    kinds: tuple,
    binding_only: bool,
) -> pd.DataFrame:
    ev = _evaluation(_rules, fingerprint, _store, url, version)
    return warnings_view(
        ev, _rules, year, lang, areas=list(areas) or None, kinds=list(kinds) or None, binding_only=binding_only
    )


def get_warnings(
    rules: RuleSet,
    year: int,
    lang: str,
    areas: list[str] | None = None,
    kinds: list[str] | None = None,
    binding_only: bool = False,
    store: Store | None = None,
) -> pd.DataFrame:
    """``views.warnings.warnings_view`` on the cached evaluation, recomputed only when rules, data or filters change."""
    store = store or get_store()
    return _warnings(
        rules,
        rules.fingerprint,
        store,
        store.url,
        data_version(store),
        int(year),
        lang,
        tuple(areas or ()),
        tuple(kinds or ()),
        bool(binding_only),
    )


@st.cache_data(show_spinner=False, max_entries=16)
def _report_file(
    kind: str,
    _rules: RuleSet,
    fingerprint: str,
    _store: Store,
    url: str,
    version: str,
    area: str,
    year: int,
    lang: str,
    _analyses: pd.DataFrame | None = None,
    analyses_key: str = "",
) -> bytes:
    ev = _evaluation(_rules, fingerprint, _store, url, version)
    demo = _store.has_demo_data()
    # The document says which values it uses: approved only, or unreviewed too (the switch).
    unreviewed = version.endswith(f"+{UNREVIEWED}")
    if kind in ("docx", "pdf"):
        # The tasks-and-units section needs the work plans and what was reported on them.
        cat, reports = services().catalogue, _task_reports(_store, url, version)
        build = build_pdf if kind == "pdf" else build_docx  # the PDF is the same document, converted
        made = build(
            _rules,
            ev,
            area,
            year,
            lang,
            demo=demo,
            catalogue=cat,
            task_reports=reports,
            analyses=_analyses,
            unreviewed=unreviewed,
        )
        return made or b""  # no PDF without LibreOffice
    obs = _observations(_store, url, version)
    return build_xlsx(_rules, ev, area, year, lang, observations=obs, demo=demo, unreviewed=unreviewed)


def report_file(kind: str, rules: RuleSet, area: str, year: int, lang: str, store: Store | None = None) -> bytes:
    """The evaluation report (``kind`` 'docx' or 'pdf') or tables ('xlsx') as bytes, built once per
    rules, data, area, year and language (empty bytes for 'pdf' where LibreOffice is not installed)."""
    store = store or get_store()
    # The units' analyses change no data version: each one's indicator and time key the file (one
    # indexed read per download), so a saved or withdrawn analysis makes a new report.
    analyses = current_analyses(store.engine, areas=[area], years=[int(year)]) if kind != "xlsx" else None
    key = (
        ""
        if analyses is None or analyses.empty
        else repr(sorted(zip(analyses["indicator"], analyses["at"].astype(str))))
    )
    return _report_file(
        kind, rules, rules.fingerprint, store, store.url, data_version(store), area, int(year), lang, analyses, key
    )


def clear_caches() -> None:
    """After an upload, a rollback or a rules reload: everything is recomputed on the next run."""
    st.cache_data.clear()


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


def initial_value(
    key: str, options: list, default: Any, parse: Callable[[str], Any] = str, multi: bool = False
) -> None:
    """Put the value a picker should show into ``st.session_state[key]`` before it is drawn.

    Order: a query parameter that changed since we last wrote it (a link was opened), the value the
    widget already holds, the value remembered from another page, then ``default``.
    """
    raw = qp_get(key)
    last_written = st.session_state.get(f"_qp_{key}")

    def valid(v: Any) -> bool:
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
