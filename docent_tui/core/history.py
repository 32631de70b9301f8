"""WHERE-box history: the filters applied to each collection, kept across launches."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from docent_tui.core.paths import state_dir
from docent_tui.core.state_file import read_collections, write_collections

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
        stored = read_collections(self.path, MAX_FILE_BYTES)
        if stored is None:
            return None
        return {key: _clean(value) for key, value in stored.items()}

    def _write(self, collections: dict[str, list[str]]) -> None:
        write_collections(self.path, FORMAT_VERSION, collections)


def _clean(entries: list[Any]) -> list[str]:
    """The usable, distinct entries of one collection; anything else in the file is dropped."""
    kept: dict[str, None] = {}
    for entry in entries:
        if isinstance(entry, str) and entry.strip() and len(entry) <= MAX_CLAUSE_CHARS:
            kept.setdefault(entry, None)
            if len(kept) >= MAX_ENTRIES:
                break
    return list(kept)
