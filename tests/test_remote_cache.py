"""The remote caches: the byte-bounded memory LRU and the disk cache's format and hygiene."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zstandard

from docent_tui.core.remote.cache import (
    COLLECTIONS,
    DQL,
    FORMAT_VERSION,
    RUN,
    SCHEMA,
    ByteLRU,
    DiskCache,
    MemoryCache,
    dql_key,
)

API = "https://api.docent.example/rest"
KEY = (API, "collection-1", "run-1")


def all_files(root: Path) -> list[Path]:
    return [Path(folder) / name for folder, _, names in os.walk(root) for name in names]


# ---------------------------------------------------------------------- memory


def test_lru_evicts_least_recently_used_past_the_budget() -> None:
    lru: ByteLRU[str, str] = ByteLRU(10)
    lru.put("a", "A", 4)
    lru.put("b", "B", 4)
    assert lru.get("a") == "A"  # "b" is now the least recently used
    lru.put("c", "C", 4)
    assert "b" not in lru
    assert lru.get("a") == "A" and lru.get("c") == "C"
    assert lru.total == 8


def test_lru_replacing_a_key_keeps_the_total_exact() -> None:
    lru: ByteLRU[str, bytes] = ByteLRU(100)
    lru.put("a", b"x" * 30, 30)
    lru.put("a", b"x" * 50, 50)
    assert lru.total == 50 and len(lru) == 1
    lru.discard("a")
    assert lru.total == 0 and lru.get("a") is None


def test_lru_does_not_keep_a_value_bigger_than_the_budget() -> None:
    lru: ByteLRU[str, str] = ByteLRU(10)
    lru.put("small", "s", 5)
    lru.put("huge", "h", 11)
    assert "huge" not in lru
    assert lru.get("small") == "s"


def test_memory_cache_has_separate_budgets() -> None:
    memory = MemoryCache(run_budget=100, small_budget=10)
    memory.runs.put(("c", "r"), b"{}" * 40, 80)
    memory.small.put(("dql", "c", "q"), "result", 10)
    memory.small.put(("dql", "c", "q2"), "result", 10)
    assert ("c", "r") in memory.runs  # small answers never push runs out
    assert ("dql", "c", "q") not in memory.small
    assert memory.runs.total == 80 and memory.small.total == 10


# ---------------------------------------------------------------------- disk


def test_disk_round_trip_records_fetched_at(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "cache")
    body = b'{"id": "run-1", "transcripts": []}'
    when = datetime(2025, 5, 21, 22, 29, 1, tzinfo=UTC)
    disk.put(RUN, KEY, body, fetched_at=when)
    entry = disk.get(RUN, KEY)
    assert entry is not None
    assert entry.body == body
    assert entry.fetched_at == when
    assert disk.contains(RUN, KEY)
    assert disk.get(RUN, (API, "collection-1", "run-2")) is None
    assert disk.get(SCHEMA, KEY) is None  # kinds never collide


def test_disk_layout_is_versioned_hashed_and_compressed(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path / "cache")
    run_id = "../../etc/passwd"
    disk.put(RUN, (API, "c", run_id), b'{"id": "x"}')
    (path,) = all_files(tmp_path / "cache")
    assert path.parent == tmp_path / "cache" / f"v{FORMAT_VERSION}" / RUN
    assert path.name == disk.path_for(RUN, (API, "c", run_id)).name
    assert len(path.stem) == 64 and "passwd" not in path.name
    data = path.read_bytes()
    assert data.startswith(f"docent-tui remote cache {FORMAT_VERSION}\n".encode())
    assert b'"id"' not in data  # the payload is zstandard-compressed


def test_disk_permissions_are_private_from_creation(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        disk = DiskCache(tmp_path / "home" / "cache" / "remote")
        disk.put(RUN, KEY, b"{}")
        disk.put(DQL, dql_key(API, "c", "SELECT 1"), b"{}")
    finally:
        os.umask(previous)
    for folder, _, names in os.walk(tmp_path / "home"):
        assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700, folder
        for name in names:
            assert stat.S_IMODE(os.stat(Path(folder) / name).st_mode) == 0o600, name


def test_default_root_is_under_the_cache_dir(isolated_home: Path) -> None:
    disk = DiskCache()
    disk.put(COLLECTIONS, (API,), b"[]")
    assert disk.root == isolated_home / "cache" / "remote"
    assert disk.get(COLLECTIONS, (API,)) is not None


def test_corrupt_file_is_ignored_and_removed(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path)
    disk.put(RUN, KEY, b'{"id": "run-1"}')
    path = disk.path_for(RUN, KEY)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 5])  # a write cut short
    assert disk.get(RUN, KEY) is None
    assert not path.exists()
    disk.put(RUN, KEY, b'{"id": "run-1"}')
    path.write_bytes(b"garbage")
    assert disk.get(RUN, KEY) is None
    assert not path.exists()


def test_other_format_version_is_ignored_and_removed(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path)
    path = disk.path_for(RUN, KEY)
    path.parent.mkdir(parents=True)
    payload = b'{"format": 99, "kind": "run", "key": [], "fetched_at": "2025-01-01"}\n{}'
    path.write_bytes(b"docent-tui remote cache 99\n" + zstandard.ZstdCompressor().compress(payload))
    assert disk.get(RUN, KEY) is None
    assert not path.exists()


def test_entry_for_another_key_is_not_returned(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path)
    other = (API, "collection-1", "run-2")
    disk.put(RUN, other, b'{"id": "run-2"}')
    os.replace(disk.path_for(RUN, other), disk.path_for(RUN, KEY))
    assert disk.get(RUN, KEY) is None


def test_dql_key_hashes_the_exact_text() -> None:
    first = dql_key(API, "c", "SELECT id FROM agent_runs")
    assert first == dql_key(API, "c", "SELECT id FROM agent_runs")
    assert first != dql_key(API, "c", "SELECT id FROM agent_runs ")
    assert "SELECT" not in first[2]


def test_prune_drops_least_recently_used_first(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path, max_bytes=10**9)
    bodies = {f"run-{n}": os.urandom(2000) for n in range(4)}  # incompressible
    for n, (run_id, body) in enumerate(bodies.items()):
        disk.put(RUN, (API, "c", run_id), body)
        os.utime(disk.path_for(RUN, (API, "c", run_id)), (1000 + n, 1000 + n))
    size = disk.path_for(RUN, (API, "c", "run-0")).stat().st_size
    assert disk.get(RUN, (API, "c", "run-0")) is not None  # touched: now the newest
    disk.max_bytes = size * 3
    disk.put(RUN, (API, "c", "run-4"), os.urandom(2000))
    kept = {run_id for run_id in [*bodies, "run-4"] if disk.contains(RUN, (API, "c", run_id))}
    assert kept == {"run-0", "run-4"}
    assert disk.total_bytes() <= disk.max_bytes


def test_prune_removes_older_version_folders(tmp_path: Path) -> None:
    old = tmp_path / "v0" / "run"
    old.mkdir(parents=True)
    (old / "stale.zst").write_bytes(b"old")
    disk = DiskCache(tmp_path)
    disk.put(RUN, KEY, b"{}")
    disk.prune()
    assert not (tmp_path / "v0").exists()
    assert disk.get(RUN, KEY) is not None


def test_unwritable_cache_raises_oserror_only(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    disk = DiskCache(blocker)
    with pytest.raises(OSError):
        disk.put(RUN, KEY, b"{}")
    assert disk.get(RUN, KEY) is None
