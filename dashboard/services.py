"""The composition root: configuration read once, and the services built from it.

Everything that runs the product — the Streamlit app, ``python -m dashboard …`` and the tests —
gets its rules, store and task catalogue from one :class:`Services` object built from one
:class:`Config`. The environment is read here and nowhere else:

| variable | meaning | default |
|---|---|---|
| ``DASHBOARD_RULES_DIR`` | the rules directory | ``rules/`` in the project |
| ``DASHBOARD_DB_URL`` | the database (SQLAlchemy URL) | ``sqlite:///data/dashboard.db`` |
| ``DASHBOARD_ALLOW_ANONYMOUS`` | viewers may look without signing in (``0`` to refuse) | ``1`` |
| ``DASHBOARD_SESSION_HOURS`` | how long a sign-in lasts | ``8`` |
| ``DASHBOARD_CACHE_DIR`` | where loaded rules are kept between runs (``off``: never) | ``data/cache/`` |
| ``DASHBOARD_RUN_TIMES`` | a file the app appends one JSON line per script run to (``bench-pages``) | unset: nothing is timed |

Rules are watched, not trusted blindly: :class:`RulesSource` reloads them when a file under the
rules directory changes and keeps serving the last rule set that loaded without errors when an edit
breaks them, so a maintainer's typo never shrinks what leaders see (the maintainers are told what
is wrong, with file and line).
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .rules import RuleSet, TaskCatalogue
from .rules.cache import load_cached

if TYPE_CHECKING:  # the store (SQLAlchemy, Alembic) is imported when first used: check-rules needs none of it
    from .store import Store

PROJECT_ROOT = Path(__file__).resolve().parent.parent
_FALSE = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Config:
    """Where the rules and the database are, and the deployment's choices."""

    rules_dir: Path
    db_url: str
    allow_anonymous: bool = True
    session_hours: float = 8.0
    cache_dir: Path | None = None
    run_times: Path | None = None  # where the app logs each script run's wall time (benchmarks only)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """The configuration the environment asks for (``os.environ`` unless given)."""
        env = os.environ if environ is None else environ
        rules = env.get("DASHBOARD_RULES_DIR")
        url = env.get("DASHBOARD_DB_URL") or f"sqlite:///{PROJECT_ROOT / 'data' / 'dashboard.db'}"
        hours = env.get("DASHBOARD_SESSION_HOURS", "8")
        run_times = env.get("DASHBOARD_RUN_TIMES", "").strip()
        try:
            session_hours = float(hours)
        except ValueError:
            session_hours = 8.0
        cache = env.get("DASHBOARD_CACHE_DIR", "")
        return cls(
            cache_dir=None
            if cache.strip().lower() in _FALSE
            else Path(cache)
            if cache
            else PROJECT_ROOT / "data" / "cache",
            rules_dir=Path(rules) if rules else PROJECT_ROOT / "rules",
            db_url=url,
            allow_anonymous=env.get("DASHBOARD_ALLOW_ANONYMOUS", "1").strip().lower() not in _FALSE,
            session_hours=session_hours,
            run_times=Path(run_times) if run_times else None,
        )

    @property
    def db_label(self) -> str:
        """The database as it may be shown (no password)."""
        return self.db_url.split("@")[-1] if "@" in self.db_url else self.db_url


def rules_signature(root: Path) -> tuple:
    """Cheap change detector: (path, size, mtime) of every file under the rules directory."""
    out = []
    if root.is_dir():
        for p in sorted(root.rglob("*")):
            if p.is_file():
                try:
                    s = p.stat()
                except OSError:
                    continue
                out.append((str(p), s.st_size, s.st_mtime_ns))
    return tuple(out)


@dataclass
class RulesState:
    """The rules in use and, when the latest edit broke them, the attempt that was refused."""

    rules: RuleSet
    catalogue: TaskCatalogue
    refused: RuleSet | None = None
    refused_catalogue: TaskCatalogue | None = None

    @property
    def problems(self) -> list:
        """What is wrong with the rules on disk now (empty when they are in use as they are)."""
        if self.refused is not None:
            return list(self.refused.problems) + (
                list(self.refused_catalogue.problems) if self.refused_catalogue is not None else []
            )
        return list(self.rules.problems) + list(self.catalogue.problems)

    @property
    def clean(self) -> bool:
        """The rules in use loaded without errors."""
        return self.rules.ok and self.catalogue.ok

    @property
    def stale(self) -> bool:
        """True while the rules on disk do not load and the last good ones are served."""
        return self.refused is not None


@dataclass
class RulesSource:
    """The rules directory, reloaded when it changes; the last clean load is kept when an edit breaks it."""

    root: Path
    cache_dir: Path | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _signature: tuple | None = field(default=None, repr=False)
    _state: RulesState | None = field(default=None, repr=False)

    def get(self) -> RulesState:
        signature = rules_signature(self.root)
        with self._lock:
            if self._state is None or signature != self._signature:
                self._state = self._reload(self._state)
                self._signature = signature
            return self._state

    def _reload(self, previous: RulesState | None) -> RulesState:
        rules, catalogue = load_cached(self.root, self.cache_dir)
        if (rules.ok and catalogue.ok) or previous is None or not previous.clean:
            return RulesState(rules, catalogue)
        return RulesState(previous.rules, previous.catalogue, refused=rules, refused_catalogue=catalogue)

    def reload(self) -> RulesState:
        """Read the rules again now (the rules page's button)."""
        with self._lock:
            self._signature = None
        return self.get()


class Services:
    """The rules, the store and the task catalogue of one configuration, built once."""

    def __init__(self, config: Config):
        self.config = config
        self.rules_source = RulesSource(config.rules_dir, config.cache_dir)
        self._store: Store | None = None
        self._store_lock = threading.Lock()

    @classmethod
    def from_env(cls) -> Services:
        return cls(Config.from_env())

    @property
    def rules_state(self) -> RulesState:
        return self.rules_source.get()

    @property
    def rules(self) -> RuleSet:
        """The rules in use (the last clean load while an edit is broken)."""
        return self.rules_state.rules

    @property
    def catalogue(self) -> TaskCatalogue:
        return self.rules_state.catalogue

    @property
    def store(self) -> Store:
        """The database, opened (and upgraded to the current schema) on first use."""
        with self._store_lock:
            if self._store is None:
                from .store import Store

                self._store = Store(self.config.db_url)
            return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.dispose()
            self._store = None


def configure_logging(verbose: bool = False) -> None:
    """One logging setup for the command line: warnings (or everything with ``verbose``) on stderr."""
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
