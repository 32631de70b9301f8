"""Private database files the local engine keeps its tables in, so they need not fit in memory."""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from pathlib import Path

from docent_tui.core.paths import cache_dir, private_dir

SUFFIX = ".duckdb"
# DuckDB writes these beside a database file: its write-ahead log and its spill folder.
_COMPANIONS = (".wal", ".tmp")


def scratch_folder() -> Path:
    return cache_dir() / "engine"


def new_scratch_database() -> Path:
    """A fresh path for this process's database file; files left by dead processes are removed."""
    folder = private_dir(scratch_folder())
    remove_abandoned(folder)
    return folder / f"{os.getpid()}-{uuid.uuid4().hex[:12]}{SUFFIX}"


def remove_database(path: Path) -> None:
    """Delete a database file and what DuckDB wrote beside it; missing parts are fine."""
    with contextlib.suppress(OSError):
        path.unlink()
    for suffix in _COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.is_dir():
            shutil.rmtree(companion, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                companion.unlink()


def remove_abandoned(folder: Path) -> None:
    """Remove the database files of processes that no longer run (a crash leaves them)."""
    with contextlib.suppress(OSError):
        for path in folder.glob(f"*{SUFFIX}"):
            owner = path.name.split("-", 1)[0]
            if owner.isdigit() and not _running(int(owner)):
                remove_database(path)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True
