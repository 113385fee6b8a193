"""The worked example of docs/architecture.md, done for real: a new target kind is one module (plus
its words in the catalogue), and rules, parsing, the engine and the per-cell reference take it up
with no other edit."""

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "architecture.md"

SCRIPT = r"""
import pandas as pd
from dashboard.bench.per_cell import evaluate_cell
from dashboard.checks import KINDS, parse_target
from dashboard.engine import evaluate
from dashboard.rules import load_rules

assert "stay_above" in KINDS
check = parse_target("保持在95以上", "higher")
assert check.kind == "stay_above" and check.value == 95, check
rules = load_rules(RULES)
assert rules.ok, [p.format() for p in rules.problems]
ind = rules.indicators["T02"]
assert ind.check.kind == "stay_above" and ind.check.describe("en", rules.settings) == "at least 95 every year"
obs = pd.DataFrame({"area": "100002", "indicator": "T02", "year": [2020, 2023], "value": [93.0, 96.0]})
row = evaluate(rules, obs, years=[2023], areas=["100002"]).set_index("indicator").loc["T02"]
cell = evaluate_cell({2020: 93.0, 2023: 96.0}, 2023, ind.check, ind, rules.settings)
assert row.status == cell["status"] == "achieved", (row.status, cell)
print("OK")
"""


def test_the_documented_new_kind_needs_no_other_edit(tmp_path):
    from conftest import SMALL_INDICATORS, write_small_rules

    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S).group(1)
    assert "class StayAbove(CheckKind)" in code
    package = tmp_path / "dashboard"
    shutil.copytree(ROOT / "dashboard", package, ignore=shutil.ignore_patterns("__pycache__"))
    (package / "checks" / "stay_above.py").write_text(code, encoding="utf-8")
    with (package / "messages" / "text" / "checks.yaml").open("a", encoding="utf-8") as f:
        f.write('\ncheck_stay_above:\n  zh: "每年不低于 {value}"\n  en: "at least {value} every year"\n')
    rules = write_small_rules(
        tmp_path / "rules", indicators=SMALL_INDICATORS.replace('target: "≥98.2"', 'target: "保持在95以上"')
    )
    script = f"RULES = {str(rules)!r}\n" + textwrap.dedent(SCRIPT)
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().endswith("OK")
