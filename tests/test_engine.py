"""The local DQL engine on real runs: loading, everyday filters, scoping, limits, sandbox."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from typing import Any

import duckdb
import pytest

from docent_tui.core.dql import MAX_RESULT_LIMIT
from docent_tui.core.engine import DQLError, DQLResult, LocalEngine, QueryCancelled
from docent_tui.core.run_list import select_query
from tests.conftest import shared_file

AGENTIC = "agentic"
TWIN = "agentic-twin"
POPULARITY = "popularity"
EDGE = "edge"


def load_runs(relative: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = json.loads(shared_file(relative).read_text(encoding="utf-8"))
    for run in runs:
        run.setdefault("created_at", None)
    return runs


@pytest.fixture(scope="module")
def agentic_runs() -> list[dict[str, Any]]:
    return load_runs("docent/agentic_sample.agent_runs.json")


@pytest.fixture(scope="module")
def popularity_runs() -> list[dict[str, Any]]:
    return load_runs("docent/popularity_100.agent_runs.json")


@pytest.fixture(scope="module")
def edge_runs() -> list[dict[str, Any]]:
    return load_runs("cases/dql_edge_metadata.json")


@pytest.fixture(scope="module")
def engine(
    agentic_runs: list[dict[str, Any]],
    popularity_runs: list[dict[str, Any]],
    edge_runs: list[dict[str, Any]],
) -> Iterator[LocalEngine]:
    """One engine, four collections; TWIN holds the same runs (same ids) as AGENTIC."""
    local = LocalEngine()
    local.add_collection(AGENTIC, "agentic", copy.deepcopy(agentic_runs))
    local.add_collection(TWIN, "agentic twin", copy.deepcopy(agentic_runs))
    local.add_collection(POPULARITY, "popularity", copy.deepcopy(popularity_runs))
    local.add_collection(EDGE, "edge", copy.deepcopy(edge_runs))
    yield local
    local.close()


def scalar(engine: LocalEngine, collection: str, dql: str) -> Any:
    result = engine.execute(collection, dql)
    assert result.row_count == 1, result
    return result.rows[0][0]


def metadata_path(run: dict[str, Any], *path: str) -> Any:
    value: Any = run["metadata"]
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


# ------------------------------------------------------------------ loading and reading runs


def test_collections_hold_their_runs(engine: LocalEngine) -> None:
    assert engine.run_count(AGENTIC) == 15
    assert engine.run_count(TWIN) == 15
    assert engine.run_count(POPULARITY) == 100
    assert engine.run_count("nope") == 0


def test_get_run_round_trips_the_input(
    engine: LocalEngine,
    agentic_runs: list[dict[str, Any]],
    popularity_runs: list[dict[str, Any]],
) -> None:
    for collection, runs in ((AGENTIC, agentic_runs), (POPULARITY, popularity_runs)):
        for run in runs:
            assert engine.get_run(collection, run["id"]) == run
    assert engine.get_run(AGENTIC, "missing") is None
    assert engine.get_run(POPULARITY, agentic_runs[0]["id"]) is None


def test_get_run_keeps_groups_timestamps_and_transcript_order() -> None:
    run = {
        "id": "r1",
        "name": "first",
        "description": "a run",
        "transcripts": [
            {
                "id": f"t{i}",
                "name": None,
                "description": None,
                "transcript_group_id": "g1" if i else None,
                "created_at": f"2024-05-0{i + 1}T10:00:00",
                "messages": [
                    {
                        "id": None,
                        "content": f"m{i}",
                        "role": "user",
                        "metadata": None,
                        "tool_call_id": None,
                    }
                ],
                "metadata": {"i": i, "nan": "kept"},
            }
            for i in (2, 0, 1)
        ],
        "transcript_groups": [
            {
                "id": "g1",
                "name": "group",
                "description": None,
                "agent_run_id": "r1",
                "parent_transcript_group_id": None,
                "created_at": "2024-05-01T09:00:00.250000",
                "metadata": {"depth": 1},
            }
        ],
        "metadata": {"model": "m", "scores": {"b": 1e-09, "a": [1, 2.5]}},
        "created_at": "2024-05-01T08:00:00",
    }
    local = LocalEngine()
    assert local.add_collection("c", "c", [copy.deepcopy(run)]) == 1
    assert local.get_run("c", "r1") == run
    fetched = local.get_run("c", "r1")
    assert fetched is not None
    assert [t["id"] for t in fetched["transcripts"]] == ["t2", "t0", "t1"]
    local.close()


def test_bad_and_duplicate_runs_are_skipped_not_fatal() -> None:
    local = LocalEngine()
    runs: list[Any] = [
        {"id": "a", "metadata": {"k": 1}, "transcripts": []},
        {"name": "no id"},
        "not a run",
        {"id": "a", "metadata": {"k": 2}},
        {"id": "b", "metadata": "not a dict", "transcripts": {"legacy": {"messages": []}}},
    ]
    assert local.add_collection("c", "c", runs) == 2
    assert local.skipped_runs("c") == 3
    # Loading more into the same collection appends after what is there.
    assert local.add_collection("c", "c", [{"id": "c"}, {"id": "b"}]) == 1
    assert [row[0] for row in local.execute("c", "SELECT id FROM agent_runs").rows] == [
        "a",
        "b",
        "c",
    ]
    legacy = local.get_run("c", "b")
    assert legacy is not None
    assert legacy["metadata"] == {}
    assert len(legacy["transcripts"]) == 1
    local.close()


def test_progress_is_reported_per_batch() -> None:
    local = LocalEngine()
    seen: list[int] = []
    runs = ({"id": f"r{i}", "metadata": {"i": i}} for i in range(2_500))
    assert local.add_collection("c", "c", runs, on_progress=seen.append) == 2_500
    assert seen == [1_000, 2_000, 2_500]
    local.close()


def test_default_order_is_insertion_order(
    engine: LocalEngine, popularity_runs: list[dict[str, Any]]
) -> None:
    rows = engine.execute(POPULARITY, "SELECT id FROM agent_runs").rows
    assert [row[0] for row in rows] == [run["id"] for run in popularity_runs]
    page = engine.execute(POPULARITY, "SELECT id FROM agent_runs LIMIT 10 OFFSET 20").rows
    assert [row[0] for row in page] == [run["id"] for run in popularity_runs[20:30]]


# ------------------------------------------------------------------ everyday filters


def test_ilike_on_model(engine: LocalEngine, agentic_runs: list[dict[str, Any]]) -> None:
    dql = "SELECT count() FROM agent_runs WHERE metadata_json->>'model' ILIKE '%gpt%'"
    assert scalar(engine, AGENTIC, dql) == 15
    expected = sum("GPT" in str(metadata_path(r, "model")).upper() for r in agentic_runs)
    assert expected == 15


def test_score_cast_filters(engine: LocalEngine, popularity_runs: list[dict[str, Any]]) -> None:
    confident = [r for r in popularity_runs if (metadata_path(r, "label_confidence") or 0) > 0.9]
    matched = [r for r in popularity_runs if float(metadata_path(r, "scores", "match")) > 0.5]
    assert 0 < len(confident) < 100 and 0 < len(matched) < 100
    assert scalar(
        engine,
        POPULARITY,
        "SELECT count() FROM agent_runs "
        "WHERE CAST(metadata_json->>'label_confidence' AS DOUBLE PRECISION) > 0.9",
    ) == len(confident)
    assert scalar(
        engine,
        POPULARITY,
        "SELECT count(1) FROM agent_runs WHERE (metadata_json->'scores'->>'match')::float > 0.5",
    ) == len(matched)
    ids = engine.execute(
        POPULARITY,
        "SELECT agent_runs.id FROM agent_runs "
        "WHERE CAST(metadata_json->'scores'->>'match' AS DOUBLE PRECISION) > 0.5",
    ).rows
    assert [row[0] for row in ids] == [r["id"] for r in matched]


def test_boolean_logic_in_between_and_nulls(
    engine: LocalEngine, popularity_runs: list[dict[str, Any]]
) -> None:
    def count(where: str) -> int:
        result: int = scalar(engine, POPULARITY, f"SELECT count() FROM agent_runs WHERE {where}")
        return result

    confidences = [metadata_path(r, "label_confidence") for r in popularity_runs]
    assert count("(metadata_json->>'label_confidence')::float BETWEEN 0.5 AND 0.8") == sum(
        0.5 <= c <= 0.8 for c in confidences
    )
    assert count(
        "NOT (metadata_json->>'label_confidence')::float < 0.5 AND (name IS NULL OR name LIKE 'x%')"
    ) == sum(c >= 0.5 for c in confidences)
    assert count("metadata_json->>'model' IN ('openai/gpt-4o-mini', 'nothing')") == sum(
        metadata_path(r, "model") == "openai/gpt-4o-mini" for r in popularity_runs
    )
    assert count("metadata_json->>'missing' IS NULL") == 100
    assert count("metadata_json->>'model' IS NOT NULL") == 100
    assert count("metadata_json->'scores'->>'match' = '1.0'") == sum(
        metadata_path(r, "scores", "match") == 1.0 for r in popularity_runs
    )


def test_group_by_and_count(engine: LocalEngine, popularity_runs: list[dict[str, Any]]) -> None:
    result = engine.execute(
        POPULARITY,
        "SELECT metadata_json->'scores'->>'match' AS score, count() FROM agent_runs "
        "GROUP BY metadata_json->'scores'->>'match' ORDER BY count() DESC",
    )
    assert result.columns == ["score", "count"]
    expected: dict[str, int] = {}
    for run in popularity_runs:
        key = str(metadata_path(run, "scores", "match"))
        expected[key] = expected.get(key, 0) + 1
    assert {row[0]: row[1] for row in result.rows} == expected


def test_subqueries_on_transcripts(engine: LocalEngine, agentic_runs: list[dict[str, Any]]) -> None:
    with_flag = [
        r["id"]
        for r in agentic_runs
        if any("picoCTF" in json.dumps(t["messages"]) for t in r["transcripts"])
    ]
    rows = engine.execute(
        AGENTIC,
        "SELECT agent_runs.id FROM agent_runs WHERE agent_runs.id IN "
        "(SELECT transcripts.agent_run_id FROM transcripts "
        "WHERE transcripts.messages LIKE '%picoCTF%')",
    ).rows
    assert [row[0] for row in rows] == with_flag
    exists = scalar(
        engine,
        AGENTIC,
        "SELECT count() FROM agent_runs ar WHERE EXISTS "
        "(SELECT 1 FROM transcripts t WHERE t.agent_run_id = ar.id)",
    )
    assert exists == 15


def test_order_by_puts_nulls_where_postgresql_does() -> None:
    local = LocalEngine()
    local.add_collection(
        "c", "c", [{"id": "1", "name": None}, {"id": "2", "name": "b"}, {"id": "3", "name": "a"}]
    )
    ascending = local.execute("c", "SELECT name FROM agent_runs ORDER BY name").rows
    descending = local.execute("c", "SELECT name FROM agent_runs ORDER BY name DESC").rows
    assert ascending == [["a"], ["b"], [None]]
    assert descending == [[None], ["b"], ["a"]]
    local.close()


def test_values_come_back_as_the_server_sends_them(
    engine: LocalEngine, agentic_runs: list[dict[str, Any]]
) -> None:
    local = LocalEngine()
    local.add_collection(
        "c",
        "c",
        [{"id": "r", "created_at": "2024-05-01T12:30:00.5+02:00", "metadata": {"n": 1.5}}],
    )
    row = local.execute(
        "c",
        "SELECT created_at, created_at AT TIME ZONE 'UTC', now(), 1.50, metadata_json, "
        "metadata_json->'n', metadata_json->>'n', 7 / 2 FROM agent_runs",
    ).rows[0]
    assert row[0] == "2024-05-01T10:30:00.500000"
    assert row[1] == "2024-05-01T10:30:00.500000Z"
    assert isinstance(row[2], str) and row[2].endswith("Z")
    assert row[3:] == ["1.50", {"n": 1.5}, 1.5, "1.5", 3]
    zoned = local.execute(
        "c",
        "SELECT array_agg(now()), current_time, date_trunc('month', now()), "
        "created_at AT TIME ZONE 'Europe/Paris', now() - created_at FROM agent_runs "
        "GROUP BY created_at",
    ).rows[0]
    assert isinstance(zoned[0], list) and isinstance(zoned[0][0], str)
    assert zoned[2].endswith("-01T00:00:00Z")
    assert zoned[3] == "2024-05-01T08:30:00.500000Z"
    assert zoned[4].startswith("P")
    local.close()
    text = scalar(engine, AGENTIC, "SELECT transcripts.messages FROM transcripts LIMIT 1")
    assert json.loads(text) == agentic_runs[0]["transcripts"][0]["messages"]


def test_json_text_is_printed_like_postgresql(engine: LocalEngine) -> None:
    rows = engine.execute(
        EDGE,
        "SELECT metadata_json->>'num' AS num, metadata_json->>'nested', "
        "metadata_json->>'a.b', metadata_json->'a'->>'b', "
        "metadata_json->>'sp ace', metadata_json->>'unicode_键', "
        "metadata_json#>>'{nested,deep,deeper,value}', metadata_json->'list'->>1 "
        "FROM agent_runs",
    ).rows
    assert [row[0] for row in rows] == [
        "4", "4.0", None, "true", "[1, 2]", '{"a": 1}', "-1", "0.000000001",
    ]  # fmt: skip
    assert rows[0][1] == '{"deep": {"deeper": {"value": 0}}}'
    assert rows[0][2:6] == ["dotted key", "nested a->b", "space key", "值"]
    assert [row[6] for row in rows] == [str(i) for i in range(8)]
    assert [row[7] for row in rows] == [str(i) for i in range(8)]


def test_json_text_in_filters_matches_postgresql(engine: LocalEngine) -> None:
    def ids(where: str) -> list[str]:
        dql = f"SELECT id FROM agent_runs WHERE {where} ORDER BY id"
        return [row[0] for row in engine.execute(EDGE, dql).rows]

    assert ids("metadata_json->>'num' = '0.000000001'") == ["case-dql-0007"]
    assert ids("metadata_json->>'num' = '{\"a\": 1}'") == ["case-dql-0005"]
    assert ids("length(metadata_json->>'num') = 6") == ["case-dql-0004"]  # "[1, 2]"


def test_key_existence_and_containment(engine: LocalEngine) -> None:
    row = engine.execute(
        EDGE,
        "SELECT metadata_json ? 'sp ace', metadata_json ? 'nope', metadata_json->'list' ? '1', "
        'metadata_json @> \'{"a": {"b": "nested a->b"}}\', metadata_json @> \'{"b": 1}\' '
        "FROM agent_runs LIMIT 2",
    ).rows
    assert row == [[True, False, False, True, False], [True, False, True, True, False]]


def test_like_escapes_and_quotes(engine: LocalEngine) -> None:
    def models(where: str) -> list[str]:
        rows = engine.execute(EDGE, f"SELECT metadata_json->>'model' FROM agent_runs WHERE {where}")
        return [row[0] for row in rows.rows]

    assert models(r"metadata_json->>'model' LIKE '100\%%'") == ["100%_match"]
    assert models("metadata_json->>'model' = 'o''reilly'") == ["o'reilly"]
    assert models("metadata_json->>'model' ILIKE 'gpt-4'") == ["gpt-4", "GPT-4"]
    assert models("metadata->>'model' = 'gpt-4 '") == ["gpt-4 "]


# ------------------------------------------------------------------ scoping


@pytest.mark.parametrize(
    ("dql", "expected"),
    [
        ("SELECT count() FROM agent_runs", 15),
        ("SELECT count() FROM transcripts", 15),
        ("SELECT count() FROM agent_runs a JOIN transcripts t ON t.agent_run_id = a.id", 15),
        ("SELECT count() FROM agent_runs a, agent_runs b WHERE a.id = b.id", 15),
        ("WITH r AS (SELECT id FROM agent_runs) SELECT count() FROM r", 15),
        ("SELECT count() FROM (SELECT agent_runs.id FROM agent_runs) s", 15),
        (
            "SELECT count() FROM agent_runs WHERE agent_runs.id IN "
            "(SELECT transcripts.agent_run_id FROM transcripts)",
            15,
        ),
        (
            "SELECT count() FROM agent_runs a WHERE EXISTS (SELECT 1 FROM agent_runs b "
            "WHERE b.id = a.id AND b.collection_id <> a.collection_id)",
            0,
        ),
        ("SELECT count(DISTINCT collection_id) FROM agent_runs", 1),
        (
            "SELECT count() FROM (SELECT id FROM agent_runs UNION ALL "
            "SELECT agent_run_id FROM transcripts) u",
            30,
        ),
        (
            "WITH agent_runs AS (SELECT transcripts.agent_run_id AS id FROM transcripts) "
            "SELECT count() FROM agent_runs",
            15,
        ),
        ("SELECT count() FROM docent.agent_runs", 15),
        ("SELECT count() FROM information_schema.agent_runs", 15),
        ("SELECT count() FROM transcript_groups", 0),
        ("SELECT count() FROM judge_results", 0),
    ],
)
def test_queries_never_see_other_collections(engine: LocalEngine, dql: str, expected: int) -> None:
    assert scalar(engine, AGENTIC, dql) == expected
    assert scalar(engine, TWIN, dql) == expected


def test_collection_id_column_is_the_queried_collection(engine: LocalEngine) -> None:
    assert scalar(engine, TWIN, "SELECT DISTINCT collection_id FROM agent_runs") == TWIN


# ------------------------------------------------------------------ limits and truncation


@pytest.mark.parametrize(
    ("limit", "max_rows", "requested", "applied", "rows", "truncated"),
    [
        ("", None, None, MAX_RESULT_LIMIT, 15, False),
        ("LIMIT 5", None, 5, 5, 5, True),
        ("LIMIT 15", None, 15, 15, 15, False),
        ("LIMIT 50000", None, 50_000, MAX_RESULT_LIMIT, 15, False),
        ("LIMIT 0", None, 0, 0, 0, True),
        ("", 10, None, 10, 10, True),
        ("LIMIT 50000", 10, 50_000, 10, 10, True),
        ("LIMIT 3", 10, 3, 3, 3, True),
        ("", 15, None, 15, 15, False),
    ],
)
def test_limit_and_truncation(
    engine: LocalEngine,
    limit: str,
    max_rows: int | None,
    requested: int | None,
    applied: int,
    rows: int,
    truncated: bool,
) -> None:
    result = engine.execute(AGENTIC, f"SELECT id FROM agent_runs {limit}", max_rows=max_rows)
    assert (result.requested_limit, result.applied_limit) == (requested, applied)
    assert (result.row_count, len(result.rows), result.truncated) == (rows, rows, truncated)
    response = result.to_json()
    assert set(response) == {
        "columns", "rows", "truncated", "row_count", "execution_time_ms",
        "requested_limit", "applied_limit",
    }  # fmt: skip
    assert response["row_count"] == rows


def test_the_ten_thousand_row_cap() -> None:
    local = LocalEngine()
    local.add_collection("c", "c", ({"id": f"r{i}"} for i in range(MAX_RESULT_LIMIT + 5)))
    capped = local.execute("c", "SELECT id FROM agent_runs LIMIT 50000")
    assert (capped.requested_limit, capped.applied_limit) == (50_000, MAX_RESULT_LIMIT)
    assert capped.row_count == MAX_RESULT_LIMIT and capped.truncated
    assert capped.rows[-1] == [f"r{MAX_RESULT_LIMIT - 1}"]
    inner = local.execute(
        "c", "SELECT count() FROM (SELECT agent_runs.id FROM agent_runs LIMIT 10003) s"
    )
    assert inner.rows == [[10_003]]
    with pytest.raises(ValueError, match="max_rows must be a positive integer"):
        local.execute("c", "SELECT id FROM agent_runs", max_rows=0)
    local.close()


# ------------------------------------------------------------------ run list queries


def test_run_list_queries_run_on_the_engine(engine: LocalEngine) -> None:
    dql = select_query(
        "metadata_json->>'model' ILIKE '%gpt%' OR name IS NULL",
        ["agent_runs.id", "agent_runs.metadata_json->>'model' AS \"model\""],
        order_by='"model" DESC',
        limit=5,
        offset=2,
    )
    assert dql == (
        "SELECT agent_runs.id, agent_runs.metadata_json->>'model' AS \"model\" FROM agent_runs "
        "WHERE (metadata_json->>'model' ILIKE '%gpt%' OR name IS NULL) "
        'ORDER BY "model" DESC LIMIT 5 OFFSET 2'
    )
    result = engine.execute(AGENTIC, dql)
    assert result.columns == ["id", "model"]
    assert result.row_count == 5 and result.truncated
    assert select_query("  ", ["agent_runs.id"]) == "SELECT agent_runs.id FROM agent_runs"
    commented = select_query("name IS NULL -- why", ["agent_runs.id"], limit=1)
    assert engine.execute(AGENTIC, commented).row_count == 1


def test_validate_where_reports_box_positions(engine: LocalEngine) -> None:
    engine.validate_where("")
    engine.validate_where("metadata_json->>'model' ILIKE '%gpt%'")
    with pytest.raises(DQLError) as caught:
        engine.validate_where("name IS NULL ORDER BY name")
    assert caught.value.position == 13
    assert "run list" in caught.value.message
    with pytest.raises(DQLError) as caught:
        engine.validate_where("model = 'x'")
    assert caught.value.message == "Column 'model' is not a valid column for table 'agent_runs'."
    assert caught.value.position == 0


def test_execution_errors_are_one_clear_message(engine: LocalEngine) -> None:
    with pytest.raises(DQLError) as caught:
        engine.execute(AGENTIC, "SELECT (metadata_json->>'model')::float FROM agent_runs")
    assert caught.value.message == 'invalid input syntax for type double precision: "openai/gpt-4o"'
    with pytest.raises(DQLError) as caught:
        engine.execute(AGENTIC, "SELECT count() / 0 FROM agent_runs")
    assert caught.value.message == "division by zero"
    with pytest.raises(DQLError) as caught:
        engine.execute(AGENTIC, "SELECT s.nosuch FROM (SELECT agent_runs.id FROM agent_runs) s")
    assert "nosuch" in caught.value.message
    assert "__docent" not in caught.value.message
    assert "LINE" not in caught.value.message


# ------------------------------------------------------------------ sandbox


@pytest.mark.parametrize(
    "dql",
    [
        "SELECT a FROM read_csv('/etc/passwd')",
        "SELECT a FROM read_json('/etc/passwd')",
        "SELECT a FROM read_parquet('/etc/passwd')",
        "SELECT agent_runs.id FROM agent_runs "
        "WHERE agent_runs.id IN (SELECT a FROM glob('/etc/*'))",
        "SELECT id FROM '/etc/passwd'",
        "COPY agent_runs TO '/tmp/docent-leak.csv'",
        "ATTACH '/tmp/docent-leak.db'",
        "INSTALL httpfs",
        "LOAD httpfs",
        "PRAGMA database_list",
        "SET enable_external_access = true",
        "SELECT getenv('HOME') FROM agent_runs",
        "SELECT current_setting('threads') FROM agent_runs",
        "SELECT count() FROM duckdb_tables()",
        "SELECT table_name FROM information_schema.tables",
        "SELECT name FROM duckdb_settings()",
    ],
)
def test_duckdb_escape_hatches_are_refused(engine: LocalEngine, dql: str) -> None:
    with pytest.raises(DQLError):
        engine.execute(AGENTIC, dql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM read_csv('/etc/passwd')",
        "COPY (SELECT 1) TO '/tmp/docent-leak.csv'",
        "ATTACH '/tmp/docent-leak.db' AS leak",
        "SET enable_external_access = true",
        "SET lock_configuration = false",
    ],
)
def test_connection_itself_is_locked_down(engine: LocalEngine, sql: str) -> None:
    cursor = engine._con.cursor()
    try:
        with pytest.raises(duckdb.Error):
            cursor.execute(sql)
    finally:
        cursor.close()


# ------------------------------------------------------------------ concurrency

SLOW = (
    "SELECT count() FROM agent_runs a, agent_runs b, agent_runs c, agent_runs d, agent_runs e "
    "WHERE length(a.id) + length(b.id) + length(c.id) + length(d.id) + length(e.id) > 0"
)


def run_in_thread(
    engine: LocalEngine, channel: str, outcome: dict[str, Any], done: threading.Event
) -> threading.Thread:
    def work() -> None:
        try:
            outcome["result"] = engine.execute(POPULARITY, SLOW, channel=channel)
        except QueryCancelled:
            outcome["cancelled"] = True
        except DQLError as exc:  # pragma: no cover - reported by the assertions below
            outcome["error"] = exc.message
        finally:
            done.set()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def watch_claims(
    engine: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> dict[str, threading.Event]:
    """Events set once a query on a channel has been registered (so it can be interrupted)."""
    claimed: dict[str, threading.Event] = {}
    original = engine._claim

    def claim(
        channel: str | None, cursor: duckdb.DuckDBPyConnection, generation: int | None
    ) -> Any:
        ticket = original(channel, cursor, generation)
        if channel is not None:
            claimed.setdefault(channel, threading.Event()).set()
        return ticket

    monkeypatch.setattr(engine, "_claim", claim)
    return claimed


class _ExecuteSpy:
    """A cursor stand-in that reports when the query reaches DuckDB's execute."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection, started: threading.Event) -> None:
        self._cursor = cursor
        self._started = started

    def execute(self, sql: str, *args: Any) -> Any:
        self._started.set()
        return self._cursor.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cursor, name)


def test_newer_query_on_a_channel_cancels_the_older(
    engine: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    claimed = watch_claims(engine, monkeypatch)
    claimed["list"] = threading.Event()
    outcome: dict[str, Any] = {}
    done = threading.Event()
    thread = run_in_thread(engine, "list", outcome, done)
    assert claimed["list"].wait(30)
    newer = engine.execute(POPULARITY, "SELECT count() FROM agent_runs", channel="list")
    assert newer.rows == [[100]]
    assert done.wait(30)
    thread.join(30)
    assert outcome == {"cancelled": True}


def test_cancel_interrupts_a_query_inside_duckdb(
    engine: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    started = threading.Event()
    make_cursor = engine._cursor
    monkeypatch.setattr(engine, "_cursor", lambda: _ExecuteSpy(make_cursor(), started))
    outcome: dict[str, Any] = {}
    done = threading.Event()
    thread = run_in_thread(engine, "list", outcome, done)
    assert started.wait(30)
    monkeypatch.setattr(engine, "_cursor", make_cursor)
    newer = engine.execute(POPULARITY, "SELECT count() FROM agent_runs", channel="list")
    assert newer.rows == [[100]]
    assert done.wait(30)
    thread.join(30)
    assert outcome == {"cancelled": True}


def test_an_invalid_newer_query_still_supersedes_the_older(
    engine: LocalEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    claimed = watch_claims(engine, monkeypatch)
    claimed["list"] = threading.Event()
    outcome: dict[str, Any] = {}
    done = threading.Event()
    thread = run_in_thread(engine, "list", outcome, done)
    assert claimed["list"].wait(30)
    with pytest.raises(DQLError):
        engine.execute(POPULARITY, "SELECT * FROM agent_runs", channel="list")
    assert done.wait(30)
    thread.join(30)
    assert outcome == {"cancelled": True}


def test_other_channels_do_not_cancel(engine: LocalEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    claimed = watch_claims(engine, monkeypatch)
    claimed["slow"] = threading.Event()
    outcome: dict[str, Any] = {}
    done = threading.Event()
    thread = run_in_thread(engine, "slow", outcome, done)
    assert claimed["slow"].wait(30)
    assert engine.execute(POPULARITY, "SELECT count() FROM agent_runs", channel="other").rows
    assert engine.execute(POPULARITY, "SELECT count() FROM agent_runs").rows
    assert not done.is_set()  # five-way cross join of 100 runs: 10^10 rows, still running
    engine.execute(POPULARITY, "SELECT count() FROM agent_runs", channel="slow")
    assert done.wait(30)
    thread.join(30)
    assert outcome == {"cancelled": True}


def test_loading_one_collection_while_querying_another(engine: LocalEngine) -> None:
    halfway = threading.Event()
    resume = threading.Event()

    def runs() -> Iterator[dict[str, Any]]:
        for i in range(200):
            if i == 100:
                halfway.set()
                assert resume.wait(30)
            yield {"id": f"late{i}", "metadata": {"i": i}}

    loaded: list[int] = []
    loader = threading.Thread(
        target=lambda: loaded.append(engine.add_collection("late", "late", runs())), daemon=True
    )
    loader.start()
    assert halfway.wait(30)
    assert scalar(engine, AGENTIC, "SELECT count() FROM agent_runs") == 15
    assert engine.get_run(
        POPULARITY, engine.execute(POPULARITY, "SELECT id FROM agent_runs LIMIT 1").rows[0][0]
    )
    assert engine.run_count("late") == 0
    resume.set()
    loader.join(30)
    assert loaded == [200]
    assert engine.run_count("late") == 200


def test_result_object_is_frozen(engine: LocalEngine) -> None:
    result = engine.execute(AGENTIC, "SELECT id FROM agent_runs LIMIT 1")
    assert isinstance(result, DQLResult)
    with pytest.raises(AttributeError):
        result.truncated = False  # type: ignore[misc]


def test_a_stale_generation_never_interrupts_a_newer_one(engine: LocalEngine) -> None:
    query = "SELECT count() FROM agent_runs"
    assert engine.execute(AGENTIC, query, channel="list", generation=2).rows == [[15]]
    with pytest.raises(QueryCancelled):
        engine.execute(AGENTIC, query, channel="list", generation=1)
    assert engine.execute(AGENTIC, query, channel="list", generation=2).rows == [[15]]
    assert engine.execute(AGENTIC, query, channel="other", generation=1).rows == [[15]]
