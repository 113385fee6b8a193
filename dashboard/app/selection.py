"""One selection model for the whole app: the address is the truth.

What a reader has chosen — year, area (or areas), plan, domain, indicator, language, presentation
mode — lives in the query parameters. Every link of the app, the menu included, carries the global
part (year, area, language, presentation) to the next page, so the view keeps its place through the
menu, links, back/forward, a reload and a shared link:

- a page reads each value from the address only (:func:`value`, :func:`values`), validates it against
  what exists, and shows the default when the address has none: what a page shows is always what
  its address says, so Back (to an address without the parameter) shows the view that was there;
- a picker shows that value; when the reader changes it, its callback writes the new value into the
  address (one history entry per change, so Back undoes one change);
- a link takes :func:`link_params` of the current view plus what it points at; a link to a page
  (the menu's too) also carries that page's own choices of its last view in this session
  (:func:`remembered`), so coming back to the indicator page from the menu shows the indicator last
  looked at — in the address, where Back, a reload and a shared link see it.

A page never rewrites the URL of a view it has just been opened with, so one click is one entry in
the browser's history and Back needs one press.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

# Carried by every link: the reader's place in the app.
GLOBAL = ("year", "area", "lang", "present", "unreviewed")
_MEMORY = "_selection"  # page key → its own choices, as address texts
_PAGE = "_selection_page"  # the page of this run


def raw(name: str) -> str | None:
    """The query parameter ``name`` as text (None when absent or empty)."""
    value = st.query_params.get(name)
    return value if value not in (None, "") else None


def open_page(page: str) -> None:
    """Start a run of ``page``: its own choices (the address's parameters but the global ones) are
    what a link to it will carry from now on (``streamlit_app.py`` calls this before the menu)."""
    st.session_state[_PAGE] = page
    memory = st.session_state.setdefault(_MEMORY, {})
    memory[page] = {k: v for k, v in st.query_params.items() if k not in GLOBAL and v not in (None, "")}


def remembered(page: str) -> dict[str, str]:
    """The own choices of ``page``'s last view in this browser session (parameter → text)."""
    return dict(st.session_state.get(_MEMORY, {}).get(page, {}))


def _forget(name: str, keep: str | None = None) -> None:
    """A value of this page's address that names nothing: links to the page do not carry it
    (``keep``: the part of a list that was valid)."""
    own = st.session_state.get(_MEMORY, {}).get(st.session_state.get(_PAGE), {})
    if keep:
        own[name] = keep
    else:
        own.pop(name, None)


def parse_int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None


def parse_list(text: str | None) -> list[str]:
    return [p for p in (text or "").split(",") if p]


class Unknown(Exception):
    """A value in the URL that names nothing that exists (shown to the reader, never replaced silently)."""

    def __init__(self, name: str, text: str):
        super().__init__(f"{name}={text}")
        self.name = name
        self.text = text


def value(
    name: str,
    options: Sequence[Any],
    default: Any,
    parse: Callable[[str | None], Any] = lambda s: s,
    strict: bool = False,
) -> Any:
    """The chosen ``name``: from the address if valid, else ``default`` (never a choice made earlier:
    what the page shows is what its address says).

    With ``strict`` an address value that is not among ``options`` raises :class:`Unknown` (a link
    to an indicator that does not exist must say so, not show another one).
    """
    text = raw(name)
    if text is None:
        return default
    parsed = parse(text)
    if parsed in options:
        return parsed
    _forget(name)
    if strict:
        raise Unknown(name, text)
    return default


def values(name: str, options: Sequence[Any], default: list[Any]) -> list[Any]:
    """Like :func:`value` for a list (``areas=500000,500116``); unknown entries are dropped."""
    text = raw(name)
    if text is None:
        return default
    chosen = [v for v in parse_list(text) if v in options]
    if len(chosen) != len(parse_list(text)):
        _forget(name, ",".join(map(str, chosen)))
    return chosen or default


def to_url(name: str, new: Any) -> None:
    """Write ``name`` into the address; None or empty removes it (the rerun reads it from there)."""
    if new is None or new == "" or new == []:
        if name in st.query_params:
            del st.query_params[name]
        return
    text = ",".join(str(v) for v in new) if isinstance(new, (list, tuple)) else str(new)
    if st.query_params.get(name) != text:
        st.query_params[name] = text


def link_params(current: dict[str, Any], page: str | None = None, **extra: Any) -> dict[str, str]:
    """The query parameters a link carries: the global selection of ``current``, the own choices
    ``page`` was last shown with in this session (:func:`remembered`), then ``extra``."""
    params: dict[str, str] = remembered(page) if page is not None else {}
    for name in GLOBAL:
        v = current.get(name)
        if v not in (None, "", False):
            params[name] = "1" if v is True else str(v)
    for name, v in extra.items():
        if v is None:
            params.pop(name, None)
        else:
            params[name] = ",".join(map(str, v)) if isinstance(v, (list, tuple)) else str(v)
    if params.get("lang") == "zh":
        params.pop("lang")  # Chinese is the default: links stay short
    return params
