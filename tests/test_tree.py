"""Docent's canonical transcript order and message addresses."""

from __future__ import annotations

from typing import Any

from docent_tui.core.models import AgentRun
from docent_tui.core.tree import (
    build_tree,
    message_address,
    ordered_transcripts,
    parse_address,
    pruned,
)


def _transcript(ident: str, created: str | None, group: str | None = None) -> dict[str, Any]:
    return {
        "id": ident,
        "name": ident,
        "created_at": created,
        "transcript_group_id": group,
        "messages": [],
    }


def _group(ident: str, created: str | None, parent: str | None = None) -> dict[str, Any]:
    return {
        "id": ident,
        "name": f"group {ident}",
        "created_at": created,
        "parent_transcript_group_id": parent,
    }


def _run(transcripts: list[dict[str, Any]], groups: list[dict[str, Any]]) -> AgentRun:
    return AgentRun.from_record(
        {"id": "r", "transcripts": transcripts, "transcript_groups": groups}
    )


def _order(run: AgentRun) -> list[str]:
    return [entry.transcript.id for entry in ordered_transcripts(run)]


def test_flat_transcripts_sort_by_created_at_with_none_last() -> None:
    run = _run(
        [
            _transcript("late", "2025-01-03T00:00:00"),
            _transcript("undated", None),
            _transcript("early", "2025-01-01T00:00:00"),
            _transcript("zoned", "2025-01-02T00:00:00+00:00"),
        ],
        [],
    )
    ordered = ordered_transcripts(run)
    assert [entry.transcript.id for entry in ordered] == ["early", "zoned", "late", "undated"]
    assert [entry.index for entry in ordered] == [0, 1, 2, 3]
    assert all(entry.group_path == () for entry in ordered)


def test_groups_interleave_with_transcripts_in_pre_order() -> None:
    run = _run(
        [
            _transcript("root-t", "2025-01-02T00:00:00"),
            _transcript("in-a-2", "2025-01-05T00:00:00", "a"),
            _transcript("in-a-1", "2025-01-04T00:00:00", "a"),
            _transcript("in-b", "2025-01-01T00:00:00", "b"),
        ],
        [_group("a", "2025-01-01T00:00:00"), _group("b", "2025-01-03T00:00:00")],
    )
    # Group a (Jan 1) comes before root-t (Jan 2), which comes before group b (Jan 3).
    assert _order(run) == ["in-a-1", "in-a-2", "root-t", "in-b"]


def test_nested_groups_give_group_paths() -> None:
    run = _run(
        [
            _transcript("deep", "2025-01-01T00:00:00", "inner"),
            _transcript("shallow", "2025-01-02T00:00:00", "outer"),
        ],
        [
            _group("inner", "2025-01-03T00:00:00", parent="outer"),
            _group("outer", "2025-01-01T00:00:00"),
        ],
    )
    ordered = ordered_transcripts(run)
    # Inside "outer": shallow (Jan 2) before the inner group (Jan 3).
    assert [entry.transcript.id for entry in ordered] == ["shallow", "deep"]
    assert [g.id for g in ordered[0].group_path] == ["outer"]
    assert [g.id for g in ordered[1].group_path] == ["outer", "inner"]
    assert ordered[1].label == "T1"


def test_unknown_group_falls_back_to_root() -> None:
    run = _run(
        [
            _transcript("orphan", "2025-01-01T00:00:00", "missing"),
            _transcript("grouped", "2025-01-02T00:00:00", "g"),
        ],
        [_group("g", "2025-01-05T00:00:00")],
    )
    ordered = ordered_transcripts(run)
    assert [entry.transcript.id for entry in ordered] == ["orphan", "grouped"]
    assert ordered[0].group_path == ()


def test_unknown_parent_gets_placeholder_group_and_cycles_terminate() -> None:
    run = _run(
        [
            _transcript("under-x", "2025-01-01T00:00:00", "x"),
            _transcript("in-cycle", "2025-01-02T00:00:00", "c1"),
        ],
        [
            _group("x", None, parent="ghost"),
            _group("c1", None, parent="c2"),
            _group("c2", None, parent="c1"),
        ],
    )
    ordered = ordered_transcripts(run)
    assert sorted(entry.transcript.id for entry in ordered) == ["in-cycle", "under-x"]
    under_x = next(entry for entry in ordered if entry.transcript.id == "under-x")
    assert [g.id for g in under_x.group_path] == ["ghost", "x"]


def test_pruned_view_drops_empty_groups() -> None:
    run = _run(
        [_transcript("t", None, "full")],
        [_group("full", None), _group("empty", None)],
    )
    tree = build_tree(run)
    assert sorted(child.id for child in tree.children) == ["empty", "full"]
    assert [child.id for child in pruned(tree).children] == ["full"]
    assert pruned(tree).children[0].children[0].kind == "t"


def test_run_without_transcripts() -> None:
    assert ordered_transcripts(_run([], [])) == []


def test_addresses() -> None:
    assert message_address(2, 17) == "T2B17"
    assert parse_address("T2B17") == (2, 17)
    assert parse_address(" T0B0 ") == (0, 0)
    assert parse_address("T2") is None
    assert parse_address("R0M.x") is None
