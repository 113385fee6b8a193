"""The command line as maintainers script it: exit codes and output shapes."""

import csv
import io
import json

from dashboard.cli import main


def test_help_lists_the_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for command in (
        "check-rules",
        "indicators",
        "evaluate",
        "bench",
        "import",
        "export",
        "history",
        "rollback",
        "demo",
        "report",
        "user",
        "audit",
    ):
        assert command in out


def test_check_rules_ok_on_shipped_rules(capsys):
    assert main(["check-rules"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 90 项指标，40 个地区") and "OK: 90 indicators, 40 areas" in out


def test_indicators_for_an_area(capsys):
    assert main(["indicators", "--area", "江津区"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 90
    assert list(rows[0])[:13] == [
        "code",
        "plan",
        "domain",
        "domain_name",
        "number",
        "name_zh",
        "name_en",
        "unit",
        "direction",
        "target_text",
        "check_kind",
        "attribute",
        "target_source",
    ]
    w04 = next(r for r in rows if r["code"] == "W04")
    assert (w04["target_text"], w04["baseline_year"], w04["baseline"]) == ("≥94", "2020", "92.55")
    wz = main(["indicators", "--area", "万州区", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert wz == 0 and next(r for r in data if r["code"] == "W04")["baseline"] is None  # Jiangjin's baseline only


def test_evaluate_a_file(tmp_path, capsys):
    f = tmp_path / "values.csv"
    f.write_text("区县,指标,年份,数值\n万州区,C19,2020,95\n万州区,C19,2025,96\n", encoding="gbk")
    assert main(["evaluate", "--data", str(f), "--year", "2025", "--area", "万州区"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 90
    c19 = next(r for r in rows if r["indicator"] == "C19")
    assert (c19["area_code"], c19["area_name"], c19["value"], c19["target_text"], c19["status"]) == (
        "500101",
        "万州区",
        "96.0",
        "≥98.2",
        "needs_acceleration",
    )
    assert "will_miss" in c19["flags"] and float(c19["projected_2030"]) < 98.2


def test_evaluate_rejects_a_bad_file(tmp_path, capsys):
    f = tmp_path / "bad.csv"
    f.write_text("区县,指标,年份,数值\n万州区,C19,2019,95\n", encoding="utf-8")
    assert main(["evaluate", "--data", str(f)]) == 1
    assert "row 2, column 年份: YEAR_OUT_OF_RANGE" in capsys.readouterr().err


def test_bench_prints_its_figures(capsys):
    assert main(["bench", "--areas", "12", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["rows"] == 13 * 90 * 11  # 12 areas + the national root, 2020–2030
    assert result["evaluate_seconds"] > 0 and result["speedup"] > 0
    assert sum(result["status_counts"].values()) == result["rows"]
    agreed, sampled = result["sample_status_agreement"].split("/")
    assert agreed == sampled and int(sampled) > 0  # the per-cell method gives the same statuses


def test_report_from_the_command_line_has_the_tasks_and_units(tmp_path, monkeypatch, demo_db, capsys):
    import docx

    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    monkeypatch.setenv("DASHBOARD_DB_URL", f"sqlite:///{db}")
    out = tmp_path / "r.docx"
    assert main(["report", "--area", "江津区", "--year", "2024", "--out", str(out)]) == 0
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(out.read_bytes())).paragraphs)
    assert "四、重点任务与责任单位" in text
    # The committee's own measures beside the statuses (docs/method.md, part C).
    assert "达标率：全部指标 " in text and "按评估分类：提前达标 " in text
    # Each indicator against the year before and the baseline, in the committee's words.
    changes = [p for p in text.splitlines() if p.startswith("W03 孕产妇死亡率：2024年为")]
    assert len(changes) == 1 and "比上年" in changes[0] and "比2020年" in changes[0], changes
    cells = [c.text for table in docx.Document(str(out)).tables for row in table.rows for c in row.cells]
    # W03 is moved by the 2020 work plan's task 5, led by the health commission.
    assert "WP2020-05" in cells and "市卫生健康委" in cells


def test_evaluate_published_method_beside_the_adapted_one(tmp_path, capsys):
    # T01 maternal mortality "<8", a rare-event rate (smoothing_years: 3): 12, 8, 8, 8 in 2020–2023.
    # Adapted: the mean of 2021–2023 is 8.0, and "<8" is strict: not met. Open SDG as published:
    # the latest value 8 (no smoothing), and reaching the target counts (current ≤ target): achieved.
    from conftest import write_small_rules

    root = write_small_rules(tmp_path / "rules")
    (root / "units.yaml").write_text(
        'units:\n  - {code: office, name_zh: 办公室, name_en: The Office, level: city, area: "100000"}\n',
        encoding="utf-8",
    )
    f = tmp_path / "t01.csv"
    rows = "".join(f"乙区,T01,{y},{v}\n" for y, v in ((2020, 12), (2021, 8), (2022, 8), (2023, 8)))
    f.write_text("区县,指标,年份,数值\n" + rows, encoding="utf-8")
    base = ["evaluate", "--rules", str(root), "--data", str(f), "--year", "2023", "--area", "乙区"]
    status = {}
    for method in ("adapted", "published"):
        assert main([*base, "--method", method]) == 0
        out = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
        t01 = next(r for r in out if r["indicator"] == "T01")
        status[method] = (t01["status"], t01["met"], t01["value_used"])
    assert status["published"] == ("achieved", "True", "8.0")
    assert status["adapted"][1:] == ("False", "8.0") and status["adapted"][0] != "achieved"
