"""Message dicts in the SDK dump shapes, keys in the order the SDK writes them."""

from __future__ import annotations

from typing import Any


def system_message(text: str) -> dict[str, Any]:
    return {"id": None, "content": text, "role": "system", "metadata": None}


def user_message(text: str) -> dict[str, Any]:
    return {"id": None, "content": text, "role": "user", "metadata": None, "tool_call_id": None}


def tool_message(
    content: str, call: dict[str, Any], error: dict[str, str] | None
) -> dict[str, Any]:
    return {
        "id": None,
        "content": content,
        "role": "tool",
        "metadata": None,
        "tool_call_id": call["id"],
        "function": call["function"],
        "error": error,
    }
