"""Target kinds: a registry that fills itself from the modules of this package.

Each module of ``dashboard/checks`` (other than ``base`` and ``text``) defines one kind, a
subclass of :class:`~.base.CheckKind`. Importing this package imports every module and collects
those classes into :data:`KINDS`, builds the pydantic discriminated union :data:`Check` that the
rules models validate ``check:`` against, and offers :func:`parse_target`, which hands a printed
target text to the kinds in priority order. Adding a kind is adding a module (see
docs/architecture.md); nothing else names the kinds.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Annotated, Union

from pydantic import Field

from ..messages import Code
from .base import (
    IMPROVE,
    REACH,
    RISE,
    CheckKind,
    CheckSettings,
    DemoLevel,
    Direction,
    EngineRow,
    Op,
    TargetParseError,
)
from .text import normalise

_INFRASTRUCTURE = {"base", "text"}


def _discover() -> dict[str, type[CheckKind]]:
    found: dict[str, type[CheckKind]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _INFRASTRUCTURE or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, CheckKind)
                and obj is not CheckKind
                and obj.__module__ == module.__name__
            ):
                kind = obj.model_fields["kind"].default
                if kind in found:
                    raise RuntimeError(f"target kind {kind!r} is defined twice: {found[kind]} and {obj}")
                found[kind] = obj
    return dict(sorted(found.items(), key=lambda kv: (kv[1].priority, kv[0])))


KINDS: dict[str, type[CheckKind]] = _discover()
"""Every target kind by its ``kind`` name, in the order printed texts are offered to them."""

if TYPE_CHECKING:
    Check = CheckKind
else:
    # Union[...] of a runtime tuple: the registry decides the members, so PEP 604 `|` cannot spell it.
    Check = Annotated[Union[tuple(KINDS.values())], Field(discriminator="kind")]  # noqa: UP007

DIRECTION_ONLY_KINDS = frozenset(k for k, cls in KINDS.items() if cls.direction_only)


def parse_target(text: str, direction: Direction, reference: str | None = None) -> CheckKind:
    """A printed target text as a typed check; raises :class:`TargetParseError` when none reads it.

    ``direction`` gives bare numbers their meaning; ``reference`` names the series a text such as
    ``不低于本地区党员总数中女性比例`` refers to.
    """
    normalised = normalise(text)
    if not normalised:
        raise TargetParseError(Code.BAD_TARGET_EMPTY)
    for cls in KINDS.values():
        check = cls.recognise(normalised, direction, reference)
        if check is not None:
            return check
    raise TargetParseError(Code.BAD_TARGET_UNKNOWN, text=text)


__all__ = [
    "DIRECTION_ONLY_KINDS",
    "IMPROVE",
    "KINDS",
    "REACH",
    "RISE",
    "Check",
    "CheckKind",
    "CheckSettings",
    "DemoLevel",
    "Direction",
    "EngineRow",
    "Op",
    "TargetParseError",
    "normalise",
    "parse_target",
]
