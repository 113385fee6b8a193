"""Hostile rules trees: a pipe, links out of rules/, a file too large, nesting thousands deep.

Each is refused with its file, a line and its own code; ``check-rules`` finishes (no hang, no
traceback) and the app keeps serving the last rules that loaded cleanly.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.rules import load_rules
from dashboard.services import RulesSource

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    (root / "overrides").mkdir(exist_ok=True)
    return root


def _pipe(root: Path) -> Path:
    path = root / "overrides" / "pipe.yaml"
    os.mkfifo(path)
    return path


def _dev_zero(root: Path) -> Path:
    path = root / "overrides" / "zero.yaml"
    path.symlink_to("/dev/zero")
    return path


def _outside(root: Path) -> Path:
    secret = root.parent / "secret.yaml"
    secret.write_text("area: '500101'\ntargets: {}\n", encoding="utf-8")
    path = root / "overrides" / "linked.yaml"
    path.symlink_to(secret)
    return path


def _huge(root: Path) -> Path:
    path = root / "overrides" / "huge.yaml"
    path.write_text("# " + "x" * 2_000_000 + "\n", encoding="utf-8")
    return path


def _deep(root: Path) -> Path:
    path = root / "overrides" / "deep.yaml"
    path.write_text("area: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    return path


CASES = {
    "pipe": (_pipe, "RULES_FILE.not_regular"),
    "dev_zero": (_dev_zero, "RULES_FILE.outside"),
    "outside": (_outside, "RULES_FILE.outside"),
    "huge": (_huge, "FILE_TOO_LARGE.yaml"),
    "deep": (_deep, "YAML_TOO_DEEP"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_hostile_file_is_refused_with_file_and_code(case, tree):
    make, code = CASES[case]
    path = make(tree)
    rules = load_rules(tree)
    found = [p for p in rules.problems if p.message_id.value == code]
    assert found, [p.format() for p in rules.problems]
    assert found[0].file == f"rules/overrides/{path.name}"
    assert found[0].message_zh and found[0].message_en


@pytest.mark.parametrize("case", list(CASES))
def test_check_rules_finishes_with_file_line_code_and_no_traceback(case, tree):
    make, code = CASES[case]
    path = make(tree)
    env = {**os.environ, "DASHBOARD_RULES_DIR": str(tree)}
    done = subprocess.run(
        [sys.executable, "-m", "dashboard", "check-rules"], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 1
    out = done.stdout + done.stderr
    assert f"rules/overrides/{path.name}" in out and code.split(".")[0] in out
    assert "Traceback" not in out and "Error:" not in out.replace("RULES_FILE", "")


def test_the_app_keeps_the_last_good_rules_while_a_hostile_file_is_there(tree):
    source = RulesSource(tree)
    good = source.get()
    assert good.clean and not good.stale
    _deep(tree)
    _pipe(tree)
    state = source.get()
    assert state.stale and state.rules is good.rules  # leaders still see the last clean rules
    assert {p.message_id.value for p in state.problems} >= {"YAML_TOO_DEEP", "RULES_FILE.not_regular"}
