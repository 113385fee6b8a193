"""check-rules catches every maintainer mistake in rules/ and names file, line and error code.

Each test copies the shipped ``rules/`` into ``tmp_path`` (as ``rules_<case>``), makes ONE mistake
by editing text, then checks both ``dashboard.rules.load_rules`` and the command line
(``python -m dashboard check-rules --rules DIR``). Expected line numbers are computed by searching
the edited text, never hard-coded, so the tests survive edits to the shipped YAML.

The last section pins the precise lines of mistakes that an earlier loader reported vaguely or
not at all (cascading errors, typos inside ``check:``, empty files, …).
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from dashboard.checks import TargetParseError, parse_target
from dashboard.cli import main
from dashboard.rules import load_rules

PROJECT = Path(__file__).resolve().parent.parent
RULES = PROJECT / "rules"
DOC = PROJECT / "docs" / "rules.md"
W = "indicators/01_women.yaml"
C = "indicators/02_children.yaml"

# One CLI problem line: "rules_x/indicators/01_women.yaml:64: BAD_TARGET: 中文 / English"
PROBLEM_LINE = re.compile(r"^(?P<file>\S+?)(?::(?P<line>\d+))?: (?P<code>[A-Z_]+): (?P<msg>.*)$")


# ------------------------------------------------------------------------------------ helpers
def line_at(text: str, pos: int) -> int:
    """1-based line number of character ``pos`` in ``text``."""
    return text.count("\n", 0, pos) + 1


def line_of(text: str, needle: str) -> int:
    """1-based line of the only occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return line_at(text, text.index(needle))


@dataclass
class Copy:
    """A copy of rules/ under tmp_path, with helpers to break it."""

    root: Path
    lines: dict = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.root.name

    def shown(self, rel: str) -> str:
        """The file name as the loader prints it: relative to the rules directory's parent."""
        return str(Path(self.name) / rel)

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def edit(self, rel: str, old: str, new: str, mark: str | None = None) -> int:
        """Replace the only ``old`` in ``rel`` by ``new``; return the line of ``mark`` (a piece of
        ``new``; default its start) in the edited file."""
        text = self.text(rel)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        start = text.index(old)
        edited = text[:start] + new + text[start + len(old) :]
        (self.root / rel).write_text(edited, encoding="utf-8")
        offset = new.index(mark) if mark else 0
        return line_at(edited, start + offset)

    def write(self, rel: str, content: str | bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path


@pytest.fixture
def rules_copy(tmp_path, request):
    """A fresh copy of the shipped rules named ``rules_<test name>``."""
    name = "rules_" + re.sub(r"[^A-Za-z0-9_]+", "_", request.node.name)[:60]
    root = tmp_path / name
    shutil.copytree(RULES, root)
    return Copy(root)


def run_cli(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def cli_problems(out: str) -> list[tuple[str, int | None, str, str]]:
    found = []
    for raw in out.splitlines():
        m = PROBLEM_LINE.match(raw)
        if m:
            found.append((m["file"], int(m["line"]) if m["line"] else None, m["code"], m["msg"]))
    return found


def check_reported(
    capsys, copy: Copy, code: str, rel: str, line, *, also: set[str] = frozenset(), hint: str | None = None
):
    """Assert: the loader and check-rules report ``code`` at ``rel``:``line`` and exit 1.

    ``line`` is the expected line (None: a whole-file problem).
    ``also`` lists other codes that the same single mistake legitimately causes (e.g. a
    misspelt ``taget`` is also a missing ``target``); anything else is an unexpected problem.
    """
    shown = copy.shown(rel)
    rules = load_rules(copy.root)
    assert not rules.ok
    hits = [p for p in rules.problems if p.code == code]
    assert len(hits) == 1 and hits[0].file == shown, [p.format() for p in rules.problems]
    assert hits[0].line == line, [p.format() for p in rules.problems]
    line = hits[0].line
    assert {p.code for p in rules.problems} <= {code, *also}, [p.format() for p in rules.problems]
    if hint:
        assert hint in hits[0].message_en

    rc, out, err = run_cli(capsys, "check-rules", "--rules", str(copy.root))
    assert rc == 1
    printed = cli_problems(out)
    assert len(printed) == len(rules.problems)
    mine = [p for p in printed if p[2] == code]
    assert [(f, ln) for f, ln, _, _ in mine] == [(shown, line)]
    prefix = f"{shown}:{line}: {code}: " if line is not None else f"{shown}: {code}: "
    assert any(raw.startswith(prefix) for raw in out.splitlines()), out
    if hint:
        assert hint in mine[0][3]
    assert f"{len(rules.problems)} 个问题" in err
    return rules


# A valid district override (the example of docs/rules.md).
OVERRIDE = """\
# 万州区自己的规划目标
area: "500101"
source: 万州区妇女发展规划（2021－2030年）
targets:
  W03:
    target: "<10"
    attribute: binding
"""


# ------------------------------------------------------------------------- the shipped rules
def test_shipped_rules_pass(capsys):
    rules = load_rules(RULES)
    assert rules.ok, [p.format() for p in rules.problems]
    rc, out, _ = run_cli(capsys, "check-rules", "--rules", str(RULES))
    assert rc == 0
    assert out.startswith("OK: 90 项指标") and "90 indicators" in out


def test_shipped_rules_hold_every_row():
    rules = load_rules(RULES)
    w = [c for c, i in rules.indicators.items() if i.plan == "W"]
    c = [c for c, i in rules.indicators.items() if i.plan == "C"]
    assert len(w) == 49 and len(c) == 41

    lettered = {"W05": "ab", "W31": "ab", "W32": "ab", "C10": "abcd", "C13": "abc", "C15": "abc"}
    expected = set()
    for plan, last in (("W", 46), ("C", 34)):
        for n in range(1, last + 1):
            base = f"{plan}{n:02d}"
            expected |= {base + s for s in lettered[base]} if base in lettered else {base}
    assert set(w) | set(c) == expected
    # Rows keep the order of the printed table.
    assert [i.code for i in rules.indicators.values()][:6] == ["W01", "W02", "W03", "W04", "W05a", "W05b"]


@pytest.mark.parametrize(
    "code, text",
    [
        ("W03", "<8"),
        ("W12", "＞98.5"),
        ("W15", "45左右"),
        ("W41", "2：3"),
        ("W40", "趋于平衡"),
        ("W21", "不低于本地区党员总数中女性比例"),
        ("C10b", "<38"),
    ],
)
def test_printed_targets_are_kept_verbatim(code, text):
    rules = load_rules(RULES)
    assert rules.indicators[code].target_text == text
    assert rules.target_for("500116", code).target_text == text


def test_printed_targets_are_parsed():
    ind = load_rules(RULES).indicators
    assert (ind["W03"].check.kind, ind["W03"].check.op, ind["W03"].check.value) == ("threshold", "<", 8)
    assert (ind["W12"].check.op, ind["W12"].check.value) == (">", 98.5)
    assert (ind["W15"].check.kind, ind["W15"].check.value) == ("about", 45)
    assert (ind["W41"].check.kind, ind["W41"].check.value) == ("ratio", 1.5)
    assert ind["W40"].check.kind == "band"
    assert (ind["W21"].check.kind, ind["W21"].check.series, ind["W21"].check.op) == ("reference", "W20", ">=")
    assert (ind["W30"].check.kind, ind["W30"].check.op) == ("reference", "about")
    assert (ind["W20"].check.kind, ind["W20"].check.tolerance) == ("maintain", 2.0)


@pytest.mark.parametrize(
    "code, attribute",
    [
        ("C10b", "expected"),
        ("C10c", "expected"),
        ("C10d", "expected"),
        ("C15b", "expected"),
        ("C15c", "expected"),
    ],
)
def test_sub_rows_take_their_groups_attribute(code, attribute):
    assert "attribute:" not in _row_text(RULES / C, code)  # the row itself says nothing
    assert load_rules(RULES).indicators[code].attribute == attribute


def _row_text(path: Path, code: str) -> str:
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - code: {code}\n")
    nxt = text.find("\n  - code: ", start + 1)
    return text[start : nxt if nxt != -1 else len(text)]


# ------------------------------------------------------------------------------ target forms
# Every target form of docs/rules.md → (kind, op, value) it must parse to.
TARGET_FORMS = [
    ("≥94", "higher", ("threshold", ">=", 94)),
    (">=94", "higher", ("threshold", ">=", 94)),
    ("＞98.5", "higher", ("threshold", ">", 98.5)),
    (">98.5", "higher", ("threshold", ">", 98.5)),
    ("≤10", "lower", ("threshold", "<=", 10)),
    ("<8", "lower", ("threshold", "<", 8)),
    ("＜8", "lower", ("threshold", "<", 8)),
    ("=100", "higher", ("threshold", "==", 100)),
    ("≥95%", "higher", ("threshold", ">=", 95)),
    ("100", "higher", ("threshold", ">=", 100)),
    ("8", "lower", ("threshold", "<", 8)),
    ("105", "band", ("about", None, 105)),
    ("45左右", "higher", ("about", None, 45)),
    ("45%左右", "higher", ("about", None, 45)),
    ("2：3", "higher", ("ratio", ">=", 1.5)),
    ("2:3", "lower", ("ratio", "<=", 1.5)),
    ("逐年提高", "higher", ("rise_every_year", None, None)),
    ("提高", "higher", ("improve", None, None)),
    ("提升", "higher", ("improve", None, None)),
    ("逐步提高", "higher", ("improve", None, None)),
    ("增加", "higher", ("improve", None, None)),
    ("巩固提高", "higher", ("improve", None, None)),
    ("下降", "lower", ("improve", None, None)),
    ("降低", "lower", ("improve", None, None)),
    ("减少", "lower", ("improve", None, None)),
    ("明显降低", "lower", ("improve", None, None)),
    ("得到控制", "lower", ("contain", None, None)),
    ("趋于平衡", "band", ("band", None, None)),
]


@pytest.mark.parametrize("text, direction, expected", TARGET_FORMS, ids=[t[0] for t in TARGET_FORMS])
def test_target_forms_of_the_doc(text, direction, expected):
    check = parse_target(text, direction)
    kind, op, value = expected
    assert check.kind == kind
    if op is not None:
        assert check.op == op
    if value is not None:
        assert check.value == pytest.approx(value)
    if text in ("下降", "降低", "减少", "明显降低"):
        assert check.direction == "down"
        assert check.significant is (text == "明显降低")
    if kind == "improve" and text not in ("下降", "降低", "减少", "明显降低"):
        assert check.direction == "up"


def test_reference_forms_need_reference():
    assert parse_target("不低于本地区党员总数中女性比例", "higher", "W20").op == ">="
    assert parse_target("不高于全市平均水平", "lower", "CTX_X").op == "<="
    assert parse_target("与女职工比例相适应", "higher", "CTX_FEMALE_WORKERS").op == "about"
    with pytest.raises(TargetParseError):
        parse_target("不低于本地区党员总数中女性比例", "higher")
    with pytest.raises(TargetParseError):
        parse_target("保持合理比例", "higher")
    with pytest.raises(TargetParseError):
        parse_target("大约五十", "higher")


# ------------------------------------------------------------------------ one mistake per test
def test_yaml_syntax_bad_indentation(rules_copy, capsys):
    line = rules_copy.edit(W, "    name_zh: 孕产妇死亡率\n", "     name_zh: 孕产妇死亡率\n")
    check_reported(capsys, rules_copy, "YAML_SYNTAX", W, line)


def test_yaml_syntax_unclosed_quote(rules_copy, capsys):
    line = rules_copy.edit(C, '    target: "<1.5"\n', '    target: "<1.5\n')
    rules = load_rules(rules_copy.root)
    [p] = rules.problems
    assert (p.code, p.file) == ("YAML_SYNTAX", rules_copy.shown(C))
    # PyYAML notices an unclosed quote where the string runs into the next key, not on the line itself.
    assert p.line is not None and p.line >= line


def test_duplicate_key(rules_copy, capsys):
    line = rules_copy.edit(W, '    target: "<8"\n', '    target: "<8"\n    target: "<9"\n', mark='    target: "<9"')
    rules = check_reported(capsys, rules_copy, "DUPLICATE_KEY", W, line)
    assert f"first on line {line - 1}" in rules.problems[0].message_en


def test_unknown_key_taget_suggests_target(rules_copy, capsys):
    line = rules_copy.edit(W, '    target: "<8"', '    taget: "<8"')
    check_reported(capsys, rules_copy, "UNKNOWN_KEY", W, line, also={"MISSING_FIELD"}, hint="did you mean 'target'")


def test_unknown_key_in_settings(rules_copy, capsys):
    line = rules_copy.edit("settings.yaml", "about_tolerance: 0.05", "about_tolerence: 0.05")
    check_reported(capsys, rules_copy, "UNKNOWN_KEY", "settings.yaml", line, hint="did you mean 'about_tolerance'")


def test_unknown_key_in_areas(rules_copy, capsys):
    line = rules_copy.edit("areas.yaml", "    aliases: [万州]", "    alias: [万州]")
    check_reported(capsys, rules_copy, "UNKNOWN_KEY", "areas.yaml", line, hint="did you mean 'aliases'")


def test_missing_field_name_en(rules_copy, capsys):
    row = "  - code: W03\n    domain: health\n    number: 3\n    name_zh: 孕产妇死亡率\n"
    rules_copy.edit(W, row + "    name_en: Maternal mortality ratio\n", row)
    line = line_of(rules_copy.text(W), "  - code: W03\n")  # a missing key is reported on its row
    rules = check_reported(capsys, rules_copy, "MISSING_FIELD", W, line)
    assert "name_en" in rules.problems[0].message_en


def test_wrong_type_number(rules_copy, capsys):
    line = rules_copy.edit(
        W, "    domain: health\n    number: 3\n", '    domain: health\n    number: "abc"\n', mark="    number"
    )
    check_reported(capsys, rules_copy, "WRONG_TYPE", W, line)


def test_bad_attribute_value(rules_copy, capsys):
    line = rules_copy.edit(
        W,
        '    target: "<8"\n    attribute: binding\n',
        '    target: "<8"\n    attribute: mandatory\n',
        mark="    attribute",
    )
    rules = check_reported(capsys, rules_copy, "WRONG_TYPE", W, line)
    p = rules.problems[0]
    assert "binding, expected" in p.message_en and "Input should" not in p.message_en


def test_duplicate_indicator_code(rules_copy, capsys):
    line = rules_copy.edit(W, "  - code: W04\n", "  - code: W03\n")
    rules = check_reported(capsys, rules_copy, "DUPLICATE_CODE", W, line)
    first = line_of(rules_copy.text(W), "  - code: W03\n    domain: health\n    number: 3\n")
    assert f"{rules_copy.shown(W)}:{first}" in rules.problems[0].message_en


def test_duplicate_plan_code(rules_copy, capsys):
    rules_copy.write("indicators/03_copy.yaml", rules_copy.text(W))
    line = line_of(rules_copy.text("indicators/03_copy.yaml"), "  code: W\n")
    check_reported(capsys, rules_copy, "DUPLICATE_CODE", "indicators/03_copy.yaml", line)


def test_duplicate_area_code(rules_copy, capsys):
    line = rules_copy.edit("areas.yaml", '  - code: "500102"', '  - code: "500101"')
    check_reported(capsys, rules_copy, "DUPLICATE_CODE", "areas.yaml", line)


def test_bad_code_prefix(rules_copy, capsys):
    line = rules_copy.edit(C, "  - code: C01\n", "  - code: X01\n")
    check_reported(capsys, rules_copy, "BAD_CODE", C, line)


def test_unparsable_target(rules_copy, capsys):
    line = rules_copy.edit(W, '    target: "<8"', '    target: "大约五十"')
    rules = check_reported(capsys, rules_copy, "BAD_TARGET", W, line)
    assert "docs/rules.md" in rules.problems[0].message_en


def test_qualitative_target_without_check(rules_copy, capsys):
    # W24 is referred to by nothing, so removing its check causes exactly one problem.
    old = (
        "    target: 保持合理比例\n    attribute: expected\n    baseline: 100\n"
        '    baseline_note: "镇（街道）党政领导班子女干部配备率达100%"\n'
        "    check:\n      kind: maintain\n      tolerance: 2.0\n"
        "      note_zh: 不低于基期值减2个百分点\n"
        "      note_en: not below the baseline minus 2 percentage points\n"
    )
    new = old[: old.index("    check:\n")]
    line = rules_copy.edit(W, old, new)
    rules = check_reported(capsys, rules_copy, "BAD_TARGET", W, line)
    assert "check:" in rules.problems[0].message_en


def test_reference_without_reference_key(rules_copy, capsys):
    rules_copy.edit(W, "    attribute: expected\n    reference: W20\n", "    attribute: expected\n")
    line = line_of(rules_copy.text(W), "    target: 不低于本地区党员总数中女性比例")
    check_reported(capsys, rules_copy, "BAD_TARGET", W, line)


def test_unknown_reference(rules_copy, capsys):
    line = rules_copy.edit(W, "    reference: W20\n", "    reference: W99\n")
    check_reported(capsys, rules_copy, "UNKNOWN_REFERENCE", W, line)


def test_bad_check_kind(rules_copy, capsys):
    # W24's check, so that no other row is affected. The problem is reported on the "kind:" line.
    old = "    baseline: 100\n"
    rules_copy.edit(
        W,
        old + '    baseline_note: "镇（街道）党政领导班子女干部配备率达100%"\n    check:\n      kind: maintain\n',
        old + '    baseline_note: "镇（街道）党政领导班子女干部配备率达100%"\n    check:\n      kind: maintian\n',
    )
    check_line = line_of(rules_copy.text(W), "    check:\n      kind: maintian")
    rules = check_reported(capsys, rules_copy, "BAD_CHECK", W, check_line + 1)  # the kind: line
    assert "maintian" in rules.problems[0].message_en


def test_unknown_domain(rules_copy, capsys):
    line = rules_copy.edit(W, "    domain: health\n    number: 3\n", "    domain: healht\n    number: 3\n")
    check_reported(capsys, rules_copy, "UNKNOWN_DOMAIN", W, line, hint="did you mean 'health'")


def test_unknown_parent_area(rules_copy, capsys):
    line = rules_copy.edit(
        "areas.yaml",
        '    name_en: Wanzhou District\n    parent: "500000"\n',
        '    name_en: Wanzhou District\n    parent: "599999"\n',
        mark="    parent",
    )
    check_reported(capsys, rules_copy, "UNKNOWN_AREA", "areas.yaml", line)


def test_unknown_plan_area(rules_copy, capsys):
    line = rules_copy.edit(W, '  area: "500116"\n', '  area: "500999"\n')
    check_reported(capsys, rules_copy, "UNKNOWN_AREA", W, line)


def test_area_tree_two_roots(rules_copy, capsys):
    rules_copy.edit(
        "areas.yaml", '    name_en: Wanzhou District\n    parent: "500000"\n', "    name_en: Wanzhou District\n"
    )
    root_line = line_of(rules_copy.text("areas.yaml"), '  - code: "500101"')
    check_reported(capsys, rules_copy, "AREA_TREE", "areas.yaml", root_line)  # the extra root


def test_missing_areas_file(rules_copy, capsys):
    (rules_copy.root / "areas.yaml").unlink()
    check_reported(capsys, rules_copy, "MISSING_FILE", "areas.yaml", None)


def test_missing_indicator_files(rules_copy, capsys):
    shutil.rmtree(rules_copy.root / "indicators")
    check_reported(capsys, rules_copy, "MISSING_FILE", "indicators", None)


def test_file_too_large(rules_copy, capsys):
    path = rules_copy.root / W
    path.write_text(path.read_text(encoding="utf-8") + "# " + "x" * 1_000_100 + "\n", encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    rules = check_reported(capsys, rules_copy, "FILE_TOO_LARGE", W, None)
    assert "W03" not in rules.indicators  # the file was not read at all


def test_alias_bomb_refused(rules_copy, capsys):
    # 30 nested levels, each doubling the one before: 60 aliases, 2**30 leaves if expanded.
    lines = ["area: &a0 [lol, lol]"]
    lines += [f"l{i}: &a{i} [*a{i - 1}, *a{i - 1}]" for i in range(1, 31)]
    rules_copy.write("overrides/bomb.yaml", "\n".join(lines) + "\n")
    check_reported(capsys, rules_copy, "YAML_REFUSED", "overrides/bomb.yaml", None)


def test_not_utf8(rules_copy, capsys):
    path = rules_copy.root / W
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("gbk"))
    first_chinese = line_at(text, re.search(r"[^\x00-\x7f]", text).start())
    check_reported(capsys, rules_copy, "ENCODING", W, first_chinese)  # the first line that is not UTF-8


def test_utf8_with_bom_is_fine(rules_copy):
    path = rules_copy.root / W
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert load_rules(rules_copy.root).ok


# -------------------------------------------------------------------------------- overrides
def test_override_unknown_indicator(rules_copy, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE + '  W99:\n    target: "<1"\n')
    line = line_of(rules_copy.text("overrides/wanzhou.yaml"), "  W99:")
    check_reported(capsys, rules_copy, "UNKNOWN_INDICATOR", "overrides/wanzhou.yaml", line)


def test_override_unknown_area(rules_copy, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE.replace('area: "500101"', 'area: "500191"'))
    line = line_of(rules_copy.text("overrides/wanzhou.yaml"), 'area: "500191"')
    check_reported(capsys, rules_copy, "UNKNOWN_AREA", "overrides/wanzhou.yaml", line)


def test_override_bad_attribute(rules_copy, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE.replace("attribute: binding", "attribute: mandatory"))
    line = line_of(rules_copy.text("overrides/wanzhou.yaml"), "attribute: mandatory")
    check_reported(capsys, rules_copy, "WRONG_TYPE", "overrides/wanzhou.yaml", line)


def test_override_unknown_key(rules_copy, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE.replace('    target: "<10"', '    taget: "<10"'))
    line = line_of(rules_copy.text("overrides/wanzhou.yaml"), "taget")
    check_reported(capsys, rules_copy, "UNKNOWN_KEY", "overrides/wanzhou.yaml", line, hint="did you mean 'target'")


def test_override_bad_target(rules_copy, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE.replace('"<10"', "大约十"))
    line = line_of(rules_copy.text("overrides/wanzhou.yaml"), "大约十")
    check_reported(capsys, rules_copy, "BAD_TARGET", "overrides/wanzhou.yaml", line)


def test_override_two_files_for_one_area(rules_copy, capsys):
    rules_copy.write("overrides/a.yaml", OVERRIDE)
    rules_copy.write("overrides/b.yaml", OVERRIDE)
    line = line_of(OVERRIDE, 'area: "500101"')
    check_reported(capsys, rules_copy, "DUPLICATE_CODE", "overrides/b.yaml", line)


def test_valid_override_changes_only_that_area(rules_copy, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE + "  W15:\n    target: 50左右\n    attribute: 约束性\n")
    rules = load_rules(rules_copy.root)
    assert rules.ok, [p.format() for p in rules.problems]
    own = rules.target_for("500101", "W03")
    assert (own.target_text, own.source, own.attribute) == ("<10", "override", "binding")
    assert own.source_file == rules_copy.shown("overrides/wanzhou.yaml")
    assert (own.check.op, own.check.value) == ("<", 10)
    assert rules.target_for("500101", "W15").attribute == "binding"  # 约束性 accepted
    assert rules.target_for("500101", "W15").check.value == 50
    # Other areas and other indicators keep the plan's target.
    for area, code in (("500102", "W03"), ("500116", "W03"), ("500000", "W03"), ("500101", "W04")):
        t = rules.target_for(area, code)
        assert t.source == "default" and t.target_text == rules.indicators[code].target_text
    assert rules.indicators["W03"].target_text == "<8"

    rc, out, _ = run_cli(capsys, "check-rules", "--rules", str(rules_copy.root))
    assert rc == 0 and "1 个地区覆盖文件（2 项目标）" in out and "override files: 1 (targets in them: 2)" in out

    rc, out, _ = run_cli(capsys, "indicators", "--area", "万州区", "--rules", str(rules_copy.root))
    assert rc == 0
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 90
    assert (rows["W03"]["target_text"], rows["W03"]["target_source"]) == ("<10", "override")
    assert rows["W15"]["target_source"] == "override"
    assert {c for c, r in rows.items() if r["target_source"] == "override"} == {"W03", "W15"}
    assert rows["W04"]["target_source"] == "default"

    rc, out, _ = run_cli(capsys, "indicators", "--area", "涪陵区", "--rules", str(rules_copy.root))
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(out))}
    assert (rows["W03"]["target_text"], rows["W03"]["target_source"]) == ("<8", "default")


def test_override_reference_and_check(rules_copy):
    rules_copy.write(
        "overrides/wanzhou.yaml",
        OVERRIDE
        + (
            "  W21:\n    target: 不低于本地区党员总数中女性比例\n    reference: W20\n"
            "  W22:\n    target: 保持合理比例\n    check: {kind: maintain, tolerance: 1}\n"
            "  W04:\n    attribute: binding\n"
        ),
    )
    rules = load_rules(rules_copy.root)
    assert rules.ok, [p.format() for p in rules.problems]
    assert rules.target_for("500101", "W21").check.series == "W20"
    assert rules.target_for("500101", "W22").check.kind == "maintain"
    w04 = rules.target_for("500101", "W04")  # attribute only: target text and check stay
    assert (w04.target_text, w04.check.kind, w04.attribute) == ("≥94", "threshold", "binding")


def test_examples_of_the_doc_pass(rules_copy, capsys):
    """Every ```yaml block of docs/rules.md whose first line is "# rules/overrides/…" is valid."""
    if not DOC.exists():
        pytest.skip("docs/rules.md not written yet")
    blocks = re.findall(r"```yaml\n(# rules/overrides/(\S+)\n.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks, "docs/rules.md shows no override example"
    for body, name in blocks:
        rules_copy.write(f"overrides/{name}", body)
    rc, out, _ = run_cli(capsys, "check-rules", "--rules", str(rules_copy.root))
    assert rc == 0, out


# ------------------------------------------------------------------------- several mistakes
def test_every_mistake_is_reported(rules_copy, capsys):
    expected = {
        (
            "UNKNOWN_DOMAIN",
            W,
            rules_copy.edit(W, "    domain: health\n    number: 4\n", "    domain: helth\n    number: 4\n"),
        ),
        ("BAD_TARGET", W, rules_copy.edit(W, '    target: "≥70"\n', '    target: "七成"\n')),
        (
            "DUPLICATE_KEY",
            W,
            rules_copy.edit(
                W, '    target: "≥98"\n', '    target: "≥98"\n    target: "≥97"\n', mark='    target: "≥97"'
            ),
        ),
        ("WRONG_TYPE", C, rules_copy.edit(C, "    number: 1\n", "    number: one\n")),
        (
            "UNKNOWN_REFERENCE",
            W,
            rules_copy.edit(W, "    reference: CTX_FEMALE_WORKERS\n", "    reference: CTX_FEMALE_WORKER\n"),
        ),
        ("UNKNOWN_KEY", "areas.yaml", rules_copy.edit("areas.yaml", "    aliases: [涪陵]", "    alias: [涪陵]")),
        (
            "UNKNOWN_KEY",
            "settings.yaml",
            rules_copy.edit("settings.yaml", "significant_change: 0.10", "significant_chang: 0.10"),
        ),
    }
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE + '  W3:\n    target: "<9"\n')
    expected.add(
        ("UNKNOWN_INDICATOR", "overrides/wanzhou.yaml", line_of(rules_copy.text("overrides/wanzhou.yaml"), "  W3:"))
    )
    expected = {(code, rules_copy.shown(rel), line) for code, rel, line in expected}

    rules = load_rules(rules_copy.root)
    assert {(p.code, p.file, p.line) for p in rules.problems} == expected
    assert len(rules.problems) == 8

    rc, out, err = run_cli(capsys, "check-rules", "--rules", str(rules_copy.root))
    assert rc == 1
    assert {(code, f, ln) for f, ln, code, _ in cli_problems(out)} == expected
    assert len(cli_problems(out)) == 8
    assert "8 个问题" in err and "8 problems" in err


# ------------------------------------------------------------------ loader precision (were bugs, fixed)
def test_broken_row_does_not_cascade_to_its_references(rules_copy):
    rules_copy.edit(
        W,
        "    check:\n      kind: maintain\n      tolerance: 2.0\n"
        "      note_zh: 不低于基期值减2个百分点\n"
        "      note_en: not below the baseline minus 2 percentage points\n  - code: W21\n",
        "  - code: W21\n",
    )
    rules = load_rules(rules_copy.root)
    assert [p.code for p in rules.problems] == ["BAD_TARGET"], [p.format() for p in rules.problems]


def test_broken_row_does_not_cascade_to_overrides(rules_copy):
    rules_copy.edit(W, '    target: "<8"', '    target: "大约五十"')
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE)
    rules = load_rules(rules_copy.root)
    assert [p.code for p in rules.problems] == ["BAD_TARGET"], [p.format() for p in rules.problems]


def test_broken_area_does_not_cascade_to_overrides(rules_copy):
    rules_copy.edit("areas.yaml", "    aliases: [万州]", "    alias: [万州]")
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE)
    rules = load_rules(rules_copy.root)
    assert [p.code for p in rules.problems] == ["UNKNOWN_KEY"], [p.format() for p in rules.problems]


def test_typo_inside_check_has_its_own_line(rules_copy):
    line = rules_copy.edit(
        W,
        "    baseline: 100\n" + '    baseline_note: "镇（街道）党政领导班子女干部配备率达100%"\n'
        "    check:\n      kind: maintain\n      tolerance: 2.0\n",
        "    baseline: 100\n" + '    baseline_note: "镇（街道）党政领导班子女干部配备率达100%"\n'
        "    check:\n      kind: maintain\n      tolerence: 2.0\n",
        mark="      tolerence",
    )
    rules = load_rules(rules_copy.root)
    [p] = rules.problems
    assert (p.code, p.line) == ("UNKNOWN_KEY", line)


def test_bad_check_kind_points_at_kind(rules_copy):
    old = '    baseline_note: "镇（街道）党政领导班子女干部配备率达100%"\n    check:\n      kind: maintain\n'
    line = rules_copy.edit(W, old, old.replace("kind: maintain", "kind: maintian"), mark="      kind")
    rules = load_rules(rules_copy.root)
    [p] = rules.problems
    assert (p.code, p.line) == ("BAD_CHECK", line)


def test_empty_areas_file_is_an_error(rules_copy):
    rules_copy.write("areas.yaml", "# 全部被误删\n")
    rules = load_rules(rules_copy.root)
    assert not rules.ok
    assert rules.problems[0].file == rules_copy.shown("areas.yaml")


def test_empty_indicator_file_is_an_error(rules_copy):
    rules_copy.write(W, "")
    rules = load_rules(rules_copy.root)
    assert not rules.ok
    assert rules.problems[0].file == rules_copy.shown(W)


def test_explicit_reference_check_to_unknown_series(rules_copy):
    line = rules_copy.edit(
        W, "    reference: W20\n", "    check:\n      kind: reference\n      series: W99\n", mark="      series"
    )
    rules = load_rules(rules_copy.root)
    assert [(p.code, p.line) for p in rules.problems] in (
        [("UNKNOWN_REFERENCE", line)],
        [("UNKNOWN_REFERENCE", line - 2)],
    )


def test_explicit_ratio_with_zero_first_term(rules_copy):
    rules_copy.edit(W, '    target: "2：3"\n', '    target: "2：3"\n    check: {kind: ratio, first: 0, second: 3}\n')
    assert not load_rules(rules_copy.root).ok


def test_area_tree_points_at_the_extra_root(rules_copy):
    rules_copy.edit(
        "areas.yaml", '    name_en: Wanzhou District\n    parent: "500000"\n', "    name_en: Wanzhou District\n"
    )
    line = line_of(rules_copy.text("areas.yaml"), '  - code: "500101"')
    [p] = load_rules(rules_copy.root).problems
    assert (p.code, p.line) == ("AREA_TREE", line)


def test_encoding_error_points_at_the_bad_line(rules_copy):
    path = rules_copy.root / W
    text = path.read_text(encoding="utf-8")
    bad = "    name_zh: 孕产妇死亡率\n"
    at = text.index(bad)  # one line pasted from a GBK editor into an otherwise UTF-8 file
    path.write_bytes(text[:at].encode("utf-8") + bad.encode("gbk") + text[at + len(bad) :].encode("utf-8"))
    [p] = load_rules(rules_copy.root).problems
    assert (p.code, p.line) == ("ENCODING", line_of(text, bad))


def test_override_unknown_reference_line(rules_copy):
    rules_copy.write(
        "overrides/wanzhou.yaml", OVERRIDE + "  W21:\n    target: 不低于本地区党员总数中女性比例\n    reference: W98\n"
    )
    line = line_of(rules_copy.text("overrides/wanzhou.yaml"), "reference: W98")
    [p] = load_rules(rules_copy.root).problems
    assert (p.code, p.line) == ("UNKNOWN_REFERENCE", line)


def test_row_that_is_not_a_mapping_has_a_line(rules_copy):
    line = rules_copy.edit(W, "  - code: W03\n", "  - W03x\n  - code: W03\n")
    [p] = load_rules(rules_copy.root).problems
    assert (p.code, p.line) == ("WRONG_TYPE", line)


def test_domain_typo_does_not_hide_row_mistakes(rules_copy):
    rules_copy.edit(W, "    name_en: Women and the Law\n", "    name_en: Women and the Law\n    nmae: x\n")
    row = rules_copy.edit(W, '    target: "<8"', '    taget: "<8"')
    rules = load_rules(rules_copy.root)
    assert ("UNKNOWN_KEY", row) in {(p.code, p.line) for p in rules.problems}
