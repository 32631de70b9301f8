"""Placeholders for what the viewer does not show as text: media items and base64 blobs."""

from __future__ import annotations

import re
from dataclasses import dataclass
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


# --- base64 blobs and data URLs inside text ------------------------------------------------------

# Bare base64 shorter than this (in base64 characters) is left alone: hashes, ids, tokens.
BLOB_MIN_CHARS = 256
# A data URL needs at least this much payload to be folded.
DATA_URL_MIN_CHARS = 64
# A run of base64 characters, or several lines of them (MIME/PEM style wrapping), optional
# padding; the look-behind makes the search try each run once, keeping it linear.
_BARE_BLOB = re.compile(
    r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{48,}(?:\r?\n[A-Za-z0-9+/]{48,})*"
    r"(?:={1,2}|\r?\n[A-Za-z0-9+/]{1,47}={1,2})?"
)
_DATA_URL_BLOB = re.compile(
    r"data:(?P<mime>[\w.+-]+/[\w.+-]+)?(?:;[\w.+-]+=[\w.+-]*)*;base64,"
    r"(?P<payload>[A-Za-z0-9+/]+={0,2})"
)
_WORDISH = re.compile(r"[\w.+-]")
# The longest stretch of a match that `find_blob` must see past `stop` to recognise it.
_LOOKAHEAD = 128


@dataclass(frozen=True)
class Blob:
    """A stretch of text that is encoded data, and the placeholder shown instead."""

    start: int
    end: int
    label: str


def _mixed(payload: str) -> bool:
    """True when the payload has upper case, lower case and digits, as real base64 does."""
    sample = payload[:4096]
    return (
        any(char.isupper() for char in sample)
        and any(char.islower() for char in sample)
        and any(char.isdigit() for char in sample)
    )


def _bare_blob(text: str, start: int, stop: int) -> Blob | None:
    position = start
    while position < stop:
        found = _BARE_BLOB.search(text, position, min(len(text), stop + _LOOKAHEAD))
        if found is None or found.start() >= stop:
            return None
        whole = _BARE_BLOB.match(text, found.start())
        assert whole is not None
        payload = whole.group()
        newlines = payload.count("\n")
        if len(payload) - newlines >= BLOB_MIN_CHARS and _mixed(payload):
            size = human_size(_base64_size(payload.replace("\r", "")))
            return Blob(whole.start(), whole.end(), f"[base64 data, {size}]")
        position = whole.end()
    return None


def _data_url_blob(text: str, start: int, stop: int) -> Blob | None:
    position = start
    while True:
        index = text.find("data:", position, stop)
        if index < 0:
            return None
        position = index + 5
        if index > 0 and _WORDISH.match(text[index - 1]):
            continue
        found = _DATA_URL_BLOB.match(text, index)
        if found is None or len(found.group("payload")) < DATA_URL_MIN_CHARS:
            continue
        mime = found.group("mime") or "data"
        size = human_size(_base64_size(found.group("payload")))
        return Blob(index, found.end(), f"[{one_line(mime, 60)} data, {size}]")


def find_blob(text: str, start: int = 0, stop: int | None = None) -> Blob | None:
    """The first base64 blob or data URL that starts in `text[start:stop]` (it may run past)."""
    stop = len(text) if stop is None else min(stop, len(text))
    if start >= stop:
        return None
    url = _data_url_blob(text, start, stop)
    bare = _bare_blob(text, start, url.start if url is not None else stop)
    return bare if bare is not None else url
