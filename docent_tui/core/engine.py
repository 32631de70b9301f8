"""The embedded local DQL engine: Docent's tables in DuckDB, queried with server-checked DQL."""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
from pydantic_core import to_jsonable_python

from docent_tui.core.dql import (
    PHYSICAL_SCHEMA,
    TABLES,
    DQLError,
    QueryCancelled,
    validate_dql,
    validate_where_clause,
    wrap_where,
)
from docent_tui.core.json_fields import top_level_fields
from docent_tui.core.lookup_slots import NESTED, SLOT_COUNT, TEXTS, LookupSlots, slot_column
from docent_tui.core.pg_macros import (
    FIELD_KEYS,
    FIELD_NESTED,
    FIELD_OBJECTS,
    FIELD_TEXTS,
    MACROS,
)
from docent_tui.core.pg_numeric import NumericError
from docent_tui.core.schema import (
    JSON_SAMPLE_ROWS,
    DQLSchema,
    build_schema,
    json_columns,
    jsonb_text,
    plain_number,
    valid_utf8,
)
from docent_tui.core.scratch import new_scratch_database, remove_database
from docent_tui.core.translate import ORDINAL_COLUMN, Translation, translate

__all__ = [
    "DQLError",
    "DQLResult",
    "LocalEngine",
    "QueryCancelled",
]

# How much memory an on-disk engine may use (DuckDB's buffer pool); a run's transcripts can
# take up to about 40 % of it.
DISK_MEMORY_LIMIT = "128MB"
MEMORY_VARIABLE = "DOCENT_TUI_MEMORY"
"""The environment variable that sets another memory budget for the on-disk engine."""
_MEMORY_SIZE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*([KMGT])(i?)B", re.IGNORECASE)
_MIN_MEMORY = 64_000_000
"""Bytes below which loading fails: a batch of runs and DuckDB's own needs must fit."""
_BATCH_RUNS = 1_000
_BATCH_BYTES = 16 * 1024 * 1024
_CANCEL_WAIT_S = 2.0
_CHECKPOINT_TRIES_S = 5.0
_CHECKPOINT_RETRY_S = 0.05

_S = PHYSICAL_SCHEMA
# A parameter compared bytewise: the en-US collation would make id lookups scan slowly.
_EQ = '(? COLLATE "binary")'
_AR = TABLES["agent_runs"].ordinal
_TR = TABLES["transcripts"].ordinal
_TG = TABLES["transcript_groups"].ordinal
_JR = TABLES["judge_results"].ordinal
_SLOT_COLUMNS = ", ".join(f"{slot_column(slot)} VARCHAR" for slot in range(SLOT_COUNT))

_DDL = [
    f"CREATE SCHEMA IF NOT EXISTS {_S}",
    f"CREATE TABLE IF NOT EXISTS {_S}.collections (id VARCHAR PRIMARY KEY, name VARCHAR)",
    f"""CREATE TABLE IF NOT EXISTS {_S}.agent_runs (
        collection_id VARCHAR NOT NULL, id VARCHAR NOT NULL, name VARCHAR, description VARCHAR,
        metadata_json JSON NOT NULL, created_at TIMESTAMP, {_AR} BIGINT NOT NULL,
        {FIELD_KEYS} VARCHAR[], {FIELD_TEXTS} MAP(VARCHAR, VARCHAR),
        {FIELD_OBJECTS} MAP(VARCHAR, VARCHAR), {FIELD_NESTED} MAP(VARCHAR, VARCHAR),
        {_SLOT_COLUMNS})""",
    # Which map entry each slot column of a collection's runs holds (see lookup_slots).
    f"""CREATE TABLE IF NOT EXISTS {_S}.lookup_slots (
        collection_id VARCHAR NOT NULL, map VARCHAR NOT NULL, key VARCHAR NOT NULL,
        slot INTEGER NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {_S}.transcripts (
        collection_id VARCHAR NOT NULL, agent_run_id VARCHAR NOT NULL, dict_key VARCHAR NOT NULL,
        id VARCHAR NOT NULL, name VARCHAR, description VARCHAR, transcript_group_id VARCHAR,
        messages BLOB NOT NULL, metadata_json BLOB NOT NULL, created_at TIMESTAMP,
        {_TR} BIGINT NOT NULL)""",
    f"""CREATE TABLE IF NOT EXISTS {_S}.transcript_groups (
        id VARCHAR NOT NULL, collection_id VARCHAR NOT NULL, agent_run_id VARCHAR, name VARCHAR,
        description VARCHAR, parent_transcript_group_id VARCHAR, metadata_json JSON NOT NULL,
        created_at TIMESTAMP, {_TG} BIGINT NOT NULL)""",
    # Judge results come from add_judge_results; collection_id is hidden from DQL (not in TABLES).
    f"""CREATE TABLE IF NOT EXISTS {_S}.judge_results (
        collection_id VARCHAR NOT NULL, id VARCHAR NOT NULL, agent_run_id VARCHAR NOT NULL,
        rubric_id VARCHAR, rubric_version INTEGER, output JSON, result_metadata JSON,
        result_type VARCHAR, value VARCHAR, {_JR} BIGINT NOT NULL)""",
]

# Settings every connection (cursor) inherits, then locked so no query can change them.
_SETTINGS = [
    "SET GLOBAL TimeZone = 'UTC'",
    "SET GLOBAL default_null_order = 'nulls_last_on_asc_first_on_desc'",
    "SET GLOBAL integer_division = true",
    # Docent's database sorts and compares text with en_US collation (ICU's en-US order).
    "SET GLOBAL default_collation = 'en_us'",
    # Memory freed by a query goes back to the system at once, not kept for the next query.
    "SET GLOBAL allocator_flush_threshold = '0MB'",
    # Loaded runs are written out once, by `compact`, not again at every 16 MB of log.
    "SET GLOBAL checkpoint_threshold = '1GB'",
    "SET GLOBAL autoinstall_known_extensions = false",
    "SET GLOBAL autoload_known_extensions = false",
    "SET GLOBAL allow_community_extensions = false",
    "SET GLOBAL enable_external_access = false",
    "SET GLOBAL lock_configuration = true",
]


@dataclass(frozen=True)
class DQLResult:
    """One executed DQL query, shaped like the server's execute response (§C.1)."""

    columns: list[str]
    rows: list[list[Any]]
    truncated: bool
    row_count: int
    requested_limit: int | None
    applied_limit: int
    execution_time_ms: float

    @classmethod
    def from_json(cls, body: Any) -> DQLResult:
        """Read a server's execute response; ValueError when it is not one."""
        if not isinstance(body, dict):
            raise ValueError("the DQL answer is not a JSON object")
        columns, rows = body.get("columns"), body.get("rows")
        if not isinstance(columns, list) or not isinstance(rows, list):
            raise ValueError("the DQL answer has no columns and rows")
        if not all(isinstance(row, list) for row in rows):
            raise ValueError("the DQL answer has a row that is not a list")
        requested = body.get("requested_limit")
        applied = body.get("applied_limit")
        elapsed = body.get("execution_time_ms")
        return cls(
            columns=[str(column) for column in columns],
            rows=rows,
            truncated=bool(body.get("truncated", False)),
            row_count=len(rows),
            requested_limit=requested if isinstance(requested, int) else None,
            applied_limit=applied if isinstance(applied, int) else len(rows),
            execution_time_ms=float(elapsed) if isinstance(elapsed, int | float) else 0.0,
        )

    def to_json(self) -> dict[str, Any]:
        """The execute-response object (without the optional selected_columns/link_hints)."""
        return {
            "columns": list(self.columns),
            "rows": [list(row) for row in self.rows],
            "truncated": self.truncated,
            "row_count": self.row_count,
            "execution_time_ms": self.execution_time_ms,
            "requested_limit": self.requested_limit,
            "applied_limit": self.applied_limit,
        }


SkipCallback = Callable[[str, str], None]


def _ignore_skip(_run: str, _reason: str) -> None:
    """The default `on_skip`: skipped runs are only counted."""


def _run_label(run: Any, position: int) -> str:
    """The run's id when it has a usable one, else its position in the input."""
    run_id = run.get("id") if isinstance(run, dict) else None
    return run_id if isinstance(run_id, str) and run_id else f"run {position}"


def memory_budget(environ: Mapping[str, str] = os.environ) -> str:
    """The on-disk engine's memory budget: $DOCENT_TUI_MEMORY when set, else the default.

    Raises ValueError for a value DuckDB would not read as a size.
    """
    value = environ.get(MEMORY_VARIABLE, "").strip()
    if not value:
        return DISK_MEMORY_LIMIT
    size = _MEMORY_SIZE.fullmatch(value)
    if not size:
        raise ValueError(f"{MEMORY_VARIABLE}={value!r} is not a size such as 512MB")
    number, unit, binary = size.groups()
    scale = (1024 if binary else 1000) ** ("KMGT".index(unit.upper()) + 1)
    if float(number) * scale < _MIN_MEMORY:
        raise ValueError(f"{MEMORY_VARIABLE}={value!r} is below the 64MB the local engine needs")
    return value


def _too_large(size: int, budget: str | None) -> str:
    """Why a run that alone exhausts the engine's memory was not stored, and what to do."""
    megabytes = max(1, round(size / 1e6))
    room = f"the local engine's {budget} memory budget" if budget else "the local engine's memory"
    advice = -(-megabytes * 3 // 100) * 100  # three times the run, in whole hundreds of MB
    return (
        f"too large for {room} (its transcripts take {megabytes} MB): "
        f"open it again with {MEMORY_VARIABLE}={advice}MB"
    )


def _reason(error: BaseException) -> str:
    """An exception as one short line, without DuckDB's multi-line context."""
    text = str(error).strip().splitlines()
    first = text[0] if text else type(error).__name__
    return first if len(first) <= 200 else first[:199] + "…"


@dataclass
class _Ticket:
    """A query running on a channel, so a newer query can interrupt it."""

    cursor: duckdb.DuckDBPyConnection
    cancelled: bool = False
    finished: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


@dataclass
class _CollectionState:
    """Per-collection loading state: next insertion ordinals and the run ids already held."""

    run_ids: set[str]
    next_run: int = 0
    next_transcript: int = 0
    next_group: int = 0
    skipped: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    spilled: frozenset[str] = frozenset()
    """Top-level metadata keys some run's hidden value columns lack (replaced, never mutated)."""
    slots: LookupSlots = field(default_factory=LookupSlots)
    seen_keys: set[tuple[str, str]] = field(default_factory=set)
    """Every (map, key) some inserted run's hidden maps hold (see lookup_slots)."""


@dataclass
class _Batch:
    """Column-wise rows waiting to be inserted."""

    runs: list[list[Any]] = field(default_factory=lambda: [[] for _ in range(10)])
    transcripts: list[list[Any]] = field(default_factory=lambda: [[] for _ in range(10)])
    groups: list[list[Any]] = field(default_factory=lambda: [[] for _ in range(8)])
    size: int = 0
    sizes: list[int] = field(default_factory=list)
    """Each run's bytes, to say how big a run too large to store was."""
    count: int = 0
    text_keys: Counter[str] = field(default_factory=Counter)
    nested_keys: Counter[str] = field(default_factory=Counter)

    def add(self, prepared: _PreparedRun, state: _CollectionState) -> None:
        """Append a run's rows, numbering them in insertion order."""
        self.text_keys.update(prepared.text_keys)
        self.nested_keys.update(prepared.nested_keys)
        values = (*prepared.run[:5], state.next_run, *prepared.run[5:])
        for column, value in zip(self.runs, values, strict=True):
            column.append(value)
        state.next_run += 1
        for row in prepared.transcripts:
            values = (*row, state.next_transcript)
            for column, value in zip(self.transcripts, values, strict=True):
                column.append(value)
            state.next_transcript += 1
        for row in prepared.groups:
            for column, value in zip(self.groups, (*row, state.next_group), strict=True):
                column.append(value)
            state.next_group += 1
        self.size += prepared.size
        self.sizes.append(prepared.size)
        self.count += 1

    def full(self) -> bool:
        return self.count >= _BATCH_RUNS or self.size >= _BATCH_BYTES


@dataclass(frozen=True)
class _PreparedRun:
    run: tuple[Any, ...]
    transcripts: list[tuple[Any, ...]]
    groups: list[tuple[Any, ...]]
    size: int
    spilled: set[str] = field(default_factory=set)
    text_keys: list[str] = field(default_factory=list)
    nested_keys: list[str] = field(default_factory=list)


def _text(value: Any) -> str | None:
    return valid_utf8(value) if isinstance(value, str) else None


def _timestamp(value: Any) -> datetime | None:
    """A naive UTC datetime from an ISO string or datetime; anything unreadable is None."""
    parsed: datetime
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    if parsed.tzinfo is not None:
        return parsed.astimezone(UTC).replace(tzinfo=None)
    return parsed


# The server stores transcripts as json.dumps(...) bytes: ASCII-escaped, ", " separators.
_BLOB_ENCODER = json.JSONEncoder(default=lambda v: to_jsonable_python(v, fallback=str))


def _dumps(value: Any) -> str:
    return _BLOB_ENCODER.encode(value)


def _as_list(value: Any) -> list[tuple[str | None, Any]]:
    """Items of a list, or of a legacy {key: item} dict, with their dict keys."""
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [(None, v) for v in value]
    return []


def _prepare_run(run: Any, collection_id: str) -> _PreparedRun:
    """Rows for one RunRecord; raises ValueError when the record has no usable id."""
    if not isinstance(run, dict) or not isinstance(run.get("id"), str) or not run["id"]:
        raise ValueError("run has no string id")
    run_id = valid_utf8(run["id"])
    metadata = run.get("metadata")
    metadata_text, fields = top_level_fields(metadata if isinstance(metadata, dict) else {})
    size = len(metadata_text)
    transcripts: list[tuple[Any, ...]] = []
    for index, (key, transcript) in enumerate(_as_list(run.get("transcripts"))):
        if not isinstance(transcript, dict):
            continue
        tid = _text(transcript.get("id"))
        if not tid:
            tid = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{collection_id}/{run_id}/{index}"))
        messages = transcript.get("messages")
        blob = _dumps(messages if isinstance(messages, list) else []).encode("utf-8")
        tmeta = transcript.get("metadata")
        meta_blob = _dumps(tmeta if isinstance(tmeta, dict) else {}).encode("utf-8")
        size += len(blob) + len(meta_blob)
        transcripts.append(
            (
                run_id,
                valid_utf8(key) if key is not None else tid,
                tid,
                _text(transcript.get("name")),
                _text(transcript.get("description")),
                _text(transcript.get("transcript_group_id")),
                blob,
                meta_blob,
                _timestamp(transcript.get("created_at")),
            )
        )
    groups: list[tuple[Any, ...]] = []
    for _key, group in _as_list(run.get("transcript_groups")):
        if not isinstance(group, dict) or not isinstance(group.get("id"), str):
            continue
        gmeta = group.get("metadata")
        groups.append(
            (
                valid_utf8(group["id"]),
                run_id,  # the server files a group under the run it was uploaded with
                _text(group.get("name")),
                _text(group.get("description")),
                _text(group.get("parent_transcript_group_id")),
                jsonb_text(gmeta if isinstance(gmeta, dict) else {}),
                _timestamp(group.get("created_at")),
            )
        )
    row = (
        run_id,
        _text(run.get("name")),
        _text(run.get("description")),
        metadata_text,
        _timestamp(run.get("created_at")),
        *fields.as_json(),
    )
    return _PreparedRun(
        row, transcripts, groups, size, fields.spilled(), fields.text_keys, fields.nested_keys
    )


_PG_TYPES = {
    "DOUBLE": "double precision",
    "FLOAT": "real",
    "INT16": "smallint",
    "INT32": "integer",
    "INT64": "bigint",
    "BOOL": "boolean",
    "DECIMAL": "numeric",
}
_CONVERSION = re.compile(r"Could not convert string (['\"])(.*)\1 to ([A-Z0-9]+)", re.DOTALL)


_PG_MESSAGE = re.compile(r"\[pg\] (.*?) \[/pg\]", re.DOTALL)


def _out_of_memory(message: str) -> bool:
    """Whether DuckDB failed for want of memory (its commits say so in other words)."""
    return any(sign in message for sign in _OUT_OF_MEMORY)


_OUT_OF_MEMORY = ("Out of Memory Error", "could not allocate block", "failed to pin block")


def _clean_error(message: str) -> str:
    """DuckDB's message in PostgreSQL's words where they are common, without internal SQL."""
    ours = _PG_MESSAGE.search(message)
    if ours:
        return ours.group(1)
    if _out_of_memory(message):
        return (
            "The local engine ran out of memory for this query: narrow it with a WHERE clause "
            "or a LIMIT, or select fewer or smaller columns."
        )
    if "clause cannot contain aggregates" in message:
        clause = message.split(" clause cannot", 1)[0].rsplit(" ", 1)[-1]
        return f"aggregate functions are not allowed in {clause}"
    if "Division by zero" in message:
        return "division by zero"
    if "Malformed JSON" in message:
        return "invalid input syntax for type json"
    conversion = _CONVERSION.search(message)
    if conversion and conversion.group(3) in _PG_TYPES:
        kind = _PG_TYPES[conversion.group(3)]
        return f'invalid input syntax for type {kind}: "{conversion.group(2)}"'
    message = message.split("\n\nLINE ", 1)[0].split("\nLINE ", 1)[0]
    lines = [line for line in message.splitlines() if "__docent" not in line]
    return "\n".join(lines).strip() or "Failed to execute query."


class LocalEngine:
    """Docent's DQL tables held in DuckDB, one connection shared by worker threads."""

    def __init__(
        self,
        database: str = ":memory:",
        *,
        memory_limit: str | None = None,
        remove_on_close: bool = False,
    ) -> None:
        self._con = duckdb.connect(database)
        self._database = database
        self._memory_limit = memory_limit
        self._remove_on_close = remove_on_close
        self._lock = threading.Lock()
        self._channels: dict[str, _Ticket] = {}
        self._channel_generations: dict[str, int] = {}
        self._tickets: dict[int, _Ticket] = {}
        self._collections: dict[str, _CollectionState] = {}
        # Introspected schemas by (collection, sample), with the data version they describe.
        self._schemas: dict[tuple[str, int], tuple[int, DQLSchema]] = {}
        self._data_versions: dict[str, int] = {}
        self._closed = False
        self._abandoned = False
        locked = self._con.execute("SELECT current_setting('lock_configuration')").fetchone()
        if database == ":memory:":
            # Nothing spills into a stray .tmp folder in the user's working directory.
            self._con.execute("SET GLOBAL temp_directory = ''")
        for statement in [*_DDL, *MACROS]:
            self._con.execute(statement)
        # A second engine on an already open database file finds the settings made and locked.
        if not (locked and locked[0]):
            if memory_limit is not None:
                self._con.execute("SET GLOBAL memory_limit = ?", [memory_limit])
            for statement in _SETTINGS:
                self._con.execute(statement)

    @classmethod
    def on_disk(cls, memory_limit: str | None = None) -> LocalEngine:
        """An engine whose tables live in a private scratch file, removed again by `close`.

        DuckDB then keeps at most `memory_limit` (by default `memory_budget()`) of them in
        memory, so 100,000 runs cost disk rather than RAM. Without a writable cache directory it
        falls back to memory.
        """
        memory_limit = memory_limit or memory_budget()
        try:
            path = new_scratch_database()
            engine = cls(str(path), memory_limit=memory_limit, remove_on_close=True)
        except (OSError, duckdb.Error):
            return cls()
        with contextlib.suppress(OSError):
            path.chmod(0o600)
        return engine

    # ------------------------------------------------------------------ plumbing

    def _cursor(self) -> duckdb.DuckDBPyConnection:
        with self._lock:
            if self._closed:
                raise DQLError("The local engine is closed.")
            return self._con.cursor()

    def _state(self, cursor: duckdb.DuckDBPyConnection, collection_id: str) -> _CollectionState:
        with self._lock:
            state = self._collections.get(collection_id)
        if state is not None:
            return state
        rows = cursor.execute(
            f"SELECT id, {_AR} FROM {_S}.agent_runs WHERE collection_id = {_EQ}", [collection_id]
        ).fetchall()
        fresh = _CollectionState(
            run_ids={str(r[0]) for r in rows},
            next_run=max((int(r[1]) for r in rows), default=-1) + 1,
        )
        spilled = cursor.execute(
            f"""SELECT DISTINCT key FROM (
                SELECT unnest({FIELD_KEYS}) AS key, {FIELD_TEXTS} AS s, {FIELD_OBJECTS} AS o
                FROM {_S}.agent_runs WHERE collection_id = {_EQ})
            WHERE NOT map_contains(s, key) AND NOT map_contains(o, key)""",
            [collection_id],
        ).fetchall()
        fresh.spilled = frozenset(str(r[0]) for r in spilled)
        slots = cursor.execute(
            f"SELECT map, key, slot FROM {_S}.lookup_slots WHERE collection_id = {_EQ} "
            "ORDER BY slot",
            [collection_id],
        ).fetchall()
        fresh.slots = LookupSlots(tuple((str(m), str(k), int(n)) for m, k, n in slots))
        for name, column in ((TEXTS, FIELD_TEXTS), (NESTED, FIELD_NESTED)):
            keys = cursor.execute(
                f"SELECT DISTINCT unnest(map_keys({column})) FROM {_S}.agent_runs "
                f"WHERE collection_id = {_EQ}",
                [collection_id],
            ).fetchall()
            fresh.seen_keys.update((name, str(row[0])) for row in keys)
        for table, ordinal in (("transcripts", _TR), ("transcript_groups", _TG)):
            found = cursor.execute(
                f"SELECT coalesce(max({ordinal}) + 1, 0) FROM {_S}.{table} "
                f"WHERE collection_id = {_EQ}",
                [collection_id],
            ).fetchone()
            start = int(found[0]) if found else 0
            if table == "transcripts":
                fresh.next_transcript = start
            else:
                fresh.next_group = start
        with self._lock:
            return self._collections.setdefault(collection_id, fresh)

    # ------------------------------------------------------------------ loading

    def add_collection(
        self,
        collection_id: str,
        name: str,
        runs: Iterable[dict[str, Any]],
        on_progress: Callable[[int], None] | None = None,
        on_skip: SkipCallback | None = None,
    ) -> int:
        """Append runs to a collection (created if new); returns how many runs were inserted.

        Runs without a string id, runs whose id the collection already holds, and runs that
        cannot be stored are skipped: counted in `skipped_runs` and reported to `on_skip` with
        the run's id (or position) and the reason. Runs become visible batch by batch.
        """
        cursor = self._cursor()
        try:
            cursor.execute(
                f"INSERT INTO {_S}.collections VALUES (?, ?) "
                "ON CONFLICT (id) DO UPDATE SET name = excluded.name",
                [collection_id, name],
            )
            state = self._state(cursor, collection_id)
            with state.lock:
                skip = on_skip or _ignore_skip
                return self._load(cursor, collection_id, state, runs, on_progress, skip)
        finally:
            cursor.close()

    def _load(
        self,
        cursor: duckdb.DuckDBPyConnection,
        collection_id: str,
        state: _CollectionState,
        runs: Iterable[dict[str, Any]],
        on_progress: Callable[[int], None] | None,
        on_skip: SkipCallback,
    ) -> int:
        inserted = 0
        batch = _Batch()

        def flush() -> None:
            nonlocal batch, inserted
            if self._closed:
                raise DQLError("The local engine is closed.")
            if self._abandoned:
                return
            if batch.count:
                self._give_slots(cursor, collection_id, state, batch)
                inserted += self._insert(cursor, collection_id, batch, state, on_skip)
                self._data_changed(collection_id)
                batch = _Batch()
                if on_progress is not None:
                    on_progress(inserted)

        try:
            for position, run in enumerate(runs):
                if self._abandoned:  # the app is quitting: stop now, not at the next batch
                    break
                try:
                    prepared = _prepare_run(run, collection_id)
                except Exception as error:  # one malformed run must not stop the load
                    state.skipped += 1
                    on_skip(_run_label(run, position), f"cannot be stored: {_reason(error)}")
                    continue
                if prepared.run[0] in state.run_ids:
                    state.skipped += 1
                    on_skip(prepared.run[0], "duplicate id: a run with this id is already loaded")
                    continue
                state.run_ids.add(prepared.run[0])
                if not prepared.spilled <= state.spilled:
                    # Before the run is visible, so no query trusts the hidden columns wrongly.
                    state.spilled = state.spilled | prepared.spilled
                batch.add(prepared, state)
                if batch.full():
                    flush()
        finally:
            flush()
        return inserted

    @staticmethod
    def _give_slots(
        cursor: duckdb.DuckDBPyConnection,
        collection_id: str,
        state: _CollectionState,
        batch: _Batch,
    ) -> None:
        """Slot columns for the batch's new map keys, recorded before any of its runs exist."""
        if state.slots.full:
            return
        seen = state.seen_keys
        slots = state.slots.adding(TEXTS, batch.text_keys, batch.count, seen)
        slots = slots.adding(NESTED, batch.nested_keys, batch.count, seen)
        added = slots.entries[len(state.slots.entries) :]
        if not added:
            return
        cursor.executemany(
            f"INSERT INTO {_S}.lookup_slots VALUES (?, ?, ?, ?)",
            [[collection_id, name, key, slot] for name, key, slot in added],
        )
        state.slots = slots

    def _insert(
        self,
        cursor: duckdb.DuckDBPyConnection,
        collection_id: str,
        batch: _Batch,
        state: _CollectionState,
        on_skip: SkipCallback,
    ) -> int:
        """Insert one batch in a transaction; on failure retry run by run, dropping bad ones."""
        try:
            cursor.begin()
            self._insert_columns(cursor, collection_id, batch, state.slots)
            cursor.commit()
            return batch.count
        except (duckdb.Error, UnicodeError, ValueError) as error:
            with contextlib.suppress(duckdb.Error):
                cursor.rollback()
            failure = error
        if batch.count == 1:
            state.skipped += 1
            state.run_ids.discard(batch.runs[0][0])
            if _out_of_memory(str(failure)):
                reason = _too_large(batch.size, self._memory_limit)
            else:
                reason = _reason(failure)
            on_skip(batch.runs[0][0], f"cannot be stored: {reason}")
            return 0
        inserted = 0
        for index in range(batch.count):
            single = _single(batch, index)
            inserted += self._insert(cursor, collection_id, single, state, on_skip)
        return inserted

    @staticmethod
    def _insert_columns(
        cursor: duckdb.DuckDBPyConnection,
        collection_id: str,
        batch: _Batch,
        slots: LookupSlots,
    ) -> None:
        # Each slot is filled from its map, so it holds exactly what the map lookup gives.
        maps = {TEXTS: "texts", NESTED: "nested"}
        slot_names = "".join(f", {slot_column(slot)}" for _, _, slot in slots.entries)
        slot_values = "".join(
            f", {maps[name]}[${12 + index}]" for index, (name, _, _) in enumerate(slots.entries)
        )
        cursor.execute(
            f"""INSERT INTO {_S}.agent_runs (collection_id, id, name, description, metadata_json,
                created_at, {_AR}, {FIELD_KEYS}, {FIELD_TEXTS}, {FIELD_OBJECTS},
                {FIELD_NESTED}{slot_names})
            SELECT collection_id, id, name, description, metadata_json, created_at, ordinal,
                keys, texts, objects, nested{slot_values}
            FROM (SELECT $1 AS collection_id, unnest($2) AS id, unnest($3) AS name,
                unnest($4) AS description, CAST(unnest($5) AS JSON) AS metadata_json,
                unnest($6) AS created_at, unnest($7) AS ordinal,
                CAST(CAST(unnest($8) AS JSON) AS VARCHAR[]) AS keys,
                CAST(CAST(unnest($9) AS JSON) AS MAP(VARCHAR, VARCHAR)) AS texts,
                CAST(CAST(unnest($10) AS JSON) AS MAP(VARCHAR, VARCHAR)) AS objects,
                CAST(CAST(unnest($11) AS JSON) AS MAP(VARCHAR, VARCHAR)) AS nested)""",
            [collection_id, *batch.runs, *(key for _, key, _ in slots.entries)],
        )
        if batch.transcripts[0]:
            cursor.execute(
                f"""INSERT INTO {_S}.transcripts SELECT $1, unnest($2), unnest($3), unnest($4),
                    unnest($5), unnest($6), unnest($7), unnest($8), unnest($9), unnest($10),
                    unnest($11)""",
                [collection_id, *batch.transcripts],
            )
        if batch.groups[0]:
            cursor.execute(
                f"""INSERT INTO {_S}.transcript_groups SELECT unnest($2), $1, unnest($3),
                    unnest($4), unnest($5), unnest($6), CAST(unnest($7) AS JSON), unnest($8),
                    unnest($9)""",
                [collection_id, *batch.groups],
            )

    def compact(self) -> None:
        """Write a file engine's tables out compressed after a load, so they stop holding memory
        and scan faster (call it from a worker: it may wait).

        DuckDB declines while another transaction runs (a query, another collection loading):
        it is asked again for a while, then left to do it in its own time.
        """
        if self._database == ":memory:":
            return
        deadline = time.monotonic() + _CHECKPOINT_TRIES_S
        try:
            cursor = self._cursor()
        except DQLError:
            return
        try:
            while not self._abandoned:
                try:
                    cursor.execute("CHECKPOINT")
                    return
                except duckdb.Error:
                    if time.monotonic() > deadline:
                        return
                    time.sleep(_CHECKPOINT_RETRY_S)
        finally:
            cursor.close()

    def abandon_loading(self) -> None:
        """Make loads in progress stop at the next run (and later ones insert nothing): the
        app is quitting, and its event loop waits for the loading threads to end."""
        self._abandoned = True

    def skipped_runs(self, collection_id: str) -> int:
        """Runs `add_collection` dropped for this collection (no id, duplicate id, bad data)."""
        with self._lock:
            state = self._collections.get(collection_id)
        return 0 if state is None else state.skipped

    def add_judge_results(self, collection_id: str, results: Iterable[dict[str, Any]]) -> int:
        """Append judge results (dicts with the judge_results columns); returns how many.

        Keys: id, agent_run_id, rubric_id, rubric_version, output (dict), result_metadata
        (dict or None), result_type, value. A result without a string id or run id is skipped.
        """
        rows: list[list[Any]] = [[] for _ in range(9)]
        for result in results:
            if not isinstance(result.get("id"), str) or not isinstance(
                result.get("agent_run_id"), str
            ):
                continue
            output, extra = result.get("output"), result.get("result_metadata")
            version = result.get("rubric_version")
            values = (
                valid_utf8(result["id"]),
                valid_utf8(result["agent_run_id"]),
                _text(result.get("rubric_id")),
                version if isinstance(version, int) else None,
                jsonb_text(output if isinstance(output, dict) else {}),
                None if extra is None else jsonb_text(extra),
                _text(result.get("result_type")),
                _text(result.get("value")),
            )
            for column, value in zip(rows, values, strict=False):
                column.append(value)
        if not rows[0]:
            return 0
        cursor = self._cursor()
        try:
            cursor.begin()
            found = cursor.execute(f"SELECT coalesce(max({_JR}) + 1, 0) FROM {_S}.judge_results")
            start = int((found.fetchone() or (0,))[0])
            rows[8] = list(range(start, start + len(rows[0])))
            cursor.execute(
                f"""INSERT INTO {_S}.judge_results SELECT $1, unnest($2), unnest($3), unnest($4),
                    unnest($5), CAST(unnest($6) AS JSON), CAST(unnest($7) AS JSON), unnest($8),
                    unnest($9), unnest($10)""",
                [collection_id, *rows],
            )
            cursor.commit()
        finally:
            cursor.close()
        self._data_changed(collection_id)
        return len(rows[0])

    def _data_changed(self, collection_id: str) -> None:
        with self._lock:
            self._data_versions[collection_id] = self._data_versions.get(collection_id, 0) + 1

    def run_count(self, collection_id: str) -> int:
        """How many runs the collection holds."""
        cursor = self._cursor()
        try:
            row = cursor.execute(
                f"SELECT count(*) FROM {_S}.agent_runs WHERE collection_id = {_EQ}", [collection_id]
            ).fetchone()
            return int(row[0]) if row else 0
        finally:
            cursor.close()

    # ------------------------------------------------------------------ reading runs

    def get_run(self, collection_id: str, run_id: str) -> dict[str, Any] | None:
        """The run as a RunRecord dict, transcripts and groups in stored order, or None."""
        cursor = self._cursor()
        try:
            run = cursor.execute(
                f"""SELECT id, name, description, CAST(metadata_json AS VARCHAR), created_at
                FROM {_S}.agent_runs WHERE collection_id = {_EQ} AND id = {_EQ} LIMIT 1""",
                [collection_id, run_id],
            ).fetchone()
            if run is None:
                return None
            transcripts = cursor.execute(
                f"""SELECT id, name, description, transcript_group_id, created_at, messages,
                       metadata_json
                FROM {_S}.transcripts WHERE collection_id = {_EQ} AND agent_run_id = {_EQ}
                ORDER BY {_TR}""",
                [collection_id, run_id],
            ).fetchall()
            groups = cursor.execute(
                f"""SELECT id, name, description, agent_run_id, parent_transcript_group_id,
                       created_at, CAST(metadata_json AS VARCHAR)
                FROM {_S}.transcript_groups WHERE collection_id = {_EQ} AND agent_run_id = {_EQ}
                ORDER BY {_TG}""",
                [collection_id, run_id],
            ).fetchall()
        finally:
            cursor.close()
        return {
            "id": run[0],
            "name": run[1],
            "description": run[2],
            "transcripts": [
                {
                    "id": t[0],
                    "name": t[1],
                    "description": t[2],
                    "transcript_group_id": t[3],
                    "created_at": _isoformat(t[4]) if t[4] is not None else None,
                    "messages": _loads(t[5], []),
                    "metadata": _loads(t[6], {}),
                }
                for t in transcripts
            ],
            "transcript_groups": [
                {
                    "id": g[0],
                    "name": g[1],
                    "description": g[2],
                    "agent_run_id": g[3],
                    "parent_transcript_group_id": g[4],
                    "created_at": _isoformat(g[5]) if g[5] is not None else None,
                    "metadata": _loads(g[6], {}),
                }
                for g in groups
            ],
            "metadata": _loads(run[3], {}),
            "created_at": _isoformat(run[4]) if run[4] is not None else None,
        }

    def introspect(self, collection_id: str, sample: int = JSON_SAMPLE_ROWS) -> DQLSchema:
        """The collection's DQL schema, its JSON paths found in the first `sample` non-null rows
        of each JSONB column (insertion order; the server reads 5000 rows in no stated order).

        The answer is kept until the collection's data changes: the run list and its summary
        ask for it on every filter.
        """
        key = (collection_id, sample)
        with self._lock:
            version = self._data_versions.get(collection_id, 0)
            known = self._schemas.get(key)
        if known is not None and known[0] == version:
            return known[1]
        schema = self._introspect(collection_id, sample)
        with self._lock:
            self._schemas[key] = (version, schema)
        return schema

    def _introspect(self, collection_id: str, sample: int) -> DQLSchema:
        cursor = self._cursor()
        try:
            samples = {
                (table, column): [
                    _loads(row[0], None)
                    for row in cursor.execute(
                        f"""SELECT CAST({column} AS VARCHAR) FROM {_S}.{table}
                        WHERE collection_id = {_EQ} AND {column} IS NOT NULL
                        ORDER BY {TABLES[table].ordinal} LIMIT ?""",
                        [collection_id, max(sample, 0)],
                    ).fetchall()
                ]
                for table, column in json_columns()
            }
        finally:
            cursor.close()
        return build_schema(samples)

    def schema(self, collection_id: str) -> dict[str, Any]:
        """The `GET /dql/{cid}/schema` response for the collection (docent-api.md §A.7.6)."""
        return self.introspect(collection_id).to_json()

    # ------------------------------------------------------------------ DQL

    def validate_where(self, where: str) -> None:
        """Check the WHERE box text; DQLError positions are relative to `where`."""
        validate_where_clause(where)

    def execute(
        self,
        collection_id: str,
        dql: str,
        *,
        max_rows: int | None = None,
        channel: str | None = None,
        generation: int | None = None,
    ) -> DQLResult:
        """Validate, scope and run a DQL query.

        Raises DQLError with the server's message, or QueryCancelled when a newer query on the
        same channel took over. With `generation`, "newer" means a higher generation: a caller
        still running the later steps of an older generation is refused instead of interrupting
        the newer one.
        """
        if max_rows is not None and max_rows <= 0:
            raise ValueError("max_rows must be a positive integer when provided")
        cursor = self._cursor()
        # The channel is claimed first: any newer call supersedes the older query, valid or not.
        ticket = self._claim(channel, cursor, generation)
        try:
            translation = self._translation(collection_id, dql, max_rows)
            types, rows, elapsed = self._fetch(ticket, translation)
        finally:
            self._release(channel, ticket)
        plan = translation.limit
        truncated = len(rows) == plan.fetch
        if truncated:
            rows = rows[:-1]
        return DQLResult(
            columns=list(translation.columns),
            rows=_convert_rows(
                *_numeric_columns(rows, types, translation), translation.text_columns
            ),
            truncated=truncated,
            row_count=len(rows),
            requested_limit=plan.requested,
            applied_limit=plan.applied,
            execution_time_ms=round(elapsed, 3),
        )

    def _claim(
        self, channel: str | None, cursor: duckdb.DuckDBPyConnection, generation: int | None
    ) -> _Ticket:
        ticket = _Ticket(cursor)
        previous: _Ticket | None = None
        with self._lock:
            if channel is not None and generation is not None:
                if generation < self._channel_generations.get(channel, generation):
                    cursor.close()
                    raise QueryCancelled(f"a newer query on {channel!r} took over")
                self._channel_generations[channel] = generation
            self._tickets[id(ticket)] = ticket
            if channel is not None:
                previous = self._channels.get(channel)
                self._channels[channel] = ticket
        if previous is not None:
            self._cancel(previous)
        return ticket

    @staticmethod
    def _cancel(ticket: _Ticket) -> None:
        """Interrupt a query until it notices; an interrupt sent before it starts is lost."""
        ticket.cancelled = True
        deadline = time.monotonic() + _CANCEL_WAIT_S
        while not ticket.finished.is_set() and time.monotonic() < deadline:
            with ticket.lock:
                if ticket.finished.is_set():
                    break
                try:
                    ticket.cursor.interrupt()
                except duckdb.Error:
                    break
            ticket.finished.wait(0.002)

    def _release(self, channel: str | None, ticket: _Ticket) -> None:
        with self._lock:
            self._tickets.pop(id(ticket), None)
            if channel is not None and self._channels.get(channel) is ticket:
                del self._channels[channel]
        with ticket.lock:
            ticket.finished.set()
            with contextlib.suppress(duckdb.Error):
                ticket.cursor.close()

    @staticmethod
    def _fetch(
        ticket: _Ticket, translation: Translation
    ) -> tuple[list[str], list[tuple[Any, ...]], float]:
        """Run the translated SQL: (DuckDB column types, rows, milliseconds)."""
        cursor = ticket.cursor
        started = time.perf_counter()
        with _answering(ticket):
            types = [str(t) for t in cursor.sql(translation.sql).types]
            rows = cursor.execute(_output_sql(translation.sql, types)).fetchall()
        return types, rows, (time.perf_counter() - started) * 1000.0

    def position(
        self,
        collection_id: str,
        where: str,
        run_id: str,
        *,
        channel: str | None = None,
        generation: int | None = None,
    ) -> int | None:
        """How many runs matching the WHERE box text `where` come before run `run_id` in
        insertion order (the run list's natural order); None when the run does not match.

        Channels and errors work as in `execute`.
        """
        dql = "SELECT agent_runs.id FROM agent_runs"
        if where.strip():
            dql += f" WHERE {wrap_where(where)}"
        cursor = self._cursor()
        ticket = self._claim(channel, cursor, generation)
        try:
            translation = self._translation(collection_id, dql, None, ordinal=True)
            sql = f"""SELECT count(*) FILTER (WHERE m.{ORDINAL_COLUMN} < t.ordinal),
                    count(*) FILTER (WHERE m.{ORDINAL_COLUMN} = t.ordinal)
                FROM ({translation.sql}) AS m, (SELECT {_AR} AS ordinal FROM {_S}.agent_runs
                    WHERE collection_id = {_EQ} AND id = {_EQ}) AS t"""
            with _answering(ticket):
                found = ticket.cursor.execute(sql, [collection_id, run_id]).fetchone()
        finally:
            self._release(channel, ticket)
        before, matches = found if found is not None else (0, 0)
        return int(before) if matches else None

    def _translation(
        self, collection_id: str, dql: str, max_rows: int | None, *, ordinal: bool = False
    ) -> Translation:
        """The remembered translation of `dql` for the collection's current hidden columns."""
        with self._lock:
            state = self._collections.get(collection_id)
        spilled = state.spilled if state is not None else None
        slots = state.slots if state is not None else None
        return _translated(dql, collection_id, max_rows, spilled, slots, ordinal)

    def close(self) -> None:
        """Interrupt running queries and close the database."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            running = list(self._tickets.values())
        for ticket in running:
            ticket.cancelled = True
            with ticket.lock:
                if not ticket.finished.is_set():
                    with contextlib.suppress(duckdb.Error):
                        ticket.cursor.interrupt()
        # A thread still inserting keeps the connection busy; its data is thrown away anyway.
        with contextlib.suppress(duckdb.Error):
            self._con.close()
        if self._remove_on_close:
            remove_database(Path(self._database))


@functools.lru_cache(maxsize=256)
def _translated(
    dql: str,
    collection_id: str,
    max_rows: int | None,
    spilled: frozenset[str] | None,
    slots: LookupSlots | None,
    ordinal: bool = False,
) -> Translation:
    """Validation and translation, remembered: the run list repeats its queries."""
    query, _shift = validate_dql(dql)
    return translate(query, collection_id, max_rows, spilled, slots, ordinal=ordinal)


@contextlib.contextmanager
def _answering(ticket: _Ticket) -> Iterator[None]:
    """Run a query of `ticket`: an interrupt or a newer query raises QueryCancelled, a failure
    DQLError with the message in PostgreSQL's words."""
    if ticket.cancelled:
        raise QueryCancelled()
    try:
        yield
    except duckdb.InterruptException:
        raise QueryCancelled() from None
    except duckdb.Error as exc:
        if ticket.cancelled:
            raise QueryCancelled() from None
        raise DQLError(_clean_error(str(exc))) from None
    except (ValueError, OverflowError, UnicodeError) as exc:  # Python could not hold a value
        raise DQLError(f"Failed to execute query: {exc}") from None
    if ticket.cancelled:
        raise QueryCancelled()


def _single(batch: _Batch, index: int) -> _Batch:
    """The index-th run of a batch as its own batch (for isolating a bad row)."""
    one = _Batch()
    run_id = batch.runs[0][index]
    for source, target in zip(batch.runs, one.runs, strict=True):
        target.append(source[index])
    for position, owner in enumerate(batch.transcripts[0]):
        if owner == run_id:
            for source, target in zip(batch.transcripts, one.transcripts, strict=True):
                target.append(source[position])
    for position, owner in enumerate(batch.groups[1]):
        if owner == run_id:
            for source, target in zip(batch.groups, one.groups, strict=True):
                target.append(source[position])
    one.count = 1
    one.size = batch.sizes[index]
    one.sizes = [one.size]
    return one


def _isoformat(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


def _loads(value: Any, default: Any) -> Any:
    if value is None:
        return default
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return default


_TZ_SCALARS = ("TIMESTAMP WITH TIME ZONE", "TIME WITH TIME ZONE")
_UTC_TEXT = (
    "CASE WHEN microsecond({c}) = 0 "
    "THEN strftime({c} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') "
    "ELSE strftime({c} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ') END"
)


def _output_sql(sql: str, types: list[str]) -> str:
    """Wrap the query so time-zone-aware values arrive as text (no pytz in Python)."""
    if not any("WITH TIME ZONE" in t for t in types):
        return sql
    projections = []
    for index, kind in enumerate(types):
        ref = f"#{index + 1}"
        if kind == "TIMESTAMP WITH TIME ZONE":
            projections.append(_UTC_TEXT.format(c=ref))
        elif kind == "TIME WITH TIME ZONE":
            projections.append(f"CAST({ref} AS VARCHAR)")
        elif "WITH TIME ZONE" in kind:
            projections.append(f"CAST(to_json({ref}) AS VARCHAR)")
        else:
            projections.append(ref)
    return f"SELECT {', '.join(projections)} FROM ({sql}) AS __docent_result"


def _jsonb_value_text(raw: str) -> str | None:
    """What PostgreSQL's `->>` prints for a JSON value given as JSON text."""
    first = raw[:1]
    if raw == "null":
        return None
    if first == '"':
        text = json.loads(raw)
        return text if isinstance(text, str) else raw
    if first in "{[":
        return jsonb_text(json.loads(raw))
    if first in "tf" or ("e" not in raw and "E" not in raw):
        return raw
    return plain_number(raw)


def _numeric_columns(
    rows: list[tuple[Any, ...]], types: list[str], translation: Translation
) -> tuple[list[tuple[Any, ...]], list[str]]:
    """Fill numeric output columns from their hidden leaf columns, then drop those."""
    visible = len(translation.columns)
    plans = translation.numeric_columns
    if not plans:
        return rows, types
    finished: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(row[:visible])
        for index, (start, plan) in plans.items():
            try:
                values[index] = plan.value(row[start : start + len(plan.leaves)])
            except NumericError as exc:
                raise DQLError(str(exc)) from None
        finished.append(tuple(values))
    kinds = list(types[:visible])
    for index in plans:
        kinds[index] = "NUMERIC_TEXT"
    return finished, kinds


def _convert_rows(
    rows: list[tuple[Any, ...]], types: list[str], text_columns: frozenset[int]
) -> list[list[Any]]:
    """Values as the server's JSON has them: JSON parsed, BLOB as text, Decimal as string."""
    json_columns = {
        i
        for i, t in enumerate(types)
        if i not in text_columns
        and (t == "JSON" or ("WITH TIME ZONE" in t and t not in _TZ_SCALARS))
    }
    blob = {i for i, t in enumerate(types) if t == "BLOB"}
    json_lists = {i for i, t in enumerate(types) if t == "JSON[]"}
    loose_decimal = {i for i, t in enumerate(types) if t == "DECIMAL(38,10)"}
    special = json_columns | blob | json_lists | loose_decimal | text_columns
    converted: list[list[Any]] = []
    for row in rows:
        values = list(row)
        if special:
            for index in special:
                value = values[index]
                if value is None:
                    continue
                if index in text_columns:
                    values[index] = _jsonb_value_text(str(value))
                elif index in json_columns:
                    values[index] = _loads(value, value)
                elif index in blob:
                    values[index] = bytes(value).decode("utf-8", errors="replace")
                elif index in json_lists:
                    values[index] = [_loads(v, v) if isinstance(v, str) else v for v in value]
                elif isinstance(value, Decimal):
                    values[index] = _trim_decimal(value)
        converted.append(values)
    result: list[list[Any]] = to_jsonable_python(converted, fallback=str)
    return result


def _trim_decimal(value: Decimal) -> str:
    """An unconstrained numeric without the padding zeros of DuckDB's fixed scale."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text
