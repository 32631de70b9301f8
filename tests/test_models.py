"""Lenient models: every shared sample and every kind of messy input validates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    RawMessage,
    ReasoningContent,
    SystemMessage,
    TextContent,
    ToolCall,
    ToolMessage,
    Transcript,
    UnknownContent,
    UnknownRoleMessage,
    UserMessage,
    parse_content,
    parse_message,
)
from tests.conftest import shared_file

DOCENT_FILES = [
    "docent/agentic_sample.agent_runs.json",
    "docent/popularity_100.agent_runs.json",
    "docent/tool_call_error.agent_runs.json",
]
CASE_FILES = [
    "cases/ansi_control_injection.json",
    "cases/dql_edge_metadata.json",
    "cases/huge_tool_output.json",
    "cases/long_transcript_5k_messages.json",
    "cases/many_runs_10k.json",
    "cases/markup_injection.json",
]


def _record(**overrides: Any) -> dict[str, Any]:
    """A minimal RunRecord with one transcript."""
    record: dict[str, Any] = {
        "id": "run-1",
        "name": "demo",
        "description": None,
        "metadata": {},
        "created_at": None,
        "transcripts": [{"id": "t0", "messages": []}],
        "transcript_groups": [],
    }
    record.update(overrides)
    return record


def _messages(*messages: Any) -> dict[str, Any]:
    return _record(transcripts=[{"id": "t0", "messages": list(messages)}])


@pytest.mark.parametrize("relative", DOCENT_FILES + CASE_FILES)
def test_shared_samples_validate(relative: str) -> None:
    records = json.loads(Path(shared_file(relative)).read_text())
    for record in records:
        record.setdefault("created_at", None)
        run = AgentRun.from_record(record)
        assert run.id == record["id"]
        assert len(run.transcripts) == len(record["transcripts"])
        expected = sum(len(t["messages"]) for t in record["transcripts"])
        assert run.message_count == expected
        # Known roles never fall back to the raw message.
        assert not any(
            isinstance(message, RawMessage)
            for transcript in run.transcripts
            for message in transcript.messages
        )


def test_sdk_dump_round_trips_without_loss() -> None:
    records = json.loads(Path(shared_file("docent/tool_call_error.agent_runs.json")).read_text())
    run = AgentRun.from_record(records[0])
    last = run.transcripts[0].messages[-1]
    assert isinstance(last, ToolMessage)
    assert last.error == {
        "type": "output_limit",
        "message": "The tool output limit of 10 MiB was exceeded.",
    }
    assert last.error_text == "output_limit: The tool output limit of 10 MiB was exceeded."
    dumped = run.model_dump(mode="json")
    assert (
        dumped["transcripts"][0]["messages"][-1]["error"]
        == records[0]["transcripts"][0]["messages"][-1]["error"]
    )


def test_inspect_image_items_validate() -> None:
    log = json.loads(Path(shared_file("inspect/images.json")).read_text())
    for sample in log["samples"]:
        message = parse_message(sample["messages"][1])
        assert isinstance(message, UserMessage)
        kinds = [type(item) for item in message.content_items]
        assert UnknownContent in kinds
        assert message.text == "What is this a picture of?"


def test_null_content_and_metadata_become_empty() -> None:
    run = AgentRun.from_record(
        _messages({"role": "assistant", "content": None, "metadata": None, "tool_calls": None})
    )
    message = run.transcripts[0].messages[0]
    assert isinstance(message, AssistantMessage)
    assert message.content == ""
    assert message.metadata == {}
    assert message.tool_calls == []


def test_string_arguments_are_kept() -> None:
    call = ToolCall.model_validate({"id": "c1", "function": "bash", "arguments": "ls -la"})
    assert call.arguments == "ls -la"
    assert call.function == "bash"


def test_openai_nested_tool_call_is_flattened() -> None:
    message = parse_message(
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "search", "arguments": '{"q": "cats", "n": 3}'},
                },
                {"id": "call_2", "function": {"name": "echo", "arguments": "not json"}},
            ],
        }
    )
    assert isinstance(message, AssistantMessage)
    first, second = message.tool_calls
    assert (first.function, first.type) == ("search", "function")
    assert first.arguments == {"q": "cats", "n": 3}
    assert (second.function, second.arguments) == ("echo", "not json")


def test_tool_call_that_is_not_an_object_is_kept() -> None:
    message = parse_message({"role": "assistant", "content": "x", "tool_calls": ["weird"]})
    assert isinstance(message, AssistantMessage)
    assert message.tool_calls[0].arguments == "weird"


def test_content_items_of_every_kind() -> None:
    image = {"type": "image", "image": "data:image/png;base64,iVBORw0KGgo=", "detail": "auto"}
    message = parse_message(
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "look", "refusal": None},
                image,
                {"type": "audio", "audio": "data:audio/mp3;base64,AAAA", "format": "mp3"},
                {"type": "reasoning", "reasoning": "hmm", "summary": None, "redacted": None},
                "a bare string item",
                42,
            ],
        }
    )
    assert isinstance(message, UserMessage)
    items = message.content_items
    assert isinstance(items[0], TextContent)
    assert isinstance(items[1], UnknownContent)
    assert items[1].type == "image"
    assert items[1].raw == image
    assert items[1].model_dump() == image
    assert isinstance(items[2], UnknownContent)
    assert isinstance(items[3], ReasoningContent)
    assert items[3].redacted is False
    assert isinstance(items[4], TextContent)
    assert items[4].text == "a bare string item"
    assert isinstance(items[5], UnknownContent)
    assert message.text == "look\na bare string item"


def test_reasoning_display_text() -> None:
    plain = parse_content({"type": "reasoning", "reasoning": "r", "summary": "s"})
    redacted = parse_content(
        {"type": "reasoning", "reasoning": "", "summary": "s", "redacted": True}
    )
    bare = parse_content({"type": "reasoning", "reasoning": "", "redacted": True})
    assert isinstance(plain, ReasoningContent)
    assert isinstance(redacted, ReasoningContent)
    assert isinstance(bare, ReasoningContent)
    assert plain.display_text == "r"
    assert redacted.display_text == "s"
    assert bare.display_text == ""


def test_provider_reasoning_blocks_are_normalised() -> None:
    thinking = parse_content({"type": "thinking", "thinking": "deep thought", "signature": "x"})
    hidden = parse_content({"type": "redacted_thinking", "data": "ENCRYPTED"})
    assert isinstance(thinking, ReasoningContent)
    assert thinking.reasoning == "deep thought"
    assert isinstance(hidden, ReasoningContent)
    assert (hidden.redacted, hidden.reasoning, hidden.signature) == (True, "", "ENCRYPTED")


def test_unknown_role_is_kept() -> None:
    message = parse_message({"role": "developer", "content": "be brief", "source": "input"})
    assert isinstance(message, UnknownRoleMessage)
    assert message.role == "developer"
    assert message.text == "be brief"
    assert message.model_extra == {"source": "input"}


def test_missing_role_is_unknown() -> None:
    message = parse_message({"content": "who am I"})
    assert isinstance(message, UnknownRoleMessage)
    assert message.role == "unknown"


def test_tool_error_as_string_and_ids_as_string_or_list() -> None:
    tool = parse_message(
        {"role": "tool", "content": "", "error": "boom", "tool_call_id": ["a", "b"]}
    )
    user = parse_message({"role": "user", "content": "hi", "tool_call_id": "call_9"})
    assert isinstance(tool, ToolMessage)
    assert tool.error == "boom"
    assert tool.error_text == "boom"
    assert tool.tool_call_id == ["a", "b"]
    assert isinstance(user, UserMessage)
    assert user.tool_call_id == "call_9"


def test_hopeless_messages_become_raw() -> None:
    run = AgentRun.from_record(_messages("just a string", None, ["a", "list"]))
    messages = run.transcripts[0].messages
    assert all(isinstance(message, RawMessage) for message in messages)
    first = messages[0]
    assert isinstance(first, RawMessage)
    assert first.raw == "just a string"
    assert first.content == '"just a string"'
    assert "expected an object" in first.problem


def test_run_with_no_transcripts_and_legacy_dicts() -> None:
    empty = AgentRun.from_record(_record(transcripts=[]))
    assert empty.transcripts == []
    assert empty.message_count == 0
    legacy = AgentRun.from_record(
        _record(
            transcripts={"main": {"id": "t0", "messages": [{"role": "system", "content": "s"}]}},
            transcript_groups=None,
            metadata=None,
        )
    )
    assert [t.id for t in legacy.transcripts] == ["t0"]
    assert isinstance(legacy.transcripts[0].messages[0], SystemMessage)
    assert legacy.transcript_groups == []
    assert legacy.metadata == {}


def test_unreadable_transcript_and_run_still_give_runs() -> None:
    run = AgentRun.from_record(_record(transcripts=["not a transcript"]))
    assert isinstance(run.transcripts[0], Transcript)
    assert isinstance(run.transcripts[0].messages[0], RawMessage)
    odd = AgentRun.from_record(["not", "a", "run"])
    assert isinstance(odd.transcripts[0].messages[0], RawMessage)


def test_extra_keys_and_timestamps_are_kept() -> None:
    run = AgentRun.from_record(
        _record(
            created_at="2025-05-21T22:29:01",
            custom_field={"x": 1},
            transcripts=[
                {
                    "id": "t0",
                    "created_at": "2025-05-21T22:29:00",
                    "messages": [{"role": "user", "content": "q", "internal": {"k": 1}}],
                }
            ],
        )
    )
    assert run.created_at == "2025-05-21T22:29:01"
    assert run.model_extra == {"custom_field": {"x": 1}}
    assert run.transcripts[0].created_at == "2025-05-21T22:29:00"
    assert run.transcripts[0].messages[0].model_extra == {"internal": {"k": 1}}
