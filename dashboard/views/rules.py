"""规则 Rules: validation problems and each area's targets against the defaults."""

from __future__ import annotations

import pandas as pd

from ..messages import Problem, t
from ..rules import RuleSet, attribute_label


def problems_frame(problems: list[Problem], lang: str = "zh") -> pd.DataFrame:
    """Every validation problem with its file and line (``RulesState.problems``: those of the files on disk)."""
    rows = [
        {"file": p.file or "", "line": p.line, "code": p.code, "severity": p.severity, "message": p.message(lang)}
        for p in problems
    ]
    out = pd.DataFrame(rows, columns=["file", "line", "code", "severity", "message"])
    out["line"] = out["line"].astype("Int64")
    return out


def area_targets(rules: RuleSet, area: str, lang: str = "zh") -> pd.DataFrame:
    """The targets that apply in ``area`` next to the plan defaults.

    Columns: indicator, name, default_target, area_target, attribute, source, source_file, differs.
    """
    rows = []
    for ind in sorted(rules.indicators.values(), key=lambda i: i.order):
        tgt = rules.target_for(area, ind.code)
        differs = tgt.source == "override" and (
            tgt.target_text != ind.target_text or tgt.check != ind.check or tgt.attribute != ind.attribute
        )
        rows.append(
            {
                "indicator": ind.code,
                "name": ind.name(lang),
                "default_target": ind.target_text,
                "area_target": tgt.target_text,
                "attribute": attribute_label(tgt.attribute, lang),
                "source": t(f"target_source_{tgt.source}", lang),
                "source_file": tgt.source_file or "",
                "differs": bool(differs),
            }
        )
    return pd.DataFrame(
        rows,
        columns=["indicator", "name", "default_target", "area_target", "attribute", "source", "source_file", "differs"],
    )
