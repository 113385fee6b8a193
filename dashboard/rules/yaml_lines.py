"""Safe YAML loading that remembers where every key and item came from.

PyYAML's safe loader forgets line numbers and silently keeps the last of two duplicate keys.
Maintainers need ``file:line`` for every mistake, so mappings and sequences are built as
``LineDict`` / ``LineList`` that carry the line of each key and item, duplicates are reported,
and alias expansion is capped (a "billion laughs" file is refused, not expanded).
"""

from __future__ import annotations

import re
import stat
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from ..messages import Code, Problem

MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 50
MAX_NODES = 200_000


class LineDict(dict):
    """A dict that knows the 1-based line of itself and of each key, and how each plain value was written.

    ``raw`` keeps the source text of every unquoted scalar value (``2:3`` that YAML reads as the
    number 123, ``500101`` read as an integer): a message shows what the maintainer wrote.
    """

    line: int = 0
    key_lines: dict
    raw: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)

    def raw_of(self, key) -> str | None:
        """The unquoted source text of the value of ``key``, or None (quoted, a list, a mapping)."""
        return getattr(self, "raw", {}).get(key)


class LineList(list):
    """A list that knows the 1-based line of itself and of each item."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        if 0 <= index < len(self.item_lines):
            return self.item_lines[index]
        return self.line


class YamlRefused(Exception):
    """Raised while composing when a file tries to expand too many aliases or nodes."""


class _Loader(Reader, Scanner, Parser, Composer, SafeConstructor, Resolver):
    def __init__(self, stream, path: str):
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        self.path = path
        self.duplicates: list[Problem] = []
        self._aliases = 0
        self._nodes = 0

    # Aliases are the only way a small YAML file becomes huge; count them at composition time.
    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlRefused("aliases")
        self._nodes += 1
        if self._nodes > MAX_NODES:
            raise YamlRefused("nodes")
        return super().compose_node(parent, index)

    def construct_mapping(self, node: MappingNode, deep=False):
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        result.raw = {}
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                key = str(key)
            line = key_node.start_mark.line + 1
            if key in result:
                first = result.key_lines[key]
                self.duplicates.append(
                    Problem(Code.DUPLICATE_KEY, {"key": str(key), "first": first}, file=self.path, line=line)
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
            if isinstance(value_node, ScalarNode) and value_node.style is None:
                result.raw[key] = value_node.value
        return result

    def construct_sequence(self, node: SequenceNode, deep=False):
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node))
_Loader.add_constructor("tag:yaml.org,2002:seq", lambda loader, node: loader.construct_sequence(node))


def read_rules_bytes(path: Path, shown: str, root: Path | None = None) -> tuple[bytes | None, Problem | None]:
    """The bytes of one rules file, or why it is not read — checked before a byte is read.

    Only a regular file no larger than ``MAX_FILE_BYTES`` is read, and, given ``root``, only one that
    lies inside it once links are followed: a FIFO would block for ever, a link to ``/dev/zero``
    would never end, a link out of ``rules/`` would read what the maintainer never meant to publish.
    """
    try:
        if root is not None and not path.resolve().is_relative_to(root.resolve()):
            return None, Problem(Code.RULES_FILE_OUTSIDE, file=shown, line=1)
        info = path.stat()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return None, Problem(Code.FILE_UNREADABLE, file=shown)
    if not stat.S_ISREG(info.st_mode):
        return None, Problem(Code.RULES_FILE_NOT_REGULAR, file=shown, line=1)
    if info.st_size > MAX_FILE_BYTES:
        return None, Problem(Code.FILE_TOO_LARGE_YAML, {"size": info.st_size, "limit": MAX_FILE_BYTES}, file=shown)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)  # never more, even if the file grew meanwhile
    except OSError:
        return None, Problem(Code.FILE_UNREADABLE, file=shown)
    if len(raw) > MAX_FILE_BYTES:
        return None, Problem(Code.FILE_TOO_LARGE_YAML, {"size": len(raw), "limit": MAX_FILE_BYTES}, file=shown)
    return raw, None


def load_yaml_file(
    path: Path, display_path: str | None = None, root: Path | None = None, raw: bytes | None = None
) -> tuple[Any, list[Problem]]:
    """Load one YAML file; return ``(data, problems)``. ``data`` is None when the file is unusable.

    ``root``: the rules folder the file must lie in (:func:`read_rules_bytes`); ``raw``: its bytes,
    when the caller has already read them that way.
    """
    shown = display_path or str(path)
    if raw is None:
        raw, refused = read_rules_bytes(path, shown, root)
        if raw is None:
            return None, [refused] if refused is not None else []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [Problem(Code.ENCODING_YAML, file=shown, line=raw[: exc.start].count(b"\n") + 1)]
    return load_yaml_text(text, shown)


# PyYAML's own explanations, in words a maintainer acts on (its English never reaches a user).
_SYNTAX_HINTS = (
    ("mapping values are not allowed", Code.YAML_SYNTAX_COLON),
    ("could not find expected ':'", Code.YAML_SYNTAX_NO_COLON),
    ("did not find expected key", Code.YAML_SYNTAX_INDENT),
    ("expected <block end>", Code.YAML_SYNTAX_INDENT),
    ("did not find expected '-' indicator", Code.YAML_SYNTAX_INDENT),
    ("cannot start any token", Code.YAML_SYNTAX_TAB),
    ("unexpected end of stream", Code.YAML_SYNTAX_QUOTE),
    ("found unknown escape character", Code.YAML_SYNTAX_ESCAPE),
)
# ``key：value`` or ``"key"：value`` — a full-width colon where YAML needs ``: ``.
_KEY = r"""(?:"([^"]+)"|'([^']+)'|([A-Za-z_][A-Za-z0-9_]*))"""
_FULLWIDTH_KEY = re.compile(rf"^\s*(?:-\s+)?{_KEY}\s*：")
# ``target:<8`` — YAML needs a space after the colon; without one the line is no "key: value".
_NO_SPACE_KEY = re.compile(rf"^\s*(?:-\s+)?{_KEY}:(?=[^\s:/])")
# ``target: >95``, ``unit: %``, ``target: *8`` — a value starting with a character YAML reserves
# (block scalar, alias, tag, anchor, directive) must be quoted. ``|``/``>`` alone (a block of text,
# optionally ``-``/``+``) is YAML's own form and left alone; ``|8`` would silently read as "".
_SYMBOL_VALUE = re.compile(rf"^\s*(?:-\s+)?{_KEY}:\s+((?:[>|](?![-+]?\s*(?:#.*)?$)|[*!&@%`])\S*)")


def _key(m: re.Match) -> str:
    return next(g for g in m.groups()[:3] if g is not None)


def _fullwidth_colons(text: str, shown: str) -> list[Problem]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        m = _FULLWIDTH_KEY.match(line)
        if m:
            out.append(Problem(Code.FULLWIDTH_COLON, {"key": _key(m)}, file=shown, line=number))
    return out


def _slips(text: str, shown: str, pattern: re.Pattern, code: Code, upto: int | None = None) -> list[Problem]:
    """Lines (up to ``upto``) where ``pattern`` finds a slip the parser would report elsewhere or not at all."""
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if upto is not None and number > upto:
            break
        m = pattern.match(line)
        if m:
            params = {"key": _key(m)} | ({"value": m.group(4)} if len(m.groups()) > 3 else {})
            out.append(Problem(code, params, file=shown, line=number))
    return out


def load_yaml_text(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text with line tracking; see :func:`load_yaml_file`."""
    colons = _fullwidth_colons(text, shown)
    # A value YAML reads as one of its own symbols: reported on its own line whether or not the
    # parser trips (``|8`` parses, as an empty text).
    symbols = _slips(text, shown, _SYMBOL_VALUE, Code.YAML_SYNTAX_SYMBOL)
    loader = _Loader(text, shown)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except YamlRefused as exc:
        code = Code.YAML_REFUSED_ALIASES if str(exc) == "aliases" else Code.YAML_REFUSED_NODES
        return None, [Problem(code, file=shown)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = mark.line + 1 if mark else None
        # The slip the parser trips over a line or two later is named on its own line instead.
        causes = colons + [p for p in symbols if at is None or (p.line or 0) <= at]
        causes = causes or _slips(text, shown, _NO_SPACE_KEY, Code.YAML_SYNTAX_NO_SPACE, at)
        if causes:
            return None, sorted(causes, key=lambda p: p.line or 0)
        detail = f"{exc.context or ''} {exc.problem or ''}"
        code = next((c for needle, c in _SYNTAX_HINTS if needle in detail), Code.YAML_SYNTAX)
        if code is Code.YAML_SYNTAX_TAB and "'\\t'" not in detail:
            code = Code.YAML_SYNTAX  # another character that cannot start a token: not a tab
        return None, [Problem(code, file=shown, line=at)]
    except yaml.YAMLError:
        return None, colons + symbols or [Problem(Code.YAML_SYNTAX, file=shown)]
    except RecursionError:  # thousands of nested brackets: no rules file is shaped like that
        return None, [Problem(Code.YAML_TOO_DEEP, file=shown, line=1)]
    finally:
        loader.dispose()
    return data, list(loader.duplicates) + colons + symbols


def line_for(data: Any, loc: tuple) -> int | None:
    """Walk a pydantic error ``loc`` through LineDict/LineList and return the deepest known line."""
    line = getattr(data, "line", None)
    node = data
    for part in loc:
        if isinstance(node, LineDict):
            if part in node:
                line = node.line_of(part)
                node = node[part]
                continue
            if node.get("kind") == part:  # discriminator tag added by pydantic
                continue
            return line
        if isinstance(node, LineList) and isinstance(part, int):
            if 0 <= part < len(node):
                line = node.line_of(part)
                node = node[part]
                continue
            return line
        # Discriminated unions add the tag name to the loc; skip parts that are not data keys.
        continue
    return line
