"""One Inspect AI sample converted to a RunRecord, matching the Docent SDK's file loader.

Run metadata keys, in order: sample_id, epoch, target, scoring_metadata, scores, then the header's
task and model, then every key of the sample's own metadata (overriding earlier ones).
"""

from __future__ import annotations

from typing import Any

from docent_tui.core.loaders.docent_runs import type_name
from docent_tui.core.loaders.ids import derived_id
from docent_tui.core.loaders.inspect_messages import Attachments, convert_message
from docent_tui.core.loaders.inspect_scores import normalise_scores
from docent_tui.core.loaders.problems import DataShapeError, LoadProblem
from docent_tui.core.loaders.timestamps import iso_timestamp, parse_timestamp


def header_metadata(eval_info: Any) -> dict[str, Any]:
    """The run metadata taken from the log header: task and model (nothing without a header)."""
    if not isinstance(eval_info, dict) or not eval_info:
        return {}
    return {"task": eval_info.get("task"), "model": eval_info.get("model")}


def eval_key(eval_info: Any, origin: str) -> str:
    """What Inspect run ids are derived from: eval_id, else run_id, else the file's path."""
    if isinstance(eval_info, dict):
        for field in ("eval_id", "run_id"):
            value = eval_info.get(field)
            if isinstance(value, str) and value:
                return value
    return origin


def sample_started_at(sample: dict[str, Any]) -> str | None:
    """The sample's start time: `started_at`, else its earliest event timestamp, else None."""
    started = iso_timestamp(sample.get("started_at"))
    if started is not None:
        return started
    events = sample.get("events")
    if not isinstance(events, list):
        return None
    stamps = [
        stamp
        for event in events
        if isinstance(event, dict) and (stamp := parse_timestamp(event.get("timestamp")))
    ]
    return min(stamps).isoformat() if stamps else None


def sample_to_run(
    sample: Any,
    eval_id: str,
    header: dict[str, Any],
    fallback: str,
    path_text: str,
) -> tuple[dict[str, Any], list[LoadProblem]]:
    """Build the RunRecord of one sample (sample x epoch).

    `fallback` names the sample (its zip member or list position) for problems and stands in
    for a missing sample id. Raises DataShapeError when `sample` is not a sample object.
    """
    if not isinstance(sample, dict):
        raise DataShapeError(f"sample is {type_name(sample)}, expected an object")
    raw_messages = sample.get("messages")
    if raw_messages is not None and not isinstance(raw_messages, list):
        raise DataShapeError(f"sample messages is {type_name(raw_messages)}, expected a list")
    attachments = Attachments(sample.get("attachments"))
    problems: list[LoadProblem] = []
    messages: list[dict[str, Any]] = []
    for index, message in enumerate(raw_messages or []):
        if isinstance(message, dict):
            messages.append(convert_message(message, attachments))
        else:
            reason = f"{type_name(message)}, expected an object; skipped"
            problems.append(LoadProblem(path_text, reason, f"{fallback}: message {index}"))

    scores = sample.get("scores")
    sample_metadata = sample.get("metadata")
    metadata: dict[str, Any] = {
        "sample_id": sample.get("id"),
        "epoch": sample.get("epoch"),
        "target": sample.get("target"),
        "scoring_metadata": scores,
        "scores": normalise_scores(scores),
        **header,
        **(sample_metadata if isinstance(sample_metadata, dict) else {}),
    }
    sample_id = sample.get("id")
    identity = f"{sample_id}" if sample_id is not None else fallback
    run_id = derived_id(f"inspect:{eval_id}:{identity}:{sample.get('epoch')}")
    created_at = sample_started_at(sample)
    transcript: dict[str, Any] = {
        "id": derived_id(run_id, "transcript 0"),
        "name": None,
        "description": None,
        "transcript_group_id": None,
        "created_at": created_at,
        "messages": messages,
        "metadata": {},
    }
    run: dict[str, Any] = {
        "id": run_id,
        "name": None,
        "description": None,
        "metadata": metadata,
        "created_at": created_at,
        "transcripts": [transcript],
        "transcript_groups": [],
    }
    return run, problems
