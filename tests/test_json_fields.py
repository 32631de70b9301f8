"""Pre-extracted top-level metadata values: PostgreSQL's texts, and the same document."""

from __future__ import annotations

import json
from typing import Any

import pytest

from docent_tui.core.json_fields import MAX_SCALAR_TEXT, top_level_fields
from docent_tui.core.schema import jsonb_text
from docent_tui.demo import generate_runs
from tests.conftest import shared_file

AWKWARD: list[dict[Any, Any]] = [
    {},
    {1: "int key", "b": float("nan"), "c": {"x": 1e-20, "y": [1e300, -0.0]}, "aa": None},
    {"\ud800": "lone surrogate", "é": "ü", "a": True, "long": "x" * (MAX_SCALAR_TEXT + 1)},
]


@pytest.mark.parametrize(
    "relative",
    ["docent/agentic_sample.agent_runs.json", "cases/dql_edge_metadata.json"],
)
def test_document_text_is_jsonb_text(relative: str) -> None:
    runs = json.loads(shared_file(relative).read_text(encoding="utf-8"))
    documents = [run["metadata"] for run in runs] + [r["metadata"] for r in generate_runs(50)]
    for metadata in documents + AWKWARD:
        assert top_level_fields(metadata)[0] == jsonb_text(metadata)


def test_values_hold_postgresql_text() -> None:
    metadata = {"s": "gpt-4", "n": 4.0, "tiny": 1e-9, "t": True, "z": None, "o": {"b": 1, "a": [2]}}
    metadata["long"] = "x" * (MAX_SCALAR_TEXT + 1)
    _, fields = top_level_fields(metadata)
    texts = dict(zip(fields.text_keys, fields.texts, strict=True))
    assert texts == {
        "s": "gpt-4", "n": "4.0", "tiny": "0.000000001", "t": "true", "z": None,
        "o": '{"a": [2], "b": 1}',
    }  # fmt: skip
    assert fields.object_keys == ["o"]
    assert fields.spilled() == {"long"}


def test_children_of_short_objects_hold_their_text_and_long_objects_none() -> None:
    _, fields = top_level_fields(
        {
            "scores": {"acc": 1.0, "tiny": 1e-9, "none": None, "obj": {"b": 1, "a": 2}, "a/b": "x"},
            "long": {"notes": "n" * 400},
            "tags": ["a", "b"],
        }
    )
    nested = dict(zip(fields.nested_keys, fields.nested_texts, strict=True))
    assert nested == {
        "/scores/acc": "1.0",
        "/scores/tiny": "0.000000001",
        "/scores/none": None,
        "/scores/obj": '{"a": 2, "b": 1}',
        "/scores/a~1b": "x",
    }
    assert json.loads(fields.as_json()[3]) == nested
