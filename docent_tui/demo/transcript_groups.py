"""Transcript and group dicts, and runs split into several transcripts under nested groups."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from docent_tui.demo.messages import system_message, user_message
from docent_tui.demo.records import Sample
from docent_tui.demo.transcript import Transcript


def _grader(rng: random.Random, answer: str, target: str, passed: bool) -> list[dict[str, Any]]:
    prompt = (
        "Compare the submission with the target answer. Reply with 'GRADE: C' if they match "
        f"and 'GRADE: I' otherwise.\n\nSubmission: {answer or '(none)'}\nTarget: {target}"
    )
    verdict = "matches the target.\n\nGRADE: C" if passed else "does not match.\n\nGRADE: I"
    reply = {
        "id": None,
        "content": f"The submission {verdict}",
        "role": "assistant",
        "metadata": None,
        "model": "gpt-4o-mini-2024-07-18",
        "tool_calls": None,
    }
    return [user_message(prompt), reply]


def multi_transcript(
    rng: random.Random,
    ids: list[str],
    run_id: str,
    start: datetime,
    main: Transcript,
    sample: Sample,
    answer: str,
    passed: bool,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Two or three transcripts in groups, listed in an order that differs from Docent's."""
    model, task = main.model, main.task
    done = start + timedelta(seconds=30 + 9 * len(main.messages))
    if rng.random() < 0.5:
        solver = _group(ids[1], "solver", run_id, None, start, {"scaffold": "plan-and-execute"})
        planner = Transcript(rng, model, task, False)
        planner.messages += [
            system_message(
                "You are the planning model. Break the task into short concrete steps for an "
                "executor agent. Do not run tools."
            ),
            user_message(sample.prompt),
        ]
        steps = "\n".join(f"{k + 1}. {a.text}" for k, a in enumerate(sample.explore[:4]))
        planner.assistant(
            f"Plan:\n{steps}\n{min(5, len(sample.explore) + 1)}. Submit the answer.", None
        )
        transcripts = [
            transcript_record(
                ids[2],
                "executor",
                ids[1],
                start + timedelta(seconds=40),
                main.messages,
                {"role": "executor"},
            ),
            transcript_record(
                ids[3],
                "grader",
                None,
                done,
                _grader(rng, answer, sample.target, passed),
                {"role": "grader"},
            ),
            transcript_record(
                ids[4],
                "planner",
                ids[1],
                start + timedelta(seconds=2),
                planner.messages,
                {"role": "planner"},
            ),
        ]
        return transcripts, [solver]
    agent = _group(ids[1], "agent", run_id, None, start, {"scaffold": "react"})
    sub_start = start + timedelta(seconds=20)
    sub = _group(ids[2], "subagent: explore", run_id, ids[1], sub_start, {"depth": 1})
    explorer = Transcript(rng, model, task, False)
    explorer.messages.append(
        user_message(
            "Find the files and facts relevant to this task and report back in two sentences."
        )
    )
    for action in sample.explore[:2]:
        explorer.turn(action)
    explorer.assistant(
        "I found the relevant material; the details are in the tool outputs above.", None
    )
    transcripts = [
        transcript_record(
            ids[3],
            "judge",
            None,
            None,
            _grader(rng, answer, sample.target, passed),
            {"role": "judge"},
        ),
        transcript_record(ids[4], "main", ids[1], start + timedelta(seconds=1), main.messages, {}),
        transcript_record(
            ids[5], "explore-1", ids[2], sub_start + timedelta(seconds=1), explorer.messages, {}
        ),
    ]
    return transcripts, [sub, agent]


def _group(
    group_id: str,
    name: str,
    run_id: str,
    parent: str | None,
    when: datetime,
    metadata: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": group_id,
        "name": name,
        "description": None,
        "agent_run_id": run_id,
        "parent_transcript_group_id": parent,
        "created_at": when.isoformat(),
        "metadata": metadata,
    }


def transcript_record(
    transcript_id: str,
    name: str | None,
    group: str | None,
    when: datetime | None,
    messages: list[dict[str, Any]],
    metadata: dict[str, Any],
) -> dict[str, Any]:
    return {
        "id": transcript_id,
        "name": name,
        "description": None,
        "transcript_group_id": group,
        "created_at": None if when is None else when.isoformat(),
        "messages": messages,
        "metadata": metadata,
    }
