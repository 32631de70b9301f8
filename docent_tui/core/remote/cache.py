"""What the remote backend has already fetched: a byte-bounded memory LRU and a disk cache.

The memory cache makes revisits free within a session. The disk cache keeps opened runs and the
small answers (collections, schemas, metadata fields, DQL results) across restarts, so a run
seen before opens at once and an offline restart can still browse what was seen. Nothing here
ever holds the API key: entries are keyed by API URL, collection and object ids only.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Generic, TypeVar

import zstandard

from docent_tui.core.paths import cache_dir

__all__ = [
    "COLLECTION",
    "COLLECTIONS",
    "DQL",
    "FORMAT_VERSION",
    "RUN",
    "SCHEMA",
    "ByteLRU",
    "DiskCache",
    "DiskEntry",
    "MemoryCache",
    "dql_key",
]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

MB = 1024 * 1024
RUN_BUDGET = 64 * MB
SMALL_BUDGET = 16 * MB
DISK_BUDGET = 512 * MB

FORMAT_VERSION = 1
"""Bump when the file layout or header changes; other versions' files are never read."""

RUN = "run"
DQL = "dql"
SCHEMA = "schema"
COLLECTIONS = "collections"
COLLECTION = "collection"
KINDS = (RUN, DQL, SCHEMA, COLLECTIONS, COLLECTION)

_MAGIC = b"docent-tui remote cache"
_SUFFIX = ".zst"
_TEMP_PREFIX = ".tmp-"
_STALE_TEMP_S = 3600.0
_VERSION_DIR = re.compile(r"v(\d+)")


class ByteLRU(Generic[K, V]):
    """A least-recently-used map bounded by the total of the sizes given with each value.

    Sizes are what the caller says they are; a value bigger than the whole budget is not kept.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._items: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._total = 0

    def get(self, key: K) -> V | None:
        item = self._items.get(key)
        if item is None:
            return None
        self._items.move_to_end(key)
        return item[0]

    def put(self, key: K, value: V, size: int) -> None:
        self.discard(key)
        if size > self.budget:
            return
        self._items[key] = (value, size)
        self._total += size
        while self._total > self.budget:
            _, (_, dropped) = self._items.popitem(last=False)
            self._total -= dropped

    def discard(self, key: K) -> None:
        item = self._items.pop(key, None)
        if item is not None:
            self._total -= item[1]

    def clear(self) -> None:
        self._items.clear()
        self._total = 0

    def discard_where(self, doomed: Callable[[K], bool]) -> None:
        """Drop every entry whose key `doomed` picks."""
        for key in [key for key in self._items if doomed(key)]:
            self.discard(key)

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)

    @property
    def total(self) -> int:
        """The sum of the sizes of the values held."""
        return self._total


class MemoryCache:
    """The session's memory cache: runs and small answers, each with its own byte budget.

    Runs are held as the raw JSON bytes the server sent, so their bound is exact; they are
    parsed again (in a thread) on each access. Small answers (DQL results, schemas, collection
    lists) are held parsed, sized by the length of their JSON: a Python object takes several
    times that, so the small budget bounds the data held, not the process's memory.
    """

    def __init__(self, run_budget: int = RUN_BUDGET, small_budget: int = SMALL_BUDGET) -> None:
        self.runs: ByteLRU[tuple[str, str], bytes] = ByteLRU(run_budget)
        self.small: ByteLRU[tuple[str, ...], object] = ByteLRU(small_budget)


@dataclass(frozen=True)
class DiskEntry:
    """One cached answer: the JSON body as bytes and when it was fetched (UTC)."""

    body: bytes
    fetched_at: datetime


def dql_key(api_url: str, collection_id: str, dql: str) -> tuple[str, str, str]:
    """The disk key of a DQL result: the exact query text, hashed."""
    return (api_url, collection_id, hashlib.sha256(dql.encode("utf-8")).hexdigest())


class DiskCache:
    """Answers on disk under `root/v{FORMAT_VERSION}/{kind}/{sha256}.zst`.

    Each file is a magic line with the format version, then a zstandard frame holding a JSON
    header line (kind, key, fetched_at) and the body. File names are hashes of the key, never
    the ids themselves. Writes are atomic (temporary file, then `os.replace`); directories are
    0700 and files 0600 from creation. A file that is corrupt, of another version or for
    another key is removed and counts as a miss. When the total passes `max_bytes` the least
    recently used files go first. Methods block: call them from a worker thread.
    """

    def __init__(self, root: Path | None = None, *, max_bytes: int = DISK_BUDGET) -> None:
        self.root = root if root is not None else cache_dir() / "remote"
        self.directory = self.root / f"v{FORMAT_VERSION}"
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None
        self._compressor = threading.local()

    # ------------------------------------------------------------------ entries

    def path_for(self, kind: str, key: Sequence[str]) -> Path:
        """Where the entry for (kind, key) lives."""
        if kind not in KINDS:
            raise ValueError(f"unknown cache kind {kind!r}")
        digest = hashlib.sha256(_key_text(kind, key).encode("utf-8")).hexdigest()
        return self.directory / kind / f"{digest}{_SUFFIX}"

    def get(self, kind: str, key: Sequence[str]) -> DiskEntry | None:
        """The entry, or None when absent or unreadable (an unreadable file is removed)."""
        path = self.path_for(kind, key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        entry = _decode(data, kind, key)
        if entry is None:
            self._remove(path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # most recently used: pruned last
        return entry

    def contains(self, kind: str, key: Sequence[str]) -> bool:
        return self.path_for(kind, key).is_file()

    def put(
        self, kind: str, key: Sequence[str], body: bytes, *, fetched_at: datetime | None = None
    ) -> None:
        """Store `body` for (kind, key), replacing any earlier entry atomically."""
        path = self.path_for(kind, key)
        when = fetched_at if fetched_at is not None else datetime.now(UTC)
        header = {
            "format": FORMAT_VERSION,
            "kind": kind,
            "key": list(key),
            "fetched_at": when.astimezone(UTC).isoformat(),
            "size": len(body),
        }
        payload = json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n" + body
        data = _magic_line() + self._zstd().compress(payload)
        self._ensure_dir(path.parent)
        temp = path.parent / f"{_TEMP_PREFIX}{uuid.uuid4().hex}"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            old = _size(path)
            os.replace(temp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
        with self._lock:
            if self._total is not None:
                self._total += len(data) - old
            over = self._current_total() > self.max_bytes
        if over:
            self.prune()

    def remove(self, kind: str, key: Sequence[str]) -> None:
        self._remove(self.path_for(kind, key))

    # ------------------------------------------------------------------ size

    def total_bytes(self) -> int:
        """Bytes held by this format version's files (measured once, then tracked)."""
        with self._lock:
            return self._current_total()

    def prune(self, target: int | None = None) -> None:
        """Drop least recently used files until the total is at most `target` (90% of the cap).

        Also removes leftover temporary files and the folders of older format versions.
        """
        goal = target if target is not None else self.max_bytes * 9 // 10
        self._remove_old_versions()
        stale_before = time.time() - _STALE_TEMP_S
        with self._lock:
            files: list[tuple[float, int, Path]] = []
            for path in self._files(include_temp=True):
                try:
                    stat = path.stat()
                except OSError:
                    continue
                if path.name.startswith(_TEMP_PREFIX):
                    # A write in flight is moments old; an old one was left by a crash.
                    if stat.st_mtime < stale_before:
                        with contextlib.suppress(OSError):
                            path.unlink()
                    continue
                files.append((stat.st_mtime, stat.st_size, path))
            total = sum(size for _, size, _ in files)
            for _, size, path in sorted(files, key=lambda item: item[0]):
                if total <= goal:
                    break
                with contextlib.suppress(OSError):
                    path.unlink()
                    total -= size
            self._total = total

    # ------------------------------------------------------------------ helpers

    def _current_total(self) -> int:
        """The tracked total; the caller holds `_lock`."""
        if self._total is None:
            self._total = sum(_size(path) for path in self._files(include_temp=False))
        return self._total

    def _files(self, *, include_temp: bool) -> Iterator[Path]:
        for kind in KINDS:
            folder = self.directory / kind
            try:
                names = os.listdir(folder)
            except OSError:
                continue
            for name in names:
                if name.endswith(_SUFFIX) or (include_temp and name.startswith(_TEMP_PREFIX)):
                    yield folder / name

    def _remove(self, path: Path) -> None:
        size = _size(path)
        try:
            path.unlink()
        except OSError:
            return
        with self._lock:
            if self._total is not None:
                self._total -= size

    def _remove_old_versions(self) -> None:
        """Folders of earlier format versions hold nothing this version can read."""
        try:
            names = os.listdir(self.root)
        except OSError:
            return
        for name in names:
            match = _VERSION_DIR.fullmatch(name)
            if match is not None and int(match.group(1)) < FORMAT_VERSION:
                shutil.rmtree(self.root / name, ignore_errors=True)

    def _ensure_dir(self, folder: Path) -> None:
        """Create `folder` and missing parents, each 0700 from the start."""
        missing: list[Path] = []
        current = folder
        while not current.is_dir():
            missing.append(current)
            if current.parent == current:
                break
            current = current.parent
        for path in reversed(missing):
            with contextlib.suppress(FileExistsError):
                os.mkdir(path, 0o700)

    def _zstd(self) -> zstandard.ZstdCompressor:
        compressor: zstandard.ZstdCompressor | None = getattr(self._compressor, "value", None)
        if compressor is None:
            compressor = zstandard.ZstdCompressor(level=3, write_checksum=True)
            self._compressor.value = compressor
        return compressor


def _key_text(kind: str, key: Sequence[str]) -> str:
    return json.dumps([kind, *key], ensure_ascii=True)


def _magic_line() -> bytes:
    return _MAGIC + b" " + str(FORMAT_VERSION).encode("ascii") + b"\n"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _decode(data: bytes, kind: str, key: Sequence[str]) -> DiskEntry | None:
    """The entry in a file's bytes, or None when they are not a valid entry for (kind, key)."""
    magic = _magic_line()
    if not data.startswith(magic):
        return None
    try:
        # The frame records its size and a checksum, so a cut or damaged file fails here.
        payload = zstandard.ZstdDecompressor().decompress(data[len(magic) :])
        header_line, _, body = payload.partition(b"\n")
        header = json.loads(header_line)
        if not isinstance(header, dict):
            return None
        if header.get("format") != FORMAT_VERSION or header.get("kind") != kind:
            return None
        if header.get("key") != list(key) or header.get("size") != len(body):
            return None
        fetched_at = datetime.fromisoformat(str(header["fetched_at"]))
    except (zstandard.ZstdError, ValueError, KeyError, TypeError):
        return None
    if fetched_at.tzinfo is None:
        fetched_at = fetched_at.replace(tzinfo=UTC)
    return DiskEntry(body, fetched_at)
