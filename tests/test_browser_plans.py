"""Real-browser walks of a district's own plan, a previous plan period and the upload's sheet picker
(issues 13 and 14), by clicking as a user does.

One app serves a copy of the shipped rules with two additions:

- ``overrides/wanzhou.yaml`` (the file ``test_area_definitions`` uses): 万州区 measures W34 as a
  coverage rate in % where the catalogue counts women enrolled in 万人 (its own name, target ≥95 and
  a ``note:``), and does not monitor W35 (with a reason);
- ``periods/2011-2020/`` (the synthetic previous plan ``test_plan_periods`` builds), with 江津区's
  2010–2020 values imported through ``python -m dashboard import`` before the browser opens.

The walks: 万州区 picked on the overview, the menu to the indicator page, W34 and W35 picked in the
list, the city chosen instead, Back; the rules page's differences; the evaluation page's final
evaluation of 2011–2020; signed in as the demo account, a workbook with two table sheets uploaded,
refused naming them, one sheet picked and stored, the batch found on the history page. In Chinese
and in English, at 1920 and 1366 px. Screenshots go to ``test-output/screenshots/``.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys

import pytest
from browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, path, query, require_browser, serve, settle, shot, sign_in
from test_area_definitions import WANZHOU
from test_plan_periods import OLD_WOMEN, PERIOD, VALUES

pytestmark = pytest.mark.browser

WZ, JJ = "500101", "500116"  # 万州区 (its own plan), 江津区 (values of the previous plan)

WORDS = {
    "zh": {
        "area": "地区",
        "wanzhou": "万州区",
        "city": "重庆市",
        "indicator_page": "指标详情",
        "evaluation_page": "评估",
        "rules_page": "规则",
        "upload_page": "数据上传",
        "history_page": "上传记录",
        "picker": "指标",
        "own": "W34 女性基本养老保险参保率",
        "catalogue": "W34 基本养老保险女性参保人数",
        "differs": "万州区的规划对这项指标的定义与全市目录不同",
        "note": "备注：万州区规划以参保率计，全市以参保人数计",
        "not_monitored": "万州区的规划不监测这项指标：万州区规划未列此项",
        "unit": "单位",
        "target": "规划目标（原文）",
        "catalogue_unit": "万人",
        "only_differences": "只显示与规划默认目标不同的",
        "not_monitored_source": "不监测",
        "own_target_source": "本地区自定目标",
        "final_heading": "上一规划期终期评估：测试用妇女发展规划（2011－2020年）",
        "final_header": ["序号", "代码", "指标", "规划目标", "2020年监测值", "是否达标", "与目标相比", "备注"],
        "final_w04": ["2", "W04", "孕产妇系统管理率", "≥90", "92.5%", "达标", "超出目标 2.55 个百分点"],
        "final_w90": ["3", "W90", "妇女病检查人数", "≥5", "4.50万人", "未达标", "差 0.50万人"],
        "final_met": ["达标", "达标", "未达标", "无终期数据"],
        "sheet": "工作表",
        "several": "这个 Excel 文件有 2 张带表头的工作表（“2023年”、“2024年”）",
        "refused": "发现 1 个问题",
        "valid": "校验通过",
        "reason": "修改原因（必填）",
        "confirm": "确认入库",
        "stored": "已入库",
        "history_intro": "每次上传都是一个批次",
    },
    "en": {
        "area": "Area",
        "wanzhou": "Wanzhou District",
        "city": "Chongqing Municipality",
        "indicator_page": "Indicator",
        "evaluation_page": "Evaluation",
        "rules_page": "Rules",
        "upload_page": "Upload data",
        "history_page": "Upload history",
        "picker": "Indicator",
        "own": "W34 Basic pension insurance coverage of women",
        "catalogue": "W34 Women enrolled in basic pension insurance",
        "differs": "Wanzhou District's plan defines this indicator otherwise than the catalogue",
        "note": "Note: 万州区规划以参保率计，全市以参保人数计",  # the maintainer's words, as written
        "not_monitored": "Wanzhou District's plan does not monitor this indicator: 万州区规划未列此项",
        "unit": "Unit",
        "target": "Target as printed",
        "catalogue_unit": "× 10,000 people",
        "only_differences": "Only those that differ from the defaults",
        "not_monitored_source": "not monitored",
        "own_target_source": "area's own target",
        "final_heading": "Final evaluation of the previous plan: Test women's plan (2011-2020)",
        "final_header": [
            "No.",
            "Code",
            "Indicator",
            "Plan target",
            "Value in 2020",
            "Met",
            "Against the target",
            "Note",
        ],
        "final_w04": [
            "2",
            "W04",
            "Systematic maternal health management rate",
            "≥90",
            "92.5%",
            "Met",
            "2.55 percentage points beyond the target",
        ],
        "final_w90": [
            "3",
            "W90",
            "Women screened for gynaecological diseases",
            "≥5",
            "45,000 people",
            "Not met",
            "5,000 people short of the target",
        ],
        "final_met": ["Met", "Met", "Not met", "No final value"],
        "sheet": "Sheet",
        "several": "this Excel file has 2 sheets with a header row (“2023年”, “2024年”)",
        "refused": "1 problem found",
        "valid": "Valid: 1 row can be stored",
        "reason": "Reason for the change (required)",
        "confirm": "Confirm and store",
        "stored": "Stored as batch",
        "history_intro": "Each upload is a batch",
    },
}

# One Chinese and one English walk of each, at both widths between them.
LANG_WIDTH = [("zh", 1920), ("en", 1366)]
LANG_WIDTH_SWAPPED = [("en", 1920), ("zh", 1366)]
HEIGHT = {1920: 1080, 1366: 768}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("plans")
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules", rules)
    (rules / "overrides" / "wanzhou.yaml").write_text(WANZHOU, encoding="utf-8")
    period = rules / "periods" / "2011-2020"
    (period / "indicators").mkdir(parents=True)
    (period / "period.yaml").write_text(PERIOD, encoding="utf-8")
    (period / "indicators" / "01_women.yaml").write_text(OLD_WOMEN, encoding="utf-8")
    values = folder / "values_2010_2020.csv"
    values.write_text(VALUES, encoding="utf-8")
    with serve(folder, rules_dir=rules) as s:
        # 江津区's values of the previous plan, stored as a maintainer would: the import command. Its
        # 2020 row corrects the demo's approved 2020 value, so the operator gives a reason (issue 15).
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "dashboard",
                "import",
                str(values),
                "--rules",
                str(rules),
                "--reason",
                "上一周期终期评估数据",
            ],
            cwd=ROOT,
            env={**os.environ, "DASHBOARD_DB_URL": s.url, "DASHBOARD_RULES_DIR": str(rules)},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        yield s


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, server, width: int, address: str):
    context = browser.new_context(viewport={"width": width, "height": HEIGHT[width]}, locale="zh-CN")
    pg = context.new_page()
    pg.set_default_timeout(45_000)
    pg.goto(server.base + address)
    settle(pg, fresh=True, extra_ms=150)
    return context, pg


def _settle(pg) -> None:
    """The run finished and its text steady (``settle``), with little padding: the walks are long."""
    settle(pg, extra_ms=150)


def _lang(lang: str) -> str:
    return "&lang=en" if lang == "en" else ""


def _title(pg) -> str:
    return pg.locator("h1").first.inner_text()


def _main(pg) -> str:
    return pg.locator('[data-testid="stMain"]').inner_text()


def _menu(pg, label: str) -> None:
    pg.locator('[data-testid="stSidebar"] [data-testid="stPageLink"]').filter(has_text=label).first.click()
    _settle(pg)


def _pick(pg, label: str, typed: str, option: str) -> None:
    """Open the selectbox labelled ``label``, type ``typed`` and click the option showing ``option``."""
    pg.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name=label, exact=True).first.click()
    pg.keyboard.type(typed)
    pg.get_by_role("option").filter(has_text=option).first.click()
    _settle(pg)


def _shown(pg, label: str) -> str:
    """The value a selectbox shows."""
    return pg.locator('[data-testid="stSelectbox"]').get_by_role("combobox", name=label, exact=True).first.input_value()


def _metric(pg, label: str) -> str:
    box = pg.locator('[data-testid="stMetric"]').filter(has_text=label).first
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def _grid(pg, k: int) -> tuple[list[str], list[list[str]]]:
    """The header and the drawn rows of the ``k``-th table (its cells are painted on a canvas; the
    accessible table beside it holds their text)."""
    frame = pg.locator('[data-testid="stDataFrame"]').nth(k)
    frame.scroll_into_view_if_needed()
    header = frame.locator("thead th").all_inner_texts()
    rows = [r.locator("td").all_inner_texts() for r in frame.locator("tbody tr").all()]
    return header, rows


# ------------------------------------------------------------------------------ 1. an area's own definition
@pytest.mark.parametrize(("lang", "width"), LANG_WIDTH)
def test_a_district_s_own_definition_by_clicking(server, browser, lang, width):
    w = WORDS[lang]
    context, pg = _open(browser, server, width, f"/?year=2024{_lang(lang)}")
    # The overview's area picker: 万州区.
    _pick(pg, w["area"], w["wanzhou"][:2], w["wanzhou"])
    assert query(pg).get("area") == WZ and _shown(pg, w["area"]) == w["wanzhou"], pg.url
    _menu(pg, w["indicator_page"])
    assert path(pg) == "/indicator" and query(pg).get("area") == WZ, pg.url
    # The list names W34 as 万州区's plan does.
    _pick(pg, w["picker"], "W34", "W34")
    assert query(pg)["indicator"] == "W34", pg.url
    assert _title(pg) == w["own"] and _shown(pg, w["picker"]) == w["own"]
    body = _main(pg)
    assert w["differs"] in body and w["note"] in body
    assert w["own"] in pg.locator('[data-testid="stMain"] [data-testid="stCaptionContainer"]').all_inner_texts()
    assert _metric(pg, w["unit"]) == "%" and _metric(pg, w["target"]) == "≥95"
    pg.get_by_text(w["differs"]).first.scroll_into_view_if_needed()
    shot(pg, f"plans_own_definition_{lang}_{width}")
    # The indicator it does not monitor says so, with the plan's reason.
    _pick(pg, w["picker"], "W35", "W35")
    assert query(pg)["indicator"] == "W35", pg.url
    assert w["not_monitored"] in _main(pg)
    # Back: the pick undone, 万州区's W34 again.
    pg.go_back()
    _settle(pg)
    assert query(pg)["indicator"] == "W34" and _title(pg) == w["own"], pg.url
    # The city instead of 万州区 (its chip removed from the areas): the catalogue's W34, no notice.
    pg.get_by_role("button", name=f"Remove {w['wanzhou']}").click()
    _settle(pg)
    assert query(pg).get("areas") == "500000", pg.url
    assert (
        _title(pg) == w["catalogue"]
        and _metric(pg, w["unit"]) == w["catalogue_unit"]
        and _metric(pg, w["target"]) != "≥95"
    )
    assert w["differs"] not in _main(pg) and w["note"] not in _main(pg)
    shot(pg, f"plans_city_definition_{lang}_{width}")
    context.close()


def test_back_after_choosing_the_city_shows_the_district_again(server, browser):
    w = WORDS["zh"]
    context, pg = _open(browser, server, 1366, f"/indicator?year=2024&area={WZ}&indicator=W34")
    assert _title(pg) == w["own"]
    pg.get_by_role("button", name=f"Remove {w['wanzhou']}").click()
    _settle(pg)
    assert _title(pg) == w["catalogue"]
    pg.go_back()
    _settle(pg)
    try:
        assert "areas" not in query(pg), pg.url  # the address is the previous view's …
        assert _title(pg) == w["own"]  # … and so should the page be
    finally:
        context.close()


@pytest.mark.parametrize(("lang", "width"), LANG_WIDTH_SWAPPED)
def test_the_rules_page_shows_the_override_and_its_note(server, browser, lang, width):
    w = WORDS[lang]
    context, pg = _open(browser, server, width, f"/?year=2024&area={WZ}{_lang(lang)}")
    _menu(pg, w["rules_page"])
    assert path(pg) == "/rules" and query(pg).get("area") == WZ, pg.url
    assert _shown(pg, w["area"]) == w["wanzhou"]
    pg.get_by_text(w["only_differences"]).click()
    _settle(pg)
    header, rows = _grid(pg, -1)
    by_code = {r[0]: dict(zip(header, r)) for r in rows}
    assert set(by_code) == {"W34", "W35", "W47"}, rows  # redefined, not monitored, added
    w34 = list(by_code["W34"].values())
    assert w34[1] == w["own"].removeprefix("W34 ") and w34[2] == "%" and "≥95" in w34
    assert "万州区规划以参保率计，全市以参保人数计" in w34  # its note
    assert "rules/overrides/wanzhou.yaml" in w34
    w35, w47 = list(by_code["W35"].values()), list(by_code["W47"].values())
    assert (
        any("万州区规划未列此项" in cell for cell in w35)
        and w35[4] in ("", "—")
        and w35[6] == w["not_monitored_source"]
    )
    assert w47[4] == "≥80" and w47[6] == w["own_target_source"]
    pg.wait_for_timeout(300)
    shot(pg, f"plans_rules_page_{lang}_{width}")
    context.close()


# ------------------------------------------------------------------------------ 2. the previous plan's final evaluation
@pytest.mark.parametrize(("lang", "width"), LANG_WIDTH_SWAPPED)
def test_the_previous_plan_s_final_evaluation_by_clicking(server, browser, lang, width):
    w = WORDS[lang]
    context, pg = _open(browser, server, width, f"/?year=2024{_lang(lang)}")
    _pick(pg, w["area"], "江津" if lang == "zh" else "Jiangjin", "江津区" if lang == "zh" else "Jiangjin District")
    assert query(pg).get("area") == JJ, pg.url
    _menu(pg, w["evaluation_page"])
    assert path(pg) == "/evaluation" and query(pg).get("area") == JJ, pg.url
    heading = pg.locator("h3").filter(has_text=w["final_heading"])
    assert heading.count() == 1, pg.locator("h3").all_inner_texts()
    heading.scroll_into_view_if_needed()
    header, rows = _grid(pg, -1)
    assert header == w["final_header"]
    assert [r[1] for r in rows] == ["W03", "W04", "W90", "W91"]  # the plan's order
    assert [r[5] for r in rows] == w["final_met"]
    assert rows[1][:7] == w["final_w04"] and rows[2][:7] == w["final_w90"]
    pg.wait_for_timeout(300)
    shot(pg, f"plans_final_evaluation_{lang}_{width}")
    context.close()


# ------------------------------------------------------------------------------ 3. a workbook with two tables
def _two_sheets(area: str, v2023: float, v2024: float) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, year, value in (("2023年", 2023, v2023), ("2024年", 2024, v2024)):
        sheet = book.create_sheet(title)
        sheet.append(["区县", "指标", "年份", "数值"])
        sheet.append([area, "W04", year, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("lang", "width", "area", "name"), [("zh", 1366, "500102", "涪陵区"), ("en", 1920, "500103", "渝中区")]
)
def test_a_sheet_is_picked_and_only_it_is_stored(server, browser, tmp_path, lang, width, area, name):
    from dashboard.store import Store

    w = WORDS[lang]
    v2023, v2024 = 91.23, 96.54  # values no demo series has
    workbook = tmp_path / f"two_sheets_{lang}.xlsx"
    workbook.write_bytes(_two_sheets(name, v2023, v2024))
    context, pg = _open(browser, server, width, f"/?year=2024{_lang(lang)}")
    sign_in(pg, "demo", "demo-only-2030", lang)
    _menu(pg, w["upload_page"])
    assert path(pg) == "/upload", pg.url
    pg.locator('input[type="file"]').set_input_files(str(workbook))
    pg.get_by_text(w["refused"]).first.wait_for()
    _settle(pg)
    # The refusal names both sheets (in the problems table) and offers the picker, with nothing chosen.
    assert any(w["several"] in cell for row in _grid(pg, 0)[1] for cell in row)
    assert pg.get_by_role("button", name=w["confirm"]).count() == 0
    assert _shown(pg, w["sheet"]) == ""
    pg.locator('[data-testid="stSelectbox"]').filter(has_text=w["sheet"]).first.scroll_into_view_if_needed()
    shot(pg, f"plans_upload_sheets_{lang}_{width}")
    _pick(pg, w["sheet"], "2024", "2024年")
    pg.get_by_text(w["valid"]).first.wait_for()
    # The sheet's 2024 value corrects the demo's approved one: the approver says why (issue 15).
    reason = pg.get_by_label(w["reason"])
    reason.fill("区统计局年报更正")
    reason.press("Enter")
    _settle(pg)
    pg.get_by_role("button", name=w["confirm"]).click()
    pg.get_by_text(w["stored"]).first.wait_for()
    _settle(pg)
    shot(pg, f"plans_upload_stored_{lang}_{width}")

    store = Store(server.url)
    try:
        mine = store.current_values(areas=[area], years=[2023, 2024])
    finally:
        store.dispose()
    w04 = dict(zip(mine.loc[mine["indicator"] == "W04", "year"], mine.loc[mine["indicator"] == "W04", "value"]))
    assert w04[2024] == pytest.approx(v2024)  # the chosen sheet's value …
    assert w04.get(2023) != pytest.approx(v2023)  # … and not the other sheet's

    _menu(pg, w["history_page"])
    pg.get_by_text(w["history_intro"]).first.wait_for()
    pg.get_by_text(workbook.name).first.wait_for(state="attached")  # the batch, drawn in the grid
    _settle(pg)
    batches = [r for r in _grid(pg, 0)[1] if workbook.name in r]
    assert len(batches) == 1 and "1" in batches[0], batches  # one batch of one row: one sheet's
    shot(pg, f"plans_upload_history_{lang}_{width}")
    context.close()
