"""Loaded rules kept on disk, so that a command does not parse and validate the same YAML again.

Reading and validating ``rules/`` costs about a second (YAML with line numbers, pydantic, every
cross-check); the result depends only on the bytes of the rules files and on the code that reads
them. Both go into the key: an edit to any rules file, or a new version of the loader, the target
kinds or the messages, is a different key, and the rules are read again. The cache is a
convenience: a missing, unreadable or stale file is simply rebuilt, and a cache directory that
cannot be written is used as if it were empty.

The files are pickles written by this module into the deployment's own data folder (``Config``'s
``cache_dir``), never taken from users.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from .loader import load_rules
from .ruleset import RuleSet
from .workplan import TaskCatalogue, load_tasks
from .yaml_lines import read_rules_bytes

PACKAGE = Path(__file__).resolve().parent.parent
# The code whose change changes what the same YAML loads into.
_CODE_DIRS = ("rules", "checks", "messages", "core")


def _code_stamp() -> bytes:
    digest = hashlib.sha256()
    for folder in _CODE_DIRS:
        for path in sorted((PACKAGE / folder).rglob("*")):
            if path.suffix in (".py", ".yaml") and path.is_file():
                digest.update(str(path.relative_to(PACKAGE)).encode())
                digest.update(path.read_bytes())
    return digest.digest()


def rules_key(root: Path) -> str:
    """A key that changes whenever any file under ``root`` or the rules-reading code changes."""
    digest = hashlib.sha256(_code_stamp())
    if root.is_dir():
        for path in sorted(root.rglob("*")):
            # Every entry counts by name; a file's bytes only when the loader would read them (a
            # regular file inside rules/, not too large); anything else is the loader's to refuse.
            shown = str(path.relative_to(root))
            digest.update(shown.encode() + b"\0")
            if path.is_symlink() or not path.is_file():
                with contextlib.suppress(OSError):
                    digest.update(str(path.lstat().st_mtime_ns).encode())
                continue
            raw, _ = read_rules_bytes(path, shown, root)
            digest.update(raw if raw is not None else b"\1")
            digest.update(b"\0")
    return digest.hexdigest()[:32]


def load_rule_files(root: Path) -> tuple[RuleSet, TaskCatalogue]:
    """Read ``root`` now: the rule set and, when it loaded cleanly, the task catalogue checked against it.

    Task files refer to indicators and areas; checked against broken rules they would only repeat
    the same mistakes as false "unknown indicator" lines, so they wait until the rules load.
    """
    rules = load_rules(root)
    catalogue = load_tasks(root, rules) if rules.ok else TaskCatalogue(rules=rules)
    return rules, catalogue


def load_cached(root: Path | str, cache_dir: Path | None) -> tuple[RuleSet, TaskCatalogue]:
    """:func:`load_rule_files`, answered from ``cache_dir`` when the same files were read before."""
    root = Path(root)
    if cache_dir is None:
        return load_rule_files(root)
    # One file per rules folder (the folder's path hashed), named by the key of its current content.
    folder = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:12]
    path = cache_dir / f"rules-{folder}-{rules_key(root)}.pickle"
    try:
        loaded = pickle.loads(path.read_bytes())
        if isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[0], RuleSet):
            return loaded
    except Exception:  # noqa: BLE001 -- an absent or unreadable cache file is rebuilt, never trusted
        pass
    result = load_rule_files(root)
    _write(path, f"rules-{folder}-*.pickle", result)
    return result


def _write(path: Path, siblings: str, result: tuple[RuleSet, TaskCatalogue]) -> None:
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(siblings):  # earlier versions of the same folder's rules
            with contextlib.suppress(OSError):
                old.unlink()
        # Written beside and renamed: a reader never sees half a file, parallel writers never clash.
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError, RecursionError):
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
