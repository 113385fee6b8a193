"""Typical levels of the shipped plans' indicators whose plan prints no baseline (demo data only).

The demo generator starts a series at the plan's printed baseline where there is one, and otherwise
near the target; for shares of women in posts that the targets only ask to "raise" (提高) there is
no number to start from, and a level picked from the whole 0–100 % range would show 86 % female
judges. These are round orders of magnitude of the kind the national women's and children's
statistics report (not figures of any area): synthetic data that reads like a plan in progress.
Indicators not listed here take a level from their target or unit.
"""

from __future__ import annotations

# code → (low, high) of the 2020 level across areas, in the indicator's unit
TYPICAL_2020 = {
    "W05b": (40, 60),
    "W09": (80, 90),
    "W20": (26, 32),
    "W21": (28, 34),
    "W22": (24, 30),
    "W23": (24, 30),
    "W25": (8, 16),
    "W26": (70, 85),
    "W27": (12, 20),
    "W28": (60, 75),
    "W29": (22, 30),
    "W30": (30, 40),
    "W31a": (20, 30),
    "W31b": (8, 14),
    "W42": (92, 98),
    "W43": (28, 36),
    "W44": (28, 36),
    "W45": (26, 34),
    "W37": (40, 48),
    "C11": (45, 58),
    "C25": (92, 97),
    "C26": (80, 90),
    "C31": (80, 90),
    "C32": (0.02, 0.06),
    "C33": (3, 6),
    "C16": (0.5, 1.5),
    "C18": (1, 3),
}
