#!/usr/bin/env python3
"""One entry point for a fresh machine that has only Python 3.11.

    python3 manage.py run    # create .venv, install, seed demo data on first start, start the app
    python3 manage.py test   # create .venv, install (with test tools), run the whole test suite

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
    digest = hashlib.sha256(req.read_bytes() + (ROOT / "requirements.txt").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print(f"installing {requirements} …", flush=True)
    subprocess.check_call([str(PY), "-m", "pip", "install", "--disable-pip-version-check", "-q", "-r", str(req)])
    stamp.write_text(digest)


def run_app(extra: list[str]) -> int:
    ensure_env("requirements.txt")
    # First start on an empty database: fill it with labelled, seeded demo data.
    subprocess.check_call([str(PY), "-m", "dashboard", "demo", "--if-empty"], cwd=ROOT)
    # A fresh local install gets the documented demo account (admin, marked as demo) so that the
    # first command shows everything; a database that has users keeps only its own.
    subprocess.check_call([str(PY), "-m", "dashboard", "user", "demo-account"], cwd=ROOT)
    cmd = [str(PY), "-m", "streamlit", "run", str(ROOT / "streamlit_app.py"),
           "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra]
    return subprocess.call(cmd, cwd=ROOT)


def run_tests(extra: list[str]) -> int:
    ensure_env("requirements-dev.txt")
    return subprocess.call([str(PY), "-m", "pytest", *extra], cwd=ROOT)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test"}:
        print(__doc__)
        return 2
    return run_app(argv[1:]) if argv[0] == "run" else run_tests(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
