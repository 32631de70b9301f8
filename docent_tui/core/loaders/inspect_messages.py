"""Inspect AI chat messages converted to the Docent SDK's message dump shapes.

Inspect-only keys (source, internal, ...) are dropped as the SDK does; content the SDK would reject
(images, audio, null content, unknown roles) is kept so the viewer can still show it.
`attachment://<hash>` references are replaced by the sample's attachment text.
"""

from __future__ import annotations

from typing import Any

_ATTACHMENT_PREFIX = "attachment://"


class Attachments:
    """Resolves `attachment://<hash>` strings against one sample's `attachments` map."""

    def __init__(self, table: Any) -> None:
        self._table: dict[str, Any] = table if isinstance(table, dict) else {}

    def text(self, value: Any) -> Any:
        """The attachment's content for a reference string; anything else unchanged."""
        if isinstance(value, str) and value.startswith(_ATTACHMENT_PREFIX):
            resolved = self._table.get(value[len(_ATTACHMENT_PREFIX) :])
            if isinstance(resolved, str):
                return resolved
        return value

    def deep(self, value: Any) -> Any:
        """`text` applied to every string inside lists and dicts (tool-call arguments)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.deep(item) for item in value]
        if isinstance(value, dict):
            return {key: self.deep(item) for key, item in value.items()}
        return value


def _content_item(item: Any, attachments: Attachments) -> Any:
    if not isinstance(item, dict):
        return item
    kind = item.get("type")
    if kind == "text":
        return {
            "type": "text",
            "text": attachments.text(item.get("text")),
            "refusal": item.get("refusal"),
        }
    if kind == "reasoning":
        return {
            "type": "reasoning",
            "reasoning": attachments.text(item.get("reasoning")),
            "summary": item.get("summary"),
            "signature": item.get("signature"),
            "redacted": item.get("redacted", False),
        }
    # Image, audio, video and newer item types are kept whole, references resolved.
    return {key: attachments.text(value) for key, value in item.items()}


def _content(value: Any, attachments: Attachments) -> Any:
    if isinstance(value, list):
        return [_content_item(item, attachments) for item in value]
    return attachments.text(value)


def _view(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    return {
        "title": value.get("title"),
        "format": value.get("format"),
        "content": value.get("content"),
    }


def _tool_call(call: Any, attachments: Attachments) -> Any:
    if not isinstance(call, dict):
        return call
    return {
        "id": call.get("id"),
        "function": call.get("function"),
        "arguments": attachments.deep(call.get("arguments")),
        "type": call.get("type"),
        "parse_error": call.get("parse_error"),
        "view": _view(call.get("view")),
        "google_thought_signature": call.get("google_thought_signature"),
    }


def convert_message(message: dict[str, Any], attachments: Attachments) -> dict[str, Any]:
    """One Inspect message dict in the SDK dump shape of its role (unknown roles kept whole)."""
    role = message.get("role")
    converted: dict[str, Any] = {
        "id": message.get("id"),
        "content": _content(message.get("content"), attachments),
        "role": role,
        "metadata": message.get("metadata"),
    }
    if role == "system":
        return converted
    if role == "user":
        converted["tool_call_id"] = message.get("tool_call_id")
        return converted
    if role == "assistant":
        calls = message.get("tool_calls")
        converted["model"] = message.get("model")
        converted["tool_calls"] = (
            [_tool_call(call, attachments) for call in calls] if isinstance(calls, list) else calls
        )
        return converted
    if role == "tool":
        converted["tool_call_id"] = message.get("tool_call_id")
        converted["function"] = message.get("function")
        converted["error"] = message.get("error")
        return converted
    return {**message, **converted}
