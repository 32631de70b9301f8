"""The run-list columns chosen for each collection, kept across launches."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from docent_tui.core.paths import state_dir
from docent_tui.core.run_list import CREATED_COLUMN, RUN_COLUMN, ColumnChoice
from docent_tui.core.state_file import read_collections, write_collections

FILE_NAME = "columns.json"
FORMAT_VERSION = 1
# Collections kept; the ones whose columns changed least recently are dropped first.
MAX_COLLECTIONS = 500
# Columns kept per collection, and keys per metadata path: more is not a choice people made.
MAX_COLUMNS = 64
MAX_PATH_KEYS = 32
# A file larger than this is not one docent-tui wrote; it is ignored.
MAX_FILE_BYTES = 4 * 1024 * 1024


def default_path() -> Path:
    return state_dir() / FILE_NAME


class ColumnPrefs:
    """Per-collection column choices stored as one JSON file (0600, written atomically).

    In the file a choice is "run", "created_at" or a list of metadata keys. A missing, corrupt
    or unreadable file counts as empty; a failed write keeps the choice for this session.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else default_path()
        self._memory: dict[str, list[ColumnChoice]] = {}

    def get(self, collection_id: str) -> list[ColumnChoice] | None:
        """The collection's chosen columns, or None when none were chosen."""
        if collection_id in self._memory:
            return list(self._memory[collection_id])
        choices = (self._read() or {}).get(collection_id)
        return list(choices) if choices else None

    def set(self, collection_id: str, choices: Sequence[ColumnChoice]) -> None:
        """Remember the collection's columns; writes re-read the file to keep other entries."""
        kept = _clean(list(choices))
        self._memory[collection_id] = kept
        collections = self._read() or {}
        collections.pop(collection_id, None)
        collections[collection_id] = kept
        while len(collections) > MAX_COLLECTIONS:
            del collections[next(iter(collections))]
        with contextlib.suppress(OSError):  # a preference is a convenience; never fail the list
            self._write(collections)

    def _read(self) -> dict[str, list[ColumnChoice]] | None:
        stored = read_collections(self.path, MAX_FILE_BYTES)
        if stored is None:
            return None
        return {key: _clean(value) for key, value in stored.items()}

    def _write(self, collections: dict[str, list[ColumnChoice]]) -> None:
        stored = {key: [_to_json(c) for c in value] for key, value in collections.items()}
        write_collections(self.path, FORMAT_VERSION, stored)


def _to_json(choice: ColumnChoice) -> str | list[str]:
    return choice if isinstance(choice, str) else list(choice)


def _clean(entries: list[Any]) -> list[ColumnChoice]:
    """The usable, distinct choices of one collection; anything else in the file is dropped."""
    kept: list[ColumnChoice] = []
    for entry in entries:
        choice: ColumnChoice | None = None
        if isinstance(entry, str) and entry in (RUN_COLUMN.key, CREATED_COLUMN.key):
            choice = entry
        elif (
            isinstance(entry, (list, tuple))
            and 0 < len(entry) <= MAX_PATH_KEYS
            and all(isinstance(key, str) for key in entry)
        ):
            choice = tuple(entry)
        if choice is not None and choice not in kept:
            kept.append(choice)
        if len(kept) >= MAX_COLUMNS:
            break
    return kept
