"""Widgets shared by the pages: the page context, linkable pickers, links, breadcrumbs, the menu.

Pages stay thin: they call ``context()`` and the pickers here, then ``dashboard.views`` for frames
and ``dashboard.charts`` for charts. Every picker shows the value of the URL and writes a change
back to it (``selection``); every link carries the reader's place. Nothing here renders user or
YAML text as HTML.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import streamlit as st

from ..charts.pages import outer_height
from ..engine import status_label
from ..engine.task_status import task_status_label
from ..messages import colon as colon  # re-exported for the pages
from ..messages import t
from ..reports.cells import csv_bytes as csv_bytes  # re-exported for the pages: every download is neutralised
from ..rules import RuleSet
from ..services import RulesState
from ..store import Store
from ..views.common import area_options, city_code, data_years, years_of
from . import selection
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
    "completeness": "app_pages/completeness.py",
    "review": "app_pages/review.py",
    "rules": "app_pages/rules.py",
    "users": "app_pages/users.py",
    "audit": "app_pages/audit.py",
}
# Status marks differ in shape, not only in colour: they read on a greyscale print and for
# colour-blind readers (the chart colours are chosen the same way, see dashboard.charts.pages).
STATUS_ICONS = {
    "achieved": "✔",
    "on_track": "▲",
    "needs_acceleration": "△",
    "limited": "▽",
    "deterioration": "▼",
    "no_data": "○",
    "not_achieved": "✘",
}
TASK_STATUS_ICONS = {"not_reported": "○", "not_started": "□", "in_progress": "◐", "done": "●", "delayed": "◆"}
LANG_OPTIONS = ("zh", "en")


@dataclass
class Context:
    """What a page needs for one run: rules, store, language, the evaluation and the reader's place."""

    rules: RuleSet
    rules_state: RulesState
    store: Store
    lang: str
    ev: pd.DataFrame
    years: list[int]
    year: int
    area: str
    area_years: list[int]
    has_data: bool
    presenting: bool
    version: str = ""  # the store's data version the evaluation was computed on
    unknown: list[selection.Unknown] = field(default_factory=list)
    unreviewed: bool = False  # the switch 含未审核 (``?unreviewed=1``): values not yet approved shown too

    @property
    def default_year(self) -> int:
        """The latest year with data for the chosen area (the plan's first year when it has none)."""
        return (
            self.area_years[-1]
            if self.area_years
            else (self.years[-1] if self.years else self.rules.settings.plan_period.start)
        )

    @property
    def current(self) -> dict[str, Any]:
        """The global selection, as links carry it."""
        return {
            "year": self.year,
            "area": self.area,
            "lang": self.lang,
            "present": self.presenting,
            "unreviewed": self.unreviewed,
        }

    @property
    def year_has_data(self) -> bool:
        return self.year in self.area_years


def language() -> str:
    """The reader's language: ``?lang=en`` in the address, else Chinese."""
    return selection.value("lang", LANG_OPTIONS, "zh")


_CONTEXT_KEY = "_page_context"
_log = logging.getLogger(__name__)


def database_failure(lang: str) -> None:
    """Say that the database cannot be reached — never "no data yet" — log why, and stop the page.

    Called with the exception being handled: the technical detail goes to the server log, not to
    the reader (a library's English never reaches a user).
    """
    _log.exception("the database failed while serving a page")
    st.error(t("store_unavailable", lang, db=app_state.services().config.db_label), icon=":material/database:")
    st.stop()


def begin_run() -> Context:
    """Build this run's context (``streamlit_app.py`` does, before the menu and the page)."""
    ctx = _build_context()
    st.session_state[_CONTEXT_KEY] = ctx
    return ctx


def context() -> Context:
    """This run's context: built once by ``streamlit_app.py`` (which always runs before the page)."""
    ctx = st.session_state.get(_CONTEXT_KEY)
    return ctx if isinstance(ctx, Context) else begin_run()


def _build_context() -> Context:
    lang = language()
    state = app_state.get_rules_state()
    rules = state.rules
    store = app_state.get_store()
    version = app_state.data_version(store)
    ev = app_state.get_evaluation(rules, store, version)
    has_data = bool(len(ev)) and bool(ev["value"].notna().any())
    unknown: list[selection.Unknown] = []
    areas = area_options(rules)
    city = city_code(rules) or (areas[0] if areas else "")
    try:
        area = selection.value("area", areas, city, strict=True)
    except selection.Unknown as exc:
        unknown.append(exc)
        area = city
    years = years_of(ev, rules)
    area_years = data_years(ev, area)
    default = area_years[-1] if area_years else years[-1]
    try:
        year = selection.value("year", years, default, selection.parse_int, strict=True)
    except selection.Unknown as exc:
        unknown.append(exc)
        year = default
    present = selection.raw("present") == "1"
    return Context(
        rules=rules,
        rules_state=state,
        store=store,
        lang=lang,
        ev=ev,
        years=years,
        year=int(year),
        area=area,
        area_years=area_years,
        has_data=has_data,
        presenting=present,
        version=version,
        unknown=unknown,
        unreviewed=app_state.show_unreviewed(),
    )


def values_caption(ctx: Context) -> None:
    """One line under a page's title: 仅显示已审核数值, or 含未审核数值（标记为“未审核”） with the switch on."""
    key = "values_shown_unreviewed" if ctx.unreviewed else "values_shown_approved"
    st.caption(t(key, ctx.lang), help=t("unreviewed_switch_help", ctx.lang))


def unreviewed_switch(ctx: Context, where: Any = None) -> None:
    """The switch 含未审核 (sidebar): ``?unreviewed=1`` when on, written into the address (one history
    entry), which every link then carries."""
    where = where or st.sidebar
    key = "w_unreviewed"
    _bind("unreviewed", key, ctx.unreviewed)

    def commit() -> None:
        selection.to_url(app_state.UNREVIEWED, "1" if st.session_state[key] else None)

    where.toggle(
        t("unreviewed_switch", ctx.lang), key=key, on_change=commit, help=t("unreviewed_switch_help", ctx.lang)
    )


def status_text(status: str, lang: str) -> str:
    return f"{STATUS_ICONS.get(status, '')} {status_label(status, lang)}"


def notices(ctx: Context, values: bool = True) -> None:
    """What a page says first: unknown values in the link, a year without data, no data at all, and
    (``values``: a page that shows the monitored values) which values it shows — approved only, or
    unreviewed too (the switch 含未审核).

    (Rules problems are shown once for every page, by ``session.rules_banner``.)"""
    if values:
        values_caption(ctx)
    for unknown in ctx.unknown:
        st.warning(t(f"unknown_in_link_{unknown.name}", ctx.lang, text=md_escape(unknown.text)))
    if not ctx.has_data:
        st.info(t("no_data_yet", ctx.lang))
    elif not ctx.year_has_data:
        latest = ctx.area_years[-1] if ctx.area_years else None
        st.info(
            t(
                "year_without_data" if latest else "area_without_data",
                ctx.lang,
                area=md_escape(ctx.rules.area_name(ctx.area, ctx.lang)),
                year=ctx.year,
                latest=latest or "",
            )
        )


# ------------------------------------------------------------------------------ pickers
def _bind(name: str, widget_key: str, value: Any) -> None:
    """Show the URL's value in the widget: set before the widget is drawn, changes go back to the URL."""
    st.session_state[widget_key] = value


def _commit(name: str, widget_key: str, drop: Any = None) -> None:
    new = st.session_state.get(widget_key)
    selection.to_url(name, None if new == drop else new)


def select(
    ctx: Context,
    name: str,
    options: Sequence[Any],
    current: Any,
    label: str,
    where: Any = None,
    format_func: Callable[[Any], str] = str,
    drop: Any = None,
) -> Any:
    """A selectbox showing ``current`` whose change is written to ``?name=`` (``drop`` = leave it out)."""
    where = where or st
    if not options:
        return None
    key = f"w_{name}"
    _bind(name, key, current if current in options else options[0])
    where.selectbox(
        t(label, ctx.lang),
        list(options),
        key=key,
        format_func=format_func,
        on_change=_commit,
        args=(name, key, drop),
        placeholder=t("choose_one", ctx.lang),
    )
    return st.session_state[key]


def pick_year(ctx: Context, where: Any = None) -> int:
    """The year; a year without data for the chosen area is marked in the list."""

    def label(y: int) -> str:
        return str(y) if y in ctx.area_years else t("year_no_data", ctx.lang, year=y)

    return int(select(ctx, "year", ctx.years, ctx.year, "year", where, label))


def pick_area(
    ctx: Context, where: Any = None, name: str = "area", label: str = "area", default: str | None = None
) -> str:
    options = area_options(ctx.rules)
    if name == "area":
        current = ctx.area
    else:
        current = selection.value(name, options, default or ctx.area)
    return select(ctx, name, options, current, label, where, lambda c: ctx.rules.area_name(c, ctx.lang))


def pick_areas(ctx: Context, where: Any = None, name: str = "areas") -> list[str]:
    """Several areas (the indicator chart): the chosen area and the city unless the link says otherwise."""
    where = where or st
    options = area_options(ctx.rules)
    city = city_code(ctx.rules)
    default = [ctx.area] if ctx.area == city else [ctx.area, city]
    current = selection.values(name, options, [a for a in default if a])
    key = f"w_{name}"
    _bind(name, key, current)
    where.multiselect(
        t("areas", ctx.lang),
        options,
        key=key,
        on_change=_commit,
        args=(name, key),
        format_func=lambda c: ctx.rules.area_name(c, ctx.lang),
        placeholder=t("choose_areas", ctx.lang),
    )
    return list(st.session_state[key])


def pick_option(
    ctx: Context,
    name: str,
    options: list,
    default: Any,
    label: str,
    where: Any = None,
    format_func: Callable[[Any], str] = str,
    parse: Callable[[str | None], Any] = lambda s: s,
) -> Any:
    """A linkable selectbox for a page's own choice (an empty-string option, "all", leaves the parameter out)."""
    if not options:
        return None
    current = selection.value(name, options, default if default in options else options[0], parse)
    return select(ctx, name, options, current, label, where, format_func, drop="")


def pick_tab(ctx: Context, name: str, tabs: dict[str, str], default: str) -> tuple[str, dict[str, Any]]:
    """Linkable tabs: ``?name=KEY`` (the default tab leaves it out), and only the open tab runs.

    ``tabs`` maps each tab's key to its label's catalogue key. Returns the open tab's key and the
    tab containers by key. Streamlit's tabs send every tab's content by default; with state kept
    (``on_change``) a page draws only the open one, so a switch to a page of four tabs costs one.
    The URL holds the key, not the label, so a link survives a language switch.
    """
    labels = {k: t(label, ctx.lang) for k, label in tabs.items()}
    # The address alone decides (not what the session chose last): Back to an address without
    # ``?name=`` must show the default tab, as a reload of it does.
    current = selection.raw(name)
    current = current if current in tabs else default
    key = f"w_{name}"
    _bind(name, key, labels[current])

    def commit() -> None:
        chosen = next((k for k, label in labels.items() if label == st.session_state.get(key)), default)
        selection.to_url(name, None if chosen == default else chosen)

    containers = st.tabs(list(labels.values()), key=key, on_change=commit)
    return current, dict(zip(tabs, containers))


def pick_toggle(ctx: Context, name: str, label: str, where: Any = None) -> bool:
    """A linkable on/off switch: ``?name=1`` when on, no parameter when off."""
    where = where or st
    key = f"w_{name}"
    _bind(name, key, selection.raw(name) == "1")

    def commit() -> None:
        selection.to_url(name, "1" if st.session_state[key] else None)

    where.toggle(t(label, ctx.lang), key=key, on_change=commit)
    return bool(st.session_state[key])


# Invisible, and no line may break at it: put inside an address, it keeps the address from becoming a link.
_JOINER = "\u2060"


def md_escape(text: object) -> str:
    """YAML or user text for ``st.markdown``/``st.caption``: markdown characters shown as they are.

    A colon is escaped where it could open one of Streamlit's directives (``:red[…]``, ``:material/…:``).
    A backslash does not stop GitHub-style autolinks: Streamlit's markdown finds ``https://…``,
    ``www.…`` and ``name@host`` in the text after escapes are resolved (a real browser showed
    ``https\\://evil.example`` as a link), so a word joiner (U+2060, invisible) is put between the
    scheme and ``://``, after ``www`` and before ``@``: no text from a user, a rules file or the
    address becomes a link.
    """
    if text is None:
        return ""
    unlinked = re.sub(r"(?i)([a-z])(?=:/)", "\\1" + _JOINER, str(text))
    unlinked = re.sub(r"(?i)\bwww(?=\.)", "www" + _JOINER, unlinked)
    unlinked = unlinked.replace("@", _JOINER + "@")
    escaped = re.sub(r"([\\`*_{}\[\]<>#|~$])", r"\\\1", unlinked)
    return re.sub(r":(?=[A-Za-z/])", r"\\:", escaped)


def task_status_text(status: str, lang: str) -> str:
    return f"{TASK_STATUS_ICONS.get(status, '')} {task_status_label(status, lang)}"


# ------------------------------------------------------------------------------ links
def link_params(ctx: Context | None = None, page: str | None = None, **extra: Any) -> dict[str, str]:
    """Query parameters that carry the reader's place (year, area, language, presentation) to another page
    and, with ``page`` (a key of ``PAGES``), the choices that page was last shown with (``selection.remembered``)."""
    ctx = ctx or context()
    return selection.link_params(ctx.current, page, **extra)


def page_link(ctx: Context, page: str, label: str, where: Any = None, icon: str | None = None, **extra: Any) -> None:
    """A link to ``page`` (a key of ``PAGES``): the reader's place, the page's last choices, then ``extra``."""
    (where or st).page_link(PAGES[page], label=label, icon=icon, query_params=link_params(ctx, page, **extra))


def task_link(code: str, label: str, where: Any = None, ctx: Context | None = None) -> None:
    ctx = ctx or context()
    page_link(ctx, "task", label, where, task=code)


def unit_link(code: str, label: str, where: Any = None, ctx: Context | None = None) -> None:
    ctx = ctx or context()
    page_link(ctx, "units", label, where, unit=code)


def indicator_link(code: str, label: str, where: Any = None, ctx: Context | None = None) -> None:
    ctx = ctx or context()
    page_link(ctx, "indicator", label, where, indicator=code)


def breadcrumbs(ctx: Context, trail: Sequence[tuple[str, str, dict[str, Any]]], here: str) -> None:
    """``总览 › 妇女与健康 › W03 孕产妇死亡率``: each step a link carrying the reader's place."""
    # One row that flows (not columns of equal width, which left wide gaps after short steps).
    row = st.container(horizontal=True, gap="small", vertical_alignment="center")
    for page, label, extra in trail:
        page_link(ctx, page, f"{label} ›", row, **extra)
    row.caption(md_escape(here), width="content")


def menu(ctx: Context, sections: dict[str, list[Any]], keys: dict[str, str]) -> None:
    """The sidebar menu: every entry a link that keeps the reader's place (Streamlit's own menu does not)
    and opens its page as it was last shown (its own choices in the address; ``keys``: url path → page key)."""
    box = st.sidebar.container(key="app_menu")
    for title, pages in sections.items():
        if not pages:
            continue
        box.caption(title)
        for page in pages:
            box.page_link(page, query_params=link_params(ctx, keys.get(page.url_path)))


# ------------------------------------------------------------------------------ presentation
def _set_presenting(on: bool) -> None:
    selection.to_url("present", "1" if on else None)


def presentation_toggle(ctx: Context, where: Any = None) -> None:
    """The button that switches presentation mode on or off (kept in the link as ``?present=1``)."""
    where = where or st
    if ctx.presenting:
        where.button(t("exit_present", ctx.lang), key="exit_present", on_click=_set_presenting, args=(False,))
    else:
        where.button(
            t("present_mode", ctx.lang),
            key="enter_present",
            help=t("present_help", ctx.lang),
            on_click=_set_presenting,
            args=(True,),
            icon=":material/slideshow:",
        )


# The metric rules name the markdown container inside a metric: more specific than the rule for
# all paragraphs, which would otherwise shrink a metric's figure to body text.
PRESENTATION_CSS = """
<style>
  [data-testid="stMarkdownContainer"] p, [data-testid="stCaptionContainer"] p { font-size: 1.3rem; }
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] [data-testid="stMarkdownContainer"] p {
    font-size: 3rem; }
  [data-testid="stMetricLabel"] [data-testid="stMarkdownContainer"] p { font-size: 1.35rem; }
  h1 { font-size: 2.8rem !important; }
  h2, h3 { font-size: 2rem !important; }
  [data-testid="stPageLink"] p { font-size: 1.3rem; }
</style>
"""


# Streamlit cuts a metric's value or label that does not fit its column ("8.4 per 10…", "Not
# expected to be ac…"); at 1366 px, or in large type on a projector, it would lose its end. It wraps.
METRIC_CSS = """
<style>
  [data-testid="stMetricValue"], [data-testid="stMetricValue"] *, [data-testid="stMetricLabel"] * {
    white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
    overflow-wrap: break-word; }
</style>
"""


def presentation_style(ctx: Context) -> None:
    """Large type for a projector and metric values that wrap rather than being cut (our own CSS,
    no user text); Streamlit's own words in the reader's language."""
    # One element for all of it: each st.html is a block of its own on every run of every page.
    presenting = PRESENTATION_CSS if ctx.presenting else ""
    st.html(METRIC_CSS + presenting + streamlit_words_css(ctx.lang, ctx.rules.settings.upload.max_bytes))


def streamlit_words_css(lang: str, max_bytes: int) -> str:
    """Streamlit writes a few words of its own in English (the uploader's button and limit line): ours instead.

    The texts come from the catalogue; CSS ``content`` only shows them (no markup from data).
    """
    button = t("uploader_button", lang).replace('"', "")
    limit = t("uploader_limit", lang, mb=max_bytes // (1024 * 1024)).replace('"', "")
    return f"""
<style>
  [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
  [data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
    content: "{button}"; font-size: 1rem; }}
  [data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
  [data-testid="stFileUploaderDropzoneInstructions"] span::after {{ content: "{limit}"; font-size: 0.875rem; }}
</style>
"""


def table(frame: pd.DataFrame, lang: str, where: Any = None, **kwargs: Any) -> None:
    """A table, or a line saying there is nothing to show (Streamlit would draw "empty" in English)."""
    where = where or st
    if frame is None or frame.empty:
        where.caption(t("table_empty", lang))
        return
    where.dataframe(frame, hide_index=True, width="stretch", **kwargs)


def chart(
    builder: Callable[..., Any], *args: Any, extra_height: int | None = None, where: Any = None, **kwargs: Any
) -> Any:
    """``builder(*args)`` (a ``dashboard.charts`` function) drawn across the container.

    Every page draws its charts through here: each spec is converted once without Altair's schema
    check (``charts.spec``) and kept for the same arguments (``state.chart_spec``), so a page of many small charts stays
    fast on every rerun. ``extra_height``: the chart sets its own plot height and needs that many
    pixels more for axes and legend (``charts.pages.outer_height``). ``kwargs`` go to
    ``st.vega_lite_chart`` (``on_select``, ``selection_mode``, ``key``); with ``on_select`` the
    selection state is returned.
    """
    spec = app_state.chart_spec(f"{builder.__module__}.{builder.__qualname__}", builder, *args)
    if extra_height is not None:
        kwargs["height"] = outer_height(spec, extra_height)
    return (where or st).vega_lite_chart(spec=spec, width="stretch", theme=None, **kwargs)


def view(ctx: Context, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(ctx.ev, ctx.rules, *args)`` (a ``dashboard.views`` function), computed once per rules,
    data version and arguments: a page the reader comes back to, or another reader opens, is not
    recomputed. An upload or a rules reload changes the key, so it shows at once."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    return app_state.cached_view(name, ctx.rules.fingerprint, ctx.version, fn, ctx.ev, ctx.rules, *args)
