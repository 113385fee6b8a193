"""The registry finds every kind from the modules of dashboard/checks; nothing else names them."""

import ast
from pathlib import Path

import pytest
from pydantic import TypeAdapter

from dashboard import checks
from dashboard.checks import KINDS, Check, TargetParseError, parse_target

ROOT = Path(checks.__file__).resolve().parent.parent


def test_every_module_defines_one_kind():
    modules = sorted(
        p.stem for p in Path(checks.__file__).parent.glob("*.py") if p.stem not in ("__init__", "base", "text")
    )
    assert sorted(cls.__module__.rsplit(".", 1)[1] for cls in KINDS.values()) == modules
    assert set(KINDS) == {
        "threshold",
        "about",
        "ratio",
        "band",
        "rise_every_year",
        "improve",
        "contain",
        "maintain",
        "reference",
    }


def test_check_union_validates_every_kind():
    adapter = TypeAdapter(Check)
    assert adapter.validate_python({"kind": "maintain", "tolerance": 2}).tolerance == 2
    with pytest.raises(Exception):  # noqa: B017 - any validation error: an unknown kind is refused
        adapter.validate_python({"kind": "hold"})


@pytest.mark.parametrize("text", ["大约五十", "好", "≥", ""])
def test_unreadable_texts_are_refused(text):
    with pytest.raises(TargetParseError) as err:
        parse_target(text, "higher")
    assert err.value.message_id.code == "BAD_TARGET" and err.value.message_zh and err.value.message_en


def test_no_kind_is_named_outside_its_module():
    """The engine, rules, demo and per-cell reference read only what the kinds provide: nothing compares
    a check's ``kind`` with a kind's name."""
    offenders = []
    for folder in ("engine", "rules", "demo", "bench", "intake", "store", "views", "reports", "charts"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Compare):
                    continue
                sides = [node.left, *node.comparators]
                reads_kind = any(isinstance(x, ast.Attribute) and x.attr == "kind" for x in sides)
                names_kind = any(isinstance(x, ast.Constant) and x.value in KINDS for x in sides)
                if reads_kind and names_kind:
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
