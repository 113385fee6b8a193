"""Load and validate everything under ``rules/`` into one typed ``RuleSet``.

Every problem in every file is collected (not just the first) with its file and line, so
``check-rules`` can print them all. The rule set resolves, for any area, the target that applies
to each indicator: the plan default, or the area's own override.
"""
from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError

from .config import rules_dir
from .models import (
    SCHEMA_FIELDS,
    Area,
    Attribute,
    ContextSeries,
    Domain,
    IndicatorFile,
    IndicatorSpec,
    OverrideFile,
    Plan,
    Settings,
)
from .problems import Problem
from .targets import Check, TargetParseError, parse_target
from .yaml_source import LineDict, LineList, line_for, load_yaml_file


class Indicator(BaseModel):
    """An indicator after loading: its printed target parsed into ``check``."""

    model_config = ConfigDict(frozen=True)

    code: str
    plan: str
    domain: str
    number: int
    order: int
    name_zh: str
    name_en: str
    unit: str
    direction: str
    target_text: str
    check: Check
    attribute: Attribute
    baseline: float | None
    baseline_note: str | None
    baseline_area: str
    valid_min: float | None
    valid_max: float | None
    smoothing_years: int | None

    def name(self, lang: str = "zh") -> str:
        return self.name_en if lang == "en" else self.name_zh

    @property
    def printed_name(self) -> str:
        """The name as the plan table prints it, unit in brackets: ``孕产妇死亡率（1/10万）``."""
        return f"{self.name_zh}（{self.unit}）" if self.unit else self.name_zh


@dataclass(frozen=True)
class ResolvedTarget:
    """The target one area is held to for one indicator, and where it comes from."""

    area: str
    indicator: str
    target_text: str
    check: Any
    attribute: str
    source: str  # "default" or "override"
    source_file: str | None
    baseline: float | None


@dataclass(eq=False)  # identity-hashed: caches key on the loaded rule set
class RuleSet:
    """Everything the rules directory says, typed and cross-checked."""

    root: Path
    settings: Settings
    areas: dict[str, Area]
    plans: dict[str, Plan]
    domains: dict[tuple[str, str], Domain]
    indicators: dict[str, Indicator]
    context_series: dict[str, ContextSeries]
    overrides: dict[str, dict[str, ResolvedTarget]]
    problems: list[Problem] = field(default_factory=list)
    fingerprint: str = ""

    @property
    def ok(self) -> bool:
        return not any(p.severity == "error" for p in self.problems)

    @property
    def city(self) -> Area:
        return next(a for a in self.areas.values() if a.parent is None)

    def area_name(self, code: str, lang: str = "zh") -> str:
        area = self.areas.get(code)
        if area is None:
            return code
        return area.name_en if lang == "en" else area.name_zh

    def domain_name(self, plan: str, domain: str, lang: str = "zh") -> str:
        d = self.domains.get((plan, domain))
        if d is None:
            return domain
        return d.name_en if lang == "en" else d.name_zh

    def target_for(self, area: str, indicator: str) -> ResolvedTarget:
        """The target that applies in ``area``: its override if it has one, else the default."""
        own = self.overrides.get(area, {}).get(indicator)
        if own is not None:
            return own
        default = self.default_target(indicator)
        ind = self.indicators[indicator]
        # The printed baseline belongs to the plan's own area only.
        baseline = ind.baseline if area == ind.baseline_area else None
        return ResolvedTarget(area, indicator, default.target_text, default.check, default.attribute,
                              "default", None, baseline)

    def default_target(self, indicator: str) -> ResolvedTarget:
        """The target as the plan prints it, for any area without an override (area left empty)."""
        ind = self.indicators[indicator]
        return ResolvedTarget(area="", indicator=indicator, target_text=ind.target_text, check=ind.check,
                              attribute=ind.attribute, source="default", source_file=None, baseline=None)

    def catalogue(self, area: str | None = None, lang: str = "zh") -> pd.DataFrame:
        """The indicator list with the targets that apply to ``area`` (default targets if None)."""
        rows = []
        for ind in self.indicators.values():
            t = self.target_for(area, ind.code) if area else self.default_target(ind.code)
            baseline = t.baseline if area else ind.baseline
            rows.append(
                {
                    "code": ind.code,
                    "plan": ind.plan,
                    "domain": ind.domain,
                    "domain_name": self.domain_name(ind.plan, ind.domain, lang),
                    "number": ind.number,
                    "name_zh": ind.name_zh,
                    "name_en": ind.name_en,
                    "unit": ind.unit,
                    "direction": ind.direction,
                    "target_text": t.target_text,
                    "check_kind": t.check.kind,
                    "attribute": t.attribute,
                    "target_source": t.source if area else "default",
                    "baseline_year": self.settings.baseline_year if baseline is not None else None,
                    "baseline": baseline,
                }
            )
        frame = pd.DataFrame(rows)
        frame["baseline_year"] = frame["baseline_year"].astype("Int64")
        return frame

    def series_codes(self) -> set[str]:
        return set(self.indicators) | set(self.context_series)


# ------------------------------------------------------------------------------------ loading
def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def _pydantic_problems(exc: ValidationError, data: Any, shown: str, prefix: tuple = (), fallback=None) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = prefix + tuple(err["loc"])
        line = line_for(data, tuple(err["loc"])) if data is not None else None
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            line = line_for(data, tuple(err["loc"]) + ("kind",)) or line
        if line is None:
            line = fallback
        where = ".".join(str(p) for p in loc)
        kind = err["type"]
        if kind == "extra_forbidden":
            key = str(err["loc"][-1])
            guess = difflib.get_close_matches(key, sorted(SCHEMA_FIELDS), n=1, cutoff=0.6)
            hint_zh = f"；是不是要写 “{guess[0]}”？" if guess else ""
            hint_en = f"; did you mean '{guess[0]}'?" if guess else ""
            out.append(Problem("UNKNOWN_KEY", f"未知的键 “{key}”（位于 {where}）{hint_zh}",
                               f"unknown key '{key}' (at {where}){hint_en}", file=shown, line=line))
        elif kind == "missing":
            out.append(Problem("MISSING_FIELD", f"缺少必填项 “{err['loc'][-1]}”（位于 {where}）",
                               f"missing required field '{err['loc'][-1]}' (at {where})", file=shown, line=line))
        elif kind in ("union_tag_invalid", "union_tag_not_found"):
            out.append(Problem("BAD_CHECK", f"check 的 kind 无效（位于 {where}）：{err['msg']}",
                               f"invalid check kind (at {where}): {err['msg']}", file=shown, line=line))
        else:
            value = err.get("input")
            shown_value = value if isinstance(value, (str, int, float, bool)) or value is None else type(value).__name__
            out.append(Problem("WRONG_TYPE", f"“{where}” 的值 {shown_value!r} 不符合要求：{err['msg']}",
                               f"'{where}' has value {shown_value!r}: {err['msg']}", file=shown, line=line))
    return out


def _validate(model, data: Any, shown: str, problems: list[Problem], prefix: tuple = (), fallback=None):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, data, shown, prefix, fallback))
        return None


def _not_a_mapping(data, shown: str) -> Problem:
    return Problem("WRONG_TYPE", "文件内容应为键值映射（key: value）", "the file must contain a mapping (key: value)",
                   file=shown, line=getattr(data, "line", 1))


def load_rules(root: Path | str | None = None) -> RuleSet:
    """Load ``root`` (default: ``DASHBOARD_RULES_DIR`` or ``rules/``) and report every problem."""
    root = Path(root) if root is not None else rules_dir()
    problems: list[Problem] = []
    digest = hashlib.sha256()

    def read(path: Path):
        shown = _rel(path, root)
        digest.update(shown.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            pass
        data, found = load_yaml_file(path, shown)
        problems.extend(found)
        return data, shown

    if not root.is_dir():
        problems.append(Problem("NO_RULES", f"找不到规则目录 {root}", f"rules directory {root} not found"))
        return RuleSet(root, Settings(), {}, {}, {}, {}, {}, {}, problems)

    # settings.yaml ------------------------------------------------------------
    settings = Settings()
    spath = root / "settings.yaml"
    if spath.exists():
        data, shown = read(spath)
        if data is not None:
            if not isinstance(data, dict):
                problems.append(_not_a_mapping(data, shown))
            else:
                settings = _validate(Settings, data, shown, problems) or settings

    # areas.yaml ---------------------------------------------------------------
    areas: dict[str, Area] = {}
    broken_areas: set[str] = set()
    apath = root / "areas.yaml"
    if not apath.exists():
        problems.append(Problem("MISSING_FILE", "缺少 areas.yaml", "areas.yaml is missing", file=_rel(apath, root)))
    else:
        data, shown = read(apath)
        if isinstance(data, dict) and isinstance(data.get("areas"), list):
            extra = set(data) - {"areas"}
            for key in sorted(extra, key=str):
                problems.append(Problem("UNKNOWN_KEY", f"未知的键 “{key}”", f"unknown key '{key}'",
                                        file=shown, line=data.line_of(key)))
            items: LineList = data["areas"]
            for i, item in enumerate(items):
                area = _validate(Area, item, shown, problems, ("areas", i))
                if area is None:
                    if isinstance(item, dict) and isinstance(item.get("code"), str):
                        broken_areas.add(item["code"])
                    continue
                if area.code in areas:
                    problems.append(Problem("DUPLICATE_CODE", f"地区代码 {area.code} 重复",
                                            f"area code {area.code} is used twice", file=shown,
                                            line=items.line_of(i)))
                    continue
                areas[area.code] = area
            for i, item in enumerate(items):
                if isinstance(item, LineDict) and item.get("parent") and item["parent"] not in areas and item["parent"] not in broken_areas:
                    problems.append(Problem("UNKNOWN_AREA", f"上级地区 “{item['parent']}” 不存在",
                                            f"parent area '{item['parent']}' does not exist", file=shown,
                                            line=item.line_of("parent")))
            roots = [i for i, item in enumerate(items)
                     if isinstance(item, dict) and not item.get("parent") and item.get("code") in areas]
            if len(roots) != 1 and areas:
                problems.append(Problem("AREA_TREE", "应当有且只有一个没有上级的地区（市）",
                                        "exactly one area (the city) must have no parent", file=shown,
                                        line=items.line_of(roots[1]) if len(roots) > 1 else items.line))
        elif data is not None or not any(p.file == shown for p in problems):
            problems.append(Problem("MISSING_FIELD", "areas.yaml 需要一个 areas: 列表",
                                    "areas.yaml needs an 'areas:' list", file=shown, line=getattr(data, "line", 1)))

    # indicators/*.yaml ----------------------------------------------------------
    plans: dict[str, Plan] = {}
    domains: dict[tuple[str, str], Domain] = {}
    indicators: dict[str, Indicator] = {}
    context: dict[str, ContextSeries] = {}
    pending_refs: list[tuple[str, str, str, int]] = []  # (indicator, ref, file, line)
    specs: list[tuple[IndicatorSpec, Plan, str, int]] = []
    ind_dir = root / "indicators"
    files = sorted(ind_dir.glob("*.yaml")) if ind_dir.is_dir() else []
    if not files:
        problems.append(Problem("MISSING_FILE", "indicators/ 目录下没有指标文件",
                                "no indicator files under indicators/", file=_rel(ind_dir, root)))
    seen_codes: dict[str, str] = {}
    for path in files:
        data, shown = read(path)
        if data is None:
            if not any(p.file == shown for p in problems):
                problems.append(Problem("MISSING_FIELD", "文件是空的", "the file is empty", file=shown, line=1))
            continue
        if not isinstance(data, dict):
            problems.append(_not_a_mapping(data, shown))
            continue
        # Validate the parts one by one: a typo in domains: must not hide the rows' own mistakes.
        for key in data:
            if key not in IndicatorFile.model_fields:
                guess = difflib.get_close_matches(str(key), list(IndicatorFile.model_fields), n=1)
                problems.append(Problem("UNKNOWN_KEY", f"未知的键 “{key}”" + (f"；是不是要写 “{guess[0]}”？" if guess else ""),
                                        f"unknown key '{key}'" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                                        file=shown, line=data.line_of(key)))
        for key in ("plan", "domains", "indicators"):
            if key not in data:
                problems.append(Problem("MISSING_FIELD", f"缺少必填项 “{key}”", f"missing required field '{key}'",
                                        file=shown, line=data.line))
        plan = _validate(Plan, data.get("plan"), shown, problems, ("plan",), data.line_of("plan")) if "plan" in data else None
        if plan is None:
            continue
        if plan.code in plans:
            problems.append(Problem("DUPLICATE_CODE", f"规划代码 {plan.code} 在多个文件中出现",
                                    f"plan code {plan.code} appears in more than one file", file=shown,
                                    line=data["plan"].line_of("code")))
            continue
        plans[plan.code] = plan
        if areas and plan.area not in areas:
            problems.append(Problem("UNKNOWN_AREA", f"规划所属地区 “{plan.area}” 不在 areas.yaml 中",
                                    f"plan area '{plan.area}' is not in areas.yaml", file=shown,
                                    line=data["plan"].line_of("area")))
        for key, model, sink in (("domains", Domain, "domain"), ("context_series", ContextSeries, "context")):
            seq = data.get(key) or []
            if not isinstance(seq, list):
                problems.append(Problem("WRONG_TYPE", f"“{key}” 应为列表", f"'{key}' must be a list",
                                        file=shown, line=data.line_of(key)))
                continue
            for i, item in enumerate(seq):
                fallback = seq.line_of(i) if isinstance(seq, LineList) else None
                obj = _validate(model, item, shown, problems, (key, i), fallback)
                if obj is None:
                    continue
                if sink == "context":
                    context[obj.code] = obj
                elif (plan.code, obj.code) in domains:
                    problems.append(Problem("DUPLICATE_CODE", f"领域代码 {obj.code} 重复",
                                            f"domain code {obj.code} is used twice", file=shown, line=fallback))
                else:
                    domains[(plan.code, obj.code)] = obj
        if not isinstance(data.get("indicators"), list):
            if "indicators" in data:
                problems.append(Problem("WRONG_TYPE", "“indicators” 应为列表", "'indicators' must be a list",
                                        file=shown, line=data.line_of("indicators")))
            continue
        items = data["indicators"]
        for i, item in enumerate(items):
            line = items.line_of(i) if isinstance(items, LineList) else None
            spec = _validate(IndicatorSpec, item, shown, problems, ("indicators", i), fallback=line)
            if spec is None:
                continue
            if not spec.code.startswith(plan.code):
                problems.append(Problem("BAD_CODE", f"指标代码 {spec.code} 应以规划代码 {plan.code} 开头",
                                        f"indicator code {spec.code} must start with plan code {plan.code}",
                                        file=shown, line=item.line_of("code")))
            if spec.code in seen_codes:
                problems.append(Problem("DUPLICATE_CODE", f"指标代码 {spec.code} 重复（已在 {seen_codes[spec.code]} 中定义）",
                                        f"indicator code {spec.code} is already defined in {seen_codes[spec.code]}",
                                        file=shown, line=item.line_of("code")))
                continue
            seen_codes[spec.code] = f"{shown}:{line}"
            if (plan.code, spec.domain) not in domains:
                guess = difflib.get_close_matches(spec.domain, [d for (p, d) in domains if p == plan.code], n=1)
                problems.append(Problem("UNKNOWN_DOMAIN",
                                        f"领域 “{spec.domain}” 未在 domains: 中定义" + (f"；是不是 “{guess[0]}”？" if guess else ""),
                                        f"domain '{spec.domain}' is not listed under domains:" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                                        file=shown, line=item.line_of("domain")))
            specs.append((spec, plan, shown, line or 0, item))

    # Sub-rows without an attribute take the one of their group (same plan and number).
    group_attr: dict[tuple[str, int], str] = {}
    for spec, plan, _, _, _ in specs:
        if spec.attribute and (plan.code, spec.number) not in group_attr:
            group_attr[(plan.code, spec.number)] = spec.attribute

    for order, (spec, plan, shown, line, item) in enumerate(specs):
        attribute = spec.attribute or group_attr.get((plan.code, spec.number))
        if attribute is None:
            problems.append(Problem("MISSING_FIELD", f"{spec.code} 没有指标属性（attribute），同组也没有",
                                    f"{spec.code} has no attribute and neither has its group",
                                    file=shown, line=line))
            continue
        check = _parse_check(spec.check, spec.target, spec.direction, spec.reference, shown,
                             item.line_of("target"), problems)
        if check is None:
            continue
        if spec.reference:
            pending_refs.append((spec.code, spec.reference, shown, item.line_of("reference")))
        elif check.kind == "reference":
            pending_refs.append((spec.code, check.series, shown, line_for(item, ("check", "series"))))
        lo, hi = spec.valid_range if spec.valid_range else ((0.0, 100.0) if spec.unit == "%" else (0.0, None))
        indicators[spec.code] = Indicator(
            code=spec.code, plan=plan.code, domain=spec.domain, number=spec.number, order=order,
            name_zh=spec.name_zh, name_en=spec.name_en, unit=spec.unit, direction=spec.direction,
            target_text=spec.target, check=check, attribute=attribute, baseline=spec.baseline,
            baseline_note=spec.baseline_note, baseline_area=plan.area, valid_min=lo, valid_max=hi,
            smoothing_years=spec.smoothing_years,
        )

    known_series = set(seen_codes) | set(context)
    for code, ref, shown, line in pending_refs:
        if ref not in known_series:
            guess = difflib.get_close_matches(ref, sorted(known_series), n=1)
            problems.append(Problem("UNKNOWN_REFERENCE",
                                    f"{code} 引用的 “{ref}” 不是已知的指标或背景序列" + (f"；是不是 “{guess[0]}”？" if guess else ""),
                                    f"{code} refers to '{ref}', which is no known indicator or context series"
                                    + (f"; did you mean '{guess[0]}'?" if guess else ""),
                                    file=shown, line=line))

    # overrides/*.yaml -----------------------------------------------------------
    overrides: dict[str, dict[str, ResolvedTarget]] = {}
    odir = root / "overrides"
    for path in sorted(odir.glob("*.yaml")) if odir.is_dir() else []:
        data, shown = read(path)
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.append(_not_a_mapping(data, shown))
            continue
        ofile = _validate(OverrideFile, data, shown, problems)
        if ofile is None:
            continue
        if ofile.area not in areas and ofile.area in broken_areas:
            continue
        if ofile.area not in areas:
            guess = difflib.get_close_matches(ofile.area, list(areas), n=1)
            problems.append(Problem("UNKNOWN_AREA", f"地区 “{ofile.area}” 不在 areas.yaml 中" + (f"；是不是 “{guess[0]}”？" if guess else ""),
                                    f"area '{ofile.area}' is not in areas.yaml" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                                    file=shown, line=data.line_of("area")))
            continue
        if ofile.area in overrides:
            problems.append(Problem("DUPLICATE_CODE", f"地区 {ofile.area} 有多个覆盖文件",
                                    f"area {ofile.area} has more than one override file", file=shown,
                                    line=data.line_of("area")))
            continue
        resolved: dict[str, ResolvedTarget] = {}
        tmap: LineDict = data["targets"]
        for code, entry in ofile.targets.items():
            line = tmap.line_of(code)
            ind = indicators.get(code)
            if ind is None and code in seen_codes:
                continue  # the row's own error is already reported
            if ind is None:
                guess = difflib.get_close_matches(code, sorted(indicators), n=1)
                problems.append(Problem("UNKNOWN_INDICATOR",
                                        f"覆盖了不存在的指标 “{code}”" + (f"；是不是 “{guess[0]}”？" if guess else ""),
                                        f"override of unknown indicator '{code}'" + (f"; did you mean '{guess[0]}'?" if guess else ""),
                                        file=shown, line=line))
                continue
            text = entry.target or ind.target_text
            if entry.target is None and entry.check is None and entry.reference is None:
                check = ind.check
            else:
                check = _parse_check(entry.check, text, ind.direction, entry.reference,
                                     shown, tmap[code].line_of("target") if isinstance(tmap[code], LineDict) else line, problems)
                if check is None:
                    continue
            if entry.reference and entry.reference not in known_series:
                problems.append(Problem("UNKNOWN_REFERENCE", f"引用的 “{entry.reference}” 不是已知的指标或背景序列",
                                        f"'{entry.reference}' is no known indicator or context series",
                                        file=shown, line=tmap[code].line_of("reference")))
                continue
            resolved[code] = ResolvedTarget(
                area=ofile.area, indicator=code, target_text=text, check=check,
                attribute=entry.attribute or ind.attribute, source="override", source_file=shown,
                baseline=entry.baseline if entry.baseline is not None
                else (ind.baseline if ofile.area == ind.baseline_area else None),
            )
        overrides[ofile.area] = resolved

    # The fingerprint covers every YAML file under rules/ (tasks and units too), so caches keyed on
    # it refresh when any of them is edited.
    for extra in sorted(root.rglob("*.yaml")):
        if extra.parent.name not in ("indicators", "overrides") and extra.name not in ("settings.yaml", "areas.yaml"):
            digest.update(str(extra.relative_to(root)).encode())
            try:
                digest.update(extra.read_bytes())
            except OSError:
                pass
    return RuleSet(root, settings, areas, plans, domains, indicators, context, overrides, problems,
                   digest.hexdigest()[:16])


def _parse_check(explicit, text, direction, reference, shown, line, problems):
    if explicit is not None:
        return explicit
    try:
        return parse_target(text, direction, reference)
    except TargetParseError as exc:
        problems.append(Problem("BAD_TARGET", exc.message_zh, exc.message_en, file=shown, line=line))
        return None
