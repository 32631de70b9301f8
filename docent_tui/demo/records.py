"""Frozen records that task content is made of: Action, Sample and Task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Action:
    """One tool call the agent can make: what it says, the call, and what comes back."""

    text: str
    function: str
    arguments: dict[str, Any]
    view: str | None
    output: str


@dataclass(frozen=True, slots=True)
class Sample:
    """One dataset sample: the prompt, the answer, its metadata and the steps that fit it."""

    sample_id: int | str
    prompt: str
    target: str
    tags: tuple[str, ...]
    difficulty: str
    extra: tuple[tuple[str, Any], ...]
    explore: tuple[Action, ...]
    solve: Action
    answer: str
    wrong: tuple[str, ...]
    solution: str = ""


@dataclass(frozen=True, slots=True)
class Task:
    """One eval task with its samples and the text pools its runs draw on."""

    kind: str
    name: str
    short: str
    weight: float
    ease: float
    turns: tuple[int, int]
    system: str
    samples: tuple[Sample, ...]
    errors: tuple[tuple[Action, str, str], ...]
    long_outputs: tuple[Action, ...]
    thinking: tuple[str, ...]
    summaries: tuple[str, ...]
