"""Top-level metadata values kept beside the JSON document, so filters need not parse it.

Reading `metadata_json->>'model'` from the JSON text parses every run's whole document; on
100,000 runs that alone costs about 50 ms. The engine therefore also stores, per run, the
document's top-level keys and two small maps: key -> the exact text PostgreSQL's `->>` gives for
a short scalar, and key -> the jsonb text of a short object or array. Anything else (long
strings, big objects) is read from the document, so answers never change, only their speed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from docent_tui.core.schema import jsonb_key_order, jsonb_text, valid_utf8

MAX_SCALAR_TEXT = 64
"""Longer strings are read from the document (they rarely appear in filters)."""

MAX_OBJECT_TEXT = 256
"""Bigger objects and arrays are read from the document."""


@dataclass(frozen=True)
class TopLevelFields:
    """The hidden columns of one agent_runs row."""

    keys: list[str]
    text_keys: list[str]
    texts: list[str | None]
    """PostgreSQL's ->> text of each short value (None for JSON null)."""
    object_keys: list[str]
    object_texts: list[str]
    nested_keys: list[str]
    """`nested_key(key, child)` of every child of each short object among the values."""
    nested_texts: list[str | None]
    """PostgreSQL's `->'key'->>'child'` text of each (None for JSON null)."""

    def spilled(self) -> set[str]:
        """Keys whose value only the document holds (too long, or not plain JSON)."""
        return set(self.keys) - set(self.text_keys)

    def as_json(self) -> tuple[str, str, str, str]:
        """The keys, texts, objects and nested texts as JSON (DuckDB casts these fastest)."""
        return (
            _KEY_ENCODER.encode(self.keys),
            _KEY_ENCODER.encode(dict(zip(self.text_keys, self.texts, strict=True))),
            _KEY_ENCODER.encode(dict(zip(self.object_keys, self.object_texts, strict=True))),
            _KEY_ENCODER.encode(dict(zip(self.nested_keys, self.nested_texts, strict=True))),
        )


def nested_key(key: str, child: str) -> str:
    """The nested map's key for `->'key'->>'child'`: a JSON pointer, so no two paths share one."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in (key, child))


_KEY_ENCODER = json.JSONEncoder(ensure_ascii=False)
_CACHE_LIMIT = 4096
_encoded_keys: dict[str, str] = {}


def _encoded_key(key: str) -> str:
    encoded = _encoded_keys.get(key)
    if encoded is None:
        encoded = valid_utf8(_KEY_ENCODER.encode(key))
        if len(_encoded_keys) < _CACHE_LIMIT:
            _encoded_keys[key] = encoded
    return encoded


def _texts(value: Any) -> tuple[str, bool, str | None]:
    """(jsonb text, usable as a pre-extracted scalar, PostgreSQL's ->> text) of one value."""
    kind = type(value)
    if value is None:
        return "null", True, None
    if kind is str:
        text = _KEY_ENCODER.encode(value)
        if not value.isascii():
            return valid_utf8(text), len(value) <= MAX_SCALAR_TEXT, valid_utf8(value)
        return text, len(value) <= MAX_SCALAR_TEXT, value
    if kind is bool:
        return ("true", True, "true") if value else ("false", True, "false")
    if kind is int:
        text = str(value)
        return text, True, text
    text = jsonb_text(value)
    if kind is float:
        return text, True, None if text == "null" else text
    return text, False, None


def top_level_fields(metadata: dict[Any, Any]) -> tuple[str, TopLevelFields]:
    """The document's jsonb text (as `jsonb_text` gives it) and its pre-extracted values.

    The document is assembled from the values' own texts, so each value is encoded once.
    """
    items: dict[str, Any] = {}
    for raw_key, value in metadata.items():
        items[raw_key if isinstance(raw_key, str) else str(raw_key)] = value
    parts: list[str] = []
    fields = TopLevelFields(
        [k if k.isascii() else valid_utf8(k) for k in items], [], [], [], [], [], []
    )
    for key in jsonb_key_order(tuple(items)):
        value = items[key]
        text, usable, scalar = _texts(value)
        parts.append(f"{_encoded_key(key)}: {text}")
        if not key.isascii():
            key = valid_utf8(key)
        if isinstance(value, (dict, list, tuple)):
            if len(text) <= MAX_OBJECT_TEXT:
                fields.object_keys.append(key)
                fields.object_texts.append(text)
                fields.text_keys.append(key)
                fields.texts.append(text)
                if isinstance(value, dict):
                    _add_children(fields, key, value)
        elif usable:
            fields.text_keys.append(key)
            fields.texts.append(scalar)
    return "{" + ", ".join(parts) + "}", fields


def _add_children(fields: TopLevelFields, key: str, value: dict[Any, Any]) -> None:
    """Every child of a short object, as `->>` renders it: filters on `scores` read these."""
    for raw_child, child in value.items():
        name = raw_child if isinstance(raw_child, str) else str(raw_child)
        text, _usable, scalar = _texts(child)
        fields.nested_keys.append(nested_key(key, valid_utf8(name)))
        fields.nested_texts.append(text if isinstance(child, (dict, list, tuple)) else scalar)
