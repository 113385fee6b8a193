"""A throw-away PostgreSQL server for the benchmarks: a fresh cluster in a temporary directory,
listening on 127.0.0.1 at a free port, stopped and deleted afterwards.

It is started the way ``.ci/run`` starts the tests' server: Debian's server binaries
(``/usr/lib/postgresql/<version>/bin``, the newest version), ``initdb`` with trust authentication
for the ``postgres`` role, and — because PostgreSQL refuses to run as root — as the ``postgres``
system user when we are root, owning the directory it runs in. The server keeps PostgreSQL's default
settings: the figures are those of a stock server, not of a tuned one.
"""

from __future__ import annotations

import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .server import free_port

SERVER_ROOT = Path("/usr/lib/postgresql")


def server_binaries() -> Path | None:
    """The ``bin`` directory of the newest PostgreSQL server installed, or None."""
    found = [d / "bin" for d in SERVER_ROOT.glob("*") if (d / "bin" / "initdb").is_file()]
    # Versions are directory names ("15", "16"); compare them as numbers where they are numbers.
    found.sort(key=lambda b: (b.parent.name.isdigit(), int(b.parent.name) if b.parent.name.isdigit() else 0))
    return found[-1] if found else None


def _as_server_user() -> dict[str, Any]:
    """``subprocess`` arguments that run a command as the ``postgres`` user when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise RuntimeError("running as root and there is no 'postgres' user to run the server as") from None
    return {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a private PostgreSQL server; yield its SQLAlchemy URL; stop it and remove its files.

    Raises ``RuntimeError`` when no server binaries are installed or the server does not start
    (with the end of its log).
    """
    binaries = server_binaries()
    if binaries is None:
        raise RuntimeError(f"no PostgreSQL server found under {SERVER_ROOT}/*/bin (give --db-url instead)")
    run_as = _as_server_user()
    root = Path(tempfile.mkdtemp(prefix="bench-pg-"))
    data, log = root / "data", root / "server.log"
    port = free_port()
    try:
        if run_as:
            os.chown(root, run_as["user"], run_as["group"])
        subprocess.run(
            # UTF-8 whatever the caller's locale: area names and notes are Chinese. --no-sync: a cluster
            # deleted minutes later needs no fsync of its template files.
            [str(binaries / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"],
            check=True,
            capture_output=True,
            **run_as,
        )
        # Socket in our own directory (not /tmp, where another server may have one for the same port).
        options = f"-p {port} -k {shlex.quote(str(root))} -c listen_addresses=127.0.0.1"
        subprocess.run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "-t", "60", "start"],
            check=True,
            capture_output=True,
            **run_as,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        _remove(binaries, data, root, run_as)
        raise RuntimeError(f"PostgreSQL did not start: {_why(exc, log)}") from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        _remove(binaries, data, root, run_as)


def _why(exc: Exception, log: Path) -> str:
    """The end of the server's log, else of the failed command's own output."""
    if log.exists():
        return log.read_text(errors="replace")[-2000:]
    if isinstance(exc, subprocess.CalledProcessError):
        return (exc.stderr or b"").decode(errors="replace")[-2000:]
    return str(exc)


def _remove(binaries: Path, data: Path, root: Path, run_as: dict[str, Any]) -> None:
    """Stop the server if it runs, then delete its directory."""
    if (data / "postmaster.pid").exists():
        # Immediate: the cluster is deleted next, so a shutdown checkpoint would be wasted work.
        subprocess.run(
            [str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
            capture_output=True,
            check=False,
            **run_as,
        )
    shutil.rmtree(root, ignore_errors=True)
