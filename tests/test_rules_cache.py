"""The on-disk rules cache: the same answer as reading the files, refreshed by any edit, never trusted blindly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.rules import cache
from dashboard.rules.cache import load_cached, load_rule_files, rules_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rules_dir(tmp_path) -> Path:
    root = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", root)
    return root


def test_a_cached_load_equals_a_fresh_read_and_skips_the_files(rules_dir, tmp_path, monkeypatch):
    cache_dir = tmp_path / "cache"
    fresh, fresh_cat = load_rule_files(rules_dir)
    first, first_cat = load_cached(rules_dir, cache_dir)
    assert len(list(cache_dir.glob("rules-*.pickle"))) == 1
    # The second call must not read the YAML at all: reading now would fail loudly.
    monkeypatch.setattr(cache, "load_rule_files", lambda root: pytest.fail("read the files despite the cache"))
    second, second_cat = load_cached(rules_dir, cache_dir)
    for loaded, cat in ((first, first_cat), (second, second_cat)):
        assert loaded.fingerprint == fresh.fingerprint
        assert list(loaded.indicators) == list(fresh.indicators)
        assert loaded.target_for("500101", "W03").target_text == fresh.target_for("500101", "W03").target_text
        assert sorted(cat.tasks) == sorted(fresh_cat.tasks) and len(cat.units) == len(fresh_cat.units)


def test_an_edit_to_any_rules_file_is_read_again(rules_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    before, _ = load_cached(rules_dir, cache_dir)
    key = rules_key(rules_dir)
    units = rules_dir / "units.yaml"
    units.write_text(units.read_text(encoding="utf-8") + "\n# a comment changes the bytes\n", encoding="utf-8")
    assert rules_key(rules_dir) != key
    settings = rules_dir / "settings.yaml"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(text + "\nunknown_setting_typo: 1\n", encoding="utf-8")
    after, _ = load_cached(rules_dir, cache_dir)
    assert before.ok and not after.ok  # the typo is seen, not hidden behind the cached clean load
    assert any("unknown_setting_typo" in p.format() for p in after.problems)
    assert len(list(cache_dir.glob("rules-*.pickle"))) == 1  # the stale version was replaced


def test_a_broken_or_unwritable_cache_is_rebuilt_or_ignored(rules_dir, tmp_path):
    cache_dir = tmp_path / "cache"
    load_cached(rules_dir, cache_dir)
    (stored,) = cache_dir.glob("rules-*.pickle")
    stored.write_bytes(b"not a pickle")
    rules, _ = load_cached(rules_dir, cache_dir)
    assert rules.ok and len(rules.indicators) == 90
    blocker = tmp_path / "a-file-not-a-folder"
    blocker.write_text("x")
    rules, cat = load_cached(rules_dir, blocker / "cache")
    assert rules.ok and cat.ok
