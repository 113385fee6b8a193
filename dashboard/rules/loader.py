"""Load and validate everything under ``rules/`` into one typed ``RuleSet``.

Every problem in every file is collected (not just the first) with its file and line, so
``check-rules`` can print them all. The same reading serves the current plan (``rules/``) and each
previous plan period (``rules/periods/<start>-<end>/``, see ``periods.py``): a plan's catalogue
(``indicators/``) here, its areas' own targets, definitions, added rows and indicators left out
(``overrides/``) in ``overrides.py``. The rule set resolves, for any area, the indicator and the
target that apply: the catalogue's, or the area's own.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from ..messages import Code, Name, Problem
from .meaning import row_problems
from .models import (
    SCHEMA_FIELDS,
    Area,
    Attribute,
    ContextSeries,
    Domain,
    IndicatorFile,
    IndicatorSpec,
    Plan,
    Settings,
)
from .names import code_of_name
from .overrides import Catalogue, load_overrides
from .periods import load_periods
from .reading import Reader, indicator_from_spec, indicator_rows, parse_check, relative_path
from .ruleset import Indicator, RuleSet
from .validation import did_you_mean, guess, item_line, not_a_mapping, row_subject, unknown_keys, validate
from .yaml_lines import LineDict, LineList, line_for, read_rules_bytes

__all__ = ["load_rules", "parse_check", "relative_path"]

M = TypeVar("M", bound=BaseModel)


def load_rules(root: Path | str) -> RuleSet:
    """Load the rules directory ``root`` and report every problem (``RuleSet.problems``)."""
    root = Path(root)
    problems: list[Problem] = []
    reader = Reader(root, problems)

    if not root.is_dir():
        problems.append(Problem(Code.NO_RULES, {"path": str(root)}))
        return RuleSet(root, Settings(), {}, {}, {}, {}, {}, {}, problems)

    settings = _load_settings(reader)
    areas, broken_areas = _load_areas(reader)

    def plan(folder: Path, plan_settings: Settings) -> RuleSet:
        """One plan's catalogue (``folder/indicators``) and area files (``folder/overrides``)."""
        plans, domains, indicators, context, seen_codes = _load_indicators(reader, areas, plan_settings, folder)
        known_series = set(seen_codes) | set(context)
        catalogue = Catalogue(plans, set(domains), indicators, seen_codes, known_series)
        area_plans = load_overrides(reader, areas, broken_areas, catalogue, plan_settings, folder)
        return RuleSet(
            root,
            plan_settings,
            areas,
            plans,
            domains,
            indicators | area_plans.added,  # an area's added rows are series like the catalogue's
            context,
            area_plans.targets,
            problems,
            area_indicators=area_plans.definitions,
            not_monitored=area_plans.not_monitored,
            area_changes=area_plans.changes,
            area_files=area_plans.files,
        )

    current = plan(root, settings)
    current.periods = load_periods(reader, current, plan)

    # The fingerprint covers every YAML file under rules/ (tasks and units too), so caches keyed on
    # it refresh when any of them is edited.
    for extra in sorted(root.rglob("*.yaml")):
        if extra.parent.name not in ("indicators", "overrides") and extra.name not in ("settings.yaml", "areas.yaml"):
            reader.digest.update(str(extra.relative_to(root)).encode())
            raw, _ = read_rules_bytes(extra, str(extra), root)  # refused ones are reported by their reader
            reader.digest.update(raw or b"")
    current.fingerprint = reader.digest.hexdigest()[:16]
    for previous in current.periods.values():
        previous.fingerprint = f"{current.fingerprint}:{previous.period_key}"
    return current


# ------------------------------------------------------------------------------------ settings.yaml
def _load_settings(reader: Reader) -> Settings:
    path = reader.root / "settings.yaml"
    if not path.exists():
        return Settings()
    data, shown = reader.read_mapping(path)
    if data is None:
        return Settings()
    return validate(Settings, data, shown, reader.problems, known_fields=SCHEMA_FIELDS) or Settings()


# ------------------------------------------------------------------------------------ areas.yaml
def _load_areas(reader: Reader) -> tuple[dict[str, Area], set[str]]:
    problems = reader.problems
    areas: dict[str, Area] = {}
    broken: set[str] = set()
    path = reader.root / "areas.yaml"
    if not path.exists():
        problems.append(Problem(Code.MISSING_FILE_AREAS, file=relative_path(path, reader.root)))
        return areas, broken
    data, shown = reader.read(path)
    if not (isinstance(data, LineDict) and isinstance(data.get("areas"), LineList)):
        if data is not None or not any(p.file == shown for p in problems):
            problems.append(Problem(Code.MISSING_FIELD_AREAS_LIST, file=shown, line=getattr(data, "line", 1)))
        return areas, broken
    problems.extend(unknown_keys(data, ["areas"], shown))
    items: LineList = data["areas"]
    for i, item in enumerate(items):
        area = validate(Area, item, shown, problems, prefix=("areas", i), known_fields=SCHEMA_FIELDS)
        if area is None:
            if isinstance(item, dict) and isinstance(item.get("code"), str):
                broken.add(item["code"])
            continue
        if area.code in areas:
            problems.append(Problem(Code.DUPLICATE_AREA_CODE, {"code": area.code}, file=shown, line=items.line_of(i)))
            continue
        areas[area.code] = area
    for item in items:
        parent = item.get("parent") if isinstance(item, LineDict) else None
        if parent and parent not in areas and parent not in broken:
            problems.append(
                _area_name_or(Code.UNKNOWN_AREA_PARENT, parent, "parent", areas, shown, item.line_of("parent"))
            )
    roots = [
        i
        for i, item in enumerate(items)
        if isinstance(item, dict) and not item.get("parent") and item.get("code") in areas
    ]
    if len(roots) != 1 and areas:
        problems.append(
            Problem(Code.AREA_TREE, file=shown, line=items.line_of(roots[1]) if len(roots) > 1 else items.line)
        )
    return areas, broken


# ------------------------------------------------------------------------------------ indicators/*.yaml
def _load_indicators(reader: Reader, areas: dict[str, Area], settings: Settings, folder: Path):
    problems = reader.problems
    plans: dict[str, Plan] = {}
    domains: dict[tuple[str, str], Domain] = {}
    indicators: dict[str, Indicator] = {}
    context: dict[str, ContextSeries] = {}
    pending_refs: list[tuple[str, str, str, int | None]] = []  # (indicator, ref, file, line)
    specs: list[tuple[IndicatorSpec, Plan, str, int, LineDict]] = []
    ind_dir = folder / "indicators"
    files = sorted(ind_dir.glob("*.yaml")) if ind_dir.is_dir() else []
    if not files:
        problems.append(Problem(Code.MISSING_FILE_INDICATORS, file=relative_path(ind_dir, reader.root)))
    seen_codes: dict[str, str] = {}
    for path in files:
        data, shown = reader.read(path)
        if data is None:
            if not any(p.file == shown for p in problems):
                problems.append(Problem(Code.MISSING_FIELD_EMPTY_FILE, file=shown, line=1))
            continue
        if not isinstance(data, LineDict):
            problems.append(not_a_mapping(data, shown))
            continue
        # Validate the parts one by one: a typo in domains: must not hide the rows' own mistakes.
        problems.extend(unknown_keys(data, IndicatorFile.model_fields, shown))
        for key in ("plan", "domains", "indicators"):
            if key not in data:
                problems.append(
                    Problem(Code.MISSING_FIELD, {"key": key, "where": key, "subject": ""}, file=shown, line=data.line)
                )
        plan = (
            validate(
                Plan,
                data.get("plan"),
                shown,
                problems,
                prefix=("plan",),
                fallback=data.line_of("plan"),
                known_fields=SCHEMA_FIELDS,
            )
            if "plan" in data
            else None
        )
        if plan is None:
            continue
        if plan.code in plans:
            problems.append(
                Problem(Code.DUPLICATE_PLAN_CODE, {"code": plan.code}, file=shown, line=data["plan"].line_of("code"))
            )
            continue
        plans[plan.code] = plan
        if areas and plan.area not in areas:
            problems.append(
                _area_name_or(Code.UNKNOWN_AREA_PLAN, plan.area, "area", areas, shown, data["plan"].line_of("area"))
            )
        for line, domain in _items(data, "domains", Domain, shown, problems):
            if (plan.code, domain.code) in domains:
                problems.append(Problem(Code.DUPLICATE_DOMAIN_CODE, {"code": domain.code}, file=shown, line=line))
            else:
                domains[(plan.code, domain.code)] = domain
        for _, series in _items(data, "context_series", ContextSeries, shown, problems):
            context[series.code] = series
        if not isinstance(data.get("indicators"), list):
            if "indicators" in data:
                problems.append(
                    Problem(
                        Code.WRONG_TYPE_LIST,
                        {"where": "indicators", "subject": "", "value": ""},
                        file=shown,
                        line=data.line_of("indicators"),
                    )
                )
            continue
        for spec, item, line, _ in indicator_rows(data["indicators"], "indicators", shown, problems):
            if not spec.code.startswith(plan.code):
                problems.append(
                    Problem(
                        Code.BAD_CODE, {"code": spec.code, "plan": plan.code}, file=shown, line=item.line_of("code")
                    )
                )
            if spec.code in seen_codes:
                problems.append(
                    Problem(
                        Code.DUPLICATE_INDICATOR_CODE,
                        {"code": spec.code, "first": seen_codes[spec.code]},
                        file=shown,
                        line=item.line_of("code"),
                    )
                )
                continue
            seen_codes[spec.code] = f"{shown}:{line}"
            if (plan.code, spec.domain) not in domains:
                hit = guess(spec.domain, [d for (p, d) in domains if p == plan.code])
                problems.append(
                    Problem(
                        Code.UNKNOWN_DOMAIN,
                        {"domain": spec.domain, "subject": row_subject(spec.code, item), "hint": did_you_mean(hit)},
                        file=shown,
                        line=item.line_of("domain"),
                    )
                )
            specs.append((spec, plan, shown, line or 0, item))

    # Sub-rows without an attribute take the one of their group (same plan and number).
    group_attr: dict[tuple[str, int], Attribute] = {}
    for spec, plan, _, _, _ in specs:
        if spec.attribute and (plan.code, spec.number) not in group_attr:
            group_attr[(plan.code, spec.number)] = spec.attribute

    for order, (spec, plan, shown, line, item) in enumerate(specs):
        subject = row_subject(spec.code, item)
        attribute = spec.attribute or group_attr.get((plan.code, spec.number))
        if attribute is None:
            problems.append(
                Problem(Code.MISSING_FIELD_ATTRIBUTE, {"code": spec.code, "subject": subject}, file=shown, line=line)
            )
            continue
        parsed = parse_check(
            spec.check, spec.target, spec.direction, spec.reference, shown, item.line_of("target"), problems, subject
        )
        if parsed is None:
            continue
        ind = indicator_from_spec(
            spec,
            parsed,
            settings,
            plan=plan.code,
            order=order,
            attribute=attribute,
            baseline_area=plan.area,
            defined_at=(shown, line),
        )
        found = row_problems(
            ind,
            settings=settings,
            shown=shown,
            target_line=item.line_of("target"),
            baseline_line=item.line_of("baseline"),
            subject=subject,
        )
        problems.extend(found)
        if any(p.severity == "error" for p in found):
            continue
        if spec.reference:
            pending_refs.append((spec.code, spec.reference, shown, item.line_of("reference")))
        elif (ref_series := parsed.referenced_series()) is not None:
            pending_refs.append((spec.code, ref_series, shown, line_for(item, ("check", "series"))))
        indicators[spec.code] = ind

    known_series = set(seen_codes) | set(context)
    for code, ref, shown, line in pending_refs:
        if ref not in known_series:
            problems.append(
                Problem(
                    Code.UNKNOWN_REFERENCE,
                    {"code": code, "ref": ref, "hint": did_you_mean(guess(ref, known_series))},
                    file=shown,
                    line=line,
                )
            )
    return plans, domains, indicators, context, seen_codes


def _items(
    data: LineDict, key: str, model: type[M], shown: str, problems: list[Problem]
) -> Iterator[tuple[int | None, M]]:
    """The valid items of the list ``data[key]`` (each with its line); problems for the rest."""
    seq = data.get(key) or []
    if not isinstance(seq, list):
        problems.append(
            Problem(
                Code.WRONG_TYPE_LIST, {"where": key, "subject": "", "value": ""}, file=shown, line=data.line_of(key)
            )
        )
        return
    for i, item in enumerate(seq):
        line = item_line(seq, i)
        obj = validate(model, item, shown, problems, prefix=(key, i), fallback=line, known_fields=SCHEMA_FIELDS)
        if obj is not None:
            yield line, obj


def _area_name_or(code: Code, text: str, key: str, areas: dict[str, Area], shown: str, line: int | None) -> Problem:
    """UNKNOWN_AREA for an area code nobody has, or — when ``text`` is an area's name — the code to write."""
    named = code_of_name(text, areas)
    if named is None:
        return Problem(code, {"code": text, "hint": did_you_mean(guess(text, areas))}, file=shown, line=line)
    area = areas[named]
    return Problem(
        Code.UNKNOWN_AREA_NAME,
        {"text": text, "name": Name(area.name_zh, area.name_en), "code": named, "key": key},
        file=shown,
        line=line,
    )
