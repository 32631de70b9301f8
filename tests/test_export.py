"""Getting runs out: Docent's text rendering, Markdown and JSON exports, file names, programs."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from docent_tui.core.export import (
    editor_command,
    export_path,
    message_text,
    pager_command,
    run_json,
    run_markdown,
    tool_call_copy,
    tool_call_text,
    write_export,
    write_temp_file,
)
from docent_tui.core.loaders import iter_file_runs
from docent_tui.core.models import AgentRun, RawMessage, parse_message, parse_tool_call
from docent_tui.demo import generate_runs
from tests.conftest import shared_file

# Anything a terminal would act on: C0 controls other than tab/newline, DEL, C1, bidi controls.
_TERMINAL_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$")


def _runs(relative: str) -> list[AgentRun]:
    items = iter_file_runs(shared_file(relative))
    return [AgentRun.from_record(item) for item in items if isinstance(item, dict)]


def _headings_outside_fences(markdown: str) -> list[str]:
    """Heading lines of a Markdown document that are not inside a fenced code block."""
    headings: list[str] = []
    fence: tuple[str, int] | None = None
    for line in markdown.split("\n"):
        match = _FENCE.match(line)
        if fence is None:
            if match is not None:
                fence = (match.group(1)[0], len(match.group(1)))
            elif line.startswith("#"):
                headings.append(line)
        elif (
            match is not None
            and match.group(1)[0] == fence[0]
            and len(match.group(1)) >= fence[1]
            and not match.group(2).strip()
        ):
            fence = None
    assert fence is None, "a code fence was left open"
    return headings


# --- Docent's text rendering ---------------------------------------------------------------------


def test_tool_call_text_uses_the_view_else_function_and_arguments() -> None:
    with_view = parse_tool_call(
        {
            "id": "1",
            "function": "bash",
            "arguments": {"cmd": "ls"},
            "view": {"format": "markdown", "content": "```bash\nls\n```"},
        }
    )
    assert tool_call_text(with_view) == "```bash\nls\n```"
    plain = parse_tool_call(
        {
            "id": "2",
            "function": "edit",
            "arguments": {"path": "a b.py", "line": 3, "flags": ["x", "y"], "opt": None},
        }
    )
    assert tool_call_text(plain) == 'edit(path=a b.py, line=3, flags=["x","y"], opt=null)'
    raw = parse_tool_call({"id": "3", "function": "sql", "arguments": "SELECT 1"})
    assert tool_call_text(raw) == "sql(SELECT 1)"
    empty = parse_tool_call({"id": "4", "function": "noop", "arguments": {}})
    assert tool_call_text(empty) == "noop()"


def test_message_text_wraps_like_docent() -> None:
    message = parse_message(
        {
            "role": "assistant",
            "content": [
                {"type": "reasoning", "reasoning": "first thought"},
                {"type": "reasoning", "reasoning": "last thought"},
                {"type": "text", "text": "Listing files."},
            ],
            "tool_calls": [
                {"id": "c1", "function": "bash", "arguments": {"cmd": "ls -la"}},
                {"id": "c2", "function": "submit", "arguments": {"answer": 42}},
            ],
        }
    )
    assert message_text(message, "T0B3") == (
        "<|T0B3; role: assistant|>\n"
        "<reasoning>\nlast thought\n</reasoning>\n"
        "Listing files."
        "\n<tool call>\nbash(cmd=ls -la)\n</tool call>"
        "\n<tool call>\nsubmit(answer=42)\n</tool call>"
        "\n</|T0B3; role: assistant|>"
    )


def test_message_text_adds_tool_errors_and_metadata() -> None:
    message = parse_message(
        {
            "role": "tool",
            "content": "partial output",
            "tool_call_id": "c1",
            "error": {"type": "timeout", "message": "took too long"},
            "metadata": {"exit": 124},
        }
    )
    assert message_text(message, "T1B0") == (
        "<|T1B0; role: tool|>\n"
        "partial output"
        "\n<error>\ntimeout: took too long\n</error>"
        '\n<|message metadata|>\n{\n  "exit": 124\n}\n</|message metadata|>'
        "\n</|T1B0; role: tool|>"
    )
    user = parse_message({"role": "user", "content": "hi"})
    assert message_text(user, "T0B0") == "<|T0B0; role: user|>\nhi\n</|T0B0; role: user|>"


def test_tool_call_copy_is_function_and_pretty_arguments() -> None:
    call = parse_tool_call({"id": "1", "function": "python", "arguments": {"code": "print(1)"}})
    assert tool_call_copy(call) == 'python\n{\n  "code": "print(1)"\n}'
    raw = parse_tool_call({"id": "2", "function": "sh", "arguments": "echo hi"})
    assert tool_call_copy(raw) == "sh\necho hi"


# --- Markdown ------------------------------------------------------------------------------------


def _hostile_run() -> AgentRun:
    return AgentRun.from_record(
        {
            "id": "run/../../etc",
            "name": "# hostile ``` [bold]name",
            "metadata": {"task": "t", "scores": {"reward": 0.5}, "esc": "\x1b]52;c;AAAA\x07"},
            "transcripts": [
                {
                    "id": "t0",
                    "name": "main",
                    "messages": [
                        {"role": "system", "content": "## Not a heading of the export\nbe nice"},
                        {"role": "user", "content": "```python\nunclosed fence\n### fake heading"},
                        {
                            "role": "assistant",
                            "model": "gpt-4o",
                            "content": [
                                {"type": "reasoning", "reasoning": "line one\n\nline three"},
                                {"type": "text", "text": "Here ```` is ``` text\n\x1b[31mred\x9b"},
                            ],
                            "tool_calls": [
                                {
                                    "id": "c1",
                                    "function": "bash",
                                    "arguments": {"cmd": "echo '```'\n```\n### inside"},
                                }
                            ],
                        },
                        {
                            "role": "tool",
                            "content": "`````\n### still output\n\u202eevil",
                            "tool_call_id": "c1",
                            "function": "bash",
                            "error": {"type": "exit", "message": "```\n### error heading"},
                        },
                        {"role": "user", "content": "<!-- an HTML comment that never closes"},
                    ],
                }
            ],
        }
    )


def test_markdown_export_survives_backticks_and_control_characters() -> None:
    markdown = run_markdown(_hostile_run())
    assert _TERMINAL_UNSAFE.search(markdown) is None
    assert "␛[31mred" in markdown
    assert _headings_outside_fences(markdown) == [
        "# \\# hostile \\`\\`\\` \\[bold\\]name",
        "## Metadata",
        "## T0 · main",
        "### T0B0 · system",
        "### T0B1 · user",
        "### T0B2 · assistant · gpt-4o",
        "### T0B3 · tool · bash",
        "### T0B4 · user",
    ]
    assert "*reasoning:*\n\n```text\nline one\n\nline three\n```" in markdown
    # Scores come first in the metadata block.
    metadata = markdown.split("## Metadata", 1)[1]
    assert metadata.index('"scores"') < metadata.index('"task"')


def test_markdown_export_of_real_and_generated_runs() -> None:
    runs = _runs("docent/agentic_sample.agent_runs.json")[:3]
    runs += _runs("cases/ansi_control_injection.json")
    runs += _runs("cases/markup_injection.json")
    runs += [AgentRun.from_record(record) for record in generate_runs(40)]
    for run in runs:
        markdown = run_markdown(run)
        assert _TERMINAL_UNSAFE.search(markdown) is None
        headings = [h for h in _headings_outside_fences(markdown) if h.startswith("### T")]
        assert len(headings) == run.message_count, run.id


# --- Docent JSON ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "relative",
    [
        "docent/agentic_sample.agent_runs.json",
        "inspect/tool_call_error.json",
        "inspect/images.json",
        "cases/ansi_control_injection.json",
        "cases/markup_injection.json",
        "cases/dql_edge_metadata.json",
    ],
)
def test_json_export_round_trips(relative: str, tmp_path: Path) -> None:
    for index, run in enumerate(_runs(relative)[:5]):
        text = run_json(run)
        assert _TERMINAL_UNSAFE.search(text.replace("\n", "")) is None
        assert AgentRun.from_record(json.loads(text)) == run
        path = tmp_path / f"{index}.json"
        path.write_text(text, encoding="utf-8")
        (loaded,) = list(iter_file_runs(path))
        assert isinstance(loaded, dict)
        assert AgentRun.from_record(loaded) == run


def test_json_export_keeps_the_sdk_shape_and_unreadable_messages() -> None:
    record: dict[str, Any] = {
        "id": "r1",
        "name": "n",
        "transcripts": [
            {
                "id": "t",
                "messages": [
                    {"role": "user", "content": "hi \u202e\x85 there"},
                    ["a", "list", "is", "no", "message"],
                ],
            }
        ],
    }
    run = AgentRun.from_record(record)
    assert isinstance(run.transcripts[0].messages[1], RawMessage)
    text = run_json(run)
    assert "\\u202e\\u0085" in text
    data = json.loads(text)
    assert list(data) == [
        "id",
        "name",
        "description",
        "transcripts",
        "transcript_groups",
        "metadata",
        "created_at",
    ]
    assert data["transcripts"][0]["messages"][0]["content"] == "hi \u202e\x85 there"
    assert data["transcripts"][0]["messages"][1] == ["a", "list", "is", "no", "message"]
    assert AgentRun.from_record(data) == run


# --- files and programs --------------------------------------------------------------------------


def test_export_path_is_safe_and_never_overwrites(tmp_path: Path) -> None:
    run = AgentRun.from_record({"id": "x", "name": "math/27/epoch-1", "transcripts": []})
    first = export_path(tmp_path, run, ".md")
    assert first == tmp_path / "math-27-epoch-1.md"
    first.write_text("one")
    second = export_path(tmp_path, run, "md")
    assert second == tmp_path / "math-27-epoch-1-1.md"
    second.write_text("two")
    assert export_path(tmp_path, run, ".md") == tmp_path / "math-27-epoch-1-2.md"
    assert export_path(tmp_path, run, ".json") == tmp_path / "math-27-epoch-1.json"
    written = write_export(tmp_path, run, ".md", "three")
    assert written == tmp_path / "math-27-epoch-1-2.md"
    assert first.read_text() == "one" and written.read_text() == "three"


@pytest.mark.parametrize(
    ("name", "ident", "expected"),
    [
        ("../../etc/passwd", "x", "etc-passwd"),
        ("..", "", "agent-run"),
        (None, "3f2a-\x1b[31m-id", "3f2a-31m-id"),
        ("\u202eevil\u202c.txt", "x", "evil-.txt"),
        ("-rf", "x", "rf"),
        ("tâche/été", "x", "tâche-été"),
    ],
)
def test_export_file_names(name: str | None, ident: str, expected: str, tmp_path: Path) -> None:
    run = AgentRun.from_record({"id": ident, "name": name, "transcripts": []})
    assert export_path(tmp_path, run, ".md").name == f"{expected}.md"


def test_long_names_are_bounded(tmp_path: Path) -> None:
    run = AgentRun.from_record({"id": "x", "name": "é" * 500, "transcripts": []})
    path = export_path(tmp_path, run, ".json")
    assert len(path.name.encode("utf-8")) <= 110
    path.write_text("{}")  # the file system accepts it


def test_pager_and_editor_commands() -> None:
    assert pager_command({}) == ["less"]
    assert pager_command({"PAGER": "less -R +G"}) == ["less", "-R", "+G"]
    assert pager_command({"PAGER": "  "}) == ["less"]
    assert pager_command({"PAGER": "'unclosed"}) == ["less"]
    assert editor_command({}) == ["vi"]
    assert editor_command({"EDITOR": "nano"}) == ["nano"]
    assert editor_command({"EDITOR": "nano", "VISUAL": "code --wait"}) == ["code", "--wait"]
    assert editor_command({"VISUAL": "", "EDITOR": "'/opt/my editor/ed'"}) == ["/opt/my editor/ed"]


def test_temp_file_text_is_neutralised() -> None:
    path = write_temp_file("a\tb\r\nc\x1b]52;c;AAAA\x07 \x9b2J \u202e", ".txt")
    try:
        text = path.read_text(encoding="utf-8")
    finally:
        path.unlink()
    assert _TERMINAL_UNSAFE.search(text) is None
    assert text.startswith("a\tb\nc␛]52;c;AAAA␇")
    assert path.suffix == ".txt"
