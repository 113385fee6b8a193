"""What every command shares: the services, bilingual output lines, frames to files, area names."""

from __future__ import annotations

import getpass
import json
import socket
import sys
from argparse import Namespace
from pathlib import Path
from typing import TYPE_CHECKING

from ..messages import t
from ..services import Services

if TYPE_CHECKING:  # imported where used: a command loads only what it needs (fast start-up)
    import pandas as pd

    from ..rules import RuleSet


def say(key: str, lang: str = "both", **params: object) -> str:
    """A catalogue message for the terminal: ``zh / en`` by default (scripts grep either half)."""
    if lang in ("zh", "en"):
        return t(key, lang, **params)
    return f"{t(key, 'zh', **params)} / {t(key, 'en', **params)}"


def err(text: str) -> None:
    print(text, file=sys.stderr)


def services(args: Namespace) -> Services:
    """The services of this run (built once in ``main``)."""
    return args.services


def rules_or_exit(args: Namespace) -> RuleSet | None:
    """The rules, or None after printing every problem (commands then exit 1)."""
    state = services(args).rules_state
    if state.problems and any(p.severity == "error" for p in state.problems):
        for p in state.problems:
            err(p.format())
        err(say("cli_rules_broken", n=len(state.problems)))
        return None
    return state.rules


def area_code(rules: RuleSet, text: str | None) -> str | None:
    """The code of an area given by code or name; SystemExit with a clear line when unknown."""
    from ..intake.matching import match_area

    if text is None:
        return None
    code = match_area(rules, text)
    if code is None:
        raise SystemExit(say("cli_unknown_area", area=text))
    return code


def write_frame(frame: pd.DataFrame, fmt: str, out: str | None) -> None:
    """A table as CSV (UTF-8 with BOM in a file; text neutralised by the one CSV writer) or JSON, to a
    file or standard output. JSON is no spreadsheet: its texts are written as they are."""
    if fmt == "json":
        text = frame.to_json(orient="records", force_ascii=False, indent=1, date_format="iso")
    else:
        from ..reports.cells import csv_text

        text = csv_text(frame)
    if out:
        Path(out).write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")


def os_user() -> str:
    """The operating-system user running the command (recorded with CLI actions)."""
    try:
        return getpass.getuser()  # reads LOGNAME/USER itself, then the password database
    except (KeyError, OSError):  # a container whose uid has no entry and no USER variable
        return "unknown"


def os_identity() -> str:
    """Who runs a command, as the audit trail records it: ``os_user@host`` (at most 200 characters,
    the width of the columns that hold it)."""
    return f"{os_user()}@{socket.gethostname() or 'localhost'}"[:200]


def cli_origin() -> dict[str, str]:
    """What the audit line of every command-line action adds: the way in and ``os_user@host``."""
    return {"via": "cli", "os_user": os_identity()}


def print_figures(result: dict, as_json: bool) -> None:
    """A benchmark's figures: one JSON object, or one ``name value`` line each."""
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
        return
    width = max(map(len, result)) + 2
    for key, value in result.items():
        print(f"{key:{width}s} {value}")
