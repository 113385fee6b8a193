"""Reading one rules file, one printed target and one indicator row: what the loaders of every file share.

``Reader`` reads each file once (after the size and place checks), feeds its bytes to the rule
set's fingerprint and keeps the problems; ``parse_check`` turns a row's target into a typed check
or a located BAD_TARGET problem; ``indicator_from_spec`` turns a validated row (a catalogue's
``indicators:`` or an area's ``added:``) into its ``Indicator``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..checks import Check, Direction, TargetParseError, parse_target
from ..messages import Msg, Name, Problem
from .models import SCHEMA_FIELDS, Attribute, IndicatorSpec, Settings
from .ruleset import Indicator
from .validation import empty_values, item_line, not_a_mapping, row_subject, validate
from .yaml_lines import LineDict, LineList, load_yaml_file, read_rules_bytes


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

    def read_mapping(self, path: Path) -> tuple[LineDict | None, str]:
        """:meth:`read` for a file that must be a mapping: None (its problem kept) when it is not."""
        data, shown = self.read(path)
        if data is None:
            return None, shown
        if not isinstance(data, LineDict):
            self.problems.append(not_a_mapping(data, shown))
            return None, shown
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


def indicator_rows(
    items: LineList, section: str, shown: str, problems: list[Problem], area: Name | None = None
) -> Iterator[tuple[IndicatorSpec, LineDict, int | None, Msg | str]]:
    """The rows of ``items`` (a file's ``indicators:``, an area's ``added:``) that validate as an
    ``IndicatorSpec`` with no empty value, each with its mapping, line and message subject (``area``'s
    name before it in an area's file); problems for the rest."""
    for i, item in enumerate(items):
        line = item_line(items, i)
        code = item.get("code", "") if isinstance(item, dict) and isinstance(item.get("code"), str) else ""
        subject = row_subject(code, item, area) if code else ""
        empty = empty_values(item, shown, subject, (section, i))
        problems.extend(empty)
        spec = validate(
            IndicatorSpec,
            item,
            shown,
            problems,
            prefix=(section, i),
            fallback=line,
            known_fields=SCHEMA_FIELDS,
            subject=subject,
        )
        if spec is not None and not empty:
            yield spec, item, line, subject


def indicator_from_spec(
    spec: IndicatorSpec,
    check: Check,
    settings: Settings,
    *,
    plan: str,
    order: int,
    attribute: Attribute,
    baseline_area: str,
    defined_at: tuple[str, int] | None = None,
    area: str | None = None,
    source_file: str | None = None,
) -> Indicator:
    """A validated indicator row as its ``Indicator``, ``check`` being its parsed target.

    Its valid range is the row's own, else its unit's plausible bounds (``settings.yaml``
    ``value_bounds``). ``defined_at`` places a catalogue row; ``area`` and ``source_file`` an
    area's added row.
    """
    lo, hi, _, _ = settings.value_bounds.resolve(spec.unit, spec.valid_range)
    return Indicator(
        code=spec.code,
        plan=plan,
        domain=spec.domain,
        number=spec.number,
        order=order,
        name_zh=spec.name_zh,
        name_en=spec.name_en,
        unit=spec.unit,
        direction=spec.direction,
        target_text=spec.target,
        check=check,
        attribute=attribute,
        baseline=spec.baseline,
        baseline_note=spec.baseline_note,
        baseline_area=baseline_area,
        valid_min=lo,
        valid_max=hi,
        valid_range=spec.valid_range,
        smoothing_years=spec.smoothing_years,
        decimals=spec.decimals,
        definition=spec.definition,
        data_source=spec.data_source,
        note=spec.note,
        area=area,
        source_file=source_file,
        defined_at=defined_at,
    )
