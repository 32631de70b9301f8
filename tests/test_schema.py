"""DQL schema introspection: the GET /dql/{cid}/schema shape, JSON path discovery, run columns."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any

import pytest

from docent_tui.core.dql import TABLES
from docent_tui.core.engine import LocalEngine
from docent_tui.core.run_list import (
    CREATED_COLUMN,
    RUN_COLUMN,
    choose_metadata_columns,
    default_columns,
    page_query,
)
from docent_tui.core.schema import (
    DQLSchema,
    MetadataField,
    build_schema,
    discover_fields,
    json_columns,
    json_path_dql,
    pseudo_column_name,
)
from tests.conftest import shared_file

AGENTIC = "agentic"
POPULARITY = "popularity"
EDGE = "edge"
ODD = "odd"
GROUPS = "groups"

COLUMN_KEYS = {"name", "data_type", "nullable", "is_primary_key", "foreign_keys", "alias_for"}

# Keys a JSON path may hold that mean something in SQL, JSON paths or LIKE patterns.
ODD_KEYS = [
    "[0]", "*", 'a"b', "$", "$.a", "0", "-1", "a\\b", "%", "_", "{x}", "a\nb", "\t", " lead",
    "a[1]", "..", "@", "'", "''", "x'--", "->", "->>'y'", "?", "#>>",
]  # fmt: skip


def load_runs(relative: str) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = json.loads(shared_file(relative).read_text(encoding="utf-8"))
    return runs


@pytest.fixture(scope="module")
def agentic_runs() -> list[dict[str, Any]]:
    return load_runs("docent/agentic_sample.agent_runs.json")


@pytest.fixture(scope="module")
def edge_runs() -> list[dict[str, Any]]:
    return load_runs("cases/dql_edge_metadata.json")


def odd_runs() -> list[dict[str, Any]]:
    metadata = {key: f"v{index}" for index, key in enumerate(ODD_KEYS)}
    metadata["nest"] = {key: {"in": index} for index, key in enumerate(ODD_KEYS)}
    return [{"id": "odd-1", "metadata": metadata}, {"id": "odd-2", "metadata": {"'": None}}]


def grouped_runs() -> list[dict[str, Any]]:
    """Runs whose transcript groups (and transcripts) carry metadata with awkward keys."""
    runs = []
    for index in range(3):
        run_id = f"run-{index}"
        group = {
            "id": f"group-{index}",
            "name": "group",
            "description": None,
            "agent_run_id": run_id,
            "parent_transcript_group_id": None,
            "created_at": None,
            "metadata": {"phase": f"p{index}", "it's": {"x.y": index}, "": [index]},
        }
        transcript = {
            "id": f"transcript-{index}",
            "name": None,
            "description": None,
            "transcript_group_id": group["id"],
            "created_at": None,
            "messages": [],
            "metadata": {"transcript_only": True},
        }
        runs.append(
            {
                "id": run_id,
                "name": None,
                "description": None,
                "metadata": {"model": "m"},
                "transcripts": [transcript],
                "transcript_groups": [group],
            }
        )
    return runs


@pytest.fixture(scope="module")
def engine(
    agentic_runs: list[dict[str, Any]], edge_runs: list[dict[str, Any]]
) -> Iterator[LocalEngine]:
    local = LocalEngine()
    local.add_collection(AGENTIC, "agentic", copy.deepcopy(agentic_runs))
    local.add_collection(
        POPULARITY, "popularity", load_runs("docent/popularity_100.agent_runs.json")
    )
    local.add_collection(EDGE, "edge", copy.deepcopy(edge_runs))
    local.add_collection(ODD, "odd", odd_runs())
    local.add_collection(GROUPS, "groups", grouped_runs())
    yield local
    local.close()


def table(schema: dict[str, Any], name: str) -> dict[str, Any]:
    found = [t for t in schema["tables"] if t["name"] == name]
    assert len(found) == 1, name
    return found[0]


def column(schema: dict[str, Any], table_name: str, name: str) -> dict[str, Any]:
    found = [c for c in table(schema, table_name)["columns"] if c["name"] == name]
    assert len(found) == 1, (table_name, name)
    return found[0]


def pseudo_names(schema: dict[str, Any], table_name: str) -> list[str]:
    return [c["name"] for c in table(schema, table_name)["columns"] if c["data_type"] == "json"]


def path_value(document: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(document, dict) or key not in document:
            return None
        document = document[key]
    return document


# ------------------------------------------------------------------ response shape


def test_shape_sorting_and_json_round_trip(engine: LocalEngine) -> None:
    schema = engine.schema(AGENTIC)
    assert set(schema) == {"tables", "rubrics"}
    assert schema["rubrics"] == []
    assert [t["name"] for t in schema["tables"]] == sorted(TABLES)
    for entry in schema["tables"]:
        assert set(entry) == {"name", "aliases", "columns"}
        assert entry["aliases"] == []
        names = [c["name"] for c in entry["columns"]]
        assert names == sorted(names) and len(set(names)) == len(names)
        for col in entry["columns"]:
            assert set(col) == COLUMN_KEYS
            for key in col["foreign_keys"]:
                assert set(key) == {"column", "target_table", "target_column"}
    assert json.loads(json.dumps(schema)) == schema


def test_registry_is_the_source_of_tables_and_columns(engine: LocalEngine) -> None:
    schema = engine.schema(EDGE)
    for name, spec in TABLES.items():
        real = [
            c
            for c in table(schema, name)["columns"]
            if c["data_type"] != "json" and c["alias_for"] is None
        ]
        assert sorted(c["name"] for c in real) == sorted(spec.columns)
        assert all(isinstance(c["data_type"], str) and c["data_type"] for c in real), name
        aliases = {c["name"]: c["alias_for"] for c in table(schema, name)["columns"]}
        for alias, target in spec.column_aliases.items():
            assert aliases[alias] == target


def test_sqlalchemy_type_names(engine: LocalEngine) -> None:
    schema = engine.schema(AGENTIC)
    expected = {
        ("agent_runs", "id"): ("VARCHAR(36)", False, True),
        ("agent_runs", "collection_id"): ("VARCHAR(36)", False, False),
        ("agent_runs", "name"): ("TEXT", True, False),
        ("agent_runs", "metadata_json"): ("JSONB", False, False),
        ("agent_runs", "created_at"): ("DATETIME", True, False),
        ("transcripts", "messages"): ("BLOB", False, False),
        ("transcripts", "metadata_json"): ("BLOB", False, False),
        ("transcripts", "dict_key"): ("TEXT", False, False),
        ("transcripts", "created_at"): ("DATETIME", False, False),
        ("transcript_groups", "metadata_json"): ("JSONB", False, False),
        ("transcript_groups", "parent_transcript_group_id"): ("VARCHAR(36)", True, False),
        ("judge_results", "id"): ("VARCHAR(36)", False, True),
        ("judge_results", "rubric_version"): ("INTEGER", False, False),
        ("judge_results", "output"): ("JSONB", False, False),
        ("judge_results", "result_metadata"): ("JSONB", True, False),
        ("judge_results", "result_type"): ("VARCHAR(13)", False, False),
        ("judge_results", "value"): ("TEXT", True, False),
    }
    for (table_name, name), (data_type, nullable, primary) in expected.items():
        col = column(schema, table_name, name)
        assert (col["data_type"], col["nullable"], col["is_primary_key"]) == (
            data_type,
            nullable,
            primary,
        ), (table_name, name)
    primary_keys = {
        (t["name"], c["name"])
        for t in schema["tables"]
        for c in t["columns"]
        if c["is_primary_key"]
    }
    assert primary_keys == {(name, "id") for name in TABLES}


def test_metadata_alias_column_matches_the_documented_entry(engine: LocalEngine) -> None:
    assert column(engine.schema(AGENTIC), "agent_runs", "metadata") == {
        "name": "metadata",
        "data_type": "JSONB",
        "nullable": False,
        "is_primary_key": False,
        "foreign_keys": [],
        "alias_for": "metadata_json",
    }


def test_foreign_keys_as_the_server_models_them(engine: LocalEngine) -> None:
    schema = engine.schema(AGENTIC)
    assert column(schema, "agent_runs", "collection_id") == {
        "name": "collection_id",
        "data_type": "VARCHAR(36)",
        "nullable": False,
        "is_primary_key": False,
        "foreign_keys": [
            {"column": "collection_id", "target_table": "collections", "target_column": "id"}
        ],
        "alias_for": None,
    }
    found = {
        (t["name"], key["column"]): (key["target_table"], key["target_column"])
        for t in schema["tables"]
        for c in t["columns"]
        for key in c["foreign_keys"]
    }
    assert found == {
        ("agent_runs", "collection_id"): ("collections", "id"),
        ("transcripts", "collection_id"): ("collections", "id"),
        ("transcripts", "agent_run_id"): ("agent_runs", "id"),
        ("transcripts", "transcript_group_id"): ("transcript_groups", "id"),
        ("transcript_groups", "collection_id"): ("collections", "id"),
        ("transcript_groups", "agent_run_id"): ("agent_runs", "id"),
        ("transcript_groups", "parent_transcript_group_id"): ("transcript_groups", "id"),
        ("judge_results", "agent_run_id"): ("agent_runs", "id"),
        ("judge_results", "rubric_id"): ("rubrics", "id"),
        ("judge_results", "rubric_version"): ("rubrics", "version"),
    }


# ------------------------------------------------------------------ JSON pseudo-columns


def test_json_columns_are_the_jsonb_ones() -> None:
    assert json_columns() == [
        ("agent_runs", "metadata_json"),
        ("transcript_groups", "metadata_json"),
        ("judge_results", "output"),
        ("judge_results", "result_metadata"),
    ]


def test_pseudo_columns_on_the_agentic_sample(
    engine: LocalEngine, agentic_runs: list[dict[str, Any]]
) -> None:
    schema = engine.schema(AGENTIC)
    assert column(schema, "agent_runs", "metadata_json->'scores'->'includes'") == {
        "name": "metadata_json->'scores'->'includes'",
        "data_type": "json",
        "nullable": True,
        "is_primary_key": False,
        "foreign_keys": [],
        "alias_for": None,
    }
    names = set(pseudo_names(schema, "agent_runs"))
    expected = {"metadata_json->'model'", "metadata_json->'task'", "metadata_json->'sample_id'"}
    # Intermediate objects, arrays and the leaves under objects are all listed...
    expected |= {"metadata_json->'scores'", "metadata_json->'tags'"}
    expected |= {"metadata_json->'scoring_metadata'->'includes'->'value'"}
    assert expected <= names
    # ...and they are exactly the key paths in the runs' metadata, arrays not entered.
    paths: set[tuple[str, ...]] = set()
    for run in agentic_runs:
        stack: list[tuple[tuple[str, ...], Any]] = [((), run["metadata"])]
        while stack:
            prefix, node = stack.pop()
            for key, value in node.items():
                paths.add((*prefix, key))
                if isinstance(value, dict):
                    stack.append(((*prefix, key), value))
    assert names == {pseudo_column_name("metadata_json", path) for path in paths}
    for other in ("transcripts", "transcript_groups", "judge_results"):
        assert pseudo_names(schema, other) == [], other


def test_pseudo_columns_for_awkward_keys(engine: LocalEngine) -> None:
    names = set(pseudo_names(engine.schema(EDGE), "agent_runs"))
    for name in [
        "metadata_json->'it''s'",
        "metadata_json->'a.b'",
        "metadata_json->'sp ace'",
        "metadata_json->'unicode_键'",
        "metadata_json->''",
        "metadata_json->'a'",
        "metadata_json->'a'->'b'",
        "metadata_json->'null_val'",
        "metadata_json->'list'",
        "metadata_json->'num'->'a'",
        "metadata_json->'nested'->'deep'->'deeper'->'value'",
    ]:
        assert name in names, name
    assert not any(name.startswith("metadata_json->'list'->") for name in names)


def test_transcript_group_metadata_is_discovered(engine: LocalEngine) -> None:
    schema = engine.schema(GROUPS)
    assert set(pseudo_names(schema, "transcript_groups")) == {
        "metadata_json->''",
        "metadata_json->'it''s'",
        "metadata_json->'it''s'->'x.y'",
        "metadata_json->'phase'",
    }
    # transcripts.metadata_json is bytea on the server and is never searched.
    assert pseudo_names(schema, "transcripts") == []


def test_judge_result_columns_are_discovered() -> None:
    samples = {
        ("judge_results", "output"): [{"label": "match", "explanation": "e"}],
        ("judge_results", "result_metadata"): [{"it's": {"k": 1}}, {"it's": {"k": 2}}],
    }
    schema = build_schema(samples).to_json()
    assert pseudo_names(schema, "judge_results") == [
        "output->'explanation'",
        "output->'label'",
        "result_metadata->'it''s'",
        "result_metadata->'it''s'->'k'",
    ]


def test_judge_result_paths_through_the_engine() -> None:
    local = LocalEngine()
    try:
        local.add_collection("judged", "judged", [{"id": "r1", "metadata": {}}])
        results = [
            {
                "id": f"j{index}",
                "agent_run_id": "r1",
                "rubric_id": "rubric",
                "rubric_version": 1,
                "output": {"label": "match", "it's": {"n": index}},
                "result_metadata": None if index else {"tokens": 3},
                "result_type": "DIRECT_RESULT",
                "value": None,
            }
            for index in range(2)
        ]
        assert local.add_judge_results("judged", results) == 2
        names = pseudo_names(local.schema("judged"), "judge_results")
        assert names == [
            "output->'it''s'",
            "output->'it''s'->'n'",
            "output->'label'",
            "result_metadata->'tokens'",
        ]
        readable = [
            json_path_dql(column, path, text=False)
            for column, paths in (
                ("output", [("it's",), ("it's", "n"), ("label",)]),
                ("result_metadata", [("tokens",)]),
            )
            for path in paths
        ]
        for expression in readable:
            result = local.execute("judged", f"SELECT {expression} FROM judge_results")
            assert result.row_count == 2, expression
        it_s = json_path_dql("output", ("it's", "n"))
        rows = local.execute("judged", f"SELECT {it_s} FROM judge_results ORDER BY id").rows
        assert rows == [["0"], ["1"]]
        assert local.schema("other") == build_schema({}).to_json()
    finally:
        local.close()


@pytest.mark.parametrize("collection", [AGENTIC, POPULARITY, EDGE, ODD])
def test_every_agent_run_pseudo_column_is_a_dql_expression(
    engine: LocalEngine, collection: str
) -> None:
    introspected = engine.introspect(collection)
    names = pseudo_names(introspected.to_json(), "agent_runs")
    assert len(names) == len(introspected.metadata_fields) > 0
    stored = engine.execute(collection, "SELECT id, metadata_json FROM agent_runs").rows
    documents = {row[0]: row[1] for row in stored}
    for field in introspected.metadata_fields:
        assert pseudo_column_name("metadata_json", field.path) in names
        name = json_path_dql("metadata_json", field.path, text=False)
        engine.execute(collection, f"SELECT {name} FROM agent_runs LIMIT 1")
        rows = engine.execute(collection, f"SELECT id, {name} FROM agent_runs").rows
        assert {row[0]: row[1] for row in rows} == {
            run_id: path_value(document, field.path) for run_id, document in documents.items()
        }, name


def test_odd_keys_read_the_right_values(engine: LocalEngine) -> None:
    names = set(pseudo_names(engine.schema(ODD), "agent_runs"))
    for index, key in enumerate(ODD_KEYS):
        assert pseudo_column_name("metadata_json", (key,)) in names, key
        name = json_path_dql("metadata_json", (key,), text=False)
        rows = engine.execute(ODD, f"SELECT {name} FROM agent_runs WHERE id = 'odd-1'").rows
        assert rows == [[f"v{index}"]], key
        assert pseudo_column_name("metadata_json", ("nest", key, "in")) in names, key


def test_transcript_group_pseudo_columns_execute(engine: LocalEngine) -> None:
    schema = engine.introspect(GROUPS)
    names = pseudo_names(schema.to_json(), "transcript_groups")
    for field in schema.json_fields[("transcript_groups", "metadata_json")]:
        assert pseudo_column_name("metadata_json", field.path) in names
        expression = json_path_dql("metadata_json", field.path, text=False)
        query = f"SELECT id, {expression} FROM transcript_groups ORDER BY id"
        assert engine.execute(GROUPS, query).row_count == 3, expression
    rows = engine.execute(
        GROUPS, "SELECT metadata_json #> '{it''s,x.y}' FROM transcript_groups ORDER BY id"
    ).rows
    assert rows == [[0], [1], [2]]


# ------------------------------------------------------------------ discovery rules


def test_discovery_rules() -> None:
    documents: list[Any] = [
        {"a": {"b": 1, "c": [{"d": 1}]}, "n": None, "mixed": "x", "empty": {}},
        {"a": {"b": "two"}, "mixed": 3, "flag": True},
        {"mixed": {"inner": False}, "flag": "yes"},
        ["not", "an", "object"],
        None,
        "text",
    ]
    fields = {field.path: field for field in discover_fields(documents)}
    assert set(fields) == {
        ("a",),
        ("a", "b"),
        ("a", "c"),
        ("n",),
        ("mixed",),
        ("mixed", "inner"),
        ("empty",),
        ("flag",),
    }
    kinds = {path: field.kind for path, field in fields.items()}
    assert kinds == {
        ("a",): "object",
        ("a", "b"): "number",  # a number anywhere wins, then a string, then a boolean
        ("a", "c"): "list",
        ("n",): "null",
        ("mixed",): "number",
        ("mixed", "inner"): "bool",
        ("empty",): "object",
        ("flag",): "str",
    }
    assert fields[("mixed",)].runs == 3 and fields[("a", "c")].runs == 1


def test_discovery_order_is_most_common_first_then_first_seen() -> None:
    fields = discover_fields([{"z": 1, "y": 1}, {"x": 1, "y": 2}, {"y": 3}])
    assert [field.path for field in fields] == [("y",), ("z",), ("x",)]
    assert [field.runs for field in fields] == [3, 1, 1]


def test_discovery_has_no_depth_limit_and_no_recursion() -> None:
    depth = 5000
    document: dict[str, Any] = {"leaf": 1}
    for _ in range(depth):
        document = {"k": document}
    fields = discover_fields([document])
    assert len(fields) == depth + 1
    assert fields[-1].path == ("k",) * depth + ("leaf",) and fields[-1].kind == "number"


def test_sample_limit_and_unknown_collection(engine: LocalEngine) -> None:
    fields = {f.path: f for f in engine.introspect(POPULARITY, sample=10).metadata_fields}
    assert fields[("model",)].runs == 10
    assert fields[("scores", "match")].kind == "number"
    empty = engine.introspect("nope")
    assert list(empty.metadata_fields) == []
    schema = engine.schema("nope")
    assert all(pseudo_names(schema, name) == [] for name in TABLES)
    assert len(table(schema, "agent_runs")["columns"]) == 7


def test_edge_field_kinds_and_counts(engine: LocalEngine) -> None:
    fields = {field.path: field for field in engine.introspect(EDGE).metadata_fields}
    assert fields[("model",)].kind == "str" and fields[("model",)].runs == 8
    assert fields[("num",)].kind == "number"
    assert fields[("num_as_string",)].kind == "str"
    assert fields[("null_val",)].kind == "null"
    assert fields[("list",)].kind == "list"
    assert fields[("a",)].kind == "object"
    assert fields[("num", "a")].runs == 1
    assert fields[("it's",)].dql() == "metadata_json #>> '{it''s}'"
    assert fields[("a", "b")].dql(text=False) == "metadata_json->'a'->'b'"
    assert list(engine.introspect(EDGE).metadata_fields)[-1].path == ("num", "a")


# ------------------------------------------------------------------ run list columns


def titles(schema: DQLSchema) -> list[str]:
    return [c.title for c in default_columns(schema)]


def test_run_list_columns_on_the_agentic_sample(engine: LocalEngine) -> None:
    columns = default_columns(engine.introspect(AGENTIC))
    assert columns[:2] == [RUN_COLUMN, CREATED_COLUMN]
    assert [(c.title, c.expression) for c in columns[2:]] == [
        ("model", "metadata_json->>'model'"),
        ("task", "metadata_json->>'task'"),
        ("includes", "metadata_json->'scores'->>'includes'"),
        ("sample_id", "metadata_json->>'sample_id'"),
    ]
    result = engine.execute(AGENTIC, page_query("", columns, 0))
    assert result.row_count == 15
    assert result.rows[0][3] == "openai/gpt-4o"


def test_run_list_columns_on_other_real_runs(engine: LocalEngine) -> None:
    assert titles(engine.introspect(POPULARITY))[2:] == ["model", "task", "match", "sample_id"]
    edge = titles(engine.introspect(EDGE))
    assert edge[2] == "model" and "a" not in edge and "list" not in edge


def test_run_list_ranking() -> None:
    def field(path: str, kind: str, runs: int = 10) -> MetadataField:
        return MetadataField(tuple(path.split(".")), kind, runs)

    schema = DQLSchema(
        {
            ("agent_runs", "metadata_json"): (
                field("notes", "str", 10),
                field("tags", "list"),
                field("scores", "object"),
                field("tokens", "number", 5),
                field("epoch", "number"),
                field("sample_id", "str"),
                field("scores.accuracy", "number", 4),
                field("scores.reward", "number", 9),
                field("task", "str"),
                field("model", "str"),
                field("nothing", "null"),
            )
        }
    )
    chosen = choose_metadata_columns(schema, limit=20)
    assert [c.title for c in chosen] == [
        "model",
        "task",
        "reward",
        "accuracy",
        "sample_id",
        "epoch",
        "tokens",
        "notes",
    ]
    assert [c.key for c in choose_metadata_columns(schema)] == [
        "m:model",
        "m:task",
        "m:scores.reward",
        "m:scores.accuracy",
    ]
