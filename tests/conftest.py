"""Shared fixtures: the shipped rules (loaded once) and an isolated database per test."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.rules import load_rules  # noqa: E402


@pytest.fixture(scope="session")
def rules():
    loaded = load_rules(ROOT / "rules")
    assert loaded.ok, [p.format() for p in loaded.problems]
    return loaded


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path, monkeypatch):
    # No test may touch the developer's data/dashboard.db.
    if "DASHBOARD_DB_URL" not in os.environ or os.environ.get("DASHBOARD_DB_URL", "").startswith("sqlite"):
        monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{tmp_path / 'test.db'}")
    yield
