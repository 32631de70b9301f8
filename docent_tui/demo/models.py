"""The model catalogue: each model's weight, skill and transcript habits."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Model:
    """A model and the habits its transcripts show."""

    name: str
    api_name: str
    weight: float
    skill: float
    id_style: str
    reasoning: str
    text_rate: float
    nudge_rate: float
    parse_error_rate: float
    affinity: tuple[tuple[str, float], ...]


MODELS: tuple[Model, ...] = (
    Model(
        name="openai/gpt-4o",
        api_name="gpt-4o-2024-08-06",
        weight=1.0,
        skill=0.55,
        id_style="openai",
        reasoning="",
        text_rate=0.95,
        nudge_rate=0.07,
        parse_error_rate=0.0,
        affinity=(("gaia", 1.15),),
    ),
    Model(
        name="anthropic/claude-sonnet-4",
        api_name="claude-sonnet-4-20250514",
        weight=1.0,
        skill=0.78,
        id_style="anthropic",
        reasoning="thinking",
        text_rate=0.8,
        nudge_rate=0.02,
        parse_error_rate=0.0,
        affinity=(("swe", 1.25),),
    ),
    Model(
        name="google/gemini-2.5-pro",
        api_name="gemini-2.5-pro",
        weight=1.0,
        skill=0.7,
        id_style="google",
        reasoning="thought",
        text_rate=0.6,
        nudge_rate=0.04,
        parse_error_rate=0.0,
        affinity=(("math", 1.1), ("cybench", 0.85)),
    ),
    Model(
        name="openai/o3-mini",
        api_name="o3-mini-2025-01-31",
        weight=0.9,
        skill=0.6,
        id_style="openai",
        reasoning="encrypted",
        text_rate=0.25,
        nudge_rate=0.03,
        parse_error_rate=0.0,
        affinity=(("math", 1.35), ("gaia", 0.8)),
    ),
    Model(
        name="meta-llama/llama-3.1-70b",
        api_name="Meta-Llama-3.1-70B-Instruct-Turbo",
        weight=0.8,
        skill=0.36,
        id_style="llama",
        reasoning="",
        text_rate=0.9,
        nudge_rate=0.12,
        parse_error_rate=0.07,
        affinity=(("math", 1.25), ("cybench", 0.6)),
    ),
)
MODEL_CUM = tuple(sum(m.weight for m in MODELS[: i + 1]) for i in range(len(MODELS)))
