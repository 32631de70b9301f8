"""JSON columns as DQL sees them: jsonb text form, discovered key paths, and the DQL schema."""

from __future__ import annotations

import json
import math
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic_core import to_jsonable_python

from docent_tui.core.dql import TABLES

_SURROGATE = re.compile("[\ud800-\udfff]")
_MARKER = f"\x00{secrets.token_hex(8)}:"


def _json_default(value: Any) -> Any:
    return to_jsonable_python(value, fallback=str)


def _jsonb_key(key: str) -> tuple[int, str]:
    # UTF-8 preserves code point order, so comparing str equals comparing bytes.
    return (len(key) if key.isascii() else len(key.encode("utf-8", "surrogatepass"))), key


_key_orders: dict[tuple[str, ...], tuple[str, ...]] = {}
_KEY_ORDER_CACHE = 4096


def jsonb_key_order(keys: tuple[str, ...]) -> tuple[str, ...]:
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
            order = jsonb_key_order(tuple(value))
        except (AttributeError, TypeError):  # non-string keys: json.dumps would stringify them
            value = {str(k): v for k, v in value.items()}
            order = jsonb_key_order(tuple(value))
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


def pseudo_column_name(column: str, path: tuple[str, ...]) -> str:
    """The server's name for a discovered path: `column->'a'->'b'` (quotes doubled).

    Only a name: for a key holding `'` or an empty key the server's own rendering of this
    expression does not read the key (see `json_path_dql` for an expression that does).
    """
    return column + "".join(f"->{json_key_literal(key)}" for key in path)


def _plain_key(key: str) -> bool:
    return key != "" and "'" not in key


def _text_array_element(key: str) -> str:
    """One element of a PostgreSQL text-array literal, quoted where the syntax needs it."""
    if key and not any(char in key for char in ' ,{}"\\') and key.upper() != "NULL":
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'


def json_path_dql(column: str, path: tuple[str, ...], text: bool = True) -> str:
    """A DQL expression reading a path of object keys, as text (`->>`) or JSON (`->`).

    Plain keys use arrows (`metadata_json->'scores'->>'reward'`). A key with a quote, or an
    empty key, uses a `#>>`/`#>` text-array path, the form the server renders faithfully.
    """
    if not path:
        return column
    if all(_plain_key(key) for key in path):
        steps = [f"->{json_key_literal(key)}" for key in path[:-1]]
        steps.append(("->>" if text else "->") + json_key_literal(path[-1]))
        return column + "".join(steps)
    elements = ",".join(_text_array_element(key) for key in path)
    return f"{column} {'#>>' if text else '#>'} {json_key_literal('{' + elements + '}')}"


def value_kind(value: Any) -> str:
    """The kind of one JSON value: "null", "bool", "number", "str", "object" or "list"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "list"
    return "str"  # strings, and anything else JSON would write as one


# A field's kind is the first kind seen in this order: the scalars rank as the server ranks them
# when it infers a field's type (number, then string, then boolean; docent-api.md §A.7.3).
_KIND_PRECEDENCE = ("number", "str", "bool", "object", "list")


NUMBER_PATTERN = "^-?[0-9]{1,250}([.][0-9]{1,250})?([eE][-+]?[0-9]{1,3})?$"
"""A JSON number's text: PostgreSQL's jsonb prints no exponent, the local engine may (1e-9).
The digit limits keep a double cast in range (PostgreSQL refuses what a double cannot hold) and
under its regex repetition cap of 255."""


@dataclass(frozen=True)
class MetadataField:
    """One key path found in a JSON column (agent_runs.metadata_json unless said otherwise)."""

    path: tuple[str, ...]
    kind: str
    """"number", "str" or "bool" when any sampled value is a scalar (in that order, as the server
    infers field types); else "object" or "list"; "null" when the path only ever held null."""
    runs: int
    """How many sampled rows have this path."""

    def dql(self, text: bool = True, column: str = "metadata_json") -> str:
        """The DQL expression reading this field, e.g. metadata_json->'scores'->>'includes'."""
        return json_path_dql(column, self.path, text)


def discover_fields(documents: Iterable[Any]) -> list[MetadataField]:
    """Every key path in the JSON objects `documents`, most common first.

    This is the walk behind the server's schema pseudo-columns (docent-api.md §A.7.3, §A.7.6;
    the server's monoservice `get_json_metadata_fields_map`): it descends into objects at any
    depth, never into arrays, and reports every path it reaches. So an intermediate object
    (`scores`), an array (`tags`) and a key that only ever holds null are fields, next to the
    leaves below them; only the metadata-fields endpoint drops paths without a scalar type.
    Documents that are not objects have no paths. Equally common paths keep first-seen order.
    """
    counts: dict[tuple[str, ...], int] = {}
    kinds: dict[tuple[str, ...], set[str]] = {}
    for document in documents:
        if not isinstance(document, dict):
            continue
        # Pre-order walk with an explicit stack: deep metadata cannot hit the recursion limit.
        stack: list[tuple[tuple[str, ...], Iterator[tuple[Any, Any]]]] = [
            ((), iter(document.items()))
        ]
        while stack:
            prefix, items = stack[-1]
            for key, value in items:
                path = (*prefix, key if isinstance(key, str) else str(key))
                counts[path] = counts.get(path, 0) + 1
                kinds.setdefault(path, set()).add(value_kind(value))
                if isinstance(value, dict) and value:
                    stack.append((path, iter(value.items())))
                    break
            else:
                stack.pop()

    def kind_of(path: tuple[str, ...]) -> str:
        seen = kinds[path]
        return next((kind for kind in _KIND_PRECEDENCE if kind in seen), "null")

    # dicts keep first-seen order and sorted() is stable, so ties stay in document order.
    ordered = sorted(counts, key=lambda path: -counts[path])
    return [MetadataField(path, kind_of(path), counts[path]) for path in ordered]


# --------------------------------------------------------------------------- DQL schema

JSON_SAMPLE_ROWS = 5000
"""Rows per JSON column that discovery reads, as the server does (docent-api.md §C.2)."""

PSEUDO_COLUMN_TYPE = "json"
"""The data_type the server reports for a discovered JSON path."""


@dataclass(frozen=True)
class ColumnType:
    """What the server's SQLAlchemy model says about one column (docent-api.md §A.7.6, §C.7)."""

    data_type: str
    """SQLAlchemy's dialect-less type name, e.g. VARCHAR(36), TEXT, DATETIME, BLOB, JSONB."""
    nullable: bool = True
    primary_key: bool = False
    references: tuple[tuple[str, str], ...] = ()
    """Foreign keys as (target table, target column)."""


_ID = ColumnType("VARCHAR(36)", nullable=False, primary_key=True)
_COLLECTION_ID = ColumnType("VARCHAR(36)", nullable=False, references=(("collections", "id"),))
_RUN_ID = ColumnType("VARCHAR(36)", nullable=False, references=(("agent_runs", "id"),))
_GROUP_ID = ColumnType("VARCHAR(36)", references=(("transcript_groups", "id"),))
_TEXT = ColumnType("TEXT")

# Types of the registry's columns (dql.TABLES decides which tables and columns exist). Sources:
# db/schemas/tables.py (07168f2) and db/schemas/rubric.py (3b0991c) of the Docent server.
_COLUMN_TYPES: dict[str, dict[str, ColumnType]] = {
    "agent_runs": {
        "collection_id": _COLLECTION_ID,
        "id": _ID,
        "name": _TEXT,
        "description": _TEXT,
        "metadata_json": ColumnType("JSONB", nullable=False),
        "created_at": ColumnType("DATETIME"),
    },
    "transcripts": {
        "collection_id": _COLLECTION_ID,
        "agent_run_id": _RUN_ID,
        "dict_key": ColumnType("TEXT", nullable=False),
        "id": _ID,
        "name": _TEXT,
        "description": _TEXT,
        "transcript_group_id": _GROUP_ID,
        # LargeBinary (bytea): the server never looks inside these for JSON paths.
        "messages": ColumnType("BLOB", nullable=False),
        "metadata_json": ColumnType("BLOB", nullable=False),
        "created_at": ColumnType("DATETIME", nullable=False),
    },
    "transcript_groups": {
        "id": _ID,
        "collection_id": _COLLECTION_ID,
        "agent_run_id": _RUN_ID,
        "name": _TEXT,
        "description": _TEXT,
        "parent_transcript_group_id": _GROUP_ID,
        "metadata_json": ColumnType("JSONB", nullable=False),
        "created_at": ColumnType("DATETIME", nullable=False),
    },
    "judge_results": {
        "id": _ID,
        "agent_run_id": _RUN_ID,
        # (rubric_id, rubric_version) is one composite key into rubrics (id, version).
        "rubric_id": ColumnType("VARCHAR(36)", nullable=False, references=(("rubrics", "id"),)),
        "rubric_version": ColumnType(
            "INTEGER", nullable=False, references=(("rubrics", "version"),)
        ),
        "output": ColumnType("JSONB", nullable=False),
        "result_metadata": ColumnType("JSONB"),
        # Enum(ResultType): VARCHAR sized to its longest value, DIRECT_RESULT.
        "result_type": ColumnType("VARCHAR(13)", nullable=False),
        "value": _TEXT,
    },
}


def column_type(table: str, column: str) -> ColumnType | None:
    """The server's type facts for a registry column, or None when they are not known."""
    return _COLUMN_TYPES.get(table, {}).get(column)


def json_columns() -> list[tuple[str, str]]:
    """(table, column) of every JSONB column in the registry: where JSON paths are discovered.

    These are agent_runs.metadata_json, transcript_groups.metadata_json and judge_results.output
    and result_metadata; transcripts.metadata_json is bytea and is left out, as on the server.
    """
    return [
        (spec.name, column)
        for spec in TABLES.values()
        for column in spec.columns
        if (kind := column_type(spec.name, column)) is not None and kind.data_type == "JSONB"
    ]


def _column_json(
    name: str, kind: ColumnType | None, alias_for: str | None = None
) -> dict[str, Any]:
    # An alias reports its target's type, nullability and keys but is never a primary key.
    column = alias_for or name
    return {
        "name": name,
        "data_type": kind.data_type if kind else None,
        "nullable": kind.nullable if kind else True,
        "is_primary_key": bool(kind and kind.primary_key) and alias_for is None,
        "foreign_keys": [
            {"column": column, "target_table": target, "target_column": target_column}
            for target, target_column in (kind.references if kind else ())
        ],
        "alias_for": alias_for,
    }


def _pseudo_column_json(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "data_type": PSEUDO_COLUMN_TYPE,
        "nullable": True,
        "is_primary_key": False,
        "foreign_keys": [],
        "alias_for": None,
    }


@dataclass(frozen=True)
class DQLSchema:
    """What DQL can read in one collection: the registry's tables and the JSON paths found."""

    json_fields: Mapping[tuple[str, str], Sequence[MetadataField]]
    """Paths per (table, JSONB column), most common first (see `discover_fields`)."""

    @property
    def metadata_fields(self) -> Sequence[MetadataField]:
        """The paths found in agent_runs.metadata_json, most common first."""
        return self.json_fields.get(("agent_runs", "metadata_json"), ())

    def pseudo_columns(self, table: str) -> list[str]:
        """The table's discovered paths as DQL column names: `metadata_json->'a'->'b'`."""
        spec = TABLES[table]
        return [
            pseudo_column_name(column, field.path)
            for column in spec.columns
            for field in self.json_fields.get((table, column), ())
        ]

    def to_json(self) -> dict[str, Any]:
        """The `GET /dql/{cid}/schema` response body (docent-api.md §A.7.6).

        Tables and each table's columns are sorted by name; column aliases (agent_runs.metadata)
        come with `alias_for`. Pseudo-column names keep the keys' case: the server lowercases
        them, which would make a name read a different key. The local engine holds no rubrics,
        so `rubrics` is empty.
        """
        tables = []
        for table in sorted(TABLES):
            spec = TABLES[table]
            columns = [_column_json(name, column_type(table, name)) for name in spec.columns]
            columns += [
                _column_json(alias, column_type(table, target), alias_for=target)
                for alias, target in spec.column_aliases.items()
            ]
            columns += [_pseudo_column_json(name) for name in self.pseudo_columns(table)]
            columns.sort(key=lambda column: str(column["name"]))
            tables.append({"name": table, "aliases": [], "columns": columns})
        return {"tables": tables, "rubrics": []}


def build_schema(samples: Mapping[tuple[str, str], Iterable[Any]]) -> DQLSchema:
    """The schema, from up to JSON_SAMPLE_ROWS parsed documents per `json_columns()` entry."""
    return DQLSchema(
        {
            (table, column): tuple(discover_fields(samples.get((table, column), ())))
            for table, column in json_columns()
        }
    )


# --------------------------------------------------------------------------- a server's schema

_SERVER_KINDS = {"float": "number", "int": "number", "str": "str", "bool": "bool"}


def parse_pseudo_column(name: str) -> tuple[str, tuple[str, ...]] | None:
    """`metadata_json->'a'->'b'` → ("metadata_json", ("a", "b")); None for anything else."""
    column, arrow, rest = name.partition("->")
    if not arrow or not column.isidentifier():
        return None
    path: list[str] = []
    text = "->" + rest
    while text:
        if not text.startswith("->'"):
            return None
        key: list[str] = []
        index = 3
        while True:
            end = text.find("'", index)
            if end < 0:
                return None
            key.append(text[index:end])
            if text.startswith("''", end):
                key.append("'")
                index = end + 2
                continue
            break
        path.append("".join(key))
        text = text[end + 1 :]
    return column, tuple(path)


def schema_from_server(schema: Any, metadata_fields: Any = None) -> DQLSchema:
    """A DQLSchema from `GET /dql/{cid}/schema`, with field kinds from the metadata-fields answer.

    The schema lists paths but not their types; `agent_run_metadata_fields` names scalar paths
    (`metadata.a.b`) with their type, so a path it does not list holds no scalar. Without that
    answer every path counts as a string. The server gives no counts: `runs` is 0 and the
    server's order (by name) stands.
    """
    kinds: dict[str, str] | None = None
    if isinstance(metadata_fields, dict) and isinstance(metadata_fields.get("fields"), list):
        kinds = {}
        for field in metadata_fields["fields"]:
            if isinstance(field, dict) and isinstance(field.get("name"), str):
                name = field["name"].removeprefix("metadata.")
                kinds[name] = _SERVER_KINDS.get(str(field.get("type")), "str")
    found: dict[tuple[str, str], list[MetadataField]] = {key: [] for key in json_columns()}
    tables = schema.get("tables") if isinstance(schema, dict) else None
    for table in tables if isinstance(tables, list) else []:
        if not isinstance(table, dict) or not isinstance(table.get("columns"), list):
            continue
        for entry in table["columns"]:
            name = entry.get("name") if isinstance(entry, dict) else None
            parsed = parse_pseudo_column(name) if isinstance(name, str) else None
            if parsed is None or (str(table.get("name")), parsed[0]) not in found:
                continue
            column, path = parsed
            if (
                table.get("name") == "agent_runs"
                and column == "metadata_json"
                and kinds is not None
            ):
                kind = kinds.get(".".join(path), "object")
            else:
                kind = "str"
            found[(str(table["name"]), column)].append(MetadataField(path, kind, 0))
    return DQLSchema({key: tuple(fields) for key, fields in found.items()})
