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


PG_URL = os.environ.get("DASHBOARD_TEST_PG_URL")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """One SQLite file with the seeded demo data; tests copy it rather than regenerate it."""
    from dashboard.demo import load_demo
    from dashboard.store import Store

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = Store(f"sqlite:///{path}")
    load_demo(store, load_rules(ROOT / "rules"))
    store.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path, monkeypatch):
    """A clean Store on SQLite, and on PostgreSQL too when DASHBOARD_TEST_PG_URL is set (.ci/run)."""
    from dashboard.store import Store

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'test.db'}"
    else:
        if not PG_URL:
            pytest.skip("PostgreSQL: set DASHBOARD_TEST_PG_URL (the CI script .ci/run does) to run these")
        url = PG_URL
    monkeypatch.setenv("DASHBOARD_DB_URL", url)
    monkeypatch.setenv("DASHBOARD_RULES_DIR", str(ROOT / "rules"))
    s = Store(url)
    s.clear()
    yield s
    s.clear()
    s.dispose()


@pytest.fixture(autouse=True)
def _isolated_db(tmp_path, monkeypatch):
    # No test may touch the developer's data/dashboard.db.
    if "DASHBOARD_DB_URL" not in os.environ or os.environ.get("DASHBOARD_DB_URL", "").startswith("sqlite"):
        monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{tmp_path / 'test.db'}")
    yield


APP_PASSWORD = "a long test password"


@pytest.fixture
def session_token():
    """``session_token(name, role, areas)``: create the user in the current ``DASHBOARD_DB_URL``
    database (unless it exists) and return a live session token for AppTest's session_state."""
    from sqlalchemy import create_engine

    from dashboard.access import accounts

    engines = []

    def make(name: str = "editor", role: str = "city_editor", areas=(), password: str = APP_PASSWORD) -> str:
        engine = create_engine(os.environ["DASHBOARD_DB_URL"])
        engines.append(engine)
        if name not in set(accounts.list_users(engine)["name"]):
            accounts.add_user(engine, name, password, role, list(areas), by="test")
        _, token = accounts.sign_in(engine, name, password)
        return token

    yield make
    for engine in engines:
        engine.dispose()
