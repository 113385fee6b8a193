"""A corpus of broken rule sets: one slip each, none accepted in silence (issue 13).

Every case copies the shipped ``rules/``, makes ONE slip a maintainer entering a district's plan
makes (or that changes what a target means), and checks that ``load_rules`` and
``python -m dashboard check-rules`` report it with the expected code at the expected file and line
— an error (exit 1) or, for a doubtful but possible entry, a printed warning (exit 0). Lines are
found by searching the edited text, never hard-coded. No message may carry a library's English.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dashboard.cli import main
from dashboard.rules import load_rules

PROJECT = Path(__file__).resolve().parent.parent
RULES = PROJECT / "rules"
W = "indicators/01_women.yaml"
C = "indicators/02_children.yaml"
PROBLEM_LINE = re.compile(r"^(?P<file>\S+?)(?::(?P<line>\d+))?: (?P<code>[A-Z_]+): (?P<msg>.*)$")
# Words of pydantic's and PyYAML's own messages: none may reach a maintainer.
LIBRARY_ENGLISH = ("Input should", "valid dictionary", "instance of", "pydantic", "Field required", "mapping values")

OVERRIDE = """\
# 万州区自己的规划目标
area: "500101"
source: 万州区妇女发展规划（2021－2030年）
targets:
  W03:
    target: "<10"
    attribute: binding
"""

# An indicator 万州区's plan adds (appended after OVERRIDE's targets:).
ADDED = """\
added:
  - code: W47
    domain: health
    number: 47
    name_zh: 农村妇女“两癌”检查覆盖率
    name_en: Coverage of cervical and breast cancer screening of rural women
    unit: "%"
    direction: higher
    target: "≥80"
    attribute: expected
"""

# A previous plan period of two rows (synthetic, as in tests/test_plan_periods.py).
OLD_PLAN = """\
plan: {{code: W, name_zh: 测试用规划, name_en: Test plan, source: tests, area: "500116", baseline_year: 2010, target_year: 2020}}
domains:
  - {{code: health, name_zh: 妇女与健康, name_en: Women and Health}}
indicators:
  - {{code: W03, domain: health, number: 1, name_zh: 孕产妇死亡率, name_en: Maternal mortality ratio, unit: "{unit}", direction: lower, target: "<15", attribute: binding}}
"""


def period(folder: str, years: tuple[int, int] = (2011, 2020), unit: str = "1/10万") -> Callable[[Rules], None]:
    start, end = years

    def make(r: Rules) -> None:
        r.write(
            f"periods/{folder}/period.yaml",
            f"name_zh: 测试用规划\nname_en: Test plan\nsource: tests\nstart: {start}\nend: {end}\n"
            f"baseline_year: {start - 1}\ntarget_year: {end}\n",
        )
        r.write(f"periods/{folder}/indicators/01_women.yaml", OLD_PLAN.format(unit=unit))

    return make


@dataclass
class Rules:
    """A copy of the shipped rules to break."""

    root: Path

    def text(self, rel: str) -> str:
        return (self.root / rel).read_text(encoding="utf-8")

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def edit(self, rel: str, old: str, new: str) -> None:
        text = self.text(rel)
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {rel}"
        self.write(rel, text.replace(old, new))

    def line(self, rel: str, needle: str) -> int:
        text = self.text(rel)
        assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times in {rel}"
        return text[: text.index(needle)].count("\n") + 1


@dataclass
class Slip:
    """One slip: how to make it, and what must be reported (code, file, the text on the reported line)."""

    name: str
    make: Callable[[Rules], None]
    code: str
    file: str
    at: str | None  # the reported line is the one holding this text (unique in the file); None: no line
    says: tuple[str, ...] = ()  # words the message must hold (in either language)
    warning: bool = False
    also: frozenset[str] = frozenset()  # other codes the same slip legitimately causes
    below: int = 0  # the reported line is this many lines below ``at``


def override(text: str, name: str = "overrides/wanzhou.yaml") -> Callable[[Rules], None]:
    return lambda r: r.write(name, text)


def entry(body: str, name: str = "overrides/wanzhou.yaml") -> Callable[[Rules], None]:
    """The valid override above plus one more entry."""
    return override(OVERRIDE + body, name)


def edit(rel: str, old: str, new: str) -> Callable[[Rules], None]:
    return lambda r: r.edit(rel, old, new)


def both(*steps: Callable[[Rules], None]) -> Callable[[Rules], None]:
    def run(r: Rules) -> None:
        for step in steps:
            step(r)

    return run


SLIPS = [
    # ---- the override file concerns another area than it says
    Slip(
        "area_of_another_district",
        override(OVERRIDE.replace('area: "500101"', 'area: "500102"')),
        "AREA_MISMATCH",
        "overrides/wanzhou.yaml",
        'area: "500102"',
        ("Wanzhou District", "Fuling District"),
        also=frozenset({"AREA_MISMATCH"}),  # its source names 万州区 too
    ),
    Slip(
        "source_names_another_district",
        override(OVERRIDE.replace("source: 万州区", "source: 涪陵区"), "overrides/500101.yaml"),
        "AREA_MISMATCH",
        "overrides/500101.yaml",
        "source: 涪陵区",
        ("涪陵区", "Wanzhou District"),
    ),
    Slip(
        "area_name_instead_of_code",
        override(
            OVERRIDE.replace('area: "500101"', "area: 綦江区").replace("万州区", "綦江区"), "overrides/qijiang.yaml"
        ),
        "UNKNOWN_AREA",
        "overrides/qijiang.yaml",
        "area: 綦江区",
        ('area: "500110"',),
    ),
    Slip(
        "area_code_unquoted",
        override(OVERRIDE.replace('area: "500101"', "area: 500101")),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "area: 500101",
        ('area: "500101"', "quotes"),
    ),
    Slip(
        "second_file_for_one_area",
        both(override(OVERRIDE, "overrides/500101.yaml"), override(OVERRIDE, "overrides/wanzhou.yaml")),
        "DUPLICATE_CODE",
        "overrides/wanzhou.yaml",
        'area: "500101"',
        ("500101.yaml",),
    ),
    # ---- what a target means
    Slip(
        "at_most_on_higher_is_better",
        entry('  W04:\n    target: "≤95"\n'),
        "TARGET_DIRECTION",
        "overrides/wanzhou.yaml",
        'target: "≤95"',
        ("W04", "higher is better"),
    ),
    Slip(
        "fall_on_higher_is_better",
        entry("  W01:\n    target: 降低\n"),
        "TARGET_DIRECTION",
        "overrides/wanzhou.yaml",
        "target: 降低",
        ("W01 婚前医学检查率",),
    ),
    Slip(
        "at_least_in_the_catalogue_on_lower_is_better",
        edit(W, '    target: "<8"\n', '    target: "≥8"\n'),
        "TARGET_DIRECTION",
        W,
        'target: "≥8"',
        ("W03 孕产妇死亡率", "lower is better"),
    ),
    Slip(
        "ratio_order_reversed",
        entry('  W41:\n    target: "3：2"\n'),
        "RATIO_ORDER",
        "overrides/wanzhou.yaml",
        'target: "3：2"',
        ("2：3", "W41"),
        warning=True,
    ),
    Slip(
        "target_beyond_the_valid_range",
        entry('  W04:\n    target: "≥940"\n'),
        "TARGET_OUT_OF_RANGE",
        "overrides/wanzhou.yaml",
        'target: "≥940"',
        ("940", "0–100"),
    ),
    Slip(
        "baseline_beyond_the_valid_range",
        entry("  W04:\n    attribute: binding\n    baseline: 925.5\n"),
        "BASELINE_OUT_OF_RANGE",
        "overrides/wanzhou.yaml",
        "baseline: 925.5",
        ("925.5",),
    ),
    Slip(
        "percent_on_a_rate_per_100000",
        entry('  W02:\n    target: "≥85%"\n'),
        "TARGET_UNIT_SIGN",
        "overrides/wanzhou.yaml",
        'target: "≥85%"',
        ("%",),
    ),
    # ---- an entry that would be labelled the area's own while nothing changed
    Slip(
        "empty_target",
        entry("  W04:\n    target:\n"),
        "EMPTY_VALUE",
        "overrides/wanzhou.yaml",
        "    target:\n",
        ("W04", "target:"),
    ),
    Slip(
        "empty_attribute",
        entry("  W04:\n    attribute:\n"),
        "EMPTY_VALUE",
        "overrides/wanzhou.yaml",
        "    attribute:\n",
        ("attribute:",),
    ),
    Slip(
        "empty_attribute_in_a_sub_row",
        edit(
            C, '    direction: lower\n    target: "<38"\n', '    direction: lower\n    target: "<38"\n    attribute:\n'
        ),
        "EMPTY_VALUE",
        C,
        'target: "<38"\n    attribute:',
        ("C10b",),
        below=1,
    ),
    Slip(
        "note_only_entry",
        entry("  W04:\n    note: 区规划与市规划相同\n"),
        "NOTE_ONLY",
        "overrides/wanzhou.yaml",
        "  W04:",
        ("W04", "note"),
    ),
    # ---- messages a non-programmer can act on
    Slip(
        "number_without_quotes",
        entry("  W04:\n    target: 95\n"),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "    target: 95\n",
        ('target: "95"',),
    ),
    Slip(
        "ratio_without_quotes_read_as_sexagesimal",
        entry("  W41:\n    target: 2:3\n"),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "target: 2:3",
        ("123", 'target: "2:3"'),
    ),
    Slip(
        "binding_abbreviated",
        entry("  W04:\n    attribute: 约束\n"),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "attribute: 约束",
        ("约束性",),
    ),
    Slip(
        "expected_abbreviated",
        entry("  W04:\n    attribute: 预期\n"),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "attribute: 预期",
        ("预期性",),
    ),
    Slip(
        "fullwidth_colon_after_a_key",
        entry('  W04:\n    target："≥95"\n'),
        "FULLWIDTH_COLON",
        "overrides/wanzhou.yaml",
        'target："≥95"',
        ("target: …",),
        also=frozenset({"WRONG_TYPE"}),  # W04's value is then the text 'target："≥95"'
    ),
    Slip(
        "fullwidth_colon_after_a_quoted_key",
        entry('  "W04"：\n    target: "≥95"\n'),
        "FULLWIDTH_COLON",
        "overrides/wanzhou.yaml",
        '"W04"：',
        ("W04",),
    ),
    Slip(
        "no_space_after_the_colon",
        entry('  W04:\n    attribute: binding\n    target:"≥95"\n'),
        "YAML_SYNTAX",
        "overrides/wanzhou.yaml",
        'target:"≥95"',
        ("space",),
    ),
    Slip(
        "symbol_starts_a_value",
        entry("  W04:\n    target: >95\n    attribute: binding\n"),
        "YAML_SYNTAX",
        "overrides/wanzhou.yaml",
        "target: >95",
        ('target: ">95"',),
    ),
    Slip(
        "block_indicator_reads_as_nothing",
        entry("  W04:\n    target: |95\n    attribute: binding\n"),
        "YAML_SYNTAX",
        "overrides/wanzhou.yaml",
        "target: |95",
        ('target: "|95"',),
        also=frozenset({"EMPTY_VALUE", "WRONG_TYPE"}),
    ),
    Slip(
        "unit_percent_unquoted",
        edit(
            W,
            '    name_en: Premarital medical examination rate\n    unit: "%"\n',
            "    name_en: Premarital medical examination rate\n    unit: %\n",
        ),
        "YAML_SYNTAX",
        W,
        "unit: %\n",
        ('unit: "%"',),
    ),
    Slip(
        "indicator_name_instead_of_code",
        entry('  孕产妇系统管理率:\n    target: "≥95"\n'),
        "UNKNOWN_INDICATOR",
        "overrides/wanzhou.yaml",
        "孕产妇系统管理率:",
        ("W04",),
    ),
    Slip(
        "plan_area_as_a_name",
        edit(W, '  area: "500116"\n', "  area: 江津区\n"),
        "UNKNOWN_AREA",
        W,
        "  area: 江津区",
        ('area: "500116"',),
    ),
    Slip(
        "parent_as_a_name",
        edit(
            "areas.yaml",
            '    name_en: Wanzhou District\n    parent: "500000"\n',
            "    name_en: Wanzhou District\n    parent: 重庆市\n",
        ),
        "UNKNOWN_AREA",
        "areas.yaml",
        "parent: 重庆市",
        ('parent: "500000"',),
    ),
    Slip(
        "targets_key_misspelt",
        override(OVERRIDE.replace("targets:", "target:")),
        "UNKNOWN_KEY",
        "overrides/wanzhou.yaml",
        "target:\n",
        ("targets",),
        also=frozenset({"MISSING_FIELD"}),
    ),
    Slip(
        "entries_as_a_list",
        override(OVERRIDE.split("targets:")[0] + "targets:\n  - W03\n"),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "targets:",
        ("targets",),
    ),
    # ---- an area's own definitions, added indicators and indicators left out
    Slip(
        "new_unit_without_the_areas_target",
        entry('  W34:\n    name_zh: 女性基本养老保险参保率\n    unit: "%"\n'),
        "DEFINITION_NEEDS_TARGET",
        "overrides/wanzhou.yaml",
        'unit: "%"',
        ("万人", "W34"),
    ),
    Slip(
        "new_direction_without_the_areas_target",
        entry("  W34:\n    direction: lower\n"),
        "DEFINITION_NEEDS_TARGET",
        "overrides/wanzhou.yaml",
        "direction: lower",
        ("direction",),
    ),
    Slip(
        "rate_target_beyond_the_areas_range",
        entry('  W34:\n    unit: "%"\n    target: "≥950"\n'),
        "TARGET_OUT_OF_RANGE",
        "overrides/wanzhou.yaml",
        'target: "≥950"',
        ("0–100",),
    ),
    Slip(
        "definition_range_reversed",
        entry("  W04:\n    valid_range: [100, 0]\n"),
        "WRONG_TYPE",
        "overrides/wanzhou.yaml",
        "valid_range: [100, 0]",
        ("valid_range",),
    ),
    Slip(
        "added_row_takes_a_catalogue_code",
        override(OVERRIDE + ADDED.replace("W47", "W03")),
        "DUPLICATE_CODE",
        "overrides/wanzhou.yaml",
        "  - code: W03",
        ("01_women.yaml",),
    ),
    Slip(
        "two_areas_add_the_same_code",
        both(
            override(
                OVERRIDE.replace('"500101"', '"500102"').replace("万州区", "涪陵区") + ADDED, "overrides/fuling.yaml"
            ),
            override(OVERRIDE + ADDED),
        ),
        "DUPLICATE_CODE",
        "overrides/wanzhou.yaml",
        "  - code: W47",
        ("fuling.yaml",),
    ),
    Slip(
        "added_code_of_no_plan",
        override(OVERRIDE + ADDED.replace("W47", "X01")),
        "BAD_CODE",
        "overrides/wanzhou.yaml",
        "  - code: X01",
        ("W", "C"),
    ),
    Slip(
        "added_row_without_attribute",
        override(OVERRIDE + ADDED.replace("    attribute: expected\n", "")),
        "MISSING_FIELD",
        "overrides/wanzhou.yaml",
        "  - code: W47",
        ("W47", "attribute"),
    ),
    Slip(
        "not_monitored_and_a_target",
        entry('  W04:\n    target: "≥95"\nnot_monitored:\n  W04:\n    reason: 未列\n'),
        "NOT_MONITORED_CONFLICT",
        "overrides/wanzhou.yaml",
        "  W04:\n    reason",
        ("W04",),
    ),
    Slip(
        "not_monitored_without_a_reason",
        entry("not_monitored:\n  W04:\n    reason:\n"),
        "EMPTY_VALUE",
        "overrides/wanzhou.yaml",
        "    reason:",
        ("reason",),
    ),
    # ---- a previous plan period (rules/periods/)
    Slip(
        "period_folder_named_otherwise",
        period("2011-2020", years=(2011, 2019)),
        "PERIOD_FOLDER",
        "periods/2011-2020/period.yaml",
        "start: 2011",
        ("2011-2019",),
        also=frozenset({"PERIOD_OVERLAP"}),
    ),
    Slip(
        "period_overlaps_the_current_plan",
        period("2016-2025", years=(2016, 2025)),
        "PERIOD_OVERLAP",
        "periods/2016-2025/period.yaml",
        "baseline_year:",
        ("2021-2030",),
    ),
    Slip(
        "period_row_with_another_unit",
        period("2011-2020", unit="‰"),
        "PERIOD_UNIT",
        "periods/2011-2020/indicators/01_women.yaml",
        "code: W03",
        ("1/10万", "‰"),
    ),
    Slip(
        "period_without_period_yaml",
        lambda r: r.write("periods/2011-2020/indicators/01_women.yaml", OLD_PLAN.format(unit="1/10万")),
        "MISSING_FILE",
        "periods/2011-2020/period.yaml",
        None,
        ("period.yaml",),
    ),
    Slip(
        "unknown_key_in_an_entry",
        entry('  W04:\n    taget: "≥95"\n'),
        "UNKNOWN_KEY",
        "overrides/wanzhou.yaml",
        "taget:",
        ("target", "W04 孕产妇系统管理率"),
    ),
]


@pytest.fixture
def rules_copy(tmp_path):
    root = tmp_path / "rules"
    shutil.copytree(RULES, root)
    return Rules(root)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_corpus_is_large_enough():
    assert len(SLIPS) >= 25
    assert len({s.name for s in SLIPS}) == len(SLIPS)


@pytest.mark.parametrize("slip", SLIPS, ids=[s.name for s in SLIPS])
def test_slip_is_reported_at_its_line(slip: Slip, rules_copy: Rules, capsys):
    slip.make(rules_copy)
    line = rules_copy.line(slip.file, slip.at) + slip.below if slip.at is not None else None
    shown = f"rules/{slip.file}"

    rules = load_rules(rules_copy.root)
    hits = [p for p in rules.problems if p.code == slip.code and p.file == shown and p.line == line]
    assert hits, [p.format() for p in rules.problems]
    assert {p.code for p in rules.problems} <= {slip.code, *slip.also}, [p.format() for p in rules.problems]
    assert rules.ok is slip.warning  # an error stops the rules; a warning alone does not
    assert all(p.severity == ("warning" if slip.warning else "error") for p in hits)
    message = hits[0].message_zh + " / " + hits[0].message_en
    for word in slip.says:
        assert word in message, message

    rc, out, err = _run(capsys, "check-rules", "--rules", str(rules_copy.root))
    assert rc == (0 if slip.warning else 1), out + err
    printed = [m.groupdict() for m in map(PROBLEM_LINE.match, out.splitlines()) if m]
    assert {"file": shown, "line": None if line is None else str(line), "code": slip.code} in [
        {k: v for k, v in p.items() if k != "msg"} for p in printed
    ], out
    for words in LIBRARY_ENGLISH:
        assert words not in out + err


def test_a_note_silences_the_ratio_warning(rules_copy: Rules, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE + '  W41:\n    target: "3：2"\n    note: 区规划专栏1照印如此\n')
    rules = load_rules(rules_copy.root)
    assert rules.problems == []
    assert rules.target_for("500101", "W41").note == "区规划专栏1照印如此"


def test_a_warning_is_printed_and_the_rules_still_load(rules_copy: Rules, capsys):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE + '  W41:\n    target: "3：2"\n')
    rc, out, _ = _run(capsys, "check-rules", "--rules", str(rules_copy.root))
    assert rc == 0
    assert "RATIO_ORDER" in out and "warning:" in out and out.rstrip().splitlines()[-1].startswith("OK:")


def test_messages_name_the_indicator_and_its_name(rules_copy: Rules):
    rules_copy.edit(W, '    target: "<8"', '    target: "大约五十"')
    [p] = load_rules(rules_copy.root).problems
    assert p.message_zh.startswith("W03 孕产妇死亡率：")
    assert p.message_en.startswith("W03 Maternal mortality ratio: ")


def test_an_override_message_names_the_area(rules_copy: Rules):
    rules_copy.write("overrides/wanzhou.yaml", OVERRIDE.replace('"<10"', "大约十"))
    [p] = load_rules(rules_copy.root).problems
    assert p.message_zh.startswith("万州区 · W03 孕产妇死亡率：")
    assert p.message_en.startswith("Wanzhou District · W03 Maternal mortality ratio: ")


def test_the_shipped_rules_raise_no_warning():
    assert load_rules(RULES).problems == []
