"""Run metadata as JSON: its PostgreSQL jsonb text form, and discovery of the fields it holds."""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import to_jsonable_python

MAX_FIELD_DEPTH = 4
"""How many object levels metadata discovery descends (scores.includes is depth 2)."""

_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKER = f"\x00{secrets.token_hex(8)}:"


def _json_default(value: Any) -> Any:
    return to_jsonable_python(value, fallback=str)


def _jsonb_key(key: str) -> tuple[int, str]:
    # UTF-8 preserves code point order, so comparing str equals comparing bytes.
    return (len(key) if key.isascii() else len(key.encode("utf-8", "surrogatepass"))), key


_key_orders: dict[tuple[str, ...], tuple[str, ...]] = {}
_KEY_ORDER_CACHE = 4096


def _key_order(keys: tuple[str, ...]) -> tuple[str, ...]:
    """jsonb key order for a key tuple; runs of one collection mostly share their key sets."""
    order = _key_orders.get(keys)
    if order is None:
        order = tuple(sorted(keys, key=_jsonb_key))
        if len(_key_orders) < _KEY_ORDER_CACHE:
            _key_orders[keys] = order
    return order


def plain_number(text: str) -> str:
    """A float without an exponent, as PostgreSQL's numeric prints it (1e-09 -> 0.000000001)."""
    try:
        return format(Decimal(text), "f")
    except InvalidOperation:
        return text


_LEAVES = (str, int, bool, type(None))


def _normalize(value: Any, numbers: list[str]) -> Any:
    if isinstance(value, dict):
        try:
            order = _key_order(tuple(value))
        except (AttributeError, TypeError):  # non-string keys: json.dumps would stringify them
            value = {str(k): v for k, v in value.items()}
            order = _key_order(tuple(value))
        return {
            k: v if type(v) in _LEAVES else _normalize(v, numbers)
            for k in order
            for v in (value[k],)
        }
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _LEAVES else _normalize(v, numbers) for v in value]
    if isinstance(value, float):
        if not math.isfinite(value):
            return None  # jsonb has no NaN/Infinity
        text = repr(value)
        if "e" in text:
            numbers.append(plain_number(text))
            return f"{_MARKER}{len(numbers) - 1}"
    return value


_JSONB_ENCODER = json.JSONEncoder(ensure_ascii=False, default=_json_default)


def jsonb_text(value: Any) -> str:
    """JSON text laid out the way PostgreSQL prints jsonb.

    Keys are ordered shorter-first then bytewise, separators are ", " and ": ", non-ASCII stays
    as is, and floats never use an exponent. NaN and infinities become null, lone surrogates
    U+FFFD.
    """
    numbers: list[str] = []
    text = _JSONB_ENCODER.encode(_normalize(value, numbers))
    for index in range(len(numbers) - 1, -1, -1):
        text = text.replace(_JSONB_ENCODER.encode(f"{_MARKER}{index}"), numbers[index])
    return valid_utf8(text)


def valid_utf8(text: str) -> str:
    """`text` with lone surrogates (undecodable bytes) replaced by U+FFFD, so it can be stored."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)
    return text


def json_key_literal(key: str) -> str:
    """A JSON key as a SQL string literal, quotes doubled."""
    return "'" + key.replace("'", "''") + "'"


def json_path_dql(column: str, path: tuple[str, ...], text: bool = True) -> str:
    """`column->'a'->>'b'` for a path of object keys (the last step `->` when text is False)."""
    if not path:
        return column
    steps = [f"->{json_key_literal(key)}" for key in path[:-1]]
    steps.append(("->>" if text else "->") + json_key_literal(path[-1]))
    return column + "".join(steps)


def value_kind(value: Any) -> str:
    """The kind name metadata discovery reports for one JSON value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "str"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return "mixed"


@dataclass(frozen=True)
class MetadataField:
    """One JSON path found in agent_runs.metadata_json."""

    path: tuple[str, ...]
    kind: str
    """"str" | "number" | "bool" | "object" | "list" | "null" | "mixed"."""
    runs: int
    """How many sampled runs have this path."""

    def dql(self, text: bool = True) -> str:
        """The DQL expression reading this field, e.g. metadata_json->'scores'->>'includes'."""
        return json_path_dql("metadata_json", self.path, text)


def discover_fields(
    documents: Iterable[Any], max_depth: int = MAX_FIELD_DEPTH
) -> list[MetadataField]:
    """Every object path in the documents with its kind and count, most common first.

    Objects are descended into up to `max_depth` keys deep; lists are not. Nulls do not make a
    field "mixed": a field that is sometimes null keeps the kind of its other values.
    """
    counts: dict[tuple[str, ...], int] = {}
    kinds: dict[tuple[str, ...], set[str]] = {}

    def visit(node: dict[Any, Any], prefix: tuple[str, ...]) -> None:
        for key, value in node.items():
            path = (*prefix, key if isinstance(key, str) else str(key))
            counts[path] = counts.get(path, 0) + 1
            kinds.setdefault(path, set()).add(value_kind(value))
            if isinstance(value, dict) and len(path) < max_depth:
                visit(value, path)

    for document in documents:
        if isinstance(document, dict):
            visit(document, ())

    def kind_of(path: tuple[str, ...]) -> str:
        seen = kinds[path] - {"null"}
        if not seen:
            return "null"
        return next(iter(seen)) if len(seen) == 1 else "mixed"

    # dicts keep first-seen order, so equally common fields stay in document order.
    ordered = sorted(counts, key=lambda path: -counts[path])
    return [MetadataField(path, kind_of(path), counts[path]) for path in ordered]
