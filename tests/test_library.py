"""Collections load in full or say exactly what they skipped."""

from __future__ import annotations

from pathlib import Path

from docent_tui.core.library import CollectionState, Library
from tests.conftest import shared_file


def test_duplicate_ids_and_unstorable_runs_are_reported(tmp_path: Path) -> None:
    deep = "[" * 600 + "]" * 600  # deeper than Python's json can store again
    runs = [
        '{"id": "deep", "metadata": {"nested": ' + deep + '}, "transcripts": []}',
        '{"id": "same", "name": "first", "metadata": {}, "transcripts": []}',
        '{"id": "same", "name": "second", "metadata": {}, "transcripts": []}',
    ]
    source = tmp_path / "runs.json"
    source.write_text("[" + ",".join(runs) + "]")
    library = Library()
    collection = library.add_local(source)
    library.load(collection)
    assert collection.state is CollectionState.READY
    assert collection.run_count == 1
    reasons = {problem.item: problem.reason for problem in collection.problems}
    assert reasons["run same"].startswith("duplicate id")
    assert "cannot be stored" in reasons["run deep"]
    assert all("\n" not in str(problem) for problem in collection.problems)


def test_a_directory_counts_ignored_files(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(
        shared_file("docent/tool_call_error.agent_runs.json").read_bytes()
    )
    (tmp_path / "readme.md").write_text("notes")
    library = Library()
    collection = library.add_local(tmp_path)
    library.load(collection)
    assert collection.run_count == 1
    assert collection.ignored_files == [str(tmp_path / "readme.md")]


def test_a_missing_path_fails_with_a_reason(tmp_path: Path) -> None:
    library = Library()
    collection = library.add_local(tmp_path / "nope.eval")
    library.load(collection)
    assert collection.state is CollectionState.FAILED
    assert collection.error == "no such file or directory"
