"""Safe YAML loading that remembers where every key and item came from.

PyYAML's safe loader forgets line numbers and silently keeps the last of two duplicate keys.
Maintainers need ``file:line`` for every mistake, so mappings and sequences are built as
``LineDict`` / ``LineList`` that carry the line of each key and item, duplicates are reported,
and alias expansion is capped (a "billion laughs" file is refused, not expanded).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner

from .problems import Problem

MAX_FILE_BYTES = 1_000_000
MAX_ALIASES = 50
MAX_NODES = 200_000


class LineDict(dict):
    """A dict that knows the 1-based line of itself and of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key) -> int:
        return self.key_lines.get(key, self.line)


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
                    Problem(
                        "DUPLICATE_KEY",
                        f"键 “{key}” 重复出现（第一次在第 {first} 行）；只能保留一个",
                        f"key '{key}' appears twice (first on line {first}); keep only one",
                        file=self.path,
                        line=line,
                    )
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_sequence(self, node: SequenceNode, deep=False):
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_Loader.add_constructor("tag:yaml.org,2002:map", lambda loader, node: loader.construct_mapping(node))
_Loader.add_constructor("tag:yaml.org,2002:seq", lambda loader, node: loader.construct_sequence(node))


def load_yaml_file(path: Path, display_path: str | None = None) -> tuple[Any, list[Problem]]:
    """Load one YAML file; return ``(data, problems)``. ``data`` is None when the file is unusable."""
    shown = display_path or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem("FILE_UNREADABLE", f"无法读取文件：{exc}", f"cannot read file: {exc}", file=shown)]
    if size > MAX_FILE_BYTES:
        return None, [
            Problem(
                "FILE_TOO_LARGE",
                f"文件过大（{size} 字节，上限 {MAX_FILE_BYTES} 字节），未读取；请拆分文件",
                f"file too large ({size} bytes, limit {MAX_FILE_BYTES}); not read, split it",
                file=shown,
            )
        ]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                "ENCODING",
                "文件不是 UTF-8 编码；请用 UTF-8 保存",
                f"file is not UTF-8 ({exc.reason}); save it as UTF-8",
                file=shown,
                line=raw[: exc.start].count(b"\n") + 1,
            )
        ]
    return load_yaml_text(text, shown)


def load_yaml_text(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """Parse YAML text with line tracking; see :func:`load_yaml_file`."""
    loader = _Loader(text, shown)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except YamlRefused as exc:
        what = "别名（&/*）引用过多" if str(exc) == "aliases" else "节点过多"
        return None, [
            Problem(
                "YAML_REFUSED",
                f"{what}，疑似恶意或损坏的文件，已拒绝读取",
                f"too many {'aliases (&/*)' if str(exc) == 'aliases' else 'nodes'}; "
                "refused as a possible YAML bomb",
                file=shown,
            )
        ]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = exc.problem or str(exc)
        return None, [
            Problem(
                "YAML_SYNTAX",
                f"YAML 语法错误：{detail}（常见原因：缩进不一致、冒号后缺空格、引号未闭合）",
                f"YAML syntax error: {detail} (check indentation, a space after ':', unclosed quotes)",
                file=shown,
                line=line,
            )
        ]
    except yaml.YAMLError as exc:
        return None, [Problem("YAML_SYNTAX", f"YAML 语法错误：{exc}", f"YAML syntax error: {exc}", file=shown)]
    finally:
        loader.dispose()
    return data, list(loader.duplicates)


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
