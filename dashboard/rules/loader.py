"""Load and validate everything under ``rules/`` into one typed ``RuleSet``.

Every problem in every file is collected (not just the first) with its file and line, so
``check-rules`` can print them all. The rule set resolves, for any area, the target that applies
to each indicator: the plan default, or the area's own override.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from ..checks import Check, Direction, TargetParseError, parse_target
from ..messages import Code, Problem
from .models import (
    SCHEMA_FIELDS,
    Area,
    ContextSeries,
    Domain,
    IndicatorFile,
    IndicatorSpec,
    OverrideFile,
    Plan,
    Settings,
)
from .ruleset import Indicator, ResolvedTarget, RuleSet
from .validation import did_you_mean, guess, item_line, not_a_mapping, unknown_keys, validate
from .yaml_lines import LineDict, LineList, line_for, load_yaml_file, read_rules_bytes

M = TypeVar("M", bound=BaseModel)


def relative_path(path: Path, root: Path) -> str:
    """How a rules file is named in messages: relative to the folder that holds ``rules/``."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


@dataclass
class _Reader:
    """Reads the rules files, keeping the problems and the fingerprint of everything read."""

    root: Path
    problems: list[Problem]

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256()

    def read(self, path: Path) -> tuple[Any, str]:
        shown = relative_path(path, self.root)
        self.digest.update(shown.encode())
        # Read once, after the checks (regular file, inside rules/, size): the same bytes are
        # fingerprinted and parsed.
        raw, refused = read_rules_bytes(path, shown, self.root)
        if raw is None:
            self.problems.extend([refused] if refused is not None else [])
            return None, shown
        self.digest.update(raw)
        data, found = load_yaml_file(path, shown, raw=raw)
        self.problems.extend(found)
        return data, shown


def load_rules(root: Path | str) -> RuleSet:
    """Load the rules directory ``root`` and report every problem (``RuleSet.problems``)."""
    root = Path(root)
    problems: list[Problem] = []
    reader = _Reader(root, problems)

    if not root.is_dir():
        problems.append(Problem(Code.NO_RULES, {"path": str(root)}))
        return RuleSet(root, Settings(), {}, {}, {}, {}, {}, {}, problems)

    settings = _load_settings(reader)
    areas, broken_areas = _load_areas(reader)
    plans, domains, indicators, context, seen_codes = _load_indicators(reader, areas)
    known_series = set(seen_codes) | set(context)
    overrides = _load_overrides(reader, areas, broken_areas, indicators, seen_codes, known_series)

    # The fingerprint covers every YAML file under rules/ (tasks and units too), so caches keyed on
    # it refresh when any of them is edited.
    for extra in sorted(root.rglob("*.yaml")):
        if extra.parent.name not in ("indicators", "overrides") and extra.name not in ("settings.yaml", "areas.yaml"):
            reader.digest.update(str(extra.relative_to(root)).encode())
            raw, _ = read_rules_bytes(extra, str(extra), root)  # refused ones are reported by their reader
            reader.digest.update(raw or b"")
    return RuleSet(
        root, settings, areas, plans, domains, indicators, context, overrides, problems, reader.digest.hexdigest()[:16]
    )


# ------------------------------------------------------------------------------------ settings.yaml
def _load_settings(reader: _Reader) -> Settings:
    path = reader.root / "settings.yaml"
    if not path.exists():
        return Settings()
    data, shown = reader.read(path)
    if data is None:
        return Settings()
    if not isinstance(data, LineDict):
        reader.problems.append(not_a_mapping(data, shown))
        return Settings()
    return validate(Settings, data, shown, reader.problems, known_fields=SCHEMA_FIELDS) or Settings()


# ------------------------------------------------------------------------------------ areas.yaml
def _load_areas(reader: _Reader) -> tuple[dict[str, Area], set[str]]:
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
                Problem(Code.UNKNOWN_AREA_PARENT, {"code": parent}, file=shown, line=item.line_of("parent"))
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
def _load_indicators(reader: _Reader, areas: dict[str, Area]):
    problems = reader.problems
    plans: dict[str, Plan] = {}
    domains: dict[tuple[str, str], Domain] = {}
    indicators: dict[str, Indicator] = {}
    context: dict[str, ContextSeries] = {}
    pending_refs: list[tuple[str, str, str, int | None]] = []  # (indicator, ref, file, line)
    specs: list[tuple[IndicatorSpec, Plan, str, int, LineDict]] = []
    ind_dir = reader.root / "indicators"
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
                Problem(Code.UNKNOWN_AREA_PLAN, {"code": plan.area}, file=shown, line=data["plan"].line_of("area"))
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
        items = data["indicators"]
        for i, item in enumerate(items):
            line = item_line(items, i)
            subject = item.get("code", "") if isinstance(item, dict) and isinstance(item.get("code"), str) else ""
            spec = validate(
                IndicatorSpec,
                item,
                shown,
                problems,
                prefix=("indicators", i),
                fallback=line,
                known_fields=SCHEMA_FIELDS,
                subject=subject,
            )
            if spec is None:
                continue
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
                        {"domain": spec.domain, "subject": spec.code, "hint": did_you_mean(hit)},
                        file=shown,
                        line=item.line_of("domain"),
                    )
                )
            specs.append((spec, plan, shown, line or 0, item))

    # Sub-rows without an attribute take the one of their group (same plan and number).
    group_attr: dict[tuple[str, int], str] = {}
    for spec, plan, _, _, _ in specs:
        if spec.attribute and (plan.code, spec.number) not in group_attr:
            group_attr[(plan.code, spec.number)] = spec.attribute

    for order, (spec, plan, shown, line, item) in enumerate(specs):
        attribute = spec.attribute or group_attr.get((plan.code, spec.number))
        if attribute is None:
            problems.append(Problem(Code.MISSING_FIELD_ATTRIBUTE, {"code": spec.code}, file=shown, line=line))
            continue
        parsed = parse_check(
            spec.check, spec.target, spec.direction, spec.reference, shown, item.line_of("target"), problems, spec.code
        )
        if parsed is None:
            continue
        check = parsed
        if spec.reference:
            pending_refs.append((spec.code, spec.reference, shown, item.line_of("reference")))
        elif (ref_series := check.referenced_series()) is not None:
            pending_refs.append((spec.code, ref_series, shown, line_for(item, ("check", "series"))))
        lo, hi = spec.valid_range if spec.valid_range else ((0.0, 100.0) if spec.unit == "%" else (0.0, None))
        indicators[spec.code] = Indicator(
            code=spec.code,
            plan=plan.code,
            domain=spec.domain,
            number=spec.number,
            order=order,
            name_zh=spec.name_zh,
            name_en=spec.name_en,
            unit=spec.unit,
            direction=spec.direction,
            target_text=spec.target,
            check=check,
            attribute=attribute,
            baseline=spec.baseline,
            baseline_note=spec.baseline_note,
            baseline_area=plan.area,
            valid_min=lo,
            valid_max=hi,
            smoothing_years=spec.smoothing_years,
            decimals=spec.decimals,
        )

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


# ------------------------------------------------------------------------------------ overrides/*.yaml
def _load_overrides(
    reader: _Reader,
    areas: dict[str, Area],
    broken_areas: set[str],
    indicators: dict[str, Indicator],
    seen_codes: dict[str, str],
    known_series: set[str],
) -> dict[str, dict[str, ResolvedTarget]]:
    problems = reader.problems
    overrides: dict[str, dict[str, ResolvedTarget]] = {}
    odir = reader.root / "overrides"
    for path in sorted(odir.glob("*.yaml")) if odir.is_dir() else []:
        data, shown = reader.read(path)
        if data is None:
            continue
        if not isinstance(data, LineDict):
            problems.append(not_a_mapping(data, shown))
            continue
        ofile = validate(OverrideFile, data, shown, problems, known_fields=SCHEMA_FIELDS)
        if ofile is None:
            continue
        if ofile.area not in areas and ofile.area in broken_areas:
            continue
        if ofile.area not in areas:
            problems.append(
                Problem(
                    Code.UNKNOWN_AREA_OVERRIDE,
                    {"code": ofile.area, "hint": did_you_mean(guess(ofile.area, areas))},
                    file=shown,
                    line=data.line_of("area"),
                )
            )
            continue
        if ofile.area in overrides:
            problems.append(
                Problem(Code.DUPLICATE_OVERRIDE_FILE, {"code": ofile.area}, file=shown, line=data.line_of("area"))
            )
            continue
        resolved: dict[str, ResolvedTarget] = {}
        tmap: LineDict = data["targets"]
        for code, entry in ofile.targets.items():
            line = tmap.line_of(code)
            ind = indicators.get(code)
            if ind is None and code in seen_codes:
                continue  # the row's own error is already reported
            if ind is None:
                problems.append(
                    Problem(
                        Code.UNKNOWN_INDICATOR_OVERRIDE,
                        {"code": code, "hint": did_you_mean(guess(code, indicators))},
                        file=shown,
                        line=line,
                    )
                )
                continue
            text = entry.target or ind.target_text
            node = tmap[code]
            if entry.target is None and entry.check is None and entry.reference is None:
                check = ind.check
            else:
                parsed = parse_check(
                    entry.check,
                    text,
                    ind.direction,
                    entry.reference,
                    shown,
                    node.line_of("target") if isinstance(node, LineDict) else line,
                    problems,
                    code,
                )
                if parsed is None:
                    continue
                check = parsed
            if entry.reference and entry.reference not in known_series:
                problems.append(
                    Problem(
                        Code.UNKNOWN_REFERENCE_OVERRIDE,
                        {"code": code, "ref": entry.reference},
                        file=shown,
                        line=node.line_of("reference"),
                    )
                )
                continue
            resolved[code] = ResolvedTarget(
                area=ofile.area,
                indicator=code,
                target_text=text,
                check=check,
                attribute=entry.attribute or ind.attribute,
                source="override",
                source_file=shown,
                baseline=entry.baseline
                if entry.baseline is not None
                else (ind.baseline if ofile.area == ind.baseline_area else None),
            )
        overrides[ofile.area] = resolved
    return overrides


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


def parse_check(
    explicit: Check | None,
    text: str,
    direction: Direction,
    reference: str | None,
    shown: str,
    line: int | None,
    problems: list[Problem],
    subject: str = "",
) -> Check | None:
    """The explicit ``check:`` if given, else the printed text parsed; a BAD_TARGET problem if neither."""
    if explicit is not None:
        return explicit
    try:
        return parse_target(text, direction, reference)
    except TargetParseError as exc:
        problems.append(
            Problem(exc.message_id, {**exc.params, "subject": f"{subject}：" if subject else ""}, file=shown, line=line)
        )
        return None
