"""WHERE-box history on disk: order, limits, per-collection lists, damaged files, permissions."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from docent_tui.core.history import QueryHistory, default_path


def test_most_recent_first_distinct_and_no_blank_entries(tmp_path: Path) -> None:
    history = QueryHistory(tmp_path / "history.json")
    for clause in ("a = 1", "b = 2", "  ", "", "a = 1", "c = 3 "):
        history.record("c1", clause)
    assert history.entries("c1") == ["c = 3", "a = 1", "b = 2"]


def test_each_collection_keeps_at_most_the_limit(tmp_path: Path) -> None:
    history = QueryHistory(tmp_path / "history.json", limit=3)
    for number in range(5):
        history.record("c1", f"x = {number}")
    assert history.entries("c1") == ["x = 4", "x = 3", "x = 2"]


def test_collections_are_separate_and_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    first = QueryHistory(path)
    first.record("c1", "a = 1")
    first.record("c2", "b = 2")
    again = QueryHistory(path)
    assert again.entries("c1") == ["a = 1"]
    assert again.entries("c2") == ["b = 2"]
    assert again.entries("c3") == []


def test_the_default_file_lives_under_docent_tui_home(isolated_home: Path) -> None:
    QueryHistory().record("c1", "a = 1")
    assert default_path() == isolated_home / "state" / "history.json"
    assert default_path().is_file()


def test_file_and_directory_are_private(tmp_path: Path) -> None:
    path = tmp_path / "state" / "history.json"
    QueryHistory(path).record("c1", "a = 1")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert [p.name for p in path.parent.iterdir()] == ["history.json"]  # no temporary left


def test_a_corrupt_file_counts_as_empty_and_is_replaced(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    path.write_bytes(b'{"version": 1, "collections": {"c1": ["a = 1"')
    history = QueryHistory(path)
    assert history.entries("c1") == []
    history.record("c1", "b = 2")
    assert QueryHistory(path).entries("c1") == ["b = 2"]


def test_bad_entries_are_dropped_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    collections = {"c1": ["a = 1", 7, None, "", "a = 1", "b = 2"], "c2": "not a list"}
    path.write_text(json.dumps({"version": 1, "collections": collections}))
    history = QueryHistory(path)
    assert history.entries("c1") == ["a = 1", "b = 2"]
    assert history.entries("c2") == []


def test_another_instances_collections_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "history.json"
    mine, theirs = QueryHistory(path), QueryHistory(path)
    assert mine.entries("c1") == []  # loaded before the other instance wrote
    theirs.record("c2", "b = 2")
    mine.record("c1", "a = 1")
    again = QueryHistory(path)
    assert again.entries("c1") == ["a = 1"]
    assert again.entries("c2") == ["b = 2"]


def test_an_unwritable_location_keeps_the_session_history(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    history = QueryHistory(blocker / "history.json")
    history.record("c1", "a = 1")
    assert history.entries("c1") == ["a = 1"]
