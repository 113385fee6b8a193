"""What every target kind provides: one class per kind, all in one module each.

A target kind is a pydantic model (its fields are what a maintainer may write under ``check:``)
that also knows:

- how it **recognises** a printed target text (``recognise``; ``None`` = not mine);
- how it **describes** itself in plain words, in both languages (``describe``);
- its **engine parameters**: the few numbers the one vectorised kernel needs (``engine_row``);
- its **per-value meaning**: whether one reached number meets it (``judge_value``; task targets);
- a plausible **demo starting level** for synthetic data (``demo_level``).

The registry (``dashboard.checks``) collects every subclass from the modules of this package, so
adding a kind is adding one module: nothing else in the code names the kinds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from ..messages import Code, Msg, t

Direction = Literal["higher", "lower", "band"]
Op = Literal[">=", ">", "<=", "<", "=="]

# Engine families: reach a value (judged by the ratio R of observed to required growth), move in
# a direction (judged by the signed growth rate), or rise every year (a direction, plus no fall).
REACH, IMPROVE, RISE = 0, 1, 2
NAN = math.nan


class CheckSettings(Protocol):
    """The settings a check reads (``rules/settings.yaml``), without depending on the rules layer."""

    @property
    def about_tolerance(self) -> float: ...

    @property
    def significant_change(self) -> float: ...

    @property
    def sex_ratio_band(self) -> tuple[float, float]: ...


class TargetParseError(ValueError):
    """A printed target this product cannot read: the problem code and its parameters."""

    def __init__(self, message_id: Code, **params: Any):
        super().__init__(message_id.value)
        self.message_id = message_id
        self.params = params

    def message(self, lang: str = "zh") -> str:
        return t(self.message_id.value, lang, **{"subject": "", **self.params})

    @property
    def message_zh(self) -> str:
        return self.message("zh")

    @property
    def message_en(self) -> str:
        return self.message("en")


@dataclass(frozen=True)
class EngineRow:
    """One resolved target as the engine's kernel sees it (see docs/method.md).

    ``d`` is the desired direction on the judged scale (+1 up, −1 down); ``strict`` asks for > or <;
    ``tval`` the value to reach (NaN when it comes from data); ``centre``/``half`` the distance
    transform of about/band targets; ``from_baseline`` makes the value to reach baseline +
    ``offset`` (得到控制, maintain); ``margin`` the relative change a direction target needs (明显);
    ``ref_series`` a series the target compares with, ``ref_about`` "close to" that series.
    """

    family: int = REACH
    d: float = 1.0
    strict: bool = False
    tval: float = NAN
    centre: float = NAN
    half: float = NAN
    from_baseline: bool = False
    offset: float = 0.0
    margin: float = 0.0
    ref_series: str | None = None
    ref_about: bool = False


@dataclass(frozen=True)
class DemoLevel:
    """Where synthetic demo series start (2020) and which way they should move."""

    centre: float
    target: float = NAN
    sign: float = 0.0


def direction_sign(direction: str) -> float:
    return -1.0 if direction == "lower" else 1.0


def op_words(op: str, lang: str) -> str:
    return t(f"check_op_{_OP_KEYS[op]}", lang)


_OP_KEYS = {">=": "ge", ">": "gt", "<=": "le", "<": "lt", "==": "eq", "about": "about"}


def fmt(x: float) -> str:
    return f"{x:g}"


class CheckKind(BaseModel):
    """Base class of the target kinds; a subclass sets ``kind`` as a ``Literal`` field."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    # Order in which the registry offers a printed text to the kinds (lower first).
    priority: ClassVar[int] = 100
    # A kind judged by direction of change rather than by a value to reach.
    direction_only: ClassVar[bool] = False

    kind: str
    # Set by maintainers on explicit checks, shown instead of the generated words.
    note_zh: str | None = None
    note_en: str | None = None

    @classmethod
    def recognise(cls, text: str, direction: Direction, reference: str | None) -> CheckKind | None:
        """The check for a normalised printed text, or None when the text is not of this kind."""
        return None

    def words(self, lang: str, settings: CheckSettings) -> str:
        """The check in plain words (without the maintainer's note)."""
        raise NotImplementedError

    def describe(self, lang: str, settings: CheckSettings) -> str:
        """The maintainer's note if there is one, else :meth:`words`."""
        note = self.note_en if lang == "en" else self.note_zh
        return note or self.words(lang, settings)

    def engine_row(self, direction: str, settings: CheckSettings) -> EngineRow:
        raise NotImplementedError

    def referenced_series(self) -> str | None:
        """The code of the series this target is compared with (an indicator or context series), if any."""
        return None

    def judge_value(self, value: float, settings: CheckSettings) -> bool | None:
        """Whether one reached number meets this target; None when it needs a series or a baseline."""
        return None

    def ratio_terms(self) -> tuple[float, float] | None:
        """``(first, second)`` of a target printed as two terms (``2：3``); None for any other kind."""
        return None

    def demo_level(self, rng: np.random.Generator, percent: bool) -> DemoLevel | None:
        """A plausible 2020 level for demo data; None = choose by the indicator's unit."""
        return None

    @property
    def msg(self) -> Msg:  # pragma: no cover - convenience for callers that render later
        return Msg("check_kind_" + self.kind)
