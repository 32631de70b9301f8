"""Slot columns: common metadata values copied into plain columns, answering exactly as the maps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from docent_tui.core import engine as engine_module
from docent_tui.core.dql import validate_dql
from docent_tui.core.engine import LocalEngine
from docent_tui.core.lookup_slots import NESTED, SLOT_COUNT, TEXTS, LookupSlots
from docent_tui.core.translate import translate

COLLECTION = "c0000000-0000-0000-0000-0000000000aa"


def test_common_new_keys_get_slots_and_keys_already_seen_never_do() -> None:
    seen: set[tuple[str, str]] = set()
    slots = LookupSlots().adding(TEXTS, {"model": 30, "task": 29, "rare": 1}, 30, seen)
    assert slots.slot(TEXTS, "model") == 0
    assert slots.slot(TEXTS, "task") == 1
    assert slots.slot(TEXTS, "rare") is None  # in 1 of 30 runs: left to the map
    assert (TEXTS, "rare") in seen
    # Common later, but runs holding it are already stored without a slot: it stays unslotted.
    later = slots.adding(TEXTS, {"rare": 20, "level": 20}, 20, seen)
    assert later.slot(TEXTS, "rare") is None
    assert later.slot(TEXTS, "level") == 2
    assert later.adding(TEXTS, {"level": 20}, 20, seen) is later
    assert later.slot(NESTED, "level") is None  # each map has its own keys


def test_slots_run_out_at_slot_count() -> None:
    counts = {f"key{index:03d}": 10 for index in range(SLOT_COUNT + 5)}
    slots = LookupSlots().adding(TEXTS, counts, 10, set())
    assert slots.full
    assert len(slots.entries) == SLOT_COUNT
    assert sorted(slot for _, _, slot in slots.entries) == list(range(SLOT_COUNT))


def _run(index: int, metadata: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"run-{index:04d}", "name": f"r{index}", "metadata": metadata, "transcripts": []}


def _runs() -> list[dict[str, Any]]:
    """Keys that are common, rare, null, objects and numbers, and one that first shows up late
    and rarely, then becomes common."""
    runs = []
    for index in range(300):
        metadata: dict[str, Any] = {
            "model": ["gpt-4o", "claude", None][index % 3],
            "scores": {"reward": index / 300, "label": ["a", None, "b"][index % 3]},
            "n": index % 7,
        }
        if index % 50 == 0:
            metadata["rare"] = "x"
        if index == 120 or index >= 200:
            metadata["late"] = f"v{index % 4}"
        if index % 5 == 0:
            metadata["obj"] = {"k": [1, 2]}
        runs.append(_run(index, metadata))
    return runs


FILTERS = [
    "metadata_json->>'model' = 'claude'",
    "metadata_json->>'model' IS NULL",
    "metadata_json->>'model' ILIKE '%GPT%'",
    "CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) < 0.25",
    "metadata_json->'scores'->>'label' IS NULL",
    "metadata_json->>'rare' = 'x'",
    "metadata_json->>'late' = 'v0'",
    "metadata_json->>'late' IS NULL",
    "metadata_json->>'obj' = '{\"k\": [1, 2]}'",
    "metadata_json->>'n' IN ('1', '2')",
]


@pytest.fixture
def loaded(monkeypatch: pytest.MonkeyPatch) -> LocalEngine:
    monkeypatch.setattr(engine_module, "_BATCH_RUNS", 40)  # keys first seen in later batches
    engine = LocalEngine()
    engine.add_collection(COLLECTION, "slots", _runs())
    return engine


def test_slotted_and_map_translations_give_the_same_rows(loaded: LocalEngine) -> None:
    state = loaded._collections[COLLECTION]
    slots = state.slots
    assert slots.slot(TEXTS, "model") is not None
    assert slots.slot(NESTED, "/scores/reward") is not None
    assert slots.slot(TEXTS, "rare") is None
    assert slots.slot(TEXTS, "late") is None  # first seen in 1 of its batch's 40 runs
    cursor = loaded._con.cursor()
    for where in FILTERS:
        dql = f"SELECT id FROM agent_runs WHERE {where} ORDER BY id"
        query, _ = validate_dql(dql)
        with_slots = translate(query, COLLECTION, None, state.spilled, slots).sql
        by_maps = translate(query, COLLECTION, None, state.spilled, None).sql
        assert "__docent_slot_" not in by_maps
        assert cursor.execute(with_slots).fetchall() == cursor.execute(by_maps).fetchall(), where
        assert loaded.execute(COLLECTION, dql).rows == [
            list(r) for r in cursor.execute(by_maps).fetchall()
        ]
    common = "SELECT count() FROM agent_runs WHERE metadata_json->>'model' = 'claude'"
    sql = translate(validate_dql(common)[0], COLLECTION, None, state.spilled, slots).sql
    assert f"__docent_slot_{slots.slot(TEXTS, 'model')} = 'claude'" in sql


def test_a_reopened_database_keeps_its_slots(tmp_path: Path) -> None:
    database = str(tmp_path / "runs.duckdb")
    first = LocalEngine(database)
    first.add_collection(COLLECTION, "slots", _runs()[:100])
    slots = first._collections[COLLECTION].slots
    first.close()
    second = LocalEngine(database)
    # The state is rebuilt from the file: the same slots, and the keys already stored.
    second.add_collection(COLLECTION, "slots", _runs()[100:])
    state = second._collections[COLLECTION]
    assert state.slots.entries[: len(slots.entries)] == slots.entries
    assert state.slots.slot(TEXTS, "rare") is None
    dql = "SELECT count() FROM agent_runs WHERE metadata_json->>'model' = 'claude'"
    assert second.execute(COLLECTION, dql).rows == [[100]]
    second.close()
