"""What a target means next to its indicator: the slips that would change it without a word.

A target text parses, yet says something the row cannot mean: ``≤95`` on a higher-is-better
indicator, ``≥950`` on a percentage, ``≥95%`` on a count in 万人, a baseline of 920 on a rate.
Each is refused with its own code at the target's line. ``3：2`` where the direction implies
``2：3`` may be what a district printed: a warning, silenced by a ``note:`` saying why.

These checks read only a check's engine parameters (``engine_row``), so they know no target kind
by name (docs/architecture.md: adding a kind is adding one module).
"""

from __future__ import annotations

import math
from typing import Any

from ..checks import CheckKind, CheckSettings, normalise
from ..checks.base import direction_sign
from ..messages import Code, Msg, Name, Problem, warning
from ..messages.numbers import unit_label
from .ruleset import Indicator


def _range_text(lo: float | None, hi: float | None) -> str:
    a = "" if lo is None else f"{lo:g}"
    b = "" if hi is None else f"{hi:g}"
    return f"{a}–{b}" if b else f"≥{a}"


def unit_name(unit: str) -> Name:
    """A unit in both languages for a message (``1/10万`` / ``per 100,000``; none: ``—``)."""
    return Name(unit_label(unit, "zh") or "—", unit_label(unit, "en") or "—")


def _outside(value: float, lo: float | None, hi: float | None) -> bool:
    return (lo is not None and value < lo) or (hi is not None and value > hi)


def meaning_problems(
    check: CheckKind,
    text: str,
    *,
    direction: str,
    unit: str,
    valid_min: float | None,
    valid_max: float | None,
    settings: CheckSettings,
    shown: str,
    line: int | None,
    subject: Any,
    has_note: bool = False,
) -> list[Problem]:
    """Every way ``check`` (read from ``text``) contradicts the row's direction, unit or valid range."""
    out: list[Problem] = []
    where = {"subject": subject, "target": text}
    row = check.engine_row(direction, settings)
    # A target aimed at a centre (左右, a band, =X, "close to" a series) has no direction of its own.
    centred = not math.isnan(row.centre) or row.ref_about
    if direction in ("higher", "lower") and not centred and row.d != direction_sign(direction):
        out.append(
            Problem(
                Code.TARGET_DIRECTION,
                where
                | {
                    "direction": Msg(f"dir_{direction}"),
                    "wants": Msg("meaning_wants_higher" if row.d > 0 else "meaning_wants_lower"),
                },
                file=shown,
                line=line,
            )
        )
    if "%" in normalise(text) and unit != "%":
        out.append(Problem(Code.TARGET_UNIT_SIGN, where | {"unit": unit_name(unit)}, file=shown, line=line))
    if not math.isnan(row.tval) and _outside(row.tval, valid_min, valid_max):
        out.append(
            Problem(
                Code.TARGET_OUT_OF_RANGE,
                where | {"value": f"{row.tval:g}", "range": _range_text(valid_min, valid_max), "unit": unit_name(unit)},
                file=shown,
                line=line,
            )
        )
    ratio = check.ratio_terms()
    if ratio is not None and not has_note and direction in ("higher", "lower"):
        first, second = ratio
        # second/first is what is judged: "higher is better" with fewer of the second term than
        # the first (3：2 for 2：3) reads the printed order backwards.
        if (direction == "higher" and second < first) or (direction == "lower" and second > first):
            out.append(
                warning(
                    Code.RATIO_ORDER,
                    where | {"direction": Msg(f"dir_{direction}"), "swapped": f"{second:g}：{first:g}"},
                    file=shown,
                    line=line,
                )
            )
    return out


def baseline_problem(
    value: float | None,
    *,
    unit: str,
    valid_min: float | None,
    valid_max: float | None,
    shown: str,
    line: int | None,
    subject: Any,
) -> Problem | None:
    """A printed baseline outside the row's valid range (92.55 typed as 925.5)."""
    if value is None or not _outside(value, valid_min, valid_max):
        return None
    return Problem(
        Code.BASELINE_OUT_OF_RANGE,
        {
            "subject": subject,
            "value": f"{value:g}",
            "range": _range_text(valid_min, valid_max),
            "unit": unit_name(unit),
        },
        file=shown,
        line=line,
    )


def row_problems(
    ind: Indicator,
    *,
    settings: CheckSettings,
    shown: str,
    target_line: int | None,
    baseline_line: int | None,
    subject: Any,
    has_note: bool = False,
) -> list[Problem]:
    """Every slip of a whole indicator row as read: its target (:func:`meaning_problems`), then its
    printed baseline (:func:`baseline_problem`)."""
    found = meaning_problems(
        ind.check,
        ind.target_text,
        direction=ind.direction,
        unit=ind.unit,
        valid_min=ind.valid_min,
        valid_max=ind.valid_max,
        settings=settings,
        shown=shown,
        line=target_line,
        subject=subject,
        has_note=has_note,
    )
    bad_base = baseline_problem(
        ind.baseline,
        unit=ind.unit,
        valid_min=ind.valid_min,
        valid_max=ind.valid_max,
        shown=shown,
        line=baseline_line,
        subject=subject,
    )
    return found + ([bad_base] if bad_base is not None else [])
