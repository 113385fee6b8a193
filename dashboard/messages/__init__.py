"""User-facing text as data: the zh/en catalogue, rendered messages, and problems as values.

``t(key, lang, **params)`` renders a catalogue entry; :class:`Msg` is a message not rendered yet;
:class:`Problem` is a located problem with a :class:`Code` and parameters, rendered when shown.
This package is the bottom layer of ``dashboard``: it imports nothing else of the project.
"""

from .catalogue import LANGS, Lang, Msg, Name, as_label, catalogue, colon, has, render_value, separator, t
from .codes import Code
from .problem import Problem, ProblemList, ReportStatus, Severity, warning

__all__ = [
    "LANGS",
    "Code",
    "Lang",
    "Msg",
    "Name",
    "Problem",
    "ProblemList",
    "ReportStatus",
    "Severity",
    "as_label",
    "catalogue",
    "colon",
    "has",
    "render_value",
    "separator",
    "t",
    "warning",
]
