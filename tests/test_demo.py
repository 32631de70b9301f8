"""Tests for the built-in demo data generator (docent_tui.demo)."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import pytest

from docent_tui.demo import DEMO_COLLECTION_ID, DEMO_RUNS, generate_runs, main, write_jsonl

RUN_KEYS = [
    "id",
    "name",
    "description",
    "transcripts",
    "transcript_groups",
    "metadata",
    "created_at",
]
TRANSCRIPT_KEYS = [
    "id",
    "name",
    "description",
    "transcript_group_id",
    "created_at",
    "messages",
    "metadata",
]
GROUP_KEYS = [
    "id",
    "name",
    "description",
    "agent_run_id",
    "parent_transcript_group_id",
    "created_at",
    "metadata",
]
MESSAGE_KEYS = {
    "system": ["id", "content", "role", "metadata"],
    "user": ["id", "content", "role", "metadata", "tool_call_id"],
    "assistant": ["id", "content", "role", "metadata", "model", "tool_calls"],
    "tool": ["id", "content", "role", "metadata", "tool_call_id", "function", "error"],
}
CONTENT_KEYS = {
    "text": ["type", "text", "refusal"],
    "reasoning": ["type", "reasoning", "summary", "signature", "redacted"],
}
TOOL_CALL_KEYS = [
    "id",
    "function",
    "arguments",
    "type",
    "parse_error",
    "view",
    "google_thought_signature",
]
INSPECT_LOADER_KEYS = [
    "sample_id",
    "epoch",
    "target",
    "scoring_metadata",
    "scores",
    "task",
    "model",
]


@pytest.fixture(scope="module")
def runs() -> list[dict[str, Any]]:
    return list(generate_runs())


def _messages(run: dict[str, Any]) -> list[dict[str, Any]]:
    return [m for t in run["transcripts"] for m in t["messages"]]


def _is_naive_iso(value: Any) -> bool:
    return isinstance(value, str) and datetime.fromisoformat(value).tzinfo is None


def _canonical_order(run: dict[str, Any]) -> list[str]:
    """Transcript ids in Docent's tree order (docent-api.md B.3)."""
    children: dict[str | None, list[tuple[str, str, str | None]]] = defaultdict(list)
    for group in run["transcript_groups"]:
        entry = ("tg", group["id"], group["created_at"])
        children[group["parent_transcript_group_id"]].append(entry)
    for transcript in run["transcripts"]:
        children[transcript["transcript_group_id"]].append(
            ("t", transcript["id"], transcript["created_at"])
        )
    order: list[str] = []

    def visit(parent: str | None) -> None:
        nodes = sorted(children[parent], key=lambda n: (n[2] is None, n[2] or ""))
        for kind, node_id, _ in nodes:
            if kind == "t":
                order.append(node_id)
            else:
                visit(node_id)

    visit(None)
    return order


def _check_message(message: dict[str, Any]) -> None:
    role = message["role"]
    assert list(message) == MESSAGE_KEYS[role]
    content = message["content"]
    if isinstance(content, list):
        assert content
        for item in content:
            assert list(item) == CONTENT_KEYS[item["type"]]
    else:
        assert isinstance(content, str)
    assert message["metadata"] is None or isinstance(message["metadata"], dict)
    if role == "user":
        assert message["tool_call_id"] is None or isinstance(message["tool_call_id"], list)
    if role == "assistant" and message["tool_calls"] is not None:
        for call in message["tool_calls"]:
            assert list(call) == TOOL_CALL_KEYS
            assert isinstance(call["arguments"], dict)
            assert call["type"] == "function"
            view = call["view"]
            assert view is None or (list(view) == ["title", "format", "content"])
            if view is not None:
                assert view["format"] == "markdown"
                assert view["content"].startswith("```")
    if role == "tool":
        error = message["error"]
        assert error is None or (list(error) == ["type", "message"])


def test_collection_id_is_uuid5_of_the_demo_name() -> None:
    assert str(uuid5(NAMESPACE_URL, "docent-tui:demo")) == DEMO_COLLECTION_ID


def test_counts(runs: list[dict[str, Any]]) -> None:
    assert len(runs) == DEMO_RUNS == 300
    assert list(generate_runs(0)) == []
    assert len(list(generate_runs(7, seed=2))) == 7


def test_same_arguments_give_the_same_runs() -> None:
    first = json.dumps(list(generate_runs(40, seed=5)))
    second = json.dumps(list(generate_runs(40, seed=5)))
    assert first == second


def test_runs_are_prefix_stable() -> None:
    assert list(generate_runs(10, seed=3)) == list(generate_runs(40, seed=3))[:10]


def test_seeds_give_different_runs() -> None:
    ids_a = {r["id"] for r in generate_runs(30, seed=0)}
    ids_b = {r["id"] for r in generate_runs(30, seed=1)}
    assert ids_a.isdisjoint(ids_b)


def test_ids_are_unique_uuid5(runs: list[dict[str, Any]]) -> None:
    ids = [r["id"] for r in runs]
    ids += [t["id"] for r in runs for t in r["transcripts"]]
    ids += [g["id"] for r in runs for g in r["transcript_groups"]]
    assert len(ids) == len(set(ids))
    assert all(UUID(i).version == 5 for i in ids)


def test_every_run_has_the_runrecord_shape(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        assert list(run) == RUN_KEYS
        assert isinstance(run["name"], str)
        assert _is_naive_iso(run["created_at"])
        assert json.loads(json.dumps(run)) == run
        assert run["transcripts"]
        for transcript in run["transcripts"]:
            assert list(transcript) == TRANSCRIPT_KEYS
            assert isinstance(transcript["metadata"], dict)
            created = transcript["created_at"]
            assert created is None or _is_naive_iso(created)
            assert transcript["messages"]
            for message in transcript["messages"]:
                _check_message(message)
        for group in run["transcript_groups"]:
            assert list(group) == GROUP_KEYS
            assert _is_naive_iso(group["created_at"])


def test_tool_results_answer_earlier_calls(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        for transcript in run["transcripts"]:
            calls: dict[str, str] = {}
            for message in transcript["messages"]:
                if message["role"] == "assistant":
                    for call in message["tool_calls"] or []:
                        assert call["id"] not in calls
                        calls[call["id"]] = call["function"]
                elif message["role"] == "tool":
                    assert calls[message["tool_call_id"]] == message["function"]


def test_groups_reference_known_ids(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        group_ids = {g["id"] for g in run["transcript_groups"]}
        for group in run["transcript_groups"]:
            assert group["agent_run_id"] == run["id"]
            assert group["parent_transcript_group_id"] in group_ids | {None}
        for transcript in run["transcripts"]:
            assert transcript["transcript_group_id"] in group_ids | {None}


def test_multi_transcript_runs_have_nested_groups_and_reordered_lists(
    runs: list[dict[str, Any]],
) -> None:
    multi = [r for r in runs if len(r["transcripts"]) > 1]
    assert multi
    assert all(2 <= len(r["transcripts"]) <= 3 for r in multi)
    assert any(
        g["parent_transcript_group_id"] is not None for r in multi for g in r["transcript_groups"]
    )
    reordered = [r for r in multi if _canonical_order(r) != [t["id"] for t in r["transcripts"]]]
    assert reordered == multi
    assert any(t["created_at"] is None for r in multi for t in r["transcripts"])


def test_collection_has_the_variety_a_browser_must_handle(runs: list[dict[str, Any]]) -> None:
    messages = [m for r in runs for m in _messages(r)]
    items = [i for m in messages if isinstance(m["content"], list) for i in m["content"]]
    reasoning = [i for i in items if i["type"] == "reasoning"]
    assert any(not i["redacted"] and i["reasoning"] for i in reasoning)
    assert any(i["redacted"] and i["summary"] for i in reasoning)
    tools = [m for m in messages if m["role"] == "tool"]
    error_types = {m["error"]["type"] for m in tools if m["error"]}
    assert {"timeout", "parsing", "unicode_decode", "permission"} <= error_types
    calls = [c for m in messages if m["role"] == "assistant" for c in m["tool_calls"] or []]
    assert any(c["parse_error"] for c in calls)
    assert {"bash", "python", "submit", "str_replace_editor"} <= {c["function"] for c in calls}
    assert any(m["content"].count("\n") > 200 for m in tools)
    assert any(m["metadata"] and "usage" in m["metadata"] for m in messages)
    assert any(m["role"] == "system" for m in messages)
    assert any(m["role"] == "user" for m in messages)
    # Some runs end abruptly with an error or an unanswered call.
    assert any(r["metadata"]["scoring_metadata"] is None for r in runs)
    assert any(
        _messages(r)[-1]["role"] == "assistant" and _messages(r)[-1]["tool_calls"] for r in runs
    )


def test_run_lengths_vary(runs: list[dict[str, Any]]) -> None:
    counts = [len(r["transcripts"][0]["messages"]) for r in runs]
    assert 8 <= statistics.median(counts) <= 20
    assert max(counts) >= 60
    assert min(counts) <= 4


def test_metadata_keys_follow_the_inspect_loader(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        metadata = run["metadata"]
        assert list(metadata)[:9] == [*INSPECT_LOADER_KEYS, "tags", "difficulty"]
        assert isinstance(metadata["tags"], list)
        scoring, scores = metadata["scoring_metadata"], metadata["scores"]
        if scoring is None:
            assert scores == {}
            continue
        assert set(scoring) == set(scores) == {"accuracy", "reward"}
        for scorer in scoring.values():
            assert list(scorer) == ["value", "answer", "explanation"]
        normalised = {"C": 1.0, "P": 0.5, "I": 0, "N": 0}
        assert scores["accuracy"] == normalised[scoring["accuracy"]["value"]]
        assert 0.0 <= scores["reward"] <= 1.0


def test_scores_include_passes_and_failures(runs: list[dict[str, Any]]) -> None:
    values = [r["metadata"]["scores"].get("accuracy") for r in runs]
    assert 1.0 in values
    assert 0 in values


def test_pass_rate_depends_on_model_and_task(runs: list[dict[str, Any]]) -> None:
    def rates(key: str) -> dict[str, float]:
        groups: dict[str, list[float]] = defaultdict(list)
        for run in runs:
            metadata = run["metadata"]
            groups[metadata[key]].append(metadata["scores"].get("accuracy", 0))
        return {name: sum(v) / len(v) for name, v in groups.items()}

    by_model, by_task = rates("model"), rates("task")
    assert len(by_model) >= 5 and len(by_task) >= 5
    assert by_model["anthropic/claude-sonnet-4"] > by_model["meta-llama/llama-3.1-70b"] + 0.15
    assert by_task["inspect_evals/math"] > by_task["inspect_evals/cybench"] + 0.2


def test_write_jsonl_is_byte_identical_and_matches_the_generator(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert write_jsonl(first, 25, seed=9) == 25
    write_jsonl(second, 25, seed=9)
    assert first.read_bytes() == second.read_bytes()
    lines = first.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == list(generate_runs(25, seed=9))


def test_main_writes_jsonl_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "demo.jsonl"
    assert main(["--runs", "12", "--out", str(out), "--seed", "4"]) == 0
    assert capsys.readouterr().out == f"wrote 12 runs to {out}\n"
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12
    assert [json.loads(line)["id"] for line in lines] == [
        r["id"] for r in generate_runs(12, seed=4)
    ]


def test_main_rejects_a_negative_count(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--runs", "-1", "--out", str(tmp_path / "x.jsonl")])
    assert exit_info.value.code == 2
    assert "--runs" in capsys.readouterr().err


def test_main_reports_an_unwritable_path_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--runs", "1", "--out", str(tmp_path / "missing" / "x.jsonl")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write ")
    assert err.count("\n") == 1


def test_module_runs_as_a_script_without_ui_imports(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    code = (
        "import runpy, sys\n"
        "sys.argv = ['demo', '--runs', '3', '--out', sys.argv[1]]\n"
        "try:\n"
        "    runpy.run_module('docent_tui.demo', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
        "assert not {'textual', 'rich'} & {m.split('.')[0] for m in sys.modules}\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(out)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote 3 runs to {out}\n"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 3


def test_python_dash_m_entry_point(tmp_path: Path) -> None:
    out = tmp_path / "demo.jsonl"
    done = subprocess.run(
        [sys.executable, "-m", "docent_tui.demo", "--runs", "2", "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"wrote 2 runs to {out}\n"
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
