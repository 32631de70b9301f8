"""WHERE-box history: the filters applied to each collection, kept across launches."""

from __future__ import annotations

import contextlib
import json
import os
import uuid
from pathlib import Path
from typing import Any

from docent_tui.core.paths import private_dir, state_dir

FILE_NAME = "history.json"
FORMAT_VERSION = 1
# Filters kept per collection, most recent first.
MAX_ENTRIES = 100
# Collections kept; the ones least recently filtered are dropped first.
MAX_COLLECTIONS = 500
# Longer clauses are not worth keeping (and keep the file small).
MAX_CLAUSE_CHARS = 20_000
# A file larger than this is not history docent-tui wrote; it is ignored.
MAX_FILE_BYTES = 16 * 1024 * 1024
_TEMP_PREFIX = ".history-"


def default_path() -> Path:
    return state_dir() / FILE_NAME


class QueryHistory:
    """Per-collection lists of distinct filters, most recent first, stored as one JSON file.

    A missing, unreadable or corrupt file counts as empty; a failed write keeps the entries in
    memory for this session. Writes are atomic and re-read the file first, so entries another
    instance added for other collections are kept.
    """

    def __init__(self, path: Path | None = None, *, limit: int = MAX_ENTRIES) -> None:
        self.path = path if path is not None else default_path()
        self.limit = limit
        self._collections: dict[str, list[str]] | None = None

    def entries(self, collection_id: str) -> list[str]:
        """The collection's filters, most recent first (a copy)."""
        return list(self._loaded().get(collection_id, []))

    def record(self, collection_id: str, where: str) -> None:
        """Put `where` first in the collection's history; blank or huge clauses are ignored."""
        clause = where.strip()
        if not clause or len(clause) > MAX_CLAUSE_CHARS:
            return
        collections = self._read()
        if collections is None:  # unreadable or corrupt: what this session knows is all there is
            collections = dict(self._loaded())
        previous = collections.pop(collection_id, [])
        collections[collection_id] = [clause, *(e for e in previous if e != clause)][: self.limit]
        while len(collections) > MAX_COLLECTIONS:
            del collections[next(iter(collections))]
        self._collections = collections
        with contextlib.suppress(OSError):  # history is a convenience; never fail a filter
            self._write(collections)

    def _loaded(self) -> dict[str, list[str]]:
        if self._collections is None:
            self._collections = self._read() or {}
        return self._collections

    def _read(self) -> dict[str, list[str]] | None:
        """The file's collections in least-to-most recently used order; None if unusable."""
        try:
            if self.path.stat().st_size > MAX_FILE_BYTES:
                return None
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or not isinstance(data.get("collections"), dict):
            return None
        return {
            key: _clean(value)
            for key, value in data["collections"].items()
            if isinstance(key, str) and isinstance(value, list)
        }

    def _write(self, collections: dict[str, list[str]]) -> None:
        directory = private_dir(self.path.parent)
        payload = {"version": FORMAT_VERSION, "collections": collections}
        data = json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")
        temp = directory / f"{_TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise


def _clean(entries: list[Any]) -> list[str]:
    """The usable, distinct entries of one collection; anything else in the file is dropped."""
    kept: dict[str, None] = {}
    for entry in entries:
        if isinstance(entry, str) and entry.strip() and len(entry) <= MAX_CLAUSE_CHARS:
            kept.setdefault(entry, None)
            if len(kept) >= MAX_ENTRIES:
                break
    return list(kept)
