"""The message catalogue: every user-facing string, Chinese and English side by side, as data.

The catalogue is the YAML files in ``dashboard/messages/text/``: one entry per key, each with a
``zh`` and an ``en`` text (``str.format`` placeholders allowed), and for a text with a count ``{n}``
optionally ``en_one``, the English text when ``n`` is 1 (Chinese has no plural form). Code never writes a user-facing
sentence itself; it names a key and its parameters (:class:`Msg`), and the text is rendered when
it is shown, in the reader's language. A key defined twice, in one file or in two, is refused when
the catalogue loads, so a second definition can never silently win.

Parameters are rendered in the same language as the message: a :class:`Msg` becomes its text, a
:class:`Name` its name in that language, a list or tuple the rendered items joined with 、 (zh) or
", " (en), ``None`` the empty string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")


class CatalogueError(Exception):
    """The catalogue files themselves are wrong (a developer's mistake, caught by the tests)."""


@dataclass(frozen=True)
class Entry:
    """One catalogue entry: the text in each language and where it is defined."""

    key: str
    zh: str
    en: str
    file: str
    line: int
    en_one: str | None = None  # the English text when the parameter ``n`` is 1 ("1 value", not "1 values")

    def text(self, lang: str, n: Any = None) -> str:
        if lang == "en":
            return self.en_one if self.en_one is not None and n == 1 else self.en
        return self.zh


# libyaml's parser when PyYAML was built with it (the wheels are): the catalogue is read at every
# start of every command, and the pure-Python parser alone took a fifth of a second.
_BaseLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_BaseLoader):
    """PyYAML keeps the last of two equal keys; the catalogue must refuse them."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    out: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in seen:
            raise CatalogueError(f"line {key_node.start_mark.line + 1}: key {key!r} repeats line {seen[key]}")
        seen[key] = key_node.start_mark.line + 1
        out[key] = loader.construct_object(value_node, deep=True)
    return out


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _load_file(name: str, text: str) -> list[Entry]:
    # Parsed once: the node tree gives the lines, the same tree is then built into Python values.
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return []
        data = loader.construct_document(node)
    except CatalogueError as exc:
        raise CatalogueError(f"{name}: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        raise CatalogueError(f"{name}: the file must be a mapping of keys")
    lines = {k.value: k.start_mark.line + 1 for k, _ in node.value}
    entries = []
    for key, value in data.items():
        # Chinese has no plural form; English may give the singular as ``en_one`` (used when n is 1).
        if not isinstance(value, dict) or not {"zh", "en"} <= set(value) <= {"zh", "en", "en_one"}:
            raise CatalogueError(f"{name}:{lines.get(key)}: {key!r} needs a zh and an en text (and may have en_one)")
        if not all(isinstance(v, str) for v in value.values()):
            raise CatalogueError(f"{name}:{lines.get(key)}: {key!r}: every text must be a string")
        if "en_one" in value and "{n" not in value["en"]:
            raise CatalogueError(f"{name}:{lines.get(key)}: {key!r}: en_one is for texts with a count {{n}}")
        entries.append(Entry(str(key), value["zh"], value["en"], name, lines.get(key, 0), value.get("en_one")))
    return entries


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Entry]:
    """Every entry of every catalogue file, by key; loaded once per process."""
    found: dict[str, Entry] = {}
    folder = resources.files("dashboard.messages") / "text"
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        for entry in _load_file(item.name, item.read_text(encoding="utf-8")):
            first = found.get(entry.key)
            if first is not None:
                raise CatalogueError(
                    f"{entry.file}:{entry.line}: {entry.key!r} is already defined in {first.file}:{first.line}"
                )
            found[entry.key] = entry
    return found


@dataclass(frozen=True)
class Msg:
    """A message not rendered yet: a catalogue key and its parameters."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        return t(self.key, lang, **self.params)


@dataclass(frozen=True)
class Name:
    """Something named in both languages (an area, an indicator, a unit): shown in the reader's."""

    zh: str
    en: str

    def render(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


def separator(lang: str) -> str:
    """How lists are joined in running text: 、 in Chinese, a comma in English."""
    return ", " if lang == "en" else "、"


def as_label(text: str, lang: str) -> str:
    """A catalogue word standing alone (a table cell, an option, a heading) rather than inside a
    sentence: English starts it with a capital ("approved" → "Approved"); Chinese has no case.

    The review states and actions are written once, lower case, because messages also use them
    mid-sentence ("no value is submitted, awaiting review or returned").
    """
    return text[:1].upper() + text[1:] if lang == "en" else text


def render_value(value: Any, lang: str) -> Any:
    """A parameter as it appears in ``lang`` (numbers stay numbers so format specs apply)."""
    if value is None:
        return ""
    if isinstance(value, (Msg, Name)):
        return value.render(lang)
    if isinstance(value, (list, tuple)):
        return separator(lang).join(str(render_value(v, lang)) for v in value)
    return value


class _Params(dict):
    def __init__(self, params: Mapping[str, Any], lang: str):
        super().__init__({k: render_value(v, lang) for k, v in params.items()})


def t(key: str, lang: str = "zh", /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` ('zh' or 'en') with ``params`` filled in.

    An unknown key raises ``KeyError``: the tests check every key used in code, so a reader never
    sees a raw key.
    """
    entry = catalogue()[key]
    text = entry.text(lang, params.get("n"))
    if not params:
        return text
    return text.format_map(_Params(params, lang))


def has(key: str) -> bool:
    """Whether the catalogue defines ``key``."""
    return key in catalogue()


def colon(lang: str) -> str:
    """The colon between a label and its value: full width in Chinese."""
    return ": " if lang == "en" else "："
