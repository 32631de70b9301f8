"""Typed jumps: which messages each kind stops at, in canonical order, and stepping through them."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from docent_tui.core.jumps import (
    Jump,
    functions_used,
    has_reasoning,
    is_error,
    is_user,
    jump_targets,
    next_target,
    tool_calls,
)
from docent_tui.core.loaders import iter_file_runs
from docent_tui.core.models import AgentRun, ToolMessage, parse_message
from docent_tui.core.tree import ordered_transcripts
from docent_tui.demo import generate_runs
from tests.conftest import shared_file


def _runs(relative: str) -> list[AgentRun]:
    items = iter_file_runs(shared_file(relative))
    return [AgentRun.from_record(item) for item in items if isinstance(item, dict)]


def _call(function: str, parse_error: str | None = None) -> dict[str, Any]:
    return {
        "id": f"id-{function}",
        "function": function,
        "arguments": {},
        "parse_error": parse_error,
    }


def test_predicates() -> None:
    failed_result = parse_message(
        {"role": "tool", "content": "", "error": {"type": "timeout", "message": "slow"}}
    )
    ok_result = parse_message({"role": "tool", "content": "fine"})
    bad_call = parse_message(
        {"role": "assistant", "content": "", "tool_calls": [_call("bash", "bad JSON")]}
    )
    calls = parse_message(
        {"role": "assistant", "content": "", "tool_calls": [_call("bash"), _call("python")]}
    )
    unreadable = parse_message(["not", "a", "message"])
    user = parse_message({"role": "user", "content": "hi"})
    thinking = parse_message(
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "hmm"}]}
    )
    assert [is_error(m) for m in (failed_result, ok_result, bad_call, calls, unreadable, user)] == [
        True,
        False,
        True,
        False,
        True,
        False,
    ]
    assert [call.function for call in tool_calls(calls)] == ["bash", "python"]
    assert [call.function for call in tool_calls(calls, "python")] == ["python"]
    assert tool_calls(calls, "submit") == []
    assert tool_calls(user) == []
    assert is_user(user) and not is_user(calls)
    assert has_reasoning(thinking) and not has_reasoning(user) and not has_reasoning(calls)


def test_errors_in_a_real_failing_run() -> None:
    (run,) = _runs("docent/tool_call_error.agent_runs.json")
    targets = jump_targets(run, Jump.ERROR)
    messages = run.transcripts[0].messages
    expected = [
        (0, block)
        for block, message in enumerate(messages)
        if isinstance(message, ToolMessage) and message.error is not None
    ]
    assert targets == expected
    assert len(targets) == 11


def test_tool_calls_by_function_in_real_runs() -> None:
    run = _runs("docent/agentic_sample.agent_runs.json")[0]
    used = functions_used(run)
    assert used == [("python", 5), ("submit", 3), ("bash", 2)]
    every = jump_targets(run, Jump.TOOL_CALL)
    by_function = {name: jump_targets(run, Jump.TOOL_CALL, name) for name, _ in used}
    assert sorted(itertools.chain(*by_function.values())) == every
    assert jump_targets(run, Jump.TOOL_CALL, "no-such-tool") == []
    users = jump_targets(run, Jump.USER)
    assert users and all(is_user(run.transcripts[0].messages[block]) for _, block in users)


def test_targets_follow_canonical_order_across_transcripts() -> None:
    runs = [AgentRun.from_record(record) for record in itertools.islice(generate_runs(40), 40)]
    grouped = next(run for run in runs if len(run.transcripts) > 1)
    ordered = ordered_transcripts(grouped)
    for kind in Jump:
        targets = jump_targets(grouped, kind)
        assert targets == sorted(targets)
        for index, block in targets:
            assert 0 <= block < len(ordered[index].transcript.messages)
    users = jump_targets(grouped, Jump.USER)
    assert len({index for index, _ in users}) > 1
    reasoning_runs = [run for run in runs if jump_targets(run, Jump.REASONING)]
    assert reasoning_runs


def test_functions_used_ties_sort_by_name() -> None:
    run = AgentRun.from_record(
        {
            "id": "r",
            "transcripts": [
                {
                    "id": "t",
                    "messages": [
                        {"role": "assistant", "content": "", "tool_calls": [_call("b")]},
                        {"role": "assistant", "content": "", "tool_calls": [_call("a")]},
                        {"role": "assistant", "content": "", "tool_calls": [_call("c")] * 2},
                    ],
                }
            ],
        }
    )
    assert functions_used(run) == [("c", 2), ("a", 1), ("b", 1)]


@pytest.mark.parametrize(
    ("current", "forward", "expected"),
    [
        (None, True, (0, 2)),
        (None, False, (1, 4)),
        ((0, 0), True, (0, 2)),
        ((0, 2), True, (0, 9)),
        ((0, 5), True, (0, 9)),
        ((0, 9), True, (1, 4)),
        ((1, 4), True, None),
        ((2, 0), True, None),
        ((1, 4), False, (0, 9)),
        ((1, 0), False, (0, 9)),
        ((0, 2), False, None),
        ((0, 1), False, None),
    ],
)
def test_next_target(
    current: tuple[int, int] | None, forward: bool, expected: tuple[int, int] | None
) -> None:
    targets = [(0, 2), (0, 9), (1, 4)]
    assert next_target(targets, current, forward) == expected


def test_next_target_without_targets() -> None:
    assert next_target([], None, True) is None
    assert next_target([], (0, 0), False) is None


def test_jump_kinds_are_named_for_the_key_bindings() -> None:
    assert Jump("error") is Jump.ERROR
    assert Jump("tool_call") is Jump.TOOL_CALL
    assert Jump("user") is Jump.USER
    assert Jump("reasoning") is Jump.REASONING
