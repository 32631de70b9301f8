"""Docent AgentRun JSON objects normalised to the RunRecord shape, kept lenient for display.

Nothing is validated beyond what the run table needs: messages stay exactly as the file has them
(null content, string tool arguments, image items and unknown keys included).
"""

from __future__ import annotations

from typing import Any

from docent_tui.core.loaders.ids import derived_id, given_id
from docent_tui.core.loaders.problems import DataShapeError, LoadProblem
from docent_tui.core.loaders.timestamps import iso_timestamp

_RUN_KEYS = ("id", "name", "description", "metadata", "created_at", "transcripts")
_TRANSCRIPT_KEYS = (
    "id",
    "name",
    "description",
    "transcript_group_id",
    "created_at",
    "messages",
    "metadata",
)
_GROUP_KEYS = (
    "id",
    "name",
    "description",
    "agent_run_id",
    "parent_transcript_group_id",
    "created_at",
    "metadata",
)


def type_name(value: Any) -> str:
    """A JSON-flavoured name for a value's type, for problem reasons."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def is_inspect_log(value: dict[str, Any]) -> bool:
    """True for an Inspect AI EvalLog object (top-level `eval`, no Docent `transcripts`)."""
    return isinstance(value.get("eval"), dict) and "transcripts" not in value


def is_agent_run(value: dict[str, Any]) -> bool:
    """True for an object that is plausibly a Docent AgentRun (transcripts, or id + metadata)."""
    return "transcripts" in value or ("id" in value and "metadata" in value)


def _metadata(value: Any) -> dict[str, Any]:
    """Metadata as an object: null becomes {}, any other non-object is kept under 'metadata'."""
    if isinstance(value, dict):
        return value
    return {} if value is None else {"metadata": value}


def _text_or_none(value: Any) -> str | None:
    """Names and descriptions as text; other scalars are stringified, containers dropped."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return None


def _entries(value: Any, field: str) -> list[tuple[str, Any]]:
    """(index label, entry) pairs of a list, or of a legacy dict's values (labelled by key)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [(str(index), entry) for index, entry in enumerate(value)]
    if isinstance(value, dict):
        return [(f"key {key}", entry) for key, entry in value.items()]
    raise DataShapeError(f"{field} is {type_name(value)}, expected a list")


def _extras(raw: dict[str, Any], known: tuple[str, ...]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if key not in known}


def normalise_run(
    raw: Any, origin: str, where: str, path_text: str
) -> tuple[dict[str, Any], list[LoadProblem]]:
    """Build a RunRecord from one Docent AgentRun object.

    `origin` (the file's absolute path) and `where` (e.g. "run 3", "line 7") make stable ids for
    objects without one. Raises DataShapeError when `raw` is not an agent run at all; smaller
    defects (a transcript that is not an object) come back as problems and the rest is kept.
    """
    if not isinstance(raw, dict):
        raise DataShapeError(f"not a Docent agent run: {type_name(raw)}, expected an object")
    if not is_agent_run(raw):
        keys = ", ".join(list(map(str, raw))[:6]) or "none"
        raise DataShapeError(f"not a Docent agent run: object has no 'transcripts' (keys: {keys})")
    problems: list[LoadProblem] = []

    def note(item: str, reason: str) -> None:
        problems.append(LoadProblem(path_text, reason, f"{where}: {item}"))

    run_id = given_id(raw.get("id")) or derived_id(origin, where)
    transcripts: list[dict[str, Any]] = []
    try:
        transcript_entries = _entries(raw.get("transcripts"), "transcripts")
    except DataShapeError as error:
        note("transcripts", f"{error}; no transcripts kept")
        transcript_entries = []
    for label, entry in transcript_entries:
        if not isinstance(entry, dict):
            note(f"transcript {label}", f"{type_name(entry)}, expected an object; skipped")
            continue
        messages, message_problems = _messages(entry.get("messages"))
        for message_problem in message_problems:
            note(f"transcript {label}", message_problem)
        transcripts.append(
            {
                "id": given_id(entry.get("id")) or derived_id(origin, where, f"transcript {label}"),
                "name": _text_or_none(entry.get("name")),
                "description": _text_or_none(entry.get("description")),
                "transcript_group_id": given_id(entry.get("transcript_group_id")),
                "created_at": iso_timestamp(entry.get("created_at")),
                "messages": messages,
                "metadata": _metadata(entry.get("metadata")),
                **_extras(entry, _TRANSCRIPT_KEYS),
            }
        )
    groups: list[dict[str, Any]] = []
    try:
        group_entries = _entries(raw.get("transcript_groups"), "transcript_groups")
    except DataShapeError as error:
        note("transcript_groups", f"{error}; no groups kept")
        group_entries = []
    for label, entry in group_entries:
        if not isinstance(entry, dict):
            note(f"transcript group {label}", f"{type_name(entry)}, expected an object; skipped")
            continue
        groups.append(
            {
                "id": given_id(entry.get("id")) or derived_id(origin, where, f"group {label}"),
                "name": _text_or_none(entry.get("name")),
                "description": _text_or_none(entry.get("description")),
                "agent_run_id": given_id(entry.get("agent_run_id")) or run_id,
                "parent_transcript_group_id": given_id(entry.get("parent_transcript_group_id")),
                "created_at": iso_timestamp(entry.get("created_at")),
                "metadata": _metadata(entry.get("metadata")),
                **_extras(entry, _GROUP_KEYS),
            }
        )
    run = {
        "id": run_id,
        "name": _text_or_none(raw.get("name")),
        "description": _text_or_none(raw.get("description")),
        "metadata": _metadata(raw.get("metadata")),
        "created_at": iso_timestamp(raw.get("created_at")),
        "transcripts": transcripts,
        "transcript_groups": groups,
        **_extras(raw, (*_RUN_KEYS, "transcript_groups")),
    }
    return run, problems


def _messages(value: Any) -> tuple[list[Any], list[str]]:
    """The message list as given; only entries that are not objects are dropped (and reported)."""
    if value is None:
        return [], []
    if not isinstance(value, list):
        return [], [f"messages is {type_name(value)}, expected a list; no messages kept"]
    if all(isinstance(message, dict) for message in value):
        return value, []
    kept = [message for message in value if isinstance(message, dict)]
    dropped = [
        f"message {index} is {type_name(message)}, expected an object; skipped"
        for index, message in enumerate(value)
        if not isinstance(message, dict)
    ]
    return kept, dropped
