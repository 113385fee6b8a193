"""``python -m dashboard bench-report`` as a smoke: the figures it prints, never a time (README, Benchmarks)."""

from __future__ import annotations

import json

from dashboard.cli import main


def test_bench_report_prints_its_figures(demo_db, tmp_path, capsys):
    db = tmp_path / "demo.db"
    db.write_bytes(demo_db.read_bytes())
    args = ["bench-report", "--repeat", "1", "--formats", "docx,xlsx", "--area", "江津区", "--year", "2024"]
    assert main([*args, "--db-url", f"sqlite:///{db}", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)

    assert result["area"] == "500116" and result["year"] == 2024 and result["lang"] == "zh"
    assert result["values"] > 0 and result["repeat"] == 1
    figures = ["docx_in_process_s", "docx_cli_wall_s", "xlsx_in_process_s", "xlsx_cli_wall_s"]
    figures += ["docx_app_s", "app_page_s"]
    assert [key for key in result if key.endswith("_s")] == figures
    assert all(isinstance(result[key], float) and result[key] > 0 for key in figures)


def test_bench_report_refuses_an_unknown_format(capsys):
    assert main(["bench-report", "--formats", "docx,odt", "--no-app"]) == 1
    assert "odt" in capsys.readouterr().err
