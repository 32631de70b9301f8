"""The on-disk local engine: a private scratch file, removed on close, answering like memory."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from docent_tui.core.engine import DISK_MEMORY_LIMIT, DQLError, LocalEngine, memory_budget
from docent_tui.core.run_list import membership_where, select_query
from docent_tui.core.scratch import new_scratch_database, remove_abandoned, scratch_folder
from docent_tui.demo import generate_runs

COLLECTION = "c0000000-0000-0000-0000-000000000001"


def test_tables_live_in_a_private_scratch_file_removed_on_close(isolated_home: Path) -> None:
    engine = LocalEngine.on_disk()
    [database] = scratch_folder().glob("*.duckdb")
    assert database.is_relative_to(isolated_home)
    assert stat.S_IMODE(scratch_folder().stat().st_mode) == 0o700
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    engine.add_collection(COLLECTION, "demo", generate_runs(30))
    engine.compact()  # written out compressed; the answers stay the same
    in_memory = LocalEngine()
    in_memory.add_collection(COLLECTION, "demo", generate_runs(30))
    dql = (
        "SELECT metadata_json->>'model' AS model, count() AS n FROM agent_runs "
        "GROUP BY metadata_json->>'model' ORDER BY model"
    )
    assert engine.execute(COLLECTION, dql).rows == in_memory.execute(COLLECTION, dql).rows
    run_id = engine.execute(COLLECTION, "SELECT id FROM agent_runs LIMIT 1").rows[0][0]
    assert engine.get_run(COLLECTION, run_id) == in_memory.get_run(COLLECTION, run_id)
    engine.close()
    in_memory.close()
    assert list(scratch_folder().iterdir()) == []


def test_files_of_dead_processes_are_removed_and_live_ones_kept(isolated_home: Path) -> None:
    mine = new_scratch_database()
    mine.write_bytes(b"")
    finished = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    dead = scratch_folder() / f"{finished.stdout.strip()}-abc.duckdb"
    dead.write_bytes(b"")
    (scratch_folder() / f"{dead.name}.wal").write_bytes(b"")
    (scratch_folder() / f"{dead.name}.tmp").mkdir()
    remove_abandoned(scratch_folder())
    assert sorted(path.name for path in scratch_folder().iterdir()) == [mine.name]
    assert mine.name.startswith(f"{os.getpid()}-")


def test_an_unwritable_cache_falls_back_to_memory(isolated_home: Path) -> None:
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "cache").write_text("a file where the cache folder should be")
    engine = LocalEngine.on_disk()
    engine.add_collection(COLLECTION, "demo", generate_runs(3))
    assert engine.run_count(COLLECTION) == 3
    engine.close()


def test_the_schema_is_kept_until_the_collection_changes() -> None:
    engine = LocalEngine()
    engine.add_collection(COLLECTION, "demo", generate_runs(5))
    first = engine.introspect(COLLECTION)
    assert engine.introspect(COLLECTION) is first
    engine.add_collection(COLLECTION, "demo", [{"id": "extra", "metadata": {"brand_new": 1}}])
    changed = engine.introspect(COLLECTION)
    assert changed is not first
    assert ("brand_new",) in {field.path for field in changed.metadata_fields}
    engine.close()


def test_membership_matches_one_run_only_when_the_filter_does() -> None:
    engine = LocalEngine()
    runs = [
        {"id": "a'1", "metadata": {"model": "x"}},
        {"id": "b", "metadata": {"model": "y"}},
    ]
    engine.add_collection(COLLECTION, "two", runs)

    def ids(where: str) -> list[str]:
        return [row[0] for row in engine.execute(COLLECTION, select_query(where, ["id"])).rows]

    assert ids(membership_where("", "a'1")) == ["a'1"]
    assert ids(membership_where("metadata_json->>'model' = 'x'", "a'1")) == ["a'1"]
    assert ids(membership_where("metadata_json->>'model' = 'y'", "a'1")) == []
    # A trailing comment in the box cannot swallow the run condition.
    assert ids(membership_where("metadata_json->>'model' = 'y' -- note", "b")) == ["b"]
    engine.close()


def test_a_query_past_the_memory_budget_says_how_to_narrow_it(isolated_home: Path) -> None:
    engine = LocalEngine.on_disk(memory_limit="16MB")
    assert engine.add_collection(COLLECTION, "demo", generate_runs(300)) == 300
    with pytest.raises(DQLError) as raised:
        everything = "SELECT json_agg(a.metadata_json) AS m FROM agent_runs AS a, agent_runs AS b"
        engine.execute(COLLECTION, everything)
    assert raised.value.message == (
        "The local engine ran out of memory for this query: narrow it with a WHERE clause "
        "or a LIMIT, or select fewer or smaller columns."
    )
    # Nothing else is lost: the next query answers.
    assert engine.execute(COLLECTION, "SELECT count() FROM agent_runs").rows == [[300]]
    engine.close()


def test_a_run_too_large_for_the_budget_is_skipped_with_the_size_and_the_setting(
    isolated_home: Path,
) -> None:
    engine = LocalEngine.on_disk(memory_limit="16MB")
    small = {"id": "small", "metadata": {}, "transcripts": []}
    text = "x" * 12_000_000
    huge = {
        "id": "huge",
        "metadata": {},
        "transcripts": [{"id": "t", "messages": [{"role": "user", "content": text}]}],
    }
    skipped: list[tuple[str, str]] = []
    stored = engine.add_collection(
        COLLECTION, "big", [small, huge], on_skip=lambda run, why: skipped.append((run, why))
    )
    assert stored == 1
    assert skipped == [
        (
            "huge",
            "cannot be stored: too large for the local engine's 16MB memory budget (its "
            "transcripts take 12 MB): open it again with DOCENT_TUI_MEMORY=100MB",
        )
    ]
    assert engine.execute(COLLECTION, "SELECT id FROM agent_runs").rows == [["small"]]
    engine.close()


def test_the_memory_budget_comes_from_the_environment_when_set() -> None:
    assert memory_budget({}) == DISK_MEMORY_LIMIT
    assert memory_budget({"DOCENT_TUI_MEMORY": " 512MB "}) == "512MB"
    assert memory_budget({"DOCENT_TUI_MEMORY": "1.5GiB"}) == "1.5GiB"
    with pytest.raises(ValueError, match="is not a size such as 512MB"):
        memory_budget({"DOCENT_TUI_MEMORY": "lots"})
    for small in ("0MB", "1KB", "63.9MB", "60MiB"):
        with pytest.raises(ValueError, match="is below the 64MB the local engine needs"):
            memory_budget({"DOCENT_TUI_MEMORY": small})
    assert memory_budget({"DOCENT_TUI_MEMORY": "64MB"}) == "64MB"
    assert memory_budget({"DOCENT_TUI_MEMORY": "2gb"}) == "2gb"
