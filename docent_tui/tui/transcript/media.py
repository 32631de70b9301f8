"""Short descriptions of content items the viewer cannot show: images, audio, unknown types."""

from __future__ import annotations

import re
from typing import Any

from docent_tui.core.models import UnknownContent, to_json_text
from docent_tui.core.sanitize import one_line

MEDIA_TYPES = frozenset(
    {"image", "image_url", "input_image", "audio", "input_audio", "video", "file", "document"}
)
_DATA_URL = re.compile(r"^data:([^;,]*)(;[^,]*)?,", re.IGNORECASE)
_BASE64 = re.compile(r"^[A-Za-z0-9+/=\s]+$")
# Strings longer than this are shortened in raw JSON previews.
_LONG_STRING = 200


def human_size(size: int) -> str:
    """`812 B`, `12.3 KB`, `4.0 MB`."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def _base64_size(payload: str) -> int:
    """Decoded size of base64 text, without decoding it."""
    length = len(payload) - payload.count("\n") - payload.count(" ")
    return max(0, length * 3 // 4 - payload[-2:].count("="))


def _payload(item: dict[str, Any], kind: str) -> tuple[str | None, Any, bool]:
    """The item's media reference, the block holding it, and whether it is bare base64 data.

    A reference is a data URL, a URL, an attachment id, or base64 data under a `data` key.
    """
    for key in (kind, "image", "audio", "video", "image_url", "url", "data", "file"):
        value = item.get(key)
        if isinstance(value, dict):
            for inner in ("url", "data", "file_data", "file_id"):
                if isinstance(value.get(inner), str):
                    return value[inner], value, inner in ("data", "file_data")
        elif isinstance(value, str):
            return value, None, key == "data"
    source = item.get("source")
    if isinstance(source, dict):
        data = source.get("data")
        if isinstance(data, str):
            return data, source, True
        url = source.get("url")
        return (url if isinstance(url, str) else None), source, False
    return None, None, False


def describe_media(content: UnknownContent) -> str | None:
    """`[image: image/png, 12.3 KB]` for media items, or None when the item is not media."""
    raw = content.raw
    if not isinstance(raw, dict):
        return None
    kind = content.type
    reference, block, bare_data = _payload(raw, kind)
    looks_media = kind in MEDIA_TYPES or (reference is not None and reference.startswith("data:"))
    if not looks_media:
        return None
    name = kind.removeprefix("input_").removesuffix("_url")
    mime: str | None = None
    details: list[str] = []
    if isinstance(block, dict) and isinstance(block.get("media_type"), str):
        mime = block["media_type"]
    elif isinstance(raw.get("format"), str):
        mime = f"{name}/{raw['format']}"
    elif isinstance(block, dict) and isinstance(block.get("format"), str):
        mime = f"{name}/{block['format']}"
    if reference is not None:
        match = _DATA_URL.match(reference)
        if match is not None:
            mime = match.group(1) or mime
            payload = reference[match.end() :]
            encoded = "base64" in (match.group(2) or "").lower()
            details.append(human_size(_base64_size(payload) if encoded else len(payload)))
        elif bare_data or (len(reference) > _LONG_STRING and _BASE64.match(reference[:4096])):
            details.append(human_size(_base64_size(reference)))
        else:
            details.append(one_line(reference, 80))
    parts = [mime] if mime else []
    parts.extend(details)
    inner = ", ".join(one_line(part, 100) for part in parts)
    return f"[{one_line(name, 30)}: {inner}]" if inner else f"[{one_line(name, 30)}]"


def _shorten(value: Any, depth: int = 0) -> Any:
    """A copy of a JSON value with long strings (base64, data URLs) cut to a short marker."""
    if depth > 20:
        return "…"
    if isinstance(value, str):
        if len(value) <= _LONG_STRING:
            return value
        match = _DATA_URL.match(value)
        if match is not None:
            return f"{value[: match.end()]}… ({len(value):,} characters)"
        return f"{value[:80]}… ({len(value):,} characters)"
    if isinstance(value, dict):
        return {str(key): _shorten(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list):
        return [_shorten(item, depth + 1) for item in value]
    return value


def raw_preview(value: Any) -> str:
    """Indented JSON of an unknown item with long strings shortened (the caller still clips it)."""
    return to_json_text(_shorten(value), indent=2)
