"""规则 Rules: validation problems and each area's targets against the defaults."""

from __future__ import annotations

import pandas as pd

from ..messages import Problem, colon, separator, t
from ..messages.numbers import unit_label
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
    """The targets that apply in ``area`` next to the plan defaults, each indicator as the area defines it.

    Columns: indicator, name, unit, default_target, area_target, attribute, source, source_file,
    changes (the definition fields the area changes, in words; "added" / "not monitored: why"),
    note, differs.
    """
    rows = []
    for ind in rules.indicators_for(area):
        default = rules.indicators[ind.code]
        tgt = rules.target_for(area, ind.code)
        left_out = rules.not_monitored_in(area, ind.code)
        changes = [t(f"field_{c.field}", lang) for c in rules.defined_differently(area, ind.code)]
        if default.area is not None:
            changes.insert(0, t("field_added", lang))
        if left_out is not None:
            changes.append(f"{t('field_not_monitored', lang)}{colon(lang)}{left_out.reason}")
        differs = bool(changes) or (
            tgt.source == "override"
            and (
                tgt.target_text != default.target_text
                or tgt.check != default.check
                or tgt.attribute != default.attribute
            )
        )
        rows.append(
            {
                "indicator": ind.code,
                "name": ind.name(lang),
                "unit": unit_label(ind.unit, lang),
                "default_target": default.target_text if default.area is None else "",
                # An indicator the area leaves out has no target there; one it adds has only its own.
                "area_target": "" if left_out is not None else tgt.target_text,
                "attribute": attribute_label(tgt.attribute, lang),
                "source": (
                    t("field_not_monitored", lang)
                    if left_out is not None
                    else t(
                        "target_source_override" if default.area is not None else f"target_source_{tgt.source}", lang
                    )
                ),
                "source_file": tgt.source_file or ind.source_file or (left_out.source_file if left_out else ""),
                "changes": separator(lang).join(changes),
                "note": "；".join(dict.fromkeys(n for n in (ind.note, tgt.note, left_out and left_out.note) if n)),
                "differs": differs,
            }
        )
    return pd.DataFrame(rows, columns=[*_AREA_TARGET_COLUMNS])


_AREA_TARGET_COLUMNS = (
    "indicator",
    "name",
    "unit",
    "default_target",
    "area_target",
    "attribute",
    "source",
    "source_file",
    "changes",
    "note",
    "differs",
)
