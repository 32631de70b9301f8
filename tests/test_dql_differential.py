"""The local engine against a real PostgreSQL holding the same runs: same answers to every query.

The corpus is data (tests/dql_corpus/*.sql, see its README). PostgreSQL runs each validated query
the way the Docent server does (tests/pg_docent.py); the local engine runs the same text. Both
responses must match: columns, rows (in order where the query's ORDER BY fixes it), truncation
and limits. Without PostgreSQL the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlglot import exp

from docent_tui.core.dql import DQLError, validate_dql
from docent_tui.core.engine import LocalEngine
from docent_tui.demo import generate_runs
from tests import pg_docent
from tests.conftest import shared_file
from tests.pg_server import PostgresCluster, PostgresUnavailable, start_cluster

CORPUS = Path(__file__).parent / "dql_corpus"
MAIN = "c0ffee00-0000-4000-8000-00000000d01a"
DECOY = "c0ffee00-0000-4000-8000-00000000dec0"
WHERE_FORM = "SELECT agent_runs.id AS agent_run_id FROM agent_runs WHERE "
DEFAULT_TIME = "2025-01-01T00:00:00"


# --------------------------------------------------------------------------- the corpus


@dataclass
class Entry:
    """One corpus query and the directives written above it."""

    source: str
    dql: str
    name: str | None = None
    directives: dict[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"{self.source}:{self.name}" if self.name else self.source


_DIRECTIVE = re.compile(r"^--\s*(name|differs|order|error|compare)\s*:\s*(.*)$")


def read_corpus() -> list[Entry]:
    """Every entry of every corpus file; `where*.sql` files hold WHERE clauses of the SDK form."""
    entries: list[Entry] = []
    for path in sorted(CORPUS.glob("*.sql")):
        pending: dict[str, str] = {}
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            directive = _DIRECTIVE.match(line)
            if directive:
                pending[directive.group(1)] = directive.group(2).strip()
                continue
            if not line or line.startswith("--"):
                continue
            dql = WHERE_FORM + line if path.name.startswith("where") else line
            name = pending.pop("name", None)
            entries.append(Entry(f"{path.stem}:{number}", dql, name, pending))
            pending = {}
    return entries


ENTRIES = read_corpus()


# --------------------------------------------------------------------------- the data


def _load(relative: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = json.loads(shared_file(relative).read_text(encoding="utf-8"))
    return runs


def _complete(run: dict[str, Any]) -> dict[str, Any]:
    """The server's NOT NULL timestamps: transcripts and groups without one get a fixed time."""
    run = copy.deepcopy(run)
    run.setdefault("created_at", None)
    for item in [*(run.get("transcripts") or []), *(run.get("transcript_groups") or [])]:
        if not item.get("created_at"):
            item["created_at"] = run["created_at"] or DEFAULT_TIME
    return run


# Values too long for the engine's pre-extracted top-level columns: read from the document.
LONG_VALUES_RUN: dict[str, Any] = {
    "id": "case-long-values",
    "name": "long values",
    "description": None,
    "metadata": {
        "model": "m" * 300,
        "task": "long",
        "scores": {"reward": 0.25, "notes": "n" * 1500},
        "tags": ["long"] * 400,
    },
    "transcripts": [],
    "transcript_groups": [],
}


# Children of short objects of every kind: the engine pre-extracts their ->> texts.
NESTED_RUNS: list[dict[str, Any]] = [
    {
        "id": f"case-nested-{index}",
        "name": "nested children",
        "description": None,
        "metadata": {"n": children, "scalar": "text", "arr": [1, {"k": 2}]},
        "transcripts": [],
        "transcript_groups": [],
    }
    for index, children in enumerate(
        [
            {"null": None, "obj": {"b": 1, "a": [1, 2]}, "arr": [1, "x"], "t": True},
            {"tiny": 1e-9, "big": 1e20, "four": 4.0, "neg": -0.5, "int": 7, "s": "4"},
            {"sl/ash": "slash", "ti~lde": "tilde", "": "empty", "键": "值", "0": "zero"},
            {"null": 1, "obj": "string now", "t": False},
        ]
    )
]


def main_runs() -> list[dict[str, Any]]:
    runs = [
        *_load("docent/agentic_sample.agent_runs.json"),
        *_load("docent/popularity_100.agent_runs.json"),
        *_load("docent/tool_call_error.agent_runs.json"),
        *_load("cases/dql_edge_metadata.json"),
        *generate_runs(150, seed=0),
        LONG_VALUES_RUN,
        *NESTED_RUNS,
    ]
    return [_complete(run) for run in runs]


def decoy_runs() -> list[dict[str, Any]]:
    return [_complete(run) for run in generate_runs(25, seed=3)]


def judge_results(main: list[dict[str, Any]], decoy: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A handful of judge results on both collections' runs, every result type and shape."""
    targets = [run["id"] for run in main[-12:]] + [main[20]["id"], main[20]["id"]]
    targets += [run["id"] for run in decoy[:3]]
    labels = ["match", "no match", "match", None]
    results = []
    for index, run_id in enumerate(targets):
        label = labels[index % len(labels)]
        output: dict[str, Any] = {"explanation": f"reason {index}", "score": (index % 5) / 4}
        if label is not None:
            output["label"] = label
        results.append(
            {
                "id": f"jr-{index:04d}",
                "agent_run_id": run_id,
                "rubric_id": "rubric-b" if index % 3 == 0 else "rubric-a",
                "rubric_version": 1 + index % 2,
                "output": output,
                "result_metadata": None if index % 4 == 1 else {"judge": "gpt-4o", "n": index},
                "result_type": pg_docent.RESULT_TYPES[index % 3],
                "value": None if index % 2 else f"v{index}",
            }
        )
    return results


@dataclass
class Databases:
    postgres: Any
    engine: LocalEngine


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PostgresCluster]:
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _unavailable("psycopg is not installed (pip install -e '.[test]')")
    try:
        running = start_cluster()
    except PostgresUnavailable as exc:
        _unavailable(str(exc))
        raise
    yield running
    running.stop()


@pytest.fixture(scope="module")
def databases(cluster: PostgresCluster) -> Iterator[Databases]:
    import psycopg

    main, decoy = main_runs(), decoy_runs()
    results = judge_results(main, decoy)
    conn = psycopg.connect(cluster.conninfo)
    pg_docent.create_tables(conn)
    pg_docent.load_collection(conn, MAIN, main)
    pg_docent.load_collection(conn, DECOY, decoy)
    pg_docent.load_judge_results(conn, results)
    engine = LocalEngine()
    engine.add_collection(MAIN, "main", copy.deepcopy(main))
    engine.add_collection(DECOY, "decoy", copy.deepcopy(decoy))
    main_ids = {run["id"] for run in main}
    engine.add_judge_results(MAIN, [r for r in results if r["agent_run_id"] in main_ids])
    engine.add_judge_results(DECOY, [r for r in results if r["agent_run_id"] not in main_ids])
    yield Databases(conn, engine)
    engine.close()
    conn.close()


# --------------------------------------------------------------------------- comparison


def same(a: Any, b: Any) -> bool:
    """Equal JSON values: same types (1 is not 1.0 nor "1"), same key order, floats to 1e-12."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _sort_key(row: list[Any]) -> str:
    def rounded(value: Any) -> Any:
        if isinstance(value, float):
            return float(f"{value:.10g}")
        if isinstance(value, list):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: rounded(v) for k, v in value.items()}
        return value

    return json.dumps(rounded(row), sort_keys=True)


def is_ordered(query: exp.Query) -> bool:
    """Whether the top-level query has an ORDER BY (then row order is compared too)."""
    return bool(query.args.get("order"))


def describe(entry: Entry, local: Any, server: Any, sql: str) -> str:
    def shown(value: Any) -> str:
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) < 3000 else text[:3000] + "…"

    return f"\n{entry.dql}\nPostgreSQL SQL: {sql}\nlocal:  {shown(local)}\nserver: {shown(server)}"


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.id for e in ENTRIES])
def test_local_engine_matches_postgresql(databases: Databases, entry: Entry) -> None:
    query, _ = validate_dql(entry.dql)
    if "differs" in entry.directives:
        # A documented, deliberate difference: PostgreSQL refuses, the local engine answers.
        with pytest.raises(pg_docent.ServerError):
            pg_docent.execute(databases.postgres, MAIN, query)
        databases.engine.execute(MAIN, entry.dql)
        return
    try:
        server = pg_docent.execute(databases.postgres, MAIN, query)
    except pg_docent.ServerError as exc:
        with pytest.raises(DQLError) as caught:
            databases.engine.execute(MAIN, entry.dql)
        if entry.directives.get("error", "").split(" ")[0] != "any":
            assert caught.value.message == str(exc), describe(
                entry, caught.value.message, str(exc), ""
            )
        return
    result = databases.engine.execute(MAIN, entry.dql).to_json()
    sql = server["sql"]
    assert result["columns"] == server["columns"], describe(
        entry, result["columns"], server["columns"], sql
    )
    for key in ("truncated", "row_count", "requested_limit", "applied_limit"):
        assert result[key] == server[key], describe(
            entry, {key: result[key]}, {key: server[key]}, sql
        )
    local_rows, server_rows = result["rows"], server["rows"]
    if "compare" in entry.directives:
        # Only these columns are determined (the reason is in the corpus entry).
        names = entry.directives["compare"].split(" (")[0].replace(",", " ").split()
        keep = [server["columns"].index(name) for name in names]
        local_rows = [[row[i] for i in keep] for row in local_rows]
        server_rows = [[row[i] for i in keep] for row in server_rows]
    if not is_ordered(query) or entry.directives.get("order") == "multiset":
        local_rows, server_rows = (
            sorted(local_rows, key=_sort_key),
            sorted(server_rows, key=_sort_key),
        )
    assert same(local_rows, server_rows), describe(entry, local_rows, server_rows, sql)


def test_corpus_is_large_and_named_uniquely() -> None:
    assert len(ENTRIES) >= 150
    names = [e.name for e in ENTRIES if e.name]
    assert len(names) == len(set(names))
