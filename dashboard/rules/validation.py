"""pydantic's validation errors → our problems, in our words, at the YAML line they concern.

pydantic explains in English and in its own terms ("Input should be a valid string"); a maintainer
needs the file, the line, the field and what to write instead. Each pydantic error *type* maps to
one of our codes; the library's message never reaches a user.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..checks import KINDS
from ..messages import Code, Msg, Name, Problem
from .yaml_lines import LineDict, LineList, line_for

M = TypeVar("M", bound=BaseModel)

# pydantic error type → our message (params: where, value and the type's own context).
_BY_TYPE = {
    "string_type": Code.WRONG_TYPE_TEXT,
    "int_type": Code.WRONG_TYPE_INTEGER,
    "int_parsing": Code.WRONG_TYPE_INTEGER,
    "int_from_float": Code.WRONG_TYPE_INTEGER,
    "float_type": Code.WRONG_TYPE_NUMBER,
    "float_parsing": Code.WRONG_TYPE_NUMBER,
    "finite_number": Code.WRONG_TYPE_NUMBER,
    "bool_type": Code.WRONG_TYPE_BOOL,
    "bool_parsing": Code.WRONG_TYPE_BOOL,
    "literal_error": Code.WRONG_TYPE_CHOICE,
    "enum": Code.WRONG_TYPE_CHOICE,
    "string_pattern_mismatch": Code.WRONG_TYPE_PATTERN,
    "string_too_short": Code.WRONG_TYPE_EMPTY,
    "too_short": Code.WRONG_TYPE_TOO_SHORT,
    "string_too_long": Code.WRONG_TYPE_TOO_LONG,
    "too_long": Code.WRONG_TYPE_TOO_LONG,
    "greater_than_equal": Code.WRONG_TYPE_MIN,
    "greater_than": Code.WRONG_TYPE_MIN,
    "less_than_equal": Code.WRONG_TYPE_MAX,
    "less_than": Code.WRONG_TYPE_MAX,
    "dict_type": Code.WRONG_TYPE_MAPPING,
    "model_type": Code.WRONG_TYPE_MAPPING,
    "model_attributes_type": Code.WRONG_TYPE_MAPPING,
    "list_type": Code.WRONG_TYPE_LIST,
    "tuple_type": Code.WRONG_TYPE_LIST,
    "range_order": Code.WRONG_TYPE_RANGE_ORDER,
    "bound_order": Code.WRONG_TYPE_BOUND_ORDER,
    "ratio_first_zero": Code.BAD_TARGET_RATIO_ZERO,
}


def _shown(value: Any) -> str:
    """A value as the maintainer wrote it in YAML."""
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return f"“{value}”" if len(value) <= 80 else f"“{value[:77]}…”"
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    return type(value).__name__


def _choices(ctx: dict[str, Any]) -> list[str]:
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


# Words a field accepts besides the choices pydantic lists (``attribute: 约束性``): offered and
# guessed among, so ``约束`` gets "did you mean 约束性".
EXTRA_CHOICES = {"attribute": ["约束性", "预期性"]}


def _raw_at(data: Any, loc: tuple) -> str | None:
    """The unquoted source text of the value at ``loc`` (``2:3`` where YAML read 123), if known."""
    node = data
    for part in loc[:-1]:
        in_dict = isinstance(node, LineDict) and part in node
        in_list = isinstance(node, LineList) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
        elif not (isinstance(node, LineDict) and node.get("kind") == part):  # a union's tag, not a key
            return None
    return node.raw_of(loc[-1]) if isinstance(node, LineDict) and loc else None


def quote_hint(key: str, value: Any, raw: str | None) -> Msg | None:
    """ "Put it in quotes" for a number, date or true/false written where text is wanted."""
    if isinstance(value, (dict, list)) or value is None:
        return None
    written = raw if raw is not None else _shown(value)
    key_msg = "hint_quote_read_as" if raw is not None and raw != _shown(value) else "hint_quote"
    return Msg(key_msg, {"key": key, "raw": written, "read_as": _shown(value)})


def guess(text: str, choices: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The closest of ``choices`` to a mistyped ``text`` (never ``text`` itself), for "did you mean"."""
    pool = sorted({c for c in choices if c != text})
    hits = difflib.get_close_matches(text, pool, n=1, cutoff=cutoff)
    return hits[0] if hits else None


def pydantic_problems(
    exc: ValidationError,
    data: Any,
    shown: str,
    *,
    prefix: tuple = (),
    fallback: int | None = None,
    known_fields: Iterable[str] = (),
    subject: str | Msg = "",
) -> list[Problem]:
    """One problem per pydantic error, at the deepest line of ``data`` the error's location reaches.

    ``known_fields`` feed the "did you mean" of unknown keys; ``subject`` (an indicator code, say)
    is named in every message.
    """
    out = []
    known = list(known_fields)
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = line_for(data, loc) if data is not None else None
        kind = err["type"]
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            line = line_for(data, (*loc, "kind")) or line
        if line is None:
            line = fallback
        where = ".".join(str(p) for p in prefix + loc if not _is_tag(p))
        params: dict[str, Any] = {"where": where, "subject": _subject(subject)}
        if kind == "extra_forbidden":
            key = str(loc[-1])
            hit = guess(key, known)
            params |= {"key": key, "hint": did_you_mean(hit)}
            out.append(Problem(Code.UNKNOWN_KEY, params, file=shown, line=line))
            continue
        if kind == "missing":
            params["key"] = str(loc[-1])
            out.append(Problem(Code.MISSING_FIELD, params, file=shown, line=line))
            continue
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            tag = (err.get("ctx") or {}).get("tag", "")
            params |= {"value": _shown(tag), "choices": list(KINDS), "hint": did_you_mean(guess(str(tag), KINDS))}
            out.append(Problem(Code.BAD_CHECK, params, file=shown, line=line))
            continue
        ctx = err.get("ctx") or {}
        value = err.get("input")
        params["value"] = _shown(value)
        if value is None and loc and isinstance(loc[-1], str):
            # ``target:`` with nothing after it: YAML reads null, which is not "keep the default".
            params["key"] = loc[-1]
            out.append(Problem(empty_code(loc[-1]), params, file=shown, line=line))
            continue
        code = _BY_TYPE.get(kind, Code.WRONG_TYPE)
        if code is Code.WRONG_TYPE_TEXT:
            params["hint"] = quote_hint(str(loc[-1]) if loc else "", value, _raw_at(data, loc))
        if code is Code.WRONG_TYPE_CHOICE:
            choices = _choices(ctx) + EXTRA_CHOICES.get(str(loc[-1]) if loc else "", [])
            params |= {"choices": choices, "hint": did_you_mean(guess(str(value), choices, 0.3))}
        elif code is Code.WRONG_TYPE_PATTERN:
            params["pattern"] = ctx.get("pattern", "")
        elif code in (Code.WRONG_TYPE_MIN, Code.WRONG_TYPE_MAX):
            params["limit"] = next((ctx[k] for k in ("ge", "gt", "le", "lt") if k in ctx), "")
        elif code in (Code.WRONG_TYPE_TOO_SHORT, Code.WRONG_TYPE_TOO_LONG):
            params["limit"] = ctx.get("min_length", ctx.get("max_length", ""))
        elif code is Code.WRONG_TYPE_NUMBER and isinstance(value, str):
            params["hint"] = None
        out.append(Problem(code, params, file=shown, line=line))
    return out


def _is_tag(part: Any) -> bool:
    # Discriminated unions insert the tag (``threshold``) into the location; it is not a key.
    return isinstance(part, str) and part in KINDS


def _subject(subject: str | Msg) -> str | Msg:
    if isinstance(subject, Msg):
        return subject
    return f"{subject}：" if subject else ""


def empty_code(key: str) -> Code:
    """The problem of a key written with no value (``target:``): its own code for target and attribute."""
    return {"target": Code.EMPTY_VALUE_TARGET, "attribute": Code.EMPTY_VALUE_ATTRIBUTE}.get(key, Code.EMPTY_VALUE)


def empty_values(
    node: Any, shown: str, subject: str | Msg = "", prefix: tuple = (), keep: Iterable[str] = ()
) -> list[Problem]:
    """EMPTY_VALUE for every key of ``node`` written with nothing after it (YAML null), except ``keep``.

    An empty ``attribute:`` would otherwise mean "inherit", an empty ``target:`` "keep the default":
    a maintainer who left a value out must be told, not silently given another meaning.
    """
    if not isinstance(node, LineDict):
        return []
    keep = set(keep)
    return [
        Problem(
            empty_code(str(k)),
            {"key": str(k), "where": ".".join(str(p) for p in (*prefix, k)), "subject": _subject(subject)},
            file=shown,
            line=node.line_of(k),
        )
        for k, v in node.items()
        if v is None and k not in keep
    ]


def row_subject(code: str, item: Any = None, area: Name | None = None) -> Msg:
    """What a message about one indicator row starts with: ``W03 孕产妇死亡率：`` (``万州区 · `` before it
    in an area's file). The name is the row's own when it has one."""
    name_zh = item.get("name_zh") if isinstance(item, dict) else None
    name_en = item.get("name_en") if isinstance(item, dict) else None
    name = Name(f" {name_zh}" if name_zh else "", f" {name_en or name_zh}" if (name_en or name_zh) else "")
    params: dict[str, Any] = {"code": code, "name": name}
    if area is not None:
        return Msg("subject_area_indicator", params | {"area": area})
    return Msg("subject_indicator", params)


def area_subject(area: Name) -> Msg:
    """What a message about an area's file as a whole starts with: ``万州区：``."""
    return Msg("subject_area", {"area": area})


def did_you_mean(hit: str | None) -> Msg | None:
    return Msg("hint_did_you_mean", {"guess": hit}) if hit else None


def validate(
    model: type[M],
    data: Any,
    shown: str,
    problems: list[Problem],
    *,
    prefix: tuple = (),
    fallback: int | None = None,
    known_fields: Iterable[str] = (),
    subject: str | Msg = "",
) -> M | None:
    """``model.model_validate(data)``, or None with every error added to ``problems``."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(
            pydantic_problems(
                exc, data, shown, prefix=prefix, fallback=fallback, known_fields=known_fields, subject=subject
            )
        )
        return None


def not_a_mapping(data: Any, shown: str) -> Problem:
    return Problem(Code.WRONG_TYPE_FILE_MAPPING, file=shown, line=getattr(data, "line", 1))


def unknown_keys(data: LineDict, allowed: Iterable[str], shown: str) -> list[Problem]:
    """UNKNOWN_KEY for every top-level key of a file that is not in ``allowed``."""
    allowed = list(allowed)
    return [
        Problem(
            Code.UNKNOWN_KEY,
            {"key": str(k), "where": str(k), "subject": "", "hint": did_you_mean(guess(str(k), allowed))},
            file=shown,
            line=data.line_of(k),
        )
        for k in sorted(set(data) - set(allowed), key=str)
    ]


def item_line(items: Any, index: int) -> int | None:
    return items.line_of(index) if isinstance(items, LineList) else None
