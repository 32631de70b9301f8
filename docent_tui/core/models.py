"""Lenient Docent data models: Docent's field names, but nothing that a server stored is rejected.

Docent's SDK models reject data the server happily stores (null content, image items, string tool
arguments, unknown roles; docent-api.md §B.10). These parallel models accept all of it, keep
unknown keys (`extra="allow"`), and turn anything hopeless into a visible `RawMessage` instead of
failing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

# Roles Docent knows; anything else becomes an UnknownRoleMessage that keeps its role.
KNOWN_ROLES = ("system", "user", "assistant", "tool")


def to_json_text(value: Any, *, indent: int | None = None) -> str:
    """JSON text for any value; values JSON cannot encode fall back to `str()`."""
    try:
        return json.dumps(value, indent=indent, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def _as_str(value: Any) -> str:
    """Coerce to text: None becomes "", other non-strings their JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return to_json_text(value)


def _as_opt_str(value: Any) -> str | None:
    """Like `_as_str` but None stays None."""
    return None if value is None else _as_str(value)


def _as_bool(value: Any) -> bool:
    """Truthiness for flags that real data sends as null, 0/1 or strings."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


def _as_metadata(value: Any) -> dict[str, Any]:
    """Metadata as a dict: null becomes {}, a non-object is kept under the key "value"."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(key): item for key, item in value.items()}
    return {"value": value}


def _as_list(value: Any) -> list[Any]:
    """A list from a list, the values of a (legacy) dict, or nothing from null."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


LenientStr = Annotated[str, BeforeValidator(_as_str)]
OptStr = Annotated[str | None, BeforeValidator(_as_opt_str)]
LenientBool = Annotated[bool, BeforeValidator(_as_bool)]
Metadata = Annotated[dict[str, Any], BeforeValidator(_as_metadata)]


class _Lenient(BaseModel):
    """Base: keeps unknown keys so nothing from the source is lost."""

    model_config = ConfigDict(extra="allow")


# --- content items -------------------------------------------------------------------------------


class TextContent(_Lenient):
    """A text content item."""

    type: Literal["text"] = "text"
    text: LenientStr = ""
    refusal: Any = None


class ReasoningContent(_Lenient):
    """A reasoning content item (provider variants are normalised to this by `parse_content`)."""

    type: Literal["reasoning"] = "reasoning"
    reasoning: LenientStr = ""
    summary: OptStr = None
    signature: OptStr = None
    redacted: LenientBool = False

    @property
    def display_text(self) -> str:
        """The summary when redacted and summarised, else the reasoning (docent-api.md §B.5)."""
        if self.redacted and self.summary:
            return self.summary
        return self.reasoning


class UnknownContent(BaseModel):
    """Any other content item (image, audio, video, ...), kept exactly as given in `raw`."""

    type: str
    raw: Any

    @model_serializer
    def _dump_raw(self) -> Any:
        return self.raw


ContentItem = TextContent | ReasoningContent | UnknownContent


def _reasoning_variant(item: dict[str, Any]) -> dict[str, Any] | None:
    """Map provider reasoning blocks (`thinking`, `redacted_thinking`, ...) onto `reasoning`."""
    kind = item.get("type")
    if kind == "thinking":
        return {**item, "type": "reasoning", "reasoning": item.get("thinking")}
    if kind == "redacted_thinking":
        return {
            **item,
            "type": "reasoning",
            "reasoning": "",
            "redacted": True,
            "signature": item.get("signature", item.get("data")),
        }
    if kind == "reasoning_content":
        text = item.get("reasoning", item.get("reasoning_content", item.get("text")))
        return {**item, "type": "reasoning", "reasoning": text}
    return None


def parse_content(item: Any) -> ContentItem:
    """One content item; never raises (unreadable items become `UnknownContent`)."""
    if isinstance(item, TextContent | ReasoningContent | UnknownContent):
        return item
    if isinstance(item, str):
        return TextContent(text=item)
    if not isinstance(item, dict):
        return UnknownContent(type=type(item).__name__, raw=item)
    kind = item.get("type")
    try:
        if kind == "text":
            return TextContent.model_validate(item)
        variant = _reasoning_variant(item)
        if kind == "reasoning" or variant is not None:
            return ReasoningContent.model_validate(variant if variant is not None else item)
    except ValidationError:
        pass
    return UnknownContent(type=kind if isinstance(kind, str) and kind else "unknown", raw=item)


def _as_content(value: Any) -> str | list[ContentItem]:
    """Message content: a string, or a list of parsed items; null becomes ""."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return [parse_content(value)]
    if isinstance(value, list | tuple):
        return [parse_content(item) for item in value]
    return to_json_text(value)


Content = Annotated[str | list[ContentItem], BeforeValidator(_as_content)]


# --- tool calls ----------------------------------------------------------------------------------


class ToolCallView(_Lenient):
    """A tool call's pre-rendered view (Inspect fills it with markdown)."""

    title: OptStr = None
    format: OptStr = None
    content: LenientStr = ""


def _as_view(value: Any) -> Any:
    """A view from a dict; a bare string becomes its content; anything else is dropped to None."""
    if isinstance(value, str):
        return {"content": value}
    if isinstance(value, dict | ToolCallView):
        return value
    return None


class ToolCall(_Lenient):
    """A tool call; `arguments` is whatever the source sent (dict, JSON string, anything)."""

    id: OptStr = None
    function: LenientStr = ""
    arguments: Any = Field(default_factory=dict)
    type: OptStr = None
    parse_error: OptStr = None
    view: Annotated[ToolCallView | None, BeforeValidator(_as_view)] = None
    google_thought_signature: OptStr = None

    @model_validator(mode="before")
    @classmethod
    def _flatten_openai(cls, data: Any) -> Any:
        """Accept OpenAI's nested `{"function": {"name", "arguments"}}` shape."""
        if not isinstance(data, dict):
            return {"arguments": data}
        nested = data.get("function")
        if not isinstance(nested, dict):
            return data
        flat = dict(data)
        flat["function"] = nested.get("name")
        arguments = data.get("arguments", nested.get("arguments"))
        if isinstance(arguments, str):
            # OpenAI sends arguments as JSON text; decode it when it is a JSON object.
            try:
                decoded = json.loads(arguments)
            except ValueError:
                decoded = None
            if isinstance(decoded, dict):
                arguments = decoded
        flat["arguments"] = {} if arguments is None else arguments
        return flat

    @field_validator("arguments", mode="before")
    @classmethod
    def _null_arguments(cls, value: Any) -> Any:
        return {} if value is None else value


def parse_tool_call(item: Any) -> ToolCall:
    """One tool call; never raises (a hopeless one keeps its raw value as `arguments`)."""
    if isinstance(item, ToolCall):
        return item
    try:
        return ToolCall.model_validate(item)
    except ValidationError:
        return ToolCall(arguments=item)


def _as_tool_calls(value: Any) -> list[ToolCall]:
    return [parse_tool_call(item) for item in _as_list(value)]


def _as_tool_call_id(value: Any) -> str | list[str] | None:
    """A tool call id as given: a string, a list of strings, or None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return [_as_str(item) for item in value]
    return _as_str(value)


def _as_error(value: Any) -> dict[str, Any] | str | None:
    """A tool error: a dict (Inspect's `{"type", "message"}`), a string, or None."""
    if value is None or isinstance(value, str | dict):
        return value
    return to_json_text(value)


ToolCallId = Annotated[str | list[str] | None, BeforeValidator(_as_tool_call_id)]


# --- messages ------------------------------------------------------------------------------------


class _MessageBase(_Lenient):
    """Fields every message has."""

    id: OptStr = None
    content: Content = ""
    role: str
    metadata: Metadata = Field(default_factory=dict)

    @property
    def text(self) -> str:
        """The string content, or the text items joined by newlines (reasoning excluded)."""
        if isinstance(self.content, str):
            return self.content
        return "\n".join(item.text for item in self.content if isinstance(item, TextContent))

    @property
    def content_items(self) -> list[ContentItem]:
        """The content as a list of items (a string content becomes one text item)."""
        if isinstance(self.content, str):
            return [TextContent(text=self.content)] if self.content else []
        return self.content


class SystemMessage(_MessageBase):
    """A system message."""

    role: Literal["system"] = "system"


class UserMessage(_MessageBase):
    """A user message."""

    role: Literal["user"] = "user"
    tool_call_id: ToolCallId = None


class AssistantMessage(_MessageBase):
    """An assistant message, with its model and tool calls."""

    role: Literal["assistant"] = "assistant"
    model: OptStr = None
    tool_calls: Annotated[list[ToolCall], BeforeValidator(_as_tool_calls)] = Field(
        default_factory=list
    )


class ToolMessage(_MessageBase):
    """A tool result; `error` is Inspect's `{"type", "message"}`, a plain string, or None."""

    role: Literal["tool"] = "tool"
    tool_call_id: ToolCallId = None
    function: OptStr = None
    error: Annotated[dict[str, Any] | str | None, BeforeValidator(_as_error)] = None

    @property
    def error_text(self) -> str | None:
        """The error as one readable string (`type: message`), or None without an error."""
        if self.error is None:
            return None
        if isinstance(self.error, str):
            return self.error
        kind = self.error.get("type")
        message = self.error.get("message")
        if kind is None and message is None:
            return to_json_text(self.error)
        parts = [_as_str(part) for part in (kind, message) if part not in (None, "")]
        return ": ".join(parts)


class UnknownRoleMessage(_MessageBase):
    """A message with a role Docent does not know (e.g. "developer"); the role is kept."""

    role: LenientStr = "unknown"


class RawMessage(_MessageBase):
    """A message that could not be read at all: `raw` holds it, `content` its JSON text."""

    role: LenientStr = "raw"
    raw: Any = None
    problem: LenientStr = ""


ChatMessage = (
    SystemMessage | UserMessage | AssistantMessage | ToolMessage | UnknownRoleMessage | RawMessage
)

_ROLE_CLASSES: dict[str, type[_MessageBase]] = {
    "system": SystemMessage,
    "user": UserMessage,
    "assistant": AssistantMessage,
    "tool": ToolMessage,
}


def _first_error(error: ValidationError) -> str:
    """One line naming the first validation error."""
    detail = error.errors()[0] if error.errors() else {"loc": (), "msg": str(error)}
    where = ".".join(str(part) for part in detail.get("loc", ()))
    return f"{where}: {detail.get('msg', '')}" if where else str(detail.get("msg", ""))


def raw_message(value: Any, problem: str) -> RawMessage:
    """Wrap an unreadable message so it is shown as JSON instead of failing the run."""
    return RawMessage(content=to_json_text(value, indent=2), raw=value, problem=problem)


def parse_message(value: Any) -> ChatMessage:
    """One message dispatched on `role`; never raises."""
    if isinstance(
        value,
        SystemMessage
        | UserMessage
        | AssistantMessage
        | ToolMessage
        | UnknownRoleMessage
        | RawMessage,
    ):
        return value
    if not isinstance(value, dict):
        return raw_message(value, f"message is {type(value).__name__}, expected an object")
    role = value.get("role")
    cls = _ROLE_CLASSES.get(role) if isinstance(role, str) else None
    try:
        if cls is None:
            return UnknownRoleMessage.model_validate({**value, "role": _as_str(role) or "unknown"})
        message = cls.model_validate(value)
    except ValidationError as error:
        return raw_message(value, _first_error(error))
    assert isinstance(message, SystemMessage | UserMessage | AssistantMessage | ToolMessage)
    return message


def _as_messages(value: Any) -> list[ChatMessage]:
    return [parse_message(item) for item in _as_list(value)]


# --- transcripts, groups, runs -------------------------------------------------------------------


class Transcript(_Lenient):
    """A transcript: an ordered list of messages, optionally inside a group."""

    id: LenientStr = ""
    name: OptStr = None
    description: OptStr = None
    transcript_group_id: OptStr = None
    created_at: OptStr = None
    messages: Annotated[list[ChatMessage], BeforeValidator(_as_messages)] = Field(
        default_factory=list
    )
    metadata: Metadata = Field(default_factory=dict)


class TranscriptGroup(_Lenient):
    """A group of transcripts; groups nest through `parent_transcript_group_id`."""

    id: LenientStr = ""
    name: OptStr = None
    description: OptStr = None
    agent_run_id: OptStr = None
    parent_transcript_group_id: OptStr = None
    created_at: OptStr = None
    metadata: Metadata = Field(default_factory=dict)


def parse_transcript(value: Any) -> Transcript:
    """One transcript; never raises (an unreadable one holds a single raw message)."""
    if isinstance(value, Transcript):
        return value
    if isinstance(value, dict):
        try:
            return Transcript.model_validate(value)
        except ValidationError as error:
            problem = _first_error(error)
        ident = _as_str(value.get("id"))
    else:
        problem = f"transcript is {type(value).__name__}, expected an object"
        ident = ""
    return Transcript(id=ident, messages=[raw_message(value, problem)])


def parse_group(value: Any) -> TranscriptGroup | None:
    """One transcript group, or None when it is not even an object with readable fields."""
    if isinstance(value, TranscriptGroup):
        return value
    if not isinstance(value, dict):
        return None
    try:
        return TranscriptGroup.model_validate(value)
    except ValidationError:
        return None


def _as_transcripts(value: Any) -> list[Transcript]:
    return [parse_transcript(item) for item in _as_list(value)]


def _as_groups(value: Any) -> list[TranscriptGroup]:
    groups = (parse_group(item) for item in _as_list(value))
    return [group for group in groups if group is not None]


class AgentRun(_Lenient):
    """An agent run. Unlike Docent's SDK model, zero transcripts is allowed."""

    id: LenientStr = ""
    name: OptStr = None
    description: OptStr = None
    transcripts: Annotated[list[Transcript], BeforeValidator(_as_transcripts)] = Field(
        default_factory=list
    )
    transcript_groups: Annotated[list[TranscriptGroup], BeforeValidator(_as_groups)] = Field(
        default_factory=list
    )
    metadata: Metadata = Field(default_factory=dict)
    created_at: OptStr = None

    @property
    def message_count(self) -> int:
        """Messages across all transcripts."""
        return sum(len(transcript.messages) for transcript in self.transcripts)

    @classmethod
    def from_record(cls, record: Any) -> AgentRun:
        """Build a run from a RunRecord dict; never raises.

        A record that does not validate as a whole still gives a run: its readable top-level
        fields, and one transcript holding the whole record as a raw message.
        """
        if isinstance(record, AgentRun):
            return record
        if isinstance(record, dict):
            try:
                return cls.model_validate(record)
            except ValidationError as error:
                problem = _first_error(error)
            fields = {key: record.get(key) for key in ("id", "name", "description")}
            safe = {key: _as_opt_str(value) for key, value in fields.items()}
            metadata = _as_metadata(record.get("metadata"))
        else:
            problem = f"run is {type(record).__name__}, expected an object"
            safe, metadata = {}, {}
        transcript = Transcript(messages=[raw_message(record, problem)])
        return cls(
            id=safe.get("id") or "",
            name=safe.get("name"),
            description=safe.get("description"),
            metadata=metadata,
            transcripts=[transcript],
        )


def runs_from_records(records: Iterable[Any]) -> list[AgentRun]:
    """Every record as a run, in order; never raises."""
    return [AgentRun.from_record(record) for record in records]
