"""Scores for a run's outcome: the accuracy and reward scorers' values and explanations."""

from __future__ import annotations

import random
from typing import Any

from docent_tui.demo.records import Sample, Task

_NORMALISED = {"C": 1.0, "P": 0.5, "I": 0, "N": 0}


def _explanations(
    task: Task, sample: Sample, value: str, answer: str, rng: random.Random
) -> tuple[str, str]:
    """The accuracy scorer's and the reward scorer's explanation texts."""
    if value == "N":
        return "No answer was submitted before the message limit.", "No submission."
    kind = task.kind
    if kind == "swe":
        n = rng.randint(8, 60)
        fixed = "1/1" if value == "C" else "0/1"
        kept = n if value != "I" else n - rng.randint(0, 3)
        return (
            f"FAIL_TO_PASS: {fixed} passed; PASS_TO_PASS: {kept}/{n} passed",
            "Share of target tests passing.",
        )
    if kind == "math":
        verdict = "is" if value == "C" else "is not"
        return (
            f"{answer} {verdict} equivalent to {sample.target}",
            "Correctness and working.",
        )
    if kind == "gaia":
        return (
            f"Normalised answer '{answer.lower()}' compared with '{sample.target.lower()}'",
            "Credit for the right source." if value != "C" else "Exact match.",
        )
    return (
        answer,
        "Flag matched." if value == "C" else "Credit for recon steps.",
    )


def scores_for(
    task: Task, sample: Sample, outcome: str, answer: str, rng: random.Random
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    if outcome == "error":
        return None, {}
    if outcome == "pass":
        value, reward = "C", round(rng.uniform(0.72, 1.0), 3)
    elif outcome == "limit":
        value, reward = "N", 0.0
    elif task.kind in ("gaia", "swe") and rng.random() < 0.12:
        value, reward = "P", round(rng.uniform(0.4, 0.7), 3)
    else:
        value, reward = "I", round(rng.uniform(0.0, 0.45), 3)
    accuracy_text, reward_text = _explanations(task, sample, value, answer, rng)
    scored_answer = answer.lower() if task.kind in ("ctf", "cybench") else answer
    scoring = {
        "accuracy": {"value": value, "answer": scored_answer, "explanation": accuracy_text},
        "reward": {"value": reward, "answer": None, "explanation": reward_text},
    }
    return scoring, {"accuracy": _NORMALISED[value], "reward": reward}
