"""What a page shows is what its address says (``dashboard/app/selection.py``).

For every picker of every page: opened without its parameter the page shows the default; the picker
changed writes the parameter and shows the new value; the address without the parameter again (what
Back to the first view gives) shows the default again — never the choice just made. And a link to a
page, the menu's first, carries that page's choices of its last view, so coming back from the menu
shows the indicator last looked at (in the address, where Back and a reload see it too).
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import app, no_exception


@pytest.fixture
def demo(demo_db, tmp_path, monkeypatch):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    return db


# page, the widget's kind and key, the parameter, the value chosen, its address text, other parameters.
PICKERS = [
    ("overview", "selectbox", "w_year", "year", 2021, "2021", {}),
    ("overview", "selectbox", "w_area", "area", "500116", "500116", {}),
    ("indicator", "selectbox", "w_indicator", "indicator", "W04", "W04", {}),
    ("indicator", "multiselect", "w_areas", "areas", ["500101"], "500101", {"indicator": "W03"}),
    ("domain", "selectbox", "w_domain", "domain", "C:health", "C:health", {}),
    ("district", "selectbox", "w_grid_attr", "grid_attr", "binding", "binding", {}),
    ("district", "selectbox", "w_grid_plan", "grid_plan", "C", "C", {}),
    ("district", "selectbox", "w_map_by", "map_by", "W03", "W03", {}),
    ("district", "selectbox", "w_compare", "compare", "500116", "500116", {"tab": "city"}),
    ("warnings", "multiselect", "w_kinds", "kinds", ["data_gap"], "data_gap", {}),
    ("warnings", "toggle", "w_binding", "binding", True, "1", {}),
    ("warnings", "multiselect", "w_areas", "areas", ["500116"], "500116", {}),
    ("evaluation", "selectbox", "w_eval_year", "eval_year", 2022, "2022", {}),
    ("units", "selectbox", "w_unit", "unit", "cq_health", "cq_health", {}),
    ("tasks", "selectbox", "w_task_domain", "task_domain", "health", "health", {}),
    ("tasks", "selectbox", "w_task_unit", "task_unit", "cq_health", "cq_health", {}),
    ("tasks", "selectbox", "w_task_status", "task_status", "not_reported", "not_reported", {}),
    ("tasks", "selectbox", "w_task_page", "task_page", 3, "3", {}),
]


def _widget(at: AppTest, kind: str, key: str):
    return getattr(at, kind)(key=key)


def _param(at: AppTest, name: str) -> str | None:
    v = at.query_params.get(name)
    return v[0] if isinstance(v, list) else v


@pytest.mark.parametrize(
    ("page", "kind", "key", "name", "chosen", "text", "params"),
    PICKERS,
    ids=[f"{p[0]}-{p[3]}" for p in PICKERS],
)
def test_shown_is_what_the_address_says(demo, page, kind, key, name, chosen, text, params):
    at = app(page, **params)
    no_exception(at)
    assert _param(at, name) is None
    default = _widget(at, kind, key).value
    assert default != chosen, "the test must choose something other than the default"
    title = at.title[0].value if at.title else None

    _widget(at, kind, key).set_value(chosen).run()
    no_exception(at)
    assert _param(at, name) == text
    assert _widget(at, kind, key).value == chosen

    # Back to the first view: its address has no parameter, and so the page shows the default again.
    del at.query_params[name]
    at.run()
    no_exception(at)
    assert _param(at, name) is None
    assert _widget(at, kind, key).value == default
    assert (at.title[0].value if at.title else None) == title


def _menu_link(at: AppTest, page: str) -> dict[str, str]:
    """The address the menu's entry for ``page`` opens (the overview's path is the root)."""
    path = "" if page == "overview" else page
    (link,) = [pl.proto for pl in at.sidebar.get("page_link") if pl.proto.page == path]
    return {k: v[0] for k, v in parse_qs(link.query_string).items()}


def _go(at: AppTest, page: str, params: dict[str, str]) -> AppTest:
    """Follow a link: another page, exactly the link's address."""
    at.switch_page(f"app_pages/{page}.py")
    for name in list(at.query_params):
        del at.query_params[name]
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_the_menu_opens_a_page_with_its_last_choices_in_the_address(demo):
    at = app("indicator", year="2024")
    assert _menu_link(at, "indicator") == {"year": "2024", "area": "500000"}  # nothing chosen yet
    at.selectbox(key="w_indicator").set_value("W04").run()
    assert _menu_link(at, "indicator") == {"year": "2024", "area": "500000", "indicator": "W04"}
    at.multiselect(key="w_areas").set_value(["500000", "500116"]).run()
    # Away through the menu, another area chosen there, and back through the menu.
    _go(at, "overview", _menu_link(at, "overview"))
    no_exception(at)
    assert "indicator" not in _menu_link(at, "overview")
    at.selectbox(key="w_area").set_value("500101").run()
    back = _menu_link(at, "indicator")
    assert back == {"year": "2024", "area": "500101", "indicator": "W04", "areas": "500000,500116"}
    _go(at, "indicator", back)
    no_exception(at)
    assert at.title[0].value.startswith("W04 ")
    assert at.selectbox(key="w_indicator").value == "W04"
    assert at.multiselect(key="w_areas").value == ["500000", "500116"]
    # The tasks' filters travel the same way, and not to another page that has a parameter of the name.
    _go(at, "tasks", _menu_link(at, "tasks"))
    at.selectbox(key="w_task_unit").set_value("cq_health").run()
    _go(at, "units", _menu_link(at, "units"))
    assert "task_unit" not in _menu_link(at, "units")
    assert _menu_link(at, "tasks")["task_unit"] == "cq_health"
    _go(at, "tasks", _menu_link(at, "tasks"))
    assert at.selectbox(key="w_task_unit").value == "cq_health"


def test_a_link_does_not_carry_a_value_that_names_nothing(demo):
    at = app("indicator", indicator="NOPE", year="2024")
    no_exception(at)
    assert "NOPE" in at.error[0].value
    _go(at, "overview", _menu_link(at, "overview"))
    assert "indicator" not in _menu_link(at, "indicator")
    at = app("indicator", indicator="W03", areas="500116,999999", year="2024")
    assert at.multiselect(key="w_areas").value == ["500116"]
    _go(at, "overview", _menu_link(at, "overview"))
    assert _menu_link(at, "indicator") == {"year": "2024", "area": "500000", "indicator": "W03", "areas": "500116"}


def test_the_completeness_unit_is_what_the_address_says(demo, session_token):
    at = app("completeness", token=session_token(), year="2024")
    no_exception(at)
    assert at.selectbox(key="w_unit").value == ""  # every unit
    at.selectbox(key="w_unit").set_value("cq_health").run()
    assert _param(at, "unit") == "cq_health" and at.selectbox(key="w_unit").value == "cq_health"
    del at.query_params["unit"]
    at.run()
    assert at.selectbox(key="w_unit").value == ""
    # The units page's unit is not the completeness page's: neither link carries the other's.
    at.selectbox(key="w_unit").set_value("cq_health").run()
    assert "unit" not in _menu_link(at, "units")
    _go(at, "units", _menu_link(at, "units"))
    assert _param(at, "unit") is None
    assert _menu_link(at, "completeness")["unit"] == "cq_health"
