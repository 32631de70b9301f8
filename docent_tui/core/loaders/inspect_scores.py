"""Inspect score values normalised exactly as the Docent SDK's Inspect file loader does."""

from __future__ import annotations

from typing import Any

# Inspect's score constants: CORRECT, PARTIAL, INCORRECT, NOANSWER.
_CORRECT = "C"
_PARTIAL = "P"
_ZERO = ("I", "N")


def normalise_leaf(value: Any) -> Any:
    """One score value: numbers to float, C/P/I/N to 1.0/0.5/0, yes/no words, numeric text.

    Other strings come back lower-cased; "I" and "N" give the int 0, as the SDK does.
    """
    if value is None:
        return None
    if isinstance(value, bool | int | float):
        return float(value)
    if value == _CORRECT:
        return 1.0
    if value == _PARTIAL:
        return 0.5
    if value in _ZERO:
        return 0
    text = str(value).lower()
    if text in ("yes", "true"):
        return 1.0
    if text in ("no", "false"):
        return 0.0
    if text.replace(".", "").isnumeric():
        try:
            return float(text)
        except ValueError:  # "1.2.3" or non-ASCII numerals pass isnumeric but are not floats
            return text
    return text


def normalise_score(score: Any) -> Any:
    """A Score object's `value` (a leaf, a list or a dict of leaves) normalised element-wise."""
    value = score.get("value") if isinstance(score, dict) else score
    if isinstance(value, list):
        return [normalise_leaf(item) for item in value]
    if isinstance(value, dict):
        return {key: normalise_leaf(item) for key, item in value.items()}
    return normalise_leaf(value)


def normalise_scores(scores: Any) -> dict[str, Any]:
    """The run's `scores` metadata: {scorer: normalised value}; {} when the sample has none."""
    if not isinstance(scores, dict):
        return {}
    return {name: normalise_score(score) for name, score in scores.items()}
