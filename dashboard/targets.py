"""Target text → one typed check.

The plans print targets as free text (``<8``, ``≥82.3``, ``45左右``, ``逐年提高``, ``2：3``,
``趋于平衡``, ``不低于本地区党员总数中女性比例`` …). Each text is parsed once, at load time,
into a member of the ``Check`` discriminated union; the engine only ever sees these types.
A text that does not parse is an error — nothing passes silently.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

Direction = Literal["higher", "lower", "band"]
Op = Literal[">=", ">", "<=", "<", "=="]


class _Check(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    # Set by maintainers on explicit checks, shown next to the printed text.
    note_zh: str | None = None
    note_en: str | None = None


class Threshold(_Check):
    """A number to reach: ``≥94``, ``<8``, ``100``."""

    kind: Literal["threshold"] = "threshold"
    op: Op
    value: float


class About(_Check):
    """``45左右``: within ``tolerance`` (relative; None = settings) of ``value``."""

    kind: Literal["about"] = "about"
    value: float
    tolerance: float | None = None


class Ratio(_Check):
    """``2：3`` printed as first:second, judged on second/first (1.5 female places per male)."""

    kind: Literal["ratio"] = "ratio"
    first: float
    second: float
    op: Op = ">="

    @field_validator("first")
    @classmethod
    def _first_not_zero(cls, v):
        if v == 0:
            raise ValueError("the first term of a ratio cannot be 0")
        return v

    @property
    def value(self) -> float:
        return self.second / self.first


class Band(_Check):
    """``趋于平衡``: move into a normal band (None = the band from settings)."""

    kind: Literal["band"] = "band"
    low: float | None = None
    high: float | None = None


class RiseEveryYear(_Check):
    """``逐年提高``: no year may fall, and the value must end above the baseline."""

    kind: Literal["rise_every_year"] = "rise_every_year"


class Improve(_Check):
    """``提高``/``降低`` …: beyond the baseline by the deadline; ``significant`` = ``明显``."""

    kind: Literal["improve"] = "improve"
    direction: Literal["up", "down"]
    significant: bool = False


class Contain(_Check):
    """``得到控制``: not above the baseline."""

    kind: Literal["contain"] = "contain"


class Maintain(_Check):
    """Qualitative texts (``保持合理比例``) made explicit: not worse than baseline − tolerance."""

    kind: Literal["maintain"] = "maintain"
    tolerance: float = 0.0


class Reference(_Check):
    """Compared with another series in the same area and year (``不低于…``, ``与…相适应``)."""

    kind: Literal["reference"] = "reference"
    series: str
    op: Literal[">=", "<=", "about"] = ">="
    tolerance: float | None = None


Check = Annotated[
    Union[Threshold, About, Ratio, Band, RiseEveryYear, Improve, Contain, Maintain, Reference],
    Field(discriminator="kind"),
]

# Kinds whose check is "reach a value" (judged with the ratio R) vs. "move a direction" (CAGR).
DIRECTION_ONLY_KINDS = frozenset({"rise_every_year", "improve"})


class TargetParseError(ValueError):
    """Carries a bilingual explanation of why a target text is not understood."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


_NUMBER = r"[-+]?\d+(?:\.\d+)?"
_OPS = {"≥": ">=", "≧": ">=", ">=": ">=", "=>": ">=", ">": ">",
        "≤": "<=", "≦": "<=", "<=": "<=", "=<": "<=", "<": "<", "=": "==", "==": "=="}
_OP_RE = re.compile(rf"^(≥|≧|>=|=>|>|≤|≦|<=|=<|<|==|=)?\s*({_NUMBER})\s*(%|％)?$")
_ABOUT_RE = re.compile(rf"^({_NUMBER})\s*(%|％)?\s*左右$")
_RATIO_RE = re.compile(rf"^({_NUMBER})\s*:\s*({_NUMBER})$")

_RISE_EVERY_YEAR = {"逐年提高", "逐年提升", "逐年上升", "逐年增加"}
_UP_WORDS = {"提高", "提升", "逐步提高", "逐步提升", "增加", "巩固提高", "稳步提高", "持续提高", "上升", "增长"}
_DOWN_WORDS = {"下降", "降低", "减少", "逐步降低", "逐步下降", "持续降低", "持续下降"}
_SIGNIFICANT_DOWN = {"明显降低", "明显下降", "明显减少", "显著降低", "显著下降"}
_SIGNIFICANT_UP = {"明显提高", "明显提升", "显著提高"}
_CONTAIN = {"得到控制", "有效控制", "控制"}
_BALANCE = {"趋于平衡", "趋向平衡", "逐步趋于平衡"}
_QUALITATIVE = {"保持合理比例", "保持合理水平", "保持稳定"}


def normalise(text: str) -> str:
    """Full-width forms to ASCII (``＞98.5`` → ``>98.5``, ``２：３`` → ``2:3``), spaces removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def parse_target(text: str, direction: Direction, reference: str | None = None):
    """Parse a printed target into a typed check.

    ``direction`` gives bare numbers their meaning (``100`` on a higher-is-better indicator is
    ``≥100``; ``8`` on a lower-is-better one is ``<8``). ``reference`` names the series that a
    reference text (``不低于本地区党员总数中女性比例``) points to. Raises ``TargetParseError``.
    """
    t = normalise(text)
    if not t:
        raise TargetParseError("目标值为空", "the target is empty")

    m = _OP_RE.match(t)
    if m:
        op_text, number, _ = m.groups()
        value = float(number)
        if op_text:
            return Threshold(op=_OPS[op_text], value=value)
        if direction == "higher":
            return Threshold(op=">=", value=value)
        if direction == "lower":
            return Threshold(op="<", value=value)
        return About(value=value)

    m = _ABOUT_RE.match(t)
    if m:
        return About(value=float(m.group(1)))

    m = _RATIO_RE.match(t)
    if m:
        first, second = float(m.group(1)), float(m.group(2))
        if first == 0:
            raise TargetParseError("比例的前项不能为 0", "the first term of a ratio cannot be 0")
        op = {"higher": ">=", "lower": "<="}.get(direction)
        if op is None:
            raise TargetParseError(
                "比例目标需要指标方向为 higher 或 lower", "a ratio target needs direction higher or lower"
            )
        return Ratio(first=first, second=second, op=op)

    if t in _RISE_EVERY_YEAR:
        return RiseEveryYear()
    if t in _UP_WORDS:
        return Improve(direction="up")
    if t in _SIGNIFICANT_UP:
        return Improve(direction="up", significant=True)
    if t in _DOWN_WORDS:
        return Improve(direction="down")
    if t in _SIGNIFICANT_DOWN:
        return Improve(direction="down", significant=True)
    if t in _CONTAIN:
        return Contain()
    if t in _BALANCE:
        return Band()

    if t.startswith(("不低于", "不少于", "不高于", "不多于")) or (t.startswith("与") and t.endswith("相适应")):
        if not reference:
            raise TargetParseError(
                f"目标“{text}”引用了另一项数据，请用 reference: 写明所引用的指标或背景序列代码",
                f"target '{text}' refers to another series; name it with 'reference: CODE'",
            )
        if t.endswith("相适应"):
            return Reference(series=reference, op="about")
        op = ">=" if t.startswith(("不低于", "不少于")) else "<="
        return Reference(series=reference, op=op)

    if t in _QUALITATIVE:
        raise TargetParseError(
            f"“{text}”是定性目标，请在 check: 中写明如何判断（例如 kind: maintain, tolerance: 2）",
            f"'{text}' is qualitative; give an explicit 'check:' (e.g. kind: maintain, tolerance: 2)",
        )
    raise TargetParseError(
        f"无法识别目标“{text}”；可用形式见 docs/rules.md（如 ≥94、<8、45左右、提高、2：3），"
        "或用 check: 写明判断方法",
        f"target '{text}' is not understood; see docs/rules.md for the accepted forms "
        "(≥94, <8, 45左右, 提高, 2：3) or give an explicit 'check:'",
    )


_OP_WORDS_ZH = {">=": "不低于", ">": "高于", "<=": "不高于", "<": "低于", "==": "等于"}
_OP_WORDS_EN = {">=": "at least", ">": "above", "<=": "at most", "<": "below", "==": "equal to"}


def describe(check, lang: str = "zh", *, about_tolerance: float = 0.05,
             band: tuple[float, float] = (103.0, 107.0), significant_change: float = 0.1) -> str:
    """The typed check in plain words, for the indicator page and reports."""
    zh = lang != "en"
    note = check.note_zh if zh else check.note_en
    if note:
        return note
    k = check.kind
    if k == "threshold":
        v = f"{check.value:g}"
        return f"{_OP_WORDS_ZH[check.op]} {v}" if zh else f"{_OP_WORDS_EN[check.op]} {v}"
    if k == "about":
        tol = check.tolerance if check.tolerance is not None else about_tolerance
        lo, hi = check.value * (1 - tol), check.value * (1 + tol)
        return (f"在 {check.value:g} 左右（{lo:g}–{hi:g}）" if zh
                else f"about {check.value:g} ({lo:g}–{hi:g})")
    if k == "ratio":
        v = f"{check.value:.3g}"
        return (f"比例 {check.first:g}:{check.second:g}，即后项/前项 {_OP_WORDS_ZH[check.op]} {v}" if zh
                else f"ratio {check.first:g}:{check.second:g}, i.e. second/first {_OP_WORDS_EN[check.op]} {v}")
    if k == "band":
        lo = check.low if check.low is not None else band[0]
        hi = check.high if check.high is not None else band[1]
        return f"进入正常区间 {lo:g}–{hi:g}" if zh else f"within the normal band {lo:g}–{hi:g}"
    if k == "rise_every_year":
        return "每年都比上一年高，且高于基期值" if zh else "higher every year than the year before, and above baseline"
    if k == "improve":
        if check.significant:
            pct = f"{significant_change * 100:g}%"
            return (f"比基期值{'提高' if check.direction == 'up' else '降低'}至少 {pct}" if zh
                    else f"{'above' if check.direction == 'up' else 'below'} baseline by at least {pct}")
        if check.direction == "up":
            return "高于基期值" if zh else "above the baseline"
        return "低于基期值" if zh else "below the baseline"
    if k == "contain":
        return "不高于基期值" if zh else "not above the baseline"
    if k == "maintain":
        return (f"不低于基期值减 {check.tolerance:g}" if zh else f"not below the baseline minus {check.tolerance:g}")
    if k == "reference":
        words = {">=": ("不低于", "at least"), "<=": ("不高于", "at most"), "about": ("接近", "close to")}[check.op]
        return (f"{words[0]}同地区同年份的 {check.series}" if zh
                else f"{words[1]} {check.series} in the same area and year")
    return k
