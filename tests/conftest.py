"""Shared fixtures: the shipped rules (loaded once) and an isolated database per test."""

from __future__ import annotations

import os
import tempfile
import textwrap
from pathlib import Path

import pytest

from dashboard.rules import RuleSet, load_rules

ROOT = Path(__file__).resolve().parent.parent

# Loaded rules are cached on disk between runs (``DASHBOARD_CACHE_DIR``): the tests, and the servers
# and commands they start, keep theirs in a folder of their own, never in the project's data/.
os.environ.setdefault("DASHBOARD_CACHE_DIR", tempfile.mkdtemp(prefix="dashboard-test-cache-"))
# Hypothesis keeps what it learns of the code (and, where a test allows, its examples) on disk: there
# too, not in a .hypothesis folder of the checkout.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", tempfile.mkdtemp(prefix="dashboard-test-hypothesis-"))


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


# ------------------------------------------------------------------------------ a small rule set of our own
# Engine and view tests judge against these targets, not the shipped plan tables: a maintainer who
# corrects a target in rules/ must not break the arithmetic tests. Each row mirrors a kind of target
# that the plans print (the shipped code in brackets).
SMALL_AREAS = """
areas:
  - {code: "100000", name_zh: 测试市, name_en: Test City, level: city}
  - {code: "100001", name_zh: 甲区, name_en: District A, parent: "100000", level: district}
  - {code: "100002", name_zh: 乙区, name_en: District B, parent: "100000", level: district}
  - {code: "100003", name_zh: 丙县, name_en: County C, parent: "100000", level: county}
"""
SMALL_INDICATORS = """
plan: {code: T, name_zh: 测试规划, name_en: Test plan, source: tests, area: "100001", baseline_year: 2020, target_year: 2030}
domains:
  - {code: health, name_zh: 健康, name_en: Health}
  - {code: society, name_zh: 社会, name_en: Society}
indicators:
  - {code: T01, domain: health, number: 1, name_zh: 孕产妇死亡率, name_en: Maternal mortality, unit: 1/10万, direction: lower, target: "<8", attribute: binding, smoothing_years: 3}  # W03
  - {code: T02, domain: health, number: 2, name_zh: 毛入园率, name_en: Preschool enrolment, unit: "%", direction: higher, target: "≥98.2", attribute: binding}  # C19
  - {code: T03, domain: society, number: 3, name_zh: 女性就业比例, name_en: Women in employment, unit: "%", direction: higher, target: "45左右", attribute: expected}  # W15
  - {code: T04, domain: health, number: 4, name_zh: 出生人口性别比, name_en: Sex ratio at birth, unit: "", direction: band, target: 趋于平衡, attribute: expected}  # W40
  - {code: T05, domain: society, number: 5, name_zh: 逐年提高的比例, name_en: Rising share, unit: "%", direction: higher, target: 逐年提高, attribute: expected}  # W01
  - {code: T06, domain: society, number: 6, name_zh: 提高的比例, name_en: Improving share, unit: "%", direction: higher, target: 提高, attribute: expected}  # W09
  - {code: T07, domain: health, number: 7, name_zh: 明显降低的率, name_en: Rate to fall markedly, unit: "‰", direction: lower, target: 明显降低, attribute: expected}  # W19
  - {code: T08, domain: health, number: 8, name_zh: 得到控制的率, name_en: Rate to contain, unit: "%", direction: lower, target: 得到控制, attribute: expected}  # W46
  - {code: T09, domain: society, number: 9, name_zh: 女党员比例, name_en: Women party members, unit: "%", direction: higher, target: 保持合理比例, attribute: expected, check: {kind: maintain, tolerance: 2}}  # W20
  - {code: T10, domain: society, number: 10, name_zh: 女代表比例, name_en: Women delegates, unit: "%", direction: higher, target: 不低于本地区党员总数中女性比例, attribute: expected, reference: T09}  # W21
  - {code: T11, domain: society, number: 11, name_zh: 女职工代表比例, name_en: Women staff delegates, unit: "%", direction: higher, target: 与女职工比例相适应, attribute: expected, reference: CTX_WORKERS}  # W30
  - {code: T12, domain: society, number: 12, name_zh: 男女比例, name_en: Women to men, unit: "", direction: higher, target: "2：3", attribute: expected}  # W41
  - {code: T13, domain: health, number: 13, name_zh: 有印刷基期的率, name_en: Rate with printed baseline, unit: "%", direction: higher, target: "≥94", attribute: binding, baseline: 92.55}  # W04
context_series:
  - {code: CTX_WORKERS, name_zh: 女职工比例, name_en: Women among employees, unit: "%"}
"""


def write_small_rules(
    root: Path, settings: str = "", indicators: str = SMALL_INDICATORS, overrides: dict[str, str] | None = None
) -> Path:
    """Write the small rule set (optionally other settings or overrides) under ``root``; returns ``root``."""
    (root / "indicators").mkdir(parents=True, exist_ok=True)
    (root / "areas.yaml").write_text(textwrap.dedent(SMALL_AREAS), encoding="utf-8")
    (root / "indicators" / "01_test.yaml").write_text(textwrap.dedent(indicators), encoding="utf-8")
    if settings:
        (root / "settings.yaml").write_text(textwrap.dedent(settings), encoding="utf-8")
    for name, text in (overrides or {}).items():
        (root / "overrides").mkdir(exist_ok=True)
        (root / "overrides" / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def settings():
    """The default settings of rules/settings.yaml (target kinds read tolerances and bands from them)."""
    from dashboard.rules import Settings

    return Settings()


@pytest.fixture(scope="session")
def small_rules(tmp_path_factory) -> RuleSet:
    """The small rule set with default settings (plan area 100001, 13 indicators, one context series)."""
    loaded = load_rules(write_small_rules(tmp_path_factory.mktemp("small") / "rules"))
    assert loaded.ok, [p.format() for p in loaded.problems]
    return loaded


@pytest.fixture
def make_rules(tmp_path):
    """``make_rules(settings=..., overrides={file: yaml})``: the small rule set with changes, loaded."""

    def make(
        settings: str = "", overrides: dict[str, str] | None = None, indicators: str = SMALL_INDICATORS
    ) -> RuleSet:
        loaded = load_rules(write_small_rules(tmp_path / "rules", settings, indicators, overrides))
        assert loaded.ok, [p.format() for p in loaded.problems]
        return loaded

    return make
