"""Docent's DQL tables in PostgreSQL, and the server's execute pipeline, for differential tests.

Tables follow docent-api.md §C.7 (agent_runs.metadata_json JSONB, transcripts.messages and
metadata_json BYTEA, judge_results.result_type an enum). Execution follows §C.2/§C.3 on an
already validated query: the collection predicate is ANDed into the WHERE of every SELECT that
reads a registered table, the top-level LIMIT is overwritten by the §C.5 fetch limit, and values
are encoded with `pydantic_core.to_jsonable_python` as the server's response does. Literals stay
inline (no bind parameters), as conventions.md asks for the comparison.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic_core import to_jsonable_python
from sqlglot import exp
from sqlglot.optimizer.scope import build_scope

if TYPE_CHECKING:  # psycopg is a test extra: without it the differential tests skip
    import psycopg

CAP = 10_000
RESULT_TYPES = ("DIRECT_RESULT", "FAILURE", "NEAR_MISS")

DDL = [
    f"CREATE TYPE resulttype AS ENUM ({', '.join(repr(t) for t in RESULT_TYPES)})",
    "CREATE TABLE collections (id VARCHAR(36) PRIMARY KEY, name TEXT)",
    """CREATE TABLE agent_runs (
        id VARCHAR(36) PRIMARY KEY, collection_id VARCHAR(36) NOT NULL,
        name TEXT, description TEXT, metadata_json JSONB NOT NULL, created_at TIMESTAMP)""",
    """CREATE TABLE transcript_groups (
        id VARCHAR(36) PRIMARY KEY, collection_id VARCHAR(36) NOT NULL,
        agent_run_id VARCHAR(36) NOT NULL, name TEXT, description TEXT,
        parent_transcript_group_id VARCHAR(36), metadata_json JSONB NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE transcripts (
        id VARCHAR(36) PRIMARY KEY, collection_id VARCHAR(36) NOT NULL,
        agent_run_id VARCHAR(36) NOT NULL, dict_key TEXT NOT NULL, name TEXT, description TEXT,
        transcript_group_id VARCHAR(36), messages BYTEA NOT NULL, metadata_json BYTEA NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE judge_results (
        id VARCHAR(36) PRIMARY KEY, agent_run_id VARCHAR(36) NOT NULL,
        rubric_id VARCHAR(36) NOT NULL, rubric_version INTEGER NOT NULL, output JSONB NOT NULL,
        result_metadata JSONB, result_type resulttype NOT NULL, value TEXT)""",
]

# Tables scoped by their own collection_id column; judge_results is scoped through its run.
_DIRECT = {"agent_runs", "transcripts", "transcript_groups"}


def create_tables(conn: psycopg.Connection[Any]) -> None:
    for statement in DDL:
        conn.execute(statement)
    conn.commit()


def load_collection(
    conn: psycopg.Connection[Any], collection_id: str, runs: Iterable[dict[str, Any]]
) -> None:
    """Insert RunRecords as the server stores them (transcript bytes are `json.dumps` output)."""
    conn.execute("INSERT INTO collections VALUES (%s, %s)", [collection_id, collection_id])
    run_rows, transcript_rows, group_rows = [], [], []
    for run in runs:
        run_rows.append(
            (
                run["id"], collection_id, run.get("name"), run.get("description"),
                json.dumps(run.get("metadata") or {}), run.get("created_at"),
            )
        )  # fmt: skip
        for transcript in run.get("transcripts") or []:
            transcript_rows.append(
                (
                    transcript["id"], collection_id, run["id"], transcript["id"],
                    transcript.get("name"), transcript.get("description"),
                    transcript.get("transcript_group_id"),
                    json.dumps(transcript.get("messages") or []).encode("utf-8"),
                    json.dumps(transcript.get("metadata") or {}).encode("utf-8"),
                    transcript["created_at"],
                )
            )  # fmt: skip
        for group in run.get("transcript_groups") or []:
            group_rows.append(
                (
                    group["id"], collection_id, run["id"], group.get("name"),
                    group.get("description"), group.get("parent_transcript_group_id"),
                    json.dumps(group.get("metadata") or {}), group["created_at"],
                )
            )  # fmt: skip
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO agent_runs VALUES (%s, %s, %s, %s, %s::jsonb, %s)", run_rows
        )
        cursor.executemany(
            "INSERT INTO transcript_groups VALUES (%s, %s, %s, %s, %s, %s, %s::jsonb, %s)",
            group_rows,
        )
        cursor.executemany(
            "INSERT INTO transcripts VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            transcript_rows,
        )
    conn.commit()


def load_judge_results(conn: psycopg.Connection[Any], results: Iterable[dict[str, Any]]) -> None:
    rows = [
        (
            r["id"], r["agent_run_id"], r["rubric_id"], r["rubric_version"],
            json.dumps(r["output"]),
            None if r["result_metadata"] is None else json.dumps(r["result_metadata"]),
            r["result_type"], r["value"],
        )
        for r in results
    ]  # fmt: skip
    with conn.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO judge_results VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, %s)",
            rows,
        )
    conn.commit()


# --------------------------------------------------------------------------- the server pipeline


def _predicate(table: str, alias: str, collection_id: str) -> exp.Expression:
    cid = exp.Literal.string(collection_id)
    if table in _DIRECT:
        return exp.EQ(this=exp.column("collection_id", table=alias), expression=cid)
    runs = (
        exp.select(exp.Literal.string("1"))
        .from_("agent_runs")
        .where(
            exp.and_(
                exp.EQ(this=exp.column("collection_id", table="agent_runs"), expression=cid),
                exp.EQ(
                    this=exp.column("id", table="agent_runs"),
                    expression=exp.column("agent_run_id", table=alias),
                ),
            )
        )
    )
    return exp.Exists(this=runs)


def inject_collection(query: exp.Expression, collection_id: str) -> None:
    """AND the collection predicate into the WHERE of each SELECT that reads a registered table."""
    root = build_scope(query)
    if root is None:
        return
    for scope in root.traverse():
        select = scope.expression
        if not isinstance(select, exp.Select):
            continue
        for alias, source in list(scope.sources.items()):
            if isinstance(source, exp.Table) and source.name.lower() in (*_DIRECT, "judge_results"):
                select.where(_predicate(source.name.lower(), alias, collection_id), copy=False)


@dataclass(frozen=True)
class ServerLimit:
    requested: int | None
    applied: int
    fetch: int


def apply_limit_cap(query: exp.Expression) -> ServerLimit:
    """§C.5: requested/applied/fetch; the top-level LIMIT becomes the fetch limit."""
    limit = query.args.get("limit")
    value = limit.args.get("expression") if isinstance(limit, exp.Limit) else None
    requested = int(value.this) if isinstance(value, exp.Literal) and value.is_int else None
    applied = CAP if requested is None else min(requested, CAP)
    fetch = CAP + 1 if requested is None or requested > CAP else requested + 1
    query.set("limit", exp.Limit(expression=exp.Literal.number(fetch)))
    return ServerLimit(requested, applied, fetch)


class ServerError(Exception):
    """PostgreSQL refused the query; the text is its primary message."""


def execute(conn: psycopg.Connection[Any], collection_id: str, query: exp.Query) -> dict[str, Any]:
    """Run a validated query the server's way; returns the execute-response fields."""
    import psycopg

    work = query.copy()
    inject_collection(work, collection_id)
    limit = apply_limit_cap(work)
    sql = work.sql(dialect="postgres")
    started = time.perf_counter()
    try:
        with conn.transaction(), conn.cursor() as cursor:
            cursor.execute("SET TRANSACTION READ ONLY")
            cursor.execute(sql)
            columns = [d.name for d in cursor.description or []]
            rows = [list(r) for r in cursor.fetchall()]
    except psycopg.Error as exc:
        primary = exc.diag.message_primary if exc.diag else None
        raise ServerError(primary or str(exc)) from None
    elapsed = (time.perf_counter() - started) * 1000.0
    truncated = len(rows) == limit.fetch
    if truncated:
        rows = rows[:-1]
    return {
        "columns": columns,
        "rows": to_jsonable_python(rows),
        "truncated": truncated,
        "row_count": len(rows),
        "requested_limit": limit.requested,
        "applied_limit": limit.applied,
        "execution_time_ms": elapsed,
        "sql": sql,
    }
