"""Local-file loaders: Inspect .eval/.json logs and Docent AgentRun JSON/JSONL as RunRecords."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, uuid5

import pytest

from docent_tui.core.loaders import (
    LoadProblem,
    collection_id_for,
    collection_name_for,
    iter_file_runs,
    iter_source_runs,
    scan_source,
)
from docent_tui.core.loaders.inspect_scores import normalise_leaf, normalise_score
from tests.conftest import shared_file

RUN_KEYS = {
    "id",
    "name",
    "description",
    "metadata",
    "created_at",
    "transcripts",
    "transcript_groups",
}


def load(path: Path) -> tuple[list[dict[str, Any]], list[LoadProblem]]:
    runs: list[dict[str, Any]] = []
    problems: list[LoadProblem] = []
    for item in iter_file_runs(path):
        if isinstance(item, LoadProblem):
            problems.append(item)
        else:
            runs.append(item)
    return runs, problems


def load_clean(path: Path) -> list[dict[str, Any]]:
    runs, problems = load(path)
    assert problems == []
    return runs


def write_json(path: Path, value: Any) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def sample_run(run_id: str | None = None, **extra: Any) -> dict[str, Any]:
    run: dict[str, Any] = {
        "metadata": {"model": "m"},
        "transcripts": [{"messages": [{"role": "user", "content": "hi"}]}],
        **extra,
    }
    if run_id is not None:
        run["id"] = run_id
    return run


# --- Inspect logs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("inspect/agentic_sample.eval", 15),
        ("inspect/security-guide.eval", 16),
        ("inspect/popularity.eval", 10),
        ("inspect/zstd_members.eval", 1),
        ("inspect/tool_call_error.json", 1),
        ("inspect/images.json", 1),
        ("inspect/popularity_small.json", 3),
    ],
)
def test_inspect_logs_load_every_sample(name: str, count: int) -> None:
    runs = load_clean(shared_file(name))
    assert len(runs) == count
    for run in runs:
        assert set(run) == RUN_KEYS
        assert run["transcript_groups"] == []
        assert run["name"] is None and run["description"] is None
        [transcript] = run["transcripts"]
        assert transcript["metadata"] == {} and transcript["name"] is None
        assert transcript["created_at"] == run["created_at"]
    assert len({run["id"] for run in runs}) == count


def test_inspect_metadata_values() -> None:
    agentic = load_clean(shared_file("inspect/agentic_sample.eval"))
    first = agentic[0]["metadata"]
    assert list(first)[:7] == [
        "sample_id",
        "epoch",
        "target",
        "scoring_metadata",
        "scores",
        "task",
        "model",
    ]
    assert first["sample_id"] == 15 and first["epoch"] == 1
    assert first["scores"] == {"includes": 0}
    assert first["task"] == "inspect_evals/luce_intercode_ctf"
    assert first["model"] == "openai/gpt-4o"
    assert first["tags"] == ["Reverse Engineering"]
    assert agentic[1]["metadata"]["scores"] == {"includes": 1.0}

    popularity = load_clean(shared_file("inspect/popularity.eval"))
    assert [run["metadata"]["sample_id"] for run in popularity][:3] == [9, 6, 10]
    assert popularity[0]["metadata"]["label_confidence"] == pytest.approx(0.8723909363578994)
    assert popularity[0]["metadata"]["scores"] == {"match": 1.0}

    small = load_clean(shared_file("inspect/popularity_small.json"))
    assert small[0]["metadata"]["nested"] == {"foo": "bar"}

    guide = load_clean(shared_file("inspect/security-guide.eval"))
    assert guide[0]["metadata"]["task"] == "security_guide"
    assistant = guide[0]["transcripts"][0]["messages"][2]
    assert assistant["role"] == "assistant" and assistant["model"] == "gpt-4o-mini-2024-07-18"
    assert assistant["id"] == "mVGJZphtjo9dhMXNoJRSTN"


def test_inspect_created_at_is_the_sample_start_not_the_load_time() -> None:
    [zstd_run] = load_clean(shared_file("inspect/zstd_members.eval"))
    assert zstd_run["created_at"] == "2026-05-06T17:47:39.037085"  # started_at, in UTC
    agentic = load_clean(shared_file("inspect/agentic_sample.eval"))
    assert agentic[0]["created_at"] == "2025-03-05T21:36:57.364188"  # first event, -08:00 to UTC
    [no_events] = load_clean(shared_file("inspect/tool_call_error.json"))
    assert no_events["created_at"] is None


def _runs_without_ids(runs: list[dict[str, Any]]) -> list[tuple[Any, Any]]:
    return [(run["metadata"], run["transcripts"][0]["messages"]) for run in runs]


@pytest.mark.parametrize(
    ("inspect_name", "docent_name"),
    [
        ("inspect/agentic_sample.eval", "docent/agentic_sample.agent_runs.json"),
        ("inspect/tool_call_error.json", "docent/tool_call_error.agent_runs.json"),
    ],
)
def test_inspect_conversion_matches_the_sdk(inspect_name: str, docent_name: str) -> None:
    ours = load_clean(shared_file(inspect_name))
    sdk = json.loads(shared_file(docent_name).read_text(encoding="utf-8"))
    assert len(ours) == len(sdk)
    for mine, theirs in zip(_runs_without_ids(ours), _runs_without_ids(sdk), strict=True):
        assert mine[0] == theirs[0]
        assert list(mine[0]) == list(theirs[0])
        assert mine[1] == theirs[1]
        for my_message, sdk_message in zip(mine[1], theirs[1], strict=True):
            assert list(my_message) == list(sdk_message)


def test_zstd_members_open() -> None:
    path = shared_file("inspect/zstd_members.eval")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("samples/1_epoch_1.json")
        assert info.compress_type == 93
        with pytest.raises(NotImplementedError):
            archive.read(info)
    [run] = load_clean(path)
    messages = run["transcripts"][0]["messages"]
    assert [(m["role"], m["content"]) for m in messages] == [("user", "hello"), ("assistant", "ok")]
    assert run["metadata"]["task"] == "task" and run["metadata"]["model"] == "mockllm/test"


def test_corrupt_zstd_member_is_one_problem(tmp_path: Path) -> None:
    data = bytearray(shared_file("inspect/zstd_members.eval").read_bytes())
    with zipfile.ZipFile(shared_file("inspect/zstd_members.eval")) as archive:
        info = archive.getinfo("samples/1_epoch_1.json")
    data[info.header_offset + 30 + len(info.filename) + 40] ^= 0xFF
    broken = tmp_path / "broken.eval"
    broken.write_bytes(bytes(data))
    runs, problems = load(broken)
    assert runs == []
    assert [problem.item for problem in problems] == ["samples/1_epoch_1.json"]


def test_images_are_kept_and_attachments_resolved() -> None:
    [run] = load_clean(shared_file("inspect/images.json"))
    user = run["transcripts"][0]["messages"][1]
    text, image = user["content"]
    assert text == {"type": "text", "text": "What is this a picture of?", "refusal": None}
    assert image["type"] == "image" and image["detail"] == "auto"
    assert image["image"].startswith("data:image/png;base64,")


def test_attachments_resolve_in_content_and_tool_arguments(tmp_path: Path) -> None:
    log = {
        "eval": {"eval_id": "E1", "task": "t", "model": "m"},
        "samples": [
            {
                "id": "s1",
                "epoch": 2,
                "scores": {"a": {"value": "P"}, "b": {"value": [True, "no", "3.5"]}},
                "metadata": {"model": "override"},
                "attachments": {"h1": "long text", "h2": "print(1)"},
                "messages": [
                    {"role": "user", "content": "attachment://h1", "source": "input"},
                    {
                        "role": "assistant",
                        "content": [{"type": "reasoning", "reasoning": "attachment://h1"}],
                        "tool_calls": [
                            {
                                "id": "c1",
                                "function": "python",
                                "arguments": {"code": "attachment://h2", "n": 1},
                                "internal": "dropped",
                            }
                        ],
                    },
                    {"role": "tool", "content": "attachment://missing", "tool_call_id": "c1"},
                    {"role": "developer", "content": "kept whole", "extra": 1},
                ],
            }
        ],
    }
    [run] = load_clean(write_json(tmp_path / "log.json", log))
    messages = run["transcripts"][0]["messages"]
    assert messages[0] == {
        "id": None,
        "content": "long text",
        "role": "user",
        "metadata": None,
        "tool_call_id": None,
    }
    assert messages[1]["content"][0]["reasoning"] == "long text"
    assert messages[1]["content"][0]["redacted"] is False
    call = messages[1]["tool_calls"][0]
    assert call["arguments"] == {"code": "print(1)", "n": 1}
    assert "internal" not in call and call["view"] is None
    assert messages[2]["content"] == "attachment://missing"
    assert messages[3]["role"] == "developer" and messages[3]["extra"] == 1
    assert run["metadata"]["model"] == "override"  # sample metadata overrides the header
    assert run["metadata"]["scores"] == {"a": 0.5, "b": [1.0, 0.0, 3.5]}
    assert run["id"] == str(uuid5(NAMESPACE_URL, "inspect:E1:s1:2"))


def test_score_normalisation_matches_the_sdk_table() -> None:
    assert normalise_leaf(None) is None
    assert normalise_leaf(True) == 1.0 and normalise_leaf(3) == 3.0
    assert normalise_leaf("C") == 1.0 and normalise_leaf("P") == 0.5
    for zero in ("I", "N"):
        assert normalise_leaf(zero) == 0 and isinstance(normalise_leaf(zero), int)
    assert normalise_leaf("YES") == 1.0 and normalise_leaf("False") == 0.0
    assert normalise_leaf("0.25") == 0.25
    assert normalise_leaf("Maybe") == "maybe"
    assert normalise_leaf("1.2.3") == "1.2.3"
    assert normalise_score({"value": {"x": "C", "y": None}}) == {"x": 1.0, "y": None}


def test_eval_without_header_uses_the_journal_start(tmp_path: Path) -> None:
    source = shared_file("inspect/popularity.eval")
    stripped = tmp_path / "no_header.eval"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(stripped, "w") as new:
        for info in old.infolist():
            if info.filename != "header.json":
                new.writestr(info, old.read(info))
    original = load_clean(source)
    runs = load_clean(stripped)
    assert len(runs) == 10
    assert runs[0]["metadata"]["task"] == "popularity"
    assert [run["id"] for run in runs] == [run["id"] for run in original]  # same run_id


def test_bad_sample_member_is_reported_and_the_rest_load(tmp_path: Path) -> None:
    source = shared_file("inspect/popularity.eval")
    damaged = tmp_path / "damaged.eval"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(damaged, "w") as new:
        for info in old.infolist():
            bad = info.filename == "samples/6_epoch_1.json"
            new.writestr(info, b"{not json" if bad else old.read(info))
    runs, problems = load(damaged)
    assert len(runs) == 9
    [problem] = problems
    assert problem.item == "samples/6_epoch_1.json"
    assert str(problem).startswith(f"{damaged}: samples/6_epoch_1.json: unreadable sample:")


def test_zip_that_is_not_an_inspect_log(tmp_path: Path) -> None:
    path = tmp_path / "other.eval"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    runs, problems = load(path)
    assert runs == [] and len(problems) == 1
    assert "not an Inspect log" in problems[0].reason


# --- Docent AgentRun JSON -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("docent/agentic_sample.agent_runs.json", 15),
        ("docent/popularity_100.agent_runs.json", 100),
        ("docent/tool_call_error.agent_runs.json", 1),
    ],
)
def test_docent_files_keep_their_ids(name: str, count: int) -> None:
    path = shared_file(name)
    raw = json.loads(path.read_text(encoding="utf-8"))
    runs = load_clean(path)
    assert len(runs) == count
    assert [run["id"] for run in runs] == [run["id"] for run in raw]
    assert [run["transcripts"][0]["id"] for run in runs] == [
        run["transcripts"][0]["id"] for run in raw
    ]
    assert runs[0]["metadata"] == raw[0]["metadata"]
    assert runs[0]["transcripts"][0]["messages"] == raw[0]["transcripts"][0]["messages"]
    assert all(set(run) == RUN_KEYS and run["created_at"] is None for run in runs)


def test_docent_metadata_values() -> None:
    runs = load_clean(shared_file("docent/popularity_100.agent_runs.json"))
    assert all("label_confidence" in run["metadata"] for run in runs)
    [error_run] = load_clean(shared_file("docent/tool_call_error.agent_runs.json"))
    assert error_run["metadata"]["epoch"] == 4
    assert error_run["transcripts"][0]["messages"][0]["error"]["type"] == "parsing"


@pytest.mark.parametrize(
    ("name", "runs_expected", "first_messages"),
    [
        ("cases/markup_injection.json", 1, 26),
        ("cases/ansi_control_injection.json", 1, 35),
        ("cases/many_runs_10k.json", 10_000, 2),
        ("cases/long_transcript_5k_messages.json", 1, 5_003),
        ("cases/huge_tool_output.json", 1, 7),
        ("cases/dql_edge_metadata.json", 8, 2),
    ],
)
def test_adversarial_cases_load(name: str, runs_expected: int, first_messages: int) -> None:
    runs = load_clean(shared_file(name))
    assert len(runs) == runs_expected
    assert len(runs[0]["transcripts"][0]["messages"]) == first_messages


def test_edge_metadata_is_kept_verbatim() -> None:
    runs = load_clean(shared_file("cases/dql_edge_metadata.json"))
    metadata = runs[0]["metadata"]
    assert metadata["a.b"] == "dotted key" and metadata[""] == "empty key"
    assert metadata["num_as_string"] == "4" and metadata["null_val"] is None
    assert runs[0]["id"] == "case-dql-0000"


def test_single_object_and_jsonl_files(tmp_path: Path) -> None:
    single = write_json(tmp_path / "one.json", sample_run("run-a"))
    [run] = load_clean(single)
    assert run["id"] == "run-a"
    assert set(run) == RUN_KEYS
    transcript = run["transcripts"][0]
    assert transcript["messages"] == [{"role": "user", "content": "hi"}]  # kept, not reshaped
    assert transcript["metadata"] == {} and transcript["created_at"] is None

    lines = [json.dumps(sample_run("r1")), "", json.dumps(sample_run(None)), "   "]
    jsonl = tmp_path / "runs.jsonl"
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runs = load_clean(jsonl)
    assert len(runs) == 2
    assert runs[0]["id"] == "r1" and runs[1]["id"] not in ("r1", None)

    # JSONL is detected from the content even without the .jsonl name.
    disguised = tmp_path / "runs.json"
    disguised.write_text(json.dumps(sample_run("x")) + "\n" + json.dumps(sample_run("y")))
    assert [run["id"] for run in load_clean(disguised)] == ["x", "y"]


def test_bad_jsonl_line_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(
        json.dumps(sample_run("a")) + "\n{broken\n" + json.dumps(sample_run("c")) + "\n[1, 2]\n"
    )
    runs, problems = load(path)
    assert [run["id"] for run in runs] == ["a", "c"]
    assert [problem.item for problem in problems] == ["line 2", "line 4"]
    assert problems[0].reason.startswith("invalid JSON")
    assert problems[1].reason.startswith("not a Docent agent run")


def test_legacy_dict_transcripts_and_groups(tmp_path: Path) -> None:
    run = {
        "id": "legacy",
        "metadata": {},
        "transcripts": {
            "main": {"id": "t1", "messages": [], "transcript_group_id": "g1"},
            "second": {"messages": None},
        },
        "transcript_groups": {"g": {"id": "g1", "name": "solver"}},
    }
    [loaded] = load_clean(write_json(tmp_path / "legacy.json", [run]))
    main, second = loaded["transcripts"]
    assert main["id"] == "t1" and main["transcript_group_id"] == "g1"
    assert isinstance(second["id"], str) and second["messages"] == []
    [group] = loaded["transcript_groups"]
    assert group["id"] == "g1" and group["agent_run_id"] == "legacy"
    assert group["parent_transcript_group_id"] is None and group["metadata"] == {}


def test_messy_runs_are_kept_for_display(tmp_path: Path) -> None:
    messy_messages = [
        {"role": "assistant", "content": None, "tool_calls": [{"arguments": '{"a": 1}'}]},
        {"role": "user", "content": [{"type": "image", "image": "data:..."}]},
        {"role": "developer", "content": "unknown role", "surprise": True},
    ]
    runs = [
        {"id": "empty", "metadata": None, "transcripts": []},
        {
            "id": "messy",
            "name": "n",
            "metadata": {"k": 1},
            "created_at": "2025-01-02T03:04:05Z",
            "custom": "kept",
            "transcripts": [{"id": "t", "messages": messy_messages, "metadata": [1]}],
        },
    ]
    loaded = load_clean(write_json(tmp_path / "messy.json", runs))
    assert loaded[0]["transcripts"] == [] and loaded[0]["metadata"] == {}
    messy = loaded[1]
    assert messy["transcripts"][0]["messages"] == messy_messages
    assert messy["transcripts"][0]["metadata"] == {"metadata": [1]}
    assert messy["created_at"] == "2025-01-02T03:04:05"
    assert messy["custom"] == "kept"


def test_objects_that_are_not_runs_are_reported_per_item(tmp_path: Path) -> None:
    path = write_json(tmp_path / "mixed.json", [sample_run("ok"), "text", {"foo": 1}, 7])
    runs, problems = load(path)
    assert [run["id"] for run in runs] == ["ok"]
    assert [problem.item for problem in problems] == ["run 1", "run 2", "run 3"]
    assert all(problem.reason.startswith("not a Docent agent run") for problem in problems)

    [problem] = load(write_json(tmp_path / "object.json", {"foo": 1}))[1]
    assert problem.reason.startswith("not a Docent agent run")
    [problem] = load(write_json(tmp_path / "number.json", 3))[1]
    assert problem.item is None and "not a Docent agent run" in problem.reason


def test_unusable_transcript_entries_are_reported_and_the_run_kept(tmp_path: Path) -> None:
    run = {"id": "r", "transcripts": ["oops", {"id": "t", "messages": [{"role": "user"}, 5]}]}
    runs, problems = load(write_json(tmp_path / "partial.json", [run]))
    [loaded] = runs
    assert [t["id"] for t in loaded["transcripts"]] == ["t"]
    assert loaded["transcripts"][0]["messages"] == [{"role": "user"}]
    assert [problem.item for problem in problems] == ["run 0: transcript 0", "run 0: transcript 1"]


# --- broken files, directories and identity -----------------------------------------------------


@pytest.mark.parametrize("name", ["cases/truncated.eval", "cases/not_a_zip.eval"])
def test_broken_eval_files_give_one_clear_problem(name: str) -> None:
    path = shared_file(name)
    runs, problems = load(path)
    assert runs == []
    [problem] = problems
    assert "not a zip archive" in problem.reason
    assert problem.item is None and str(problem) == f"{path}: {problem.reason}"
    assert "\n" not in str(problem)


def test_unreadable_and_empty_files(tmp_path: Path) -> None:
    [missing] = list(iter_file_runs(tmp_path / "absent.json"))
    assert isinstance(missing, LoadProblem) and missing.reason.startswith("cannot read file")
    empty = tmp_path / "empty.json"
    empty.write_text("")
    [problem] = list(iter_file_runs(empty))
    assert isinstance(problem, LoadProblem) and problem.reason == "empty file"
    empty_jsonl = tmp_path / "empty.jsonl"
    empty_jsonl.write_text("\n")
    assert list(iter_file_runs(empty_jsonl)) == []
    invalid = tmp_path / "invalid.json"
    invalid.write_text('{\n  "id": \n}')
    [problem] = list(iter_file_runs(invalid))
    assert isinstance(problem, LoadProblem) and problem.reason.startswith("invalid JSON")


def test_directory_source_mixes_good_and_broken_files(tmp_path: Path) -> None:
    root = tmp_path / "logs"
    (root / "nested" / "deeper").mkdir(parents=True)
    shutil.copy(shared_file("inspect/popularity.eval"), root / "b_popularity.eval")
    shutil.copy(shared_file("cases/truncated.eval"), root / "nested" / "truncated.eval")
    shutil.copy(shared_file("inspect/tool_call_error.json"), root / "nested" / "deeper" / "e.JSON")
    (root / "a_runs.jsonl").write_text(json.dumps(sample_run("j1")) + "\n")
    (root / "notes.txt").write_text("not a log")
    (root / "nested" / "image.png").write_bytes(b"\x89PNG")

    scan = scan_source(root)
    assert [path.relative_to(root).as_posix() for path in scan.files] == [
        "a_runs.jsonl",
        "b_popularity.eval",
        "nested/deeper/e.JSON",
        "nested/truncated.eval",
    ]
    assert sorted(path.name for path in scan.ignored) == ["image.png", "notes.txt"]

    items = list(iter_source_runs(root))
    runs = [item for item in items if not isinstance(item, LoadProblem)]
    problems = [item for item in items if isinstance(item, LoadProblem)]
    assert len(runs) == 1 + 10 + 1
    [problem] = problems
    assert problem.path.endswith("truncated.eval")


def test_single_file_source_accepts_any_extension(tmp_path: Path) -> None:
    path = write_json(tmp_path / "runs.txt", [sample_run("t")])
    scan = scan_source(path)
    assert scan.files == [path] and scan.ignored == []
    assert [run["id"] for run in iter_source_runs(path) if isinstance(run, dict)] == ["t"]


def test_ids_are_stable_across_loads(tmp_path: Path) -> None:
    eval_path = shared_file("inspect/agentic_sample.eval")
    first = load_clean(eval_path)
    second = load_clean(eval_path)
    assert [r["id"] for r in first] == [r["id"] for r in second]
    assert [r["transcripts"][0]["id"] for r in first] == [r["transcripts"][0]["id"] for r in second]
    run_id = "mAfeKsLqDAoArcBLPnx4jc"  # the header has no eval_id, so run_id is used
    assert first[0]["id"] == str(uuid5(NAMESPACE_URL, f"inspect:{run_id}:15:1"))

    no_ids = [sample_run(None, transcript_groups=[{"name": "g"}]) for _ in range(3)]
    path = write_json(tmp_path / "no_ids.json", no_ids)
    loads = [load_clean(path) for _ in range(2)]

    def all_ids(runs: list[dict[str, Any]]) -> list[str]:
        return [
            value["id"]
            for run in runs
            for value in (run, *run["transcripts"], *run["transcript_groups"])
        ]

    assert all_ids(loads[0]) == all_ids(loads[1])
    assert len(set(all_ids(loads[0]))) == 9
    moved = tmp_path / "moved.json"
    shutil.copy(path, moved)
    assert set(all_ids(load_clean(moved))).isdisjoint(all_ids(loads[0]))


def test_collection_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "My Logs"
    folder.mkdir()
    expected = str(uuid5(NAMESPACE_URL, str(folder.resolve())))
    assert collection_id_for(folder) == expected
    monkeypatch.chdir(tmp_path)
    assert collection_id_for(Path("My Logs")) == expected
    assert collection_id_for(Path("./My Logs/")) == expected
    assert collection_name_for(folder) == "My Logs"
    assert collection_name_for(Path("runs.eval")) == "runs.eval"


def test_load_problem_text_is_one_line() -> None:
    problem = LoadProblem("file.eval", "first\nsecond", "samples/19_epoch_1.json")
    assert str(problem) == "file.eval: samples/19_epoch_1.json: first second"
    assert str(LoadProblem("f.json", "bad")) == "f.json: bad"


def test_jsonl_streams_lines_with_the_line_separators_json_allows(tmp_path: Path) -> None:
    # U+2028 inside a string is valid JSON; splitting on it would break the line in two.
    runs = [sample_run("a", name="one\u2028two"), sample_run("b")]
    path = tmp_path / "runs.jsonl"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + "\n".join(json.dumps(r, ensure_ascii=False) for r in runs).encode()
        + b"\r\n"
    )
    assert [(run["id"], run["name"]) for run in load_clean(path)] == [
        ("a", "one\u2028two"),
        ("b", None),
    ]


def test_one_line_json_list_is_a_document_and_multiline_values_are_lines(tmp_path: Path) -> None:
    one_line = tmp_path / "list.json"
    one_line.write_text(json.dumps([sample_run("x"), sample_run("y")]) + "\n\n")
    assert [run["id"] for run in load_clean(one_line)] == ["x", "y"]
    pretty = tmp_path / "pretty.json"
    pretty.write_text(json.dumps(sample_run("p"), indent=2) + "\n" + json.dumps(sample_run("q")))
    runs, problems = load(pretty)
    # Several values, the first spread over lines: read line by line, each bad line said.
    assert [run["id"] for run in runs] == ["q"]
    assert problems and all(problem.reason.startswith("invalid JSON") for problem in problems)


def test_invalid_utf8_in_a_jsonl_line_is_replaced_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    line = (
        json.dumps(sample_run("bad", name="caf\u00e9"), ensure_ascii=False)
        .encode()
        .replace(b"\xc3\xa9", b"\xff")
    )
    path.write_bytes(line + b"\n" + json.dumps(sample_run("good")).encode() + b"\n")
    runs = load_clean(path)
    assert [run["id"] for run in runs] == ["bad", "good"]
    assert runs[0]["name"] == "caf\ufffd"
