"""The engine: where every area × indicator stands in every year, and what needs attention.

``evaluate(rules, observations)`` is the one vectorised kernel (``progress``) over the target table
(``targets``, built from the target kinds' engine parameters); ``warnings`` turns its flags into
early warnings with reasons, ``evaluation`` into the plan's evaluation table, ``task_status`` joins
the work-plan tasks with what was reported for them.
"""

from .progress import evaluate, observation_cube
from .statuses import (
    FLAGS,
    GOOD,
    SEVERITY,
    STATUSES,
    flag_label,
    flags_text,
    flags_words,
    status_label,
    statuses_for,
)
from .targets import TargetTable, build_targets

__all__ = [
    "FLAGS",
    "GOOD",
    "SEVERITY",
    "STATUSES",
    "TargetTable",
    "build_targets",
    "evaluate",
    "flag_label",
    "flags_text",
    "flags_words",
    "observation_cube",
    "status_label",
    "statuses_for",
]
