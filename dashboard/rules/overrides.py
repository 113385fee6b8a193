"""``rules/overrides/*.yaml``: one area's own plan — where it differs from the catalogue.

An area's file holds, under ``targets:``, its own target, attribute and definition (name, unit,
definition, valid range, direction, data source) of catalogue indicators; under ``added:``, rows of
its own in the catalogue's schema; under ``not_monitored:``, the indicators its plan leaves out
and why. Nothing a maintainer writes here may change a meaning without a word:

- the file must concern the area it says: a file name or a ``source:`` that names another area
  than ``area:`` is refused (AREA_MISMATCH) — the copied ``wanzhou.yaml`` whose ``area:`` still
  says 万州区 would otherwise replace 万州区's targets and leave the intended district on the
  city's; a second file for an area names the first;
- ``area: 綦江区`` (a name) is answered with the code to write;
- an entry with an empty ``target:`` or ``attribute:``, or with nothing but a ``note:``, would be
  labelled "the area's own target" while nothing changed: refused (EMPTY_VALUE, NOTE_ONLY);
- a new unit or direction without the target restated would judge the catalogue's target on the
  area's scale (a count's ``提高`` on a rate): refused (DEFINITION_NEEDS_TARGET);
- a target that contradicts the area's direction, unit or range is refused (``meaning.py``);
  every message starts with the area and the indicator it concerns.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..messages import Code, Name, Problem
from .meaning import baseline_problem, meaning_problems, row_problems
from .models import SCHEMA_FIELDS, Area, IndicatorSpec, NotMonitoredEntry, OverrideEntry, OverrideFile, Plan, Settings
from .names import code_of_name, key, named_areas
from .reading import Reader, indicator_from_spec, indicator_rows, parse_check
from .ruleset import DEFINITION_FIELDS, AreaChange, Indicator, NotMonitored, ResolvedTarget
from .validation import (
    did_you_mean,
    empty_values,
    guess,
    row_subject,
    unknown_keys,
    validate,
)
from .yaml_lines import LineDict, LineList

# The sections of an area's file and the YAML shape each must have.
_SECTIONS: dict[str, type] = {"targets": LineDict, "added": LineList, "not_monitored": LineDict}
# Keys of an entry that change what is judged or shown; ``note`` alone changes nothing.
_TARGET_FIELDS = ("target", "attribute", "check", "reference", "baseline")


@dataclass
class AreaPlans:
    """What the area files say, by area: targets, definitions, added rows, indicators left out, changes."""

    targets: dict[str, dict[str, ResolvedTarget]] = field(default_factory=dict)
    definitions: dict[str, dict[str, Indicator]] = field(default_factory=dict)
    added: dict[str, Indicator] = field(default_factory=dict)
    not_monitored: dict[str, dict[str, NotMonitored]] = field(default_factory=dict)
    changes: dict[str, list[AreaChange]] = field(default_factory=dict)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)  # area → (file, source:)


@dataclass
class Catalogue:
    """What the indicator files loaded, as an area file is read against it."""

    plans: dict[str, Plan]
    domains: set[tuple[str, str]]
    indicators: dict[str, Indicator]
    seen_codes: dict[str, str]  # every code a row claimed (also rows with errors) → file:line
    known_series: set[str]


def load_overrides(
    reader: Reader,
    areas: dict[str, Area],
    broken_areas: set[str],
    catalogue: Catalogue,
    settings: Settings,
    folder: Path | None = None,
) -> AreaPlans:
    """Every area file in ``folder/overrides`` (default: the rules folder's), read against ``catalogue``;
    problems into ``reader``."""
    out = AreaPlans()
    first_file: dict[str, str] = {}
    added_in: dict[str, str] = {}  # added code → file:line, across every area's file
    odir = (folder or reader.root) / "overrides"
    for path in sorted(odir.glob("*.yaml")) if odir.is_dir() else []:
        data, shown = reader.read_mapping(path)
        if data is None:
            continue
        area = _file_area(reader, path, data, shown, areas, broken_areas, first_file)
        if area is None:
            continue
        first_file[area] = shown
        out.files[area] = (shown, str(data.get("source", "")))
        ctx = _FileContext(reader, shown, areas[area], catalogue, settings, added_in, out)
        ctx.read(data)
    return out


def _file_area(
    reader: Reader,
    path: Path,
    data: LineDict,
    shown: str,
    areas: dict[str, Area],
    broken_areas: set[str],
    first_file: dict[str, str],
) -> str | None:
    """The code of the area the file concerns, or None after a problem (or when areas.yaml is broken there)."""
    problems = reader.problems
    problems.extend(unknown_keys(data, OverrideFile.model_fields, shown))
    # The head (area, source) through the model; the entries one by one (``_FileContext``), so that
    # one broken entry does not hide the others.
    head = LineDict({k: v for k, v in data.items() if k in ("area", "source")} | {"targets": {}})
    head.line, head.key_lines, head.raw = data.line, data.key_lines, data.raw
    ofile = validate(OverrideFile, head, shown, problems, known_fields=SCHEMA_FIELDS)
    tmap = data.get("targets")
    if "targets" not in data:
        problems.append(
            Problem(
                Code.MISSING_FIELD, {"key": "targets", "where": "targets", "subject": ""}, file=shown, line=data.line
            )
        )
    elif tmap is None:
        problems.extend(empty_values(_only(data, "targets"), shown))
    elif not isinstance(tmap, LineDict):
        problems.append(
            Problem(
                Code.WRONG_TYPE_MAPPING,
                {"where": "targets", "subject": "", "value": "[…]" if isinstance(tmap, list) else str(tmap)},
                file=shown,
                line=data.line_of("targets"),
            )
        )
    if ofile is None or not isinstance(tmap, LineDict):
        return None
    area = ofile.area
    if area not in areas:
        if area in broken_areas:
            return None  # the area's own row in areas.yaml is broken: reported there
        named = code_of_name(area, areas)
        if named is not None:
            problems.append(
                Problem(
                    Code.UNKNOWN_AREA_NAME,
                    {"text": area, "name": _name(areas[named]), "code": named, "key": "area"},
                    file=shown,
                    line=data.line_of("area"),
                )
            )
        else:
            problems.append(
                Problem(
                    Code.UNKNOWN_AREA_OVERRIDE,
                    {"code": area, "hint": did_you_mean(guess(area, areas))},
                    file=shown,
                    line=data.line_of("area"),
                )
            )
        return None
    refused = False
    for code, text, line in (
        (Code.AREA_MISMATCH_FILE, path.stem, data.line_of("area")),
        (Code.AREA_MISMATCH_SOURCE, ofile.source, data.line_of("source")),
    ):
        others = named_areas(text, areas) - _ancestors(area, areas)
        if others and area not in others:
            problems.append(
                Problem(
                    code,
                    {
                        "file": path.name,
                        "source": text,
                        "named": [_name(areas[c]) for c in sorted(others)],
                        "area": _name(areas[area]),
                        "code": area,
                    },
                    file=shown,
                    line=line,
                )
            )
            refused = True
    if area in first_file:
        problems.append(
            Problem(
                Code.DUPLICATE_OVERRIDE_FILE,
                {"code": area, "name": _name(areas[area]), "first": first_file[area]},
                file=shown,
                line=data.line_of("area"),
            )
        )
        refused = True
    return None if refused else area


def _only(data: LineDict, k: str) -> LineDict:
    """The single key ``k`` of ``data`` as its own mapping, with its line (for EMPTY_VALUE)."""
    one = LineDict({k: data[k]})
    one.line, one.key_lines, one.raw = data.line, {k: data.line_of(k)}, {}
    return one


def _ancestors(code: str, areas: dict[str, Area]) -> set[str]:
    """The areas above ``code`` (重庆市 above 万州区): a source may name them without naming another area."""
    out: set[str] = set()
    parent = areas[code].parent
    while parent and parent in areas and parent not in out:
        out.add(parent)
        parent = areas[parent].parent
    return out


def _name(area: Area) -> Name:
    return Name(area.name_zh, area.name_en)


class _FileContext:
    """One area file's sections, read against the catalogue."""

    def __init__(
        self,
        reader: Reader,
        shown: str,
        area: Area,
        catalogue: Catalogue,
        settings: Settings,
        added_in: dict[str, str],
        out: AreaPlans,
    ):
        self.problems = reader.problems
        self.shown = shown
        self.area = area
        self.area_name = _name(area)
        self.cat = catalogue
        self.settings = settings
        self.added_in = added_in
        self.out = out
        self.changes: list[AreaChange] = []
        self.own: dict[str, Indicator] = {}  # the area's rows: redefined and added

    def read(self, data: LineDict) -> None:
        """Read the sections (added rows first: a target may refer to them) into ``out``."""
        code = self.area.code
        self._added(data.get("added") or LineList())
        raw = data.get("targets")
        tmap: LineDict = raw if isinstance(raw, LineDict) else LineDict()
        self.out.targets[code] = self._targets(tmap)
        self.out.not_monitored[code] = self._not_monitored(data.get("not_monitored"), tmap)
        self.out.definitions[code] = self.own
        self.out.changes[code] = self.changes

    # ------------------------------------------------------------------ helpers
    def _add(self, code: Code, params: dict[str, Any], line: int | None) -> None:
        self.problems.append(Problem(code, params, file=self.shown, line=line))

    def _change(self, indicator: str, field_name: str, before: Any, after: Any, line: int | None) -> None:
        self.changes.append(
            AreaChange(self.area.code, indicator, field_name, _as_text(before), _as_text(after), self.shown, line)
        )

    def _unknown(self, code: str, line: int) -> None:
        named = next(
            (c for c, ind in self.cat.indicators.items() if key(code) in (key(ind.name_zh), key(ind.printed_name))),
            None,
        )
        if named is not None:
            self._add(Code.UNKNOWN_INDICATOR_NAME, {"text": code, "code": named}, line)
            return
        self._add(
            Code.UNKNOWN_INDICATOR_OVERRIDE,
            {"code": code, "hint": did_you_mean(guess(code, self.cat.indicators))},
            line,
        )

    def _meaning(self, check: Any, text: str, ind: Indicator, line: int | None, subject: Any, note: bool) -> bool:
        """The meaning checks of a target on the area's definition; False when one is an error."""
        found = meaning_problems(
            check,
            text,
            direction=ind.direction,
            unit=ind.unit,
            valid_min=ind.valid_min,
            valid_max=ind.valid_max,
            settings=self.settings,
            shown=self.shown,
            line=line,
            subject=subject,
            has_note=note,
        )
        self.problems.extend(found)
        return not any(p.severity == "error" for p in found)

    # ------------------------------------------------------------------ targets: and definitions
    def _targets(self, tmap: LineDict) -> dict[str, ResolvedTarget]:
        resolved: dict[str, ResolvedTarget] = {}
        for code, node in tmap.items():
            target = self._entry(str(code), node, tmap.line_of(code))
            if target is not None:
                resolved[str(code)] = target
        return resolved

    def _entry(self, code: str, node: Any, line: int) -> ResolvedTarget | None:
        ind = self.cat.indicators.get(code)
        if ind is None:
            if code not in self.cat.seen_codes:  # a catalogue row with its own error is reported there
                self._unknown(code, line)
            return None
        subject = row_subject(code, {"name_zh": ind.name_zh, "name_en": ind.name_en}, self.area_name)
        prefix = ("targets", code)
        if node is None:
            self._add(Code.EMPTY_VALUE, {"key": code, "where": "targets." + code, "subject": subject}, line)
            return None
        empty = empty_values(node, self.shown, subject, prefix)
        self.problems.extend(empty)
        entry = validate(
            OverrideEntry,
            node,
            self.shown,
            self.problems,
            prefix=prefix,
            fallback=line,
            known_fields=SCHEMA_FIELDS,
            subject=subject,
        )
        if entry is None or empty:
            return None
        if not any(getattr(entry, k) is not None for k in (*_TARGET_FIELDS, *DEFINITION_FIELDS)):
            self._add(Code.NOTE_ONLY, {"subject": subject}, line)
            return None
        at = node.line_of
        area_ind = self._definition(ind, entry, node, subject)
        if area_ind is None:
            return None
        if area_ind is not ind:
            self.own[code] = area_ind
        says_target = entry.target is not None or entry.check is not None or entry.reference is not None
        text = entry.target or ind.target_text
        check = ind.check
        if says_target:
            parsed = parse_check(
                entry.check, text, area_ind.direction, entry.reference, self.shown, at("target"), self.problems, subject
            )
            if parsed is None:
                return None
            check = parsed
        if (says_target or area_ind is not ind) and not self._meaning(
            check, text, area_ind, at("target") if says_target else line, subject, entry.note is not None
        ):
            return None
        series = entry.reference or (check.referenced_series() if says_target else None)
        if series is not None and series not in self.cat.known_series:
            self._add(
                Code.UNKNOWN_REFERENCE_OVERRIDE, {"code": code, "ref": series, "subject": subject}, at("reference")
            )
            return None
        bad_base = baseline_problem(
            entry.baseline,
            unit=area_ind.unit,
            valid_min=area_ind.valid_min,
            valid_max=area_ind.valid_max,
            shown=self.shown,
            line=at("baseline"),
            subject=subject,
        )
        if bad_base is not None:
            self.problems.append(bad_base)
            return None
        for k in _TARGET_FIELDS:
            before = {"target": ind.target_text, "attribute": ind.attribute, "check": ind.check}.get(k)
            if getattr(entry, k) is not None and _as_text(getattr(entry, k)) != _as_text(before):
                self._change(code, k, before, getattr(entry, k), at(k))
        if not any(getattr(entry, k) is not None for k in _TARGET_FIELDS):
            return None  # the definition changes, the target is the catalogue's (see indicator_for)
        baseline = entry.baseline
        if baseline is None and self.area.code == ind.baseline_area and area_ind.unit == ind.unit:
            baseline = ind.baseline  # the printed baseline, unless the area measures in another unit
        return ResolvedTarget(
            area=self.area.code,
            indicator=code,
            target_text=text,
            check=check,
            attribute=entry.attribute or ind.attribute,
            source="override",
            source_file=self.shown,
            baseline=baseline,
            note=entry.note,
        )

    def _definition(self, ind: Indicator, entry: OverrideEntry, node: LineDict, subject: Any) -> Indicator | None:
        """The indicator as the area defines it (``ind`` itself when nothing of its definition changes),
        or None after DEFINITION_NEEDS_TARGET."""
        before = {k: getattr(ind, k) for k in DEFINITION_FIELDS}
        changed = {
            k: getattr(entry, k)
            for k in DEFINITION_FIELDS
            if getattr(entry, k) is not None and _norm(getattr(entry, k)) != _norm(before[k])
        }
        if not changed:
            return ind
        rescaled = [k for k in ("unit", "direction") if k in changed]
        if rescaled and entry.target is None and entry.check is None:
            # The catalogue's target read on another scale (a count's 提高 judged on a rate) would
            # change its meaning without a word: the area's plan prints its own target for the row.
            what = rescaled[0]
            self._add(
                Code.DEFINITION_NEEDS_TARGET,
                {"subject": subject, "key": what, "before": _as_text(before[what]), "after": _as_text(changed[what])},
                node.line_of(what),
            )
            return None
        for k, v in changed.items():
            self._change(ind.code, k, before[k], v, node.line_of(k))
        unit = changed.get("unit", ind.unit)
        # A count's range means nothing for a rate: the catalogue's own range stays only with its unit.
        own_range = (
            entry.valid_range if entry.valid_range is not None else (None if "unit" in changed else ind.valid_range)
        )
        lo, hi, _, _ = self.settings.value_bounds.resolve(unit, own_range)
        updates: dict[str, Any] = dict(changed) | {
            "valid_range": own_range,
            "valid_min": lo,
            "valid_max": hi,
            "area": self.area.code,
            "source_file": self.shown,
        }
        if "unit" in changed:
            updates |= {"baseline": None, "baseline_note": None}
        if entry.note is not None and not any(getattr(entry, k) is not None for k in _TARGET_FIELDS):
            updates["note"] = entry.note
        return ind.model_copy(update=updates)

    # ------------------------------------------------------------------ added:
    def _added(self, items: Any) -> None:
        for spec, item, line, subject in indicator_rows(items, "added", self.shown, self.problems, self.area_name):
            ind = self._added_row(spec, item, line, subject)
            if ind is not None:
                self.added_in[spec.code] = f"{self.shown}:{line}"
                self.out.added[spec.code] = ind
                self.own[spec.code] = ind
                self._change(spec.code, "added", "", f"{spec.name_zh} · {spec.target}", line)

    def _added_row(self, spec: IndicatorSpec, item: LineDict, line: int | None, subject: Any) -> Indicator | None:
        at = item.line_of
        if spec.code in self.cat.seen_codes:
            self._add(
                Code.DUPLICATE_INDICATOR_CODE, {"code": spec.code, "first": self.cat.seen_codes[spec.code]}, at("code")
            )
            return None
        if spec.code in self.added_in:
            self._add(Code.DUPLICATE_ADDED_CODE, {"code": spec.code, "first": self.added_in[spec.code]}, at("code"))
            return None
        plan = self.cat.plans.get(spec.code[0])
        if plan is None:
            self._add(Code.BAD_CODE_ADDED, {"code": spec.code, "plans": sorted(self.cat.plans)}, at("code"))
            return None
        if (plan.code, spec.domain) not in self.cat.domains:
            hit = guess(spec.domain, [d for (p, d) in self.cat.domains if p == plan.code])
            self._add(
                Code.UNKNOWN_DOMAIN,
                {"domain": spec.domain, "subject": subject, "hint": did_you_mean(hit)},
                at("domain"),
            )
            return None
        if spec.attribute is None:  # an added row has no group to inherit from
            self._add(Code.MISSING_FIELD_ATTRIBUTE, {"code": spec.code, "subject": subject}, line)
            return None
        check = parse_check(
            spec.check, spec.target, spec.direction, spec.reference, self.shown, at("target"), self.problems, subject
        )
        if check is None:
            return None
        series = spec.reference or check.referenced_series()
        if series is not None and series not in self.cat.known_series | set(self.own):
            self._add(
                Code.UNKNOWN_REFERENCE,
                {"code": spec.code, "ref": series, "hint": did_you_mean(guess(series, self.cat.known_series))},
                at("reference"),
            )
            return None
        ind = indicator_from_spec(
            spec,
            check,
            self.settings,
            plan=plan.code,
            order=len(self.cat.indicators) + len(self.out.added),  # after the catalogue, in file order
            attribute=spec.attribute,
            baseline_area=self.area.code,
            area=self.area.code,
            source_file=self.shown,
        )
        found = row_problems(
            ind,
            settings=self.settings,
            shown=self.shown,
            target_line=at("target"),
            baseline_line=at("baseline"),
            subject=subject,
            has_note=spec.note is not None,
        )
        self.problems.extend(found)
        return None if any(p.severity == "error" for p in found) else ind

    # ------------------------------------------------------------------ not_monitored:
    def _not_monitored(self, nmap: Any, tmap: LineDict) -> dict[str, NotMonitored]:
        out: dict[str, NotMonitored] = {}
        for code, node in nmap.items() if isinstance(nmap, LineDict) else []:
            code, line = str(code), nmap.line_of(code)
            ind = self.cat.indicators.get(code) or self.own.get(code)
            if ind is None:
                if code not in self.cat.seen_codes and code not in self.added_in:
                    self._unknown(code, line)
                continue
            subject = row_subject(code, {"name_zh": ind.name_zh, "name_en": ind.name_en}, self.area_name)
            if code not in self.cat.indicators:  # one of the rows this file adds
                self._add(Code.NOT_MONITORED_ADDED, {"subject": subject}, line)
                continue
            if code in tmap:
                self._add(Code.NOT_MONITORED_CONFLICT, {"subject": subject, "first": tmap.line_of(code)}, line)
                continue
            if node is None:
                self._add(Code.EMPTY_VALUE, {"key": code, "where": "not_monitored." + code, "subject": subject}, line)
                continue
            # ``W12: 本区未设此项`` is the short form of ``W12: {reason: 本区未设此项}``.
            data = {"reason": node} if isinstance(node, str) else node
            empty = empty_values(data, self.shown, subject, ("not_monitored", code))
            self.problems.extend(empty)
            if empty:
                continue
            entry = validate(
                NotMonitoredEntry,
                data,
                self.shown,
                self.problems,
                prefix=("not_monitored", code),
                fallback=line,
                known_fields=SCHEMA_FIELDS,
                subject=subject,
            )
            if entry is None:
                continue
            out[code] = NotMonitored(self.area.code, code, entry.reason, entry.note, self.shown, line)
            self._change(code, "not_monitored", ind.target_text, entry.reason, line)
        return out


def _norm(value: Any) -> Any:
    """A value compared as meant: ``[0, 100]`` and ``(0.0, 100.0)`` are the same range."""
    if isinstance(value, (list, tuple)):
        return tuple(None if v is None else float(v) for v in value)
    return value


def _as_text(value: Any) -> str:
    """A value as a maintainer wrote it in YAML, for ``check-rules --area`` (``[0, 100]``, ``{kind: maintain}``)."""
    if value is None:
        return ""
    if hasattr(value, "model_dump"):
        fields = value.model_dump(exclude_none=True)
        return "{" + ", ".join(f"{k}: {v}" for k, v in fields.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join("null" if v is None else f"{v:g}" for v in value) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)
