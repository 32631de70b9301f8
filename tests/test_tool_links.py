"""Tool results are linked to the calls they answer, whatever the ids look like."""

from __future__ import annotations

from typing import Any

from docent_tui.core.models import AgentRun, ChatMessage, ToolCall, parse_message
from docent_tui.core.tool_links import (
    call_summary,
    call_text,
    link_tool_calls,
    unanswered_calls,
)


def _call(ident: str | None, function: str = "bash", **arguments: Any) -> dict[str, Any]:
    return {"id": ident, "function": function, "arguments": arguments}


def _assistant(*calls: dict[str, Any]) -> dict[str, Any]:
    return {"role": "assistant", "content": "", "tool_calls": list(calls)}


def _result(ident: str | None, function: str | None = None) -> dict[str, Any]:
    return {"role": "tool", "content": "ok", "tool_call_id": ident, "function": function}


def _messages(*raw: dict[str, Any]) -> list[ChatMessage]:
    return [parse_message(message) for message in raw]


def test_results_link_by_id() -> None:
    messages = _messages(
        {"role": "user", "content": "go"},
        _assistant(_call("a")),
        _result("a"),
        _assistant(_call("b", "python")),
        _result("b", "python"),
    )
    links = link_tool_calls(messages)
    assert links.call_for(2) == (1, 0)
    assert links.call_for(4) == (3, 0)
    assert links.results_for(1, 0) == [2]
    assert links.results_for(3, 0) == [4]
    assert links.call_for(0) is None and links.call_for(1) is None


def test_parallel_calls_answered_out_of_order() -> None:
    messages = _messages(
        _assistant(_call("x"), _call("y"), _call("z")),
        _result("z"),
        _result("x"),
        _result("y"),
    )
    links = link_tool_calls(messages)
    assert [links.call_for(block) for block in (1, 2, 3)] == [(0, 2), (0, 0), (0, 1)]
    assert [links.results_for(0, index) for index in range(3)] == [[2], [3], [1]]


def test_missing_ids_fall_back_to_position_then_function() -> None:
    messages = _messages(
        _assistant(_call(None, "read"), _call(None, "bash")),
        _result(None),
        _result(None),
        _result(None),
    )
    links = link_tool_calls(messages)
    assert links.call_for(1) == (0, 0)
    assert links.call_for(2) == (0, 1)
    # A third result has no unanswered call left to answer.
    assert links.call_for(3) is None

    by_function = _messages(
        _assistant(_call(None, "read"), _call(None, "bash")),
        _result(None, "bash"),
        _result(None, "read"),
    )
    links = link_tool_calls(by_function)
    assert links.call_for(1) == (0, 1)
    assert links.call_for(2) == (0, 0)


def test_missing_id_reaches_back_by_function_name() -> None:
    messages = _messages(
        _assistant(_call(None, "slow_job")),
        {"role": "user", "content": "meanwhile"},
        _assistant(_call(None, "bash")),
        _result(None, "bash"),
        _result(None, "slow_job"),
    )
    links = link_tool_calls(messages)
    assert links.call_for(3) == (2, 0)
    assert links.call_for(4) == (0, 0)


def test_ids_reused_across_turns_never_cross_link() -> None:
    messages = _messages(
        _assistant(_call("call_0"), _call("call_1")),
        _result("call_0"),
        # call_1 of the first turn is never answered; the next turn reuses both ids.
        _assistant(_call("call_0"), _call("call_1")),
        _result("call_1"),
        _result("call_0"),
        _result("call_1"),
    )
    links = link_tool_calls(messages)
    assert links.call_for(1) == (0, 0)
    assert links.call_for(3) == (2, 1)
    assert links.call_for(4) == (2, 0)
    # A repeated result joins the newest call with that id, never the stale first-turn one.
    assert links.call_for(5) == (2, 1)
    assert links.results_for(0, 1) == []
    assert links.results_for(2, 1) == [3, 5]
    assert list(unanswered_calls(messages, links)) == [(0, 1)]


def test_duplicate_ids_in_one_message_pair_in_order() -> None:
    messages = _messages(_assistant(_call("dup"), _call("dup")), _result("dup"), _result("dup"))
    links = link_tool_calls(messages)
    assert links.call_for(1) == (0, 0)
    assert links.call_for(2) == (0, 1)


def test_unknown_ids_only_take_calls_without_ids() -> None:
    messages = _messages(_assistant(_call("known"), _call(None)), _result("mystery"))
    links = link_tool_calls(messages)
    assert links.call_for(1) == (0, 1)
    orphan = _messages(_assistant(_call("known")), _result("mystery"))
    assert link_tool_calls(orphan).call_for(1) is None


def test_orphan_results_link_nowhere() -> None:
    messages = _messages({"role": "user", "content": "hi"}, _result("ghost"), _result(None, "bash"))
    links = link_tool_calls(messages)
    assert links.call_for(1) is None and links.call_for(2) is None
    assert links.linked_results == 0


def test_results_in_another_transcript_are_not_linked() -> None:
    run = AgentRun.from_record(
        {
            "id": "r",
            "transcripts": [
                {"id": "t0", "messages": [_assistant(_call("shared"))]},
                {"id": "t1", "messages": [_result("shared")]},
            ],
        }
    )
    first, second = (link_tool_calls(t.messages) for t in run.transcripts)
    assert first.results_for(0, 0) == []
    assert second.call_for(0) is None


def test_linking_is_linear_on_long_transcripts() -> None:
    raw: list[dict[str, Any]] = []
    for _ in range(5_000):
        raw.append(_assistant(_call(None, "bash")))
        raw.append(_result(None, "bash"))
    links = link_tool_calls(_messages(*raw))
    assert links.linked_results == 5_000
    assert links.call_for(9_999) == (9_998, 0)


def test_call_text_and_summary() -> None:
    call = ToolCall.model_validate(_call("c", "bash", cmd="ls -la", timeout=30))
    assert call_text(call) == "bash(cmd=ls -la, timeout=30)"
    assert call_summary(call) == "bash(cmd=ls -la, timeout=30)"
    viewed = ToolCall.model_validate(
        {
            "id": "v",
            "function": "bash",
            "arguments": {"cmd": "ls"},
            "view": {"title": None, "format": "markdown", "content": "```bash\nls\n```\n"},
        }
    )
    assert call_text(viewed) == "```bash\nls\n```\n"
    assert call_summary(viewed) == "ls"
    long = ToolCall.model_validate(_call("l", "write", path="a.txt", content="x\n" * 10_000))
    summary = call_summary(long, 60)
    assert summary.startswith("write(path=a.txt, content=x ⏎ x")
    assert len(summary) <= 60
    hostile = ToolCall.model_validate(_call("h", "echo\x1b[31m", text="[bold]hi\x07"))
    assert call_summary(hostile) == "echo␛[31m(text=[bold]hi␇)"
