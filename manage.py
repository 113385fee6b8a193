#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python 3.11.

    python3 manage.py run    # create .venv, install, seed demo data on first start, start the app
    python3 manage.py test   # create .venv, install (with test tools), run the whole test suite
    python3 manage.py lint   # ruff, mypy and the import-layer contracts (what .ci/run checks)

Standard library only: it must work before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure_env(requirements: str) -> None:
    """Create the virtual environment and install ``requirements`` when they changed."""
    if not PY.exists():
        print(f"creating {VENV} …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    req = ROOT / requirements
    stamp = VENV / f".installed-{req.stem}"
    inputs = [req, ROOT / "requirements.txt", ROOT / "pyproject.toml"]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in inputs)).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {requirements} …", flush=True)
    pip = [str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    subprocess.check_call([*pip, "-r", str(req)])
    # The project itself, editable: `import dashboard` works from anywhere, tests need no sys.path patch.
    subprocess.check_call([*pip, "--no-deps", "-e", str(ROOT)])
    stamp.write_text(digest)


LOCAL_ADDRESSES = {"127.0.0.1", "localhost", "::1"}


def served_address(extra: list[str]) -> str | None:
    """The ``--server.address`` among Streamlit's options (``--server.address X`` or ``=X``), if any."""
    for k, arg in enumerate(extra):
        if arg == "--server.address" and k + 1 < len(extra):
            return extra[k + 1]
        if arg.startswith("--server.address="):
            return arg.split("=", 1)[1]
    return None


def run_app(extra: list[str]) -> int:
    ensure_env("requirements.txt")
    # Safe by default: only this computer can open the app unless the address is given, because
    # the demo administrator's password is printed in the README.
    address = served_address(extra)
    if address is None:
        extra = ["--server.address", "127.0.0.1", *extra]
        address = "127.0.0.1"
    # First start on an empty database: fill it with labelled, seeded demo data.
    subprocess.check_call([str(PY), "-m", "dashboard", "demo", "--if-empty"], cwd=ROOT)
    if address in LOCAL_ADDRESSES:
        # A fresh local install gets the documented demo account (admin, marked as demo) so that the
        # first command shows everything; a database that has users keeps only its own.
        subprocess.check_call([str(PY), "-m", "dashboard", "user", "demo-account"], cwd=ROOT)
    else:
        # Served to a network: the demo account is never created, and one made earlier is disabled.
        subprocess.check_call([str(PY), "-m", "dashboard", "user", "demo-account", "--off"], cwd=ROOT)
    cmd = [
        str(PY),
        "-m",
        "streamlit",
        "run",
        # streamlit_app.py with the route of the cookie that keeps a sign-in across a reload.
        str(ROOT / "serve.py"),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]
    return subprocess.call(cmd, cwd=ROOT)


def run_tests(extra: list[str]) -> int:
    ensure_env("requirements-dev.txt")
    return subprocess.call([str(PY), "-m", "pytest", *extra], cwd=ROOT)


def run_lint(extra: list[str]) -> int:
    """ruff (lint and format check), mypy on the typed layers, import-linter's layer contracts."""
    ensure_env("requirements-dev.txt")
    bin_dir = PY.parent
    steps = [
        [str(bin_dir / "ruff"), "check", "."],
        [str(bin_dir / "ruff"), "format", "--check", "."],
        [str(bin_dir / "mypy")],
        [str(bin_dir / "lint-imports")],
    ]
    failed = 0
    for step in steps:
        print("$", " ".join(Path(step[0]).name if i == 0 else a for i, a in enumerate(step)), flush=True)
        failed |= subprocess.call(step, cwd=ROOT) != 0
    return 1 if failed else 0


COMMANDS = {"run": run_app, "test": run_tests, "lint": run_lint}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in COMMANDS:
        print(__doc__)
        return 2
    return COMMANDS[argv[0]](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
