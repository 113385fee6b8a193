"""Widgets shared by the pages: the page context, linkable pickers, status badges.

Pages stay thin: they call ``context()`` and the pickers here, then ``dashboard.views`` for frames
and ``dashboard.charts`` for charts. Nothing here renders user or YAML text as HTML.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import streamlit as st

from ..engine import status_label
from ..engine.task_status import task_status_label
from ..messages import colon as colon  # re-exported for the pages
from ..messages import t
from ..reports.exports import csv_bytes as csv_bytes  # re-exported for the pages
from ..rules import RuleSet
from ..services import RulesState
from ..store import Store
from ..views.common import area_options, city_code, default_year, years_of
from . import state as app_state

# Where each page script lives (st.navigation registers them under these paths). The folder is
# ``app_pages/``, not ``pages/``: Streamlit treats a ``pages/`` folder next to the main script as
# the old automatic multipage layout until ``st.navigation`` has run once in the process, so a link
# straight to ``/overview`` as the first request after start-up would run the page script alone
# (no language switch, no banner, file names as page titles).
PAGES = {
    "overview": "app_pages/overview.py",
    "domain": "app_pages/domain.py",
    "district": "app_pages/district.py",
    "constraint": "app_pages/constraint.py",
    "indicator": "app_pages/indicator.py",
    "warnings": "app_pages/warnings.py",
    "evaluation": "app_pages/evaluation.py",
    "tasks": "app_pages/tasks.py",
    "task": "app_pages/task.py",
    "units": "app_pages/units.py",
    "upload": "app_pages/upload.py",
    "history": "app_pages/history.py",
    "rules": "app_pages/rules.py",
    "users": "app_pages/users.py",
    "audit": "app_pages/audit.py",
}
TASK_STATUS_ICONS = {"not_reported": "⚪", "not_started": "⬜", "in_progress": "🔵", "done": "🟢", "delayed": "🔴"}
STATUS_ICONS = {
    "achieved": "🟢", "on_track": "🟩", "needs_acceleration": "🟨",
    "limited": "🟧", "deterioration": "🔴", "no_data": "⚪",
}


@dataclass
class Context:
    """What a page needs for one run: rules, store, language and the cached evaluation."""

    rules: RuleSet
    rules_state: RulesState
    store: Store
    lang: str
    ev: pd.DataFrame
    years: list[int]
    default_year: int | None
    has_data: bool
    presenting: bool


def context() -> Context:
    """Rules, store, language and the (cached) evaluation for the current run."""
    lang = app_state.lang()
    state = app_state.get_rules_state()
    rules = state.rules
    store = app_state.get_store()
    ev = app_state.get_evaluation(rules, store)
    has_data = bool(len(ev)) and bool(ev["value"].notna().any())
    return Context(rules=rules, rules_state=state, store=store, lang=lang, ev=ev, years=years_of(ev, rules),
                   default_year=default_year(ev, rules), has_data=has_data, presenting=presenting())


def presenting() -> bool:
    """Presentation mode (controls hidden): ``?present=1`` in the link, or the overview's button."""
    raw = st.query_params.get("present")
    if raw != st.session_state.get("_present_qp"):      # a link was opened: it decides
        st.session_state["_present_qp"] = raw
        st.session_state["_present"] = raw == "1"
    return bool(st.session_state.get("_present", False))


def _set_presenting(on: bool) -> None:
    st.session_state["_present"] = on
    if on:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]
    st.session_state["_present_qp"] = "1" if on else None


def status_text(status: str, lang: str) -> str:
    return f"{STATUS_ICONS.get(status, '')} {status_label(status, lang)}"


def notices(ctx: Context) -> None:
    """Warnings every page shows: rules problems, an empty database."""
    n_err = sum(1 for p in ctx.rules_state.problems if p.severity == "error")
    if n_err:
        st.warning(t("rules_have_problems", ctx.lang, n=n_err))
    if not ctx.has_data:
        st.info(t("no_data_yet", ctx.lang))


# ------------------------------------------------------------------------------ pickers
def pick_year(ctx: Context, where=None) -> int:
    where = where or st
    options = ctx.years or [ctx.rules.settings.plan_period.start]
    default = ctx.default_year if ctx.default_year in options else options[-1]
    app_state.initial_value("year", options, default, app_state.parse_int)
    value = where.selectbox(t("year", ctx.lang), options, key="year")
    app_state.remember("year", value)
    return int(value)


def pick_area(ctx: Context, where=None, key: str = "area", label: str = "area", default: str | None = None) -> str:
    where = where or st
    options = area_options(ctx.rules)
    default = default or city_code(ctx.rules) or (options[0] if options else "")
    app_state.initial_value(key, options, default)
    value = where.selectbox(t(label, ctx.lang), options, key=key,
                            format_func=lambda c: ctx.rules.area_name(c, ctx.lang))
    app_state.remember(key, value)
    return value


def pick_areas(ctx: Context, where=None, key: str = "areas") -> list[str]:
    where = where or st
    options = area_options(ctx.rules)
    default = [city_code(ctx.rules)] if options else []
    app_state.initial_value(key, options, default, multi=True)
    value = where.multiselect(t("areas", ctx.lang), options, key=key,
                              format_func=lambda c: ctx.rules.area_name(c, ctx.lang))
    app_state.remember(key, list(value))
    return list(value)


def pick_indicator(ctx: Context, where=None) -> str | None:
    where = where or st
    inds = sorted(ctx.rules.indicators.values(), key=lambda i: i.order)
    options = [i.code for i in inds]
    if not options:
        return None
    app_state.initial_value("indicator", options, options[0])
    value = where.selectbox(t("indicator", ctx.lang), options, key="indicator",
                            format_func=lambda c: f"{c} {ctx.rules.indicators[c].name(ctx.lang)}")
    app_state.remember("indicator", value)
    return value


def pick_domain(ctx: Context, where=None) -> tuple[str, str] | None:
    where = where or st
    options = [f"{p}:{d}" for (p, d) in ctx.rules.domains]
    if not options:
        return None
    app_state.initial_value("domain", options, options[0])

    def fmt(v: str) -> str:
        p, d = v.split(":", 1)
        return f"{p} · {ctx.rules.domain_name(p, d, ctx.lang)}"

    value = where.selectbox(t("domain", ctx.lang), options, key="domain", format_func=fmt)
    app_state.remember("domain", value)
    p, d = value.split(":", 1)
    return p, d


def pick_option(ctx: Context, key: str, options: list, default: Any, label: str, where=None,
                format_func: Callable[[Any], str] = str, parse: Callable[[str], Any] = str) -> Any:
    """A linkable selectbox: its value comes from ``?key=`` when a link is opened and goes back into
    the link (an empty-string option, used for "all", leaves the parameter out)."""
    where = where or st
    if not options:
        return None
    app_state.initial_value(key, options, default if default in options else options[0], parse)
    value = where.selectbox(t(label, ctx.lang), options, key=key, format_func=format_func)
    app_state.remember(key, value)
    return value


def pick_toggle(ctx: Context, key: str, label: str, where=None) -> bool:
    """A linkable on/off switch: ``?key=1`` when on, no parameter when off."""
    where = where or st
    raw = app_state.qp_get(key)
    if raw is not None and raw != st.session_state.get(f"_qp_{key}"):
        st.session_state[key] = raw == "1"
    elif not isinstance(st.session_state.get(key), bool):
        st.session_state[key] = bool(st.session_state.get(f"_keep_{key}", False))
    value = bool(where.toggle(t(label, ctx.lang), key=key))
    st.session_state[f"_keep_{key}"] = value
    app_state.qp_set(key, "1" if value else None)
    st.session_state[f"_qp_{key}"] = st.query_params.get(key)
    return value


def md_escape(text: object) -> str:
    """YAML or user text for ``st.markdown``/``st.caption``: markdown characters shown as they are."""
    return re.sub(r"([\\`*_{}\[\]<>#|~$])", r"\\\1", str(text)) if text is not None else ""


def task_status_text(status: str, lang: str) -> str:
    return f"{TASK_STATUS_ICONS.get(status, '')} {task_status_label(status, lang)}"


def task_link(code: str, label: str, where=None) -> None:
    where = where or st
    where.page_link(PAGES["task"], label=label, query_params=link_params(task=code))


def unit_link(code: str, label: str, where=None) -> None:
    where = where or st
    where.page_link(PAGES["units"], label=label, query_params=link_params(unit=code))


def link_params(**extra) -> dict:
    """Query parameters that carry the current selection (and language) to another page."""
    params = {}
    for key in ("year", "area"):
        value = st.session_state.get(f"_keep_{key}")
        if value is not None:
            params[key] = str(value)
    if app_state.lang() == "en":
        params["lang"] = "en"
    params.update({k: str(v) for k, v in extra.items() if v is not None})
    return params


def indicator_link(code: str, label: str, where=None, key: str | None = None) -> None:
    where = where or st
    where.page_link(PAGES["indicator"], label=label, query_params=link_params(indicator=code))


def presentation_toggle(ctx: Context, where=None) -> None:
    """The button that switches presentation mode on or off (kept in the link as ``?present=1``)."""
    where = where or st
    if ctx.presenting:
        where.button(t("exit_present", ctx.lang), key="exit_present", on_click=_set_presenting, args=(False,))
    else:
        where.button("📽 " + t("present_mode", ctx.lang), key="enter_present", help=t("present_help", ctx.lang),
                     on_click=_set_presenting, args=(True,))


