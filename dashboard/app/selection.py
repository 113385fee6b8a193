"""One selection model for the whole app: the URL is the truth.

What a reader has chosen — year, area (or areas), plan, domain, indicator, language, presentation
mode — lives in the query parameters. Every link of the app, the menu included, carries the global
part (year, area, language, presentation) to the next page, so the view keeps its place through the
menu, links, back/forward, a reload and a shared link:

- a page reads each value from the URL (:func:`value`), validates it against what exists, and falls
  back to what this browser session chose last (:func:`remembered`), then to a default;
- a picker shows that value; when the reader changes it, its callback writes the new value into the
  URL (one history entry per change, so Back undoes one change);
- a link takes :func:`link_params` of the current view plus what it points at.

A page never rewrites the URL of a view it has just been opened with, so one click is one entry in
the browser's history and Back needs one press.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

# Carried by every link: the reader's place in the app.
GLOBAL = ("year", "area", "lang", "present")
_MEMORY = "_selection"


def raw(name: str) -> str | None:
    """The query parameter ``name`` as text (None when absent or empty)."""
    value = st.query_params.get(name)
    return value if value not in (None, "") else None


def remembered(name: str) -> Any:
    """What this browser session last chose for ``name`` (None if nothing)."""
    return st.session_state.get(_MEMORY, {}).get(name)


def remember(name: str, value: Any) -> None:
    st.session_state.setdefault(_MEMORY, {})[name] = value


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
    """The chosen ``name``: from the URL if valid, else remembered, else ``default``.

    With ``strict`` a URL value that is not among ``options`` raises :class:`Unknown` (a link to an
    indicator that does not exist must say so, not show another one).
    """
    text = raw(name)
    if text is not None:
        parsed = parse(text)
        if parsed in options:
            remember(name, parsed)
            return parsed
        if strict:
            raise Unknown(name, text)
    kept = remembered(name)
    if kept in options:
        return kept
    return default


def values(name: str, options: Sequence[Any], default: list[Any]) -> list[Any]:
    """Like :func:`value` for a list (``areas=500000,500116``); unknown entries are dropped."""
    text = raw(name)
    if text is not None:
        chosen = [v for v in parse_list(text) if v in options]
        if chosen:
            remember(name, chosen)
            return chosen
    kept = remembered(name)
    if isinstance(kept, list) and kept and all(v in options for v in kept):
        return kept
    return default


def to_url(name: str, new: Any) -> None:
    """Write ``name`` into the URL (and the session's memory); None or empty removes it."""
    remember(name, new)
    if new is None or new == "" or new == []:
        if name in st.query_params:
            del st.query_params[name]
        return
    text = ",".join(str(v) for v in new) if isinstance(new, (list, tuple)) else str(new)
    if st.query_params.get(name) != text:
        st.query_params[name] = text


def link_params(current: dict[str, Any], **extra: Any) -> dict[str, str]:
    """The query parameters a link carries: the global selection of ``current`` plus ``extra``."""
    params: dict[str, str] = {}
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
