"""Reading one rules file, and reading one printed target: what the loaders of every file share.

``Reader`` reads each file once (after the size and place checks), feeds its bytes to the rule
set's fingerprint and keeps the problems; ``parse_check`` turns a row's target into a typed check
or a located BAD_TARGET problem.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks import Check, Direction, TargetParseError, parse_target
from ..messages import Msg, Problem
from .yaml_lines import load_yaml_file, read_rules_bytes


def relative_path(path: Path, root: Path) -> str:
    """How a rules file is named in messages: relative to the folder that holds ``rules/``."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


@dataclass
class Reader:
    """Reads the rules files, keeping the problems and the fingerprint of everything read."""

    root: Path
    problems: list[Problem]

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256()

    def read(self, path: Path) -> tuple[Any, str]:
        """The YAML of ``path`` with its lines (None when unusable, its problems kept) and its shown name."""
        shown = relative_path(path, self.root)
        self.digest.update(shown.encode())
        # Read once, after the checks (regular file, inside rules/, size): the same bytes are
        # fingerprinted and parsed.
        raw, refused = read_rules_bytes(path, shown, self.root)
        if raw is None:
            self.problems.extend([refused] if refused is not None else [])
            return None, shown
        self.digest.update(raw)
        data, found = load_yaml_file(path, shown, raw=raw)
        self.problems.extend(found)
        return data, shown


def parse_check(
    explicit: Check | None,
    text: str,
    direction: Direction,
    reference: str | None,
    shown: str,
    line: int | None,
    problems: list[Problem],
    subject: str | Msg = "",
) -> Check | None:
    """The explicit ``check:`` if given, else the printed text parsed; a BAD_TARGET problem if neither.

    ``subject`` (a :class:`Msg` such as ``W03 孕产妇死亡率：``, or a bare code) starts the message.
    """
    if explicit is not None:
        return explicit
    try:
        return parse_target(text, direction, reference)
    except TargetParseError as exc:
        shown_subject = subject if isinstance(subject, Msg) else (f"{subject}：" if subject else "")
        problems.append(Problem(exc.message_id, {**exc.params, "subject": shown_subject}, file=shown, line=line))
        return None
