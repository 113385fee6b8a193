"""No other language leaks into a page: every page, both languages, every text a reader sees.

English pages may show Chinese only where it is data with no English form: the targets as the plans
print them, task titles and texts, source documents and sections (the seeds are Chinese), what a
user typed. Chinese pages may show Latin letters only in codes, units and the few technical names
listed below. Everything else comes from the catalogue in the reader's language.
"""

from __future__ import annotations

import re

import pytest
from page_names import PUBLIC
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, no_exception

from dashboard.rules import load_rules, load_tasks

PAGES = PUBLIC
CJK = re.compile(r"[\u3400-\u9fff]+")
LATIN_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z]{2,}(?![A-Za-z0-9_])")
# Latin words a Chinese page may show: codes and file formats, and the language switch itself.
ZH_MAY_SHOW = {
    "English",
    "CSV",
    "Excel",
    "Word",
    "PDF",
    "xlsx",
    "docx",
    "demo",
    "data",
    "not",
    "real",
    "statistics",
    "Language",
    "YAML",
    "CTX",
    "WORKERS",
    "FEMALE",
    "MEMBERS",
    "PARTY",
    "yaml",
    "rules",
    "indicators",
    "overrides",
    "women",
    "children",
    "areas",
    "settings",
    "units",
    "tasks",
    "city",
    "workplan",
    "womens",
    "federation",
    "plan",
    "key",
    "MIT",
    "cnmaps",
}
# Codes (W03, PW-health-3, PROJ-W2-1, CTX_WORKERS) and paths are names, not English text.
CODE_OR_PATH = re.compile(r"[A-Za-z0-9]+(?:[-_/.][A-Za-z0-9]+)+|/[\w./-]+")


def allowed_chinese(root) -> set[str]:
    """Chinese that English pages may show: data the seeds give in Chinese only."""
    rules = load_rules(root)
    cat = load_tasks(root, rules)
    texts = {i.target_text for i in rules.indicators.values()}
    texts |= {"语言", "中文", "示例数据", "非真实统计", "演示账号", "仅限本机演示"}
    for task in cat.tasks.values():
        texts |= {task.title, task.text, task.source, task.section, task.column or ""}
        texts |= (
            {g.measure for g in task.targets}
            | {g.printed for g in task.targets}
            | {g.target_text for g in task.targets}
        )
    for unit in cat.units.values():
        texts |= set(unit.aliases)
    # Who reports what: the maintainer's notes and reasons are written in Chinese only (rules/reporting.yaml).
    texts |= {a.note or "" for a in cat.reporting.assignments.values()}
    texts |= {u.reason for u in cat.reporting.unassigned.values()}
    return {t for t in texts if t}


def page_texts(at: AppTest) -> list[str]:
    """Everything a reader sees as text: headings, paragraphs, captions, notices, metrics, widget labels and
    options, links, table headings and cells."""
    parts = [e.value for e in at.title] + [e.value for e in at.subheader] + [e.value for e in at.header]
    parts += [e.value for e in at.markdown] + [e.value for e in at.caption] + [e.value for e in at.info]
    parts += [e.value for e in at.warning] + [e.value for e in at.success] + [e.value for e in at.error]
    parts += [e.label for e in at.metric] + [str(e.value) for e in at.metric]
    for box in at.selectbox:
        parts += [box.label, *map(str, box.options)]
    for box in at.multiselect:
        parts += [box.label, *map(str, box.options)]
    parts += [e.label for e in at.button] + [e.label for e in at.toggle] + [e.label for e in at.radio]
    parts += [pl.proto.label for pl in at.get("page_link")] + [t.label for t in at.tabs]
    for frame in at.dataframe:
        value = frame.value
        parts += [str(c) for c in value.columns]
        parts += [str(v) for v in value.astype(str).to_numpy().ravel()]
    return [str(p) for p in parts if p]


def _run(page: str, lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(f"app_pages/{page}.py")
    at.query_params["lang"] = lang
    at.query_params["year"] = "2024"
    at.query_params["area"] = "500116"
    if page == "task":
        at.query_params["task"] = "WP2020-05"
    if page == "units":
        at.query_params["unit"] = "cq_health"
    return at.run()


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")


@pytest.mark.parametrize("page", PAGES)
def test_english_pages_show_no_chinese_of_their_own(demo, rules, page):
    at = _run(page, "en")
    no_exception(at)
    allowed = allowed_chinese(rules.root)
    leaks = set()
    for text in page_texts(at):
        rest = text
        for a in sorted(allowed, key=len, reverse=True):
            if a and a in rest:
                rest = rest.replace(a, " ")
        leaks |= set(CJK.findall(rest))
    assert leaks == set(), sorted(leaks)[:30]


@pytest.mark.parametrize("page", PAGES)
def test_chinese_pages_show_no_english_of_their_own(demo, page):
    at = _run(page, "zh")
    no_exception(at)
    leaks = set()
    for text in page_texts(at):
        leaks |= {w for w in LATIN_WORD.findall(CODE_OR_PATH.sub(" ", text)) if w not in ZH_MAY_SHOW}
    assert leaks == set(), sorted(leaks)[:30]
