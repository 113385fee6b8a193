"""The rules: everything under ``rules/`` as typed objects, loaded once, every slip located.

``load_rules(root)`` reads settings, areas, indicator tables, each area's own plan (targets,
definitions, added and unmonitored indicators) and previous plan periods into a :class:`RuleSet`; ``load_tasks(root, rules)`` reads the units and work-plan tasks into a
:class:`TaskCatalogue`. YAML is read with line numbers (``yaml_lines``) and validated by the
pydantic models (``models``, ``workplan``); problems carry ``file:line`` and a code.
"""

from .loader import load_rules, parse_check, relative_path
from .models import PUBLISHED_METHOD, Area, Attribute, ContextSeries, Domain, MethodSettings, Plan, Settings
from .names import closest, key
from .ruleset import AreaChange, Indicator, NotMonitored, ResolvedTarget, RuleSet, attribute_label
from .workplan import Task, TaskCatalogue, TaskTarget, Unit, catalogue_for, load_tasks, load_units

__all__ = [
    "PUBLISHED_METHOD",
    "Area",
    "AreaChange",
    "Attribute",
    "ContextSeries",
    "Domain",
    "Indicator",
    "MethodSettings",
    "NotMonitored",
    "Plan",
    "ResolvedTarget",
    "RuleSet",
    "Settings",
    "Task",
    "TaskCatalogue",
    "TaskTarget",
    "Unit",
    "attribute_label",
    "catalogue_for",
    "closest",
    "key",
    "load_rules",
    "load_tasks",
    "load_units",
    "parse_check",
    "relative_path",
]
