"""DQL validation (server v3 rules and messages), the WHERE box, output names and translation."""

from __future__ import annotations

import pytest
from sqlglot import exp

from docent_tui.core.dql import (
    WHERE_PREFIX,
    DQLError,
    output_names,
    plan_limit,
    validate_dql,
    validate_where_clause,
    wrap_where,
)
from docent_tui.core.translate import translate

STAR_MESSAGE = (
    "Expression type 'Star' is not allowed in Docent Query Language.\n\n"
    "Offending DQL fragment: *\n\n"
    "Hint: If using COUNT(*), try count() or count(1) instead."
)


def error_of(dql: str) -> DQLError:
    with pytest.raises(DQLError) as caught:
        validate_dql(dql)
    return caught.value


@pytest.mark.parametrize(
    ("dql", "message"),
    [
        ("", "DQL query cannot be empty."),
        ("  \n\t ", "DQL query cannot be empty."),
        (
            "SELEC id FROM agent_runs",
            "Invalid expression / Unexpected token. Line 1, Col: 13.\n"
            "  SELEC id \x1b[4mFROM\x1b[0m agent_runs",
        ),
        (
            "SELECT id FROM agent_runs WHERE",
            "Required keyword: 'this' missing for <class 'sqlglot.expressions.Where'>. "
            "Line 1, Col: 31.\n  SELECT id FROM agent_runs \x1b[4mWHERE\x1b[0m",
        ),
        (
            "SELECT id FROM agent_runs; SELECT id FROM agent_runs",
            "Only a single SELECT statement is permitted.",
        ),
        ("DELETE FROM agent_runs", "Only SELECT-style queries are permitted."),
        ("EXPLAIN SELECT id FROM agent_runs", "Only SELECT-style queries are permitted."),
        ("SHOW tables", "Only SELECT-style queries are permitted."),
        ("VALUES (1)", "Only SELECT-style queries are permitted."),
        (
            "WITH d AS (DELETE FROM agent_runs RETURNING id) SELECT d.id FROM d",
            "Only read-only SELECT queries are supported.",
        ),
        ("SELECT * FROM agent_runs", STAR_MESSAGE),
        ("SELECT count(*) FROM agent_runs", STAR_MESSAGE),
        ("SELECT count(*) FILTER (WHERE name IS NULL) FROM agent_runs", STAR_MESSAGE),
        (
            "SELECT id FROM agent_runs WHERE name IS DISTINCT FROM 'a'",
            "Expression type 'NullSafeNEQ' is not allowed in Docent Query Language.\n\n"
            "Offending DQL fragment: name IS DISTINCT FROM 'a'",
        ),
        (
            "SELECT name FROM agent_runs WHERE name ~* 'x'",
            "Expression type 'RegexpILike' is not allowed in Docent Query Language.\n\n"
            "Offending DQL fragment: name ~* 'x'",
        ),
        (
            "SELECT name || 'x' FROM agent_runs",
            "Expression type 'DPipe' is not allowed in Docent Query Language.\n\n"
            "Offending DQL fragment: name || 'x'",
        ),
        (
            "SELECT jsonb_typeof(metadata_json) FROM agent_runs",
            "Function 'jsonb_typeof' is not allowed in Docent Query Language.",
        ),
        (
            "SELECT FooBar(id) FROM agent_runs",
            "Function 'FooBar' is not allowed in Docent Query Language.",
        ),
        ("SELECT id FROM users", "Table 'users' is not a valid table for Docent Query Language."),
        (
            "SELECT foo FROM agent_runs",
            "Column 'foo' is not a valid column for table 'agent_runs'.",
        ),
        (
            "SELECT summary FROM transcripts",
            "Column 'summary' is not a valid column for table 'transcripts'.",
        ),
        (
            "SELECT id FROM agent_runs "
            "JOIN transcripts ON transcripts.agent_run_id = agent_runs.id",
            "Column 'id' must be qualified when multiple tables are present.",
        ),
        (
            "SELECT x.id FROM agent_runs",
            "Unknown table or alias 'x' in column reference 'x.id'.",
        ),
        # The subquery's unqualified column is checked against the outer table first (sqlglot's
        # scope hands correlated-looking columns to the parent), exactly as the server does.
        (
            "SELECT id FROM agent_runs WHERE id IN (SELECT agent_run_id FROM transcripts)",
            "Column 'agent_run_id' is not a valid column for table 'agent_runs'.",
        ),
        ("SELECT 1", "Must reference at least one table."),
        ("SELECT (SELECT 1) FROM agent_runs", "Must reference at least one table."),
        ("SELECT id FROM agent_runs LIMIT -1", "LIMIT must be non-negative."),
        ("SELECT id FROM agent_runs LIMIT 5 OFFSET -2", "OFFSET must be non-negative."),
    ],
)
def test_rejections_use_the_server_messages(dql: str, message: str) -> None:
    assert error_of(dql).message == message
    assert str(error_of(dql)) == message


def _class_error(name: str, fragment: str) -> str:
    return (
        f"Expression type '{name}' is not allowed in Docent Query Language.\n\n"
        f"Offending DQL fragment: {fragment}"
    )


# Everything docent-api.md §C.4 lists as refused by the v3 server (and what the published docs
# claim but the v3 code refuses), with the server's message.
@pytest.mark.parametrize(
    ("dql", "message"),
    [
        (
            "SELECT id FROM agent_runs WHERE id = ANY(ARRAY['a', 'b'])",
            _class_error("Any", "ANY(ARRAY['a', 'b'])"),
        ),
        ("SELECT ARRAY[1, 2] FROM agent_runs", _class_error("Array", "ARRAY[1, 2]")),
        (
            "SELECT id FROM agent_runs WHERE name LIKE 'a!%' ESCAPE '!'",
            _class_error("Escape", "name LIKE 'a!%' ESCAPE '!'"),
        ),
        (
            "SELECT id FROM agent_runs WHERE name !~* 'x'",
            _class_error("RegexpILike", "name ~* 'x'"),
        ),
        (
            "SELECT id FROM agent_runs WHERE name IS NOT DISTINCT FROM 'a'",
            _class_error("NullSafeEQ", "name IS NOT DISTINCT FROM 'a'"),
        ),
        (
            "SELECT id FROM agent_runs WHERE metadata_json ?| array['a']",
            _class_error("JSONBContainsAnyTopKeys", "metadata_json ?| ARRAY['a']"),
        ),
        (
            "SELECT id FROM agent_runs WHERE metadata_json ?& array['a']",
            _class_error("JSONBContainsAllTopKeys", "metadata_json ?& ARRAY['a']"),
        ),
        (
            "SELECT make_interval(days => 1) FROM agent_runs",
            _class_error("MakeInterval", "MAKE_INTERVAL(days => 1)"),
        ),
        ("SELECT id FROM agent_runs FOR UPDATE", _class_error("Lock", "FOR UPDATE")),
        ("SELECT id INTO t FROM agent_runs", _class_error("Into", "INTO t")),
        (
            "SELECT 1 FROM agent_runs, LATERAL (SELECT 1) x",
            _class_error("Lateral", "LATERAL (SELECT 1) AS x"),
        ),
        (
            "SELECT id FROM agent_runs TABLESAMPLE SYSTEM (10)",
            _class_error("TableSample", "TABLESAMPLE SYSTEM (10)"),
        ),
        *[
            (
                f"SELECT {call} FROM agent_runs",
                f"Function '{name}' is not allowed in Docent Query Language.",
            )
            for name, call in [
                ("jsonb_agg", "jsonb_agg(id)"),
                ("jsonb_array_elements", "jsonb_array_elements(metadata_json)"),
                ("jsonb_set", "jsonb_set(metadata_json, '{a}', '1')"),
                ("jsonb_path_query", "jsonb_path_query(metadata_json, '$.a')"),
                ("jsonb_build_array", "jsonb_build_array(id)"),
                ("age", "age(created_at)"),
                ("pg_sleep", "pg_sleep(1)"),
            ]
        ],
        (
            "SELECT convert_from(messages, 'UTF8') FROM transcripts",
            "Function 'convert_from' is not allowed in Docent Query Language.",
        ),
        # GROUP BY names table columns only: an output alias there is an unknown column.
        (
            "SELECT metadata_json->>'task' AS task, count(1) FROM agent_runs GROUP BY task",
            "Column 'task' is not a valid column for table 'agent_runs'.",
        ),
        (
            "SELECT id FROM agent_runs UNION SELECT id FROM users",
            "Table 'users' is not a valid table for Docent Query Language.",
        ),
    ],
)
def test_constructs_the_server_refuses(dql: str, message: str) -> None:
    assert error_of(dql).message == message


def test_offending_fragment_is_cut_at_160_characters() -> None:
    long_side = " || ".join(f"'piece number {i}'" for i in range(20))
    message = error_of(f"SELECT id FROM agent_runs WHERE ({long_side}) = 'x'").message
    fragment = message.split("Offending DQL fragment: ", 1)[1]
    assert message.startswith("Expression type 'DPipe' is not allowed")
    assert len(fragment) == 160
    assert fragment.endswith("...")


@pytest.mark.parametrize(
    ("dql", "position"),
    [
        ("SELEC id FROM agent_runs", 9),
        ("  SELEC id FROM agent_runs", 11),
        ("SELECT foo FROM agent_runs", 7),
        ("\n SELECT x.id FROM agent_runs", 9),
        ("SELECT id FROM users", 15),
        ("SELECT count(*) FROM agent_runs", 13),
        ("SELECT FooBar(id) FROM agent_runs", 7),
    ],
)
def test_error_positions_point_into_the_typed_text(dql: str, position: int) -> None:
    assert error_of(dql).position == position


@pytest.mark.parametrize(
    "dql",
    [
        "SELECT id FROM agent_runs WHERE metadata_json->>'model' ILIKE '%gpt%'",
        "SELECT id FROM agent_runs WHERE metadata_json->'scores'->>'k' IS NOT NULL",
        "SELECT id FROM agent_runs "
        "WHERE CAST(metadata_json->'scores'->>'k' AS DOUBLE PRECISION) > 0.5",
        "SELECT id FROM agent_runs WHERE (metadata_json->>'k')::float BETWEEN 0 AND 1",
        "SELECT id FROM agent_runs WHERE name LIKE 'a%' OR NOT name IN ('x', 'y')",
        "SELECT count() FROM agent_runs",
        "SELECT metadata->>'model' FROM agent_runs",
        "SELECT ar.id FROM agent_runs ar WHERE EXISTS (SELECT 1 FROM transcripts t "
        "WHERE t.agent_run_id = ar.id)",
        "WITH x AS (SELECT id FROM agent_runs) SELECT x.id FROM x",
        "SELECT id FROM agent_runs UNION SELECT agent_run_id FROM transcripts",
        "SELECT mode() WITHIN GROUP (ORDER BY name), string_agg(id, ','), "
        "jsonb_build_object('a', id) FROM agent_runs",
        "SELECT row_number() OVER (ORDER BY id), lower(name), coalesce(name, 'x') FROM agent_runs",
        "SELECT metadata_json ? 'k', metadata_json #>> '{a,b}', metadata_json @> '{\"a\": 1}' "
        "FROM agent_runs",
        # Both names of a table qualify its columns (the server does not reject this).
        "SELECT agent_runs.id FROM agent_runs ar",
    ],
)
def test_everyday_queries_pass(dql: str) -> None:
    validate_dql(dql)


def test_count_without_argument_becomes_count_one() -> None:
    query, _ = validate_dql("SELECT count() FROM agent_runs")
    count = query.find(exp.Count)
    assert count is not None
    assert count.sql() == "COUNT(1)"


@pytest.mark.parametrize(
    ("dql", "names"),
    [
        ('SELECT id, name AS Label, name AS "Label" FROM agent_runs', ["id", "label", "Label"]),
        ("SELECT count(), count(1), count(DISTINCT id) FROM agent_runs", ["count"] * 3),
        ("SELECT metadata_json->>'model' FROM agent_runs", ["?column?"]),
        (
            "SELECT (metadata_json->>'k')::float, CAST(name AS TEXT) FROM agent_runs",
            ["float8", "name"],
        ),
        ("SELECT CAST(metadata_json->>'k' AS DOUBLE PRECISION) FROM agent_runs", ["float8"]),
        (
            "SELECT (metadata_json->>'k')::int, (metadata_json->>'k')::numeric FROM agent_runs",
            ["int4", "numeric"],
        ),
        # PostgreSQL 15 names a boolean constant like any other constant.
        ("SELECT 1, 'a', NULL, TRUE FROM agent_runs", ["?column?"] * 4),
        (
            "SELECT lower(name), coalesce(name, 'x'), now() FROM agent_runs",
            # The server sends sqlglot's rendering: now() arrives as CURRENT_TIMESTAMP.
            ["lower", "coalesce", "current_timestamp"],
        ),
        (
            "SELECT CASE WHEN name IS NULL THEN 1 END, EXISTS (SELECT 1 FROM transcripts) "
            "FROM agent_runs",
            ["case", "exists"],
        ),
        ("SELECT (SELECT count() FROM transcripts) FROM agent_runs", ["count"]),
        (
            "SELECT mode() WITHIN GROUP (ORDER BY name), string_agg(id, ',') FROM agent_runs",
            ["mode", "string_agg"],
        ),
        ("SELECT row_number() OVER (ORDER BY id) FROM agent_runs", ["row_number"]),
        ("SELECT id FROM agent_runs UNION SELECT agent_run_id FROM transcripts", ["id"]),
    ],
)
def test_output_names_follow_postgresql(dql: str, names: list[str]) -> None:
    query, _ = validate_dql(dql)
    assert output_names(query) == names


@pytest.mark.parametrize(
    ("dql", "max_rows", "requested", "applied", "fetch"),
    [
        ("SELECT id FROM agent_runs", None, None, 10_000, 10_001),
        ("SELECT id FROM agent_runs LIMIT 5", None, 5, 5, 6),
        ("SELECT id FROM agent_runs LIMIT 50000", None, 50_000, 10_000, 10_001),
        ("SELECT id FROM agent_runs LIMIT 0", None, 0, 0, 1),
        ("SELECT id FROM agent_runs LIMIT 2 + 3", None, None, 10_000, 10_001),
        ("SELECT id FROM agent_runs", 500, None, 500, 501),
        ("SELECT id FROM agent_runs LIMIT 700", 500, 700, 500, 501),
        ("SELECT id FROM agent_runs LIMIT 7", 500, 7, 7, 8),
        ("SELECT id FROM agent_runs UNION SELECT id FROM agent_runs LIMIT 3", None, 3, 3, 4),
    ],
)
def test_limit_arithmetic(
    dql: str, max_rows: int | None, requested: int | None, applied: int, fetch: int
) -> None:
    query, _ = validate_dql(dql)
    plan = plan_limit(query, max_rows)
    assert (plan.requested, plan.applied, plan.fetch) == (requested, applied, fetch)
    limit = query.args["limit"]
    assert limit.expression.sql() == str(fetch)


def test_only_the_top_level_limit_is_capped() -> None:
    query, _ = validate_dql(
        "SELECT s.id FROM (SELECT id FROM agent_runs LIMIT 50000) s LIMIT 20000"
    )
    sql = translate(query, "c").sql
    assert "LIMIT 50000" in sql
    assert sql.endswith("LIMIT 10001")


# ------------------------------------------------------------------ translation details


def test_json_steps_use_pointers_and_tables_are_scoped() -> None:
    query, _ = validate_dql(
        "SELECT ar.id FROM agent_runs AS ar WHERE ar.metadata_json->'scores'->>'sl/a~b' = '1'"
    )
    sql = translate(query, "the-collection").sql
    # The top-level step reads the pre-extracted values; the rest is a JSON pointer.
    assert "__PG_TOP_JSON(ar.__docent_objects, ar.__docent_keys, ar.metadata_json, 'scores'" in sql
    assert "'/sl~1a~0b'" in sql
    # The server's predicate, ANDed into the WHERE of the SELECT that reads the table.
    assert "FROM docent.agent_runs AS ar WHERE" in sql
    assert "AND ar.collection_id = 'the-collection'" in sql


def test_json_steps_the_server_renders_differently() -> None:
    # sqlglot drops an empty key and does not double a quote inside a key; the server sends
    # that rendering to PostgreSQL, so the local engine answers as PostgreSQL does.
    query, _ = validate_dql("SELECT metadata_json->>'' FROM agent_runs")
    assert output_names(query) == ["?column?"]
    assert "SELECT metadata_json FROM" in translate(query, "c").sql
    with pytest.raises(DQLError, match="without doubling its quote"):
        translate(validate_dql("SELECT metadata_json->>'it''s' FROM agent_runs")[0], "c")
    with pytest.raises(DQLError, match=r"json_extract_path_text\(jsonb, integer\)"):
        translate(validate_dql("SELECT metadata_json->'list'->>-1 FROM agent_runs")[0], "c")


def test_like_gets_postgresql_backslash_escape() -> None:
    query, _ = validate_dql(r"SELECT id FROM agent_runs WHERE name LIKE '100\%%'")
    assert r"LIKE '100\%%' ESCAPE '\'" in translate(query, "c").sql


def test_null_order_follows_postgresql_unless_stated() -> None:
    from docent_tui.core.engine import LocalEngine

    engine = LocalEngine()
    runs = [{"id": "n", "name": None}, {"id": "z", "name": "z"}, {"id": "y", "name": "y"}]
    engine.add_collection("c", "c", runs)

    def order(clause: str) -> list[str]:
        return [row[0] for row in engine.execute("c", f"SELECT id FROM agent_runs {clause}").rows]

    assert order("ORDER BY name DESC") == ["n", "z", "y"]
    assert order("ORDER BY name DESC NULLS LAST") == ["z", "y", "n"]
    assert order("ORDER BY name") == ["y", "z", "n"]
    assert order("ORDER BY name ASC NULLS FIRST") == ["n", "y", "z"]


def test_unconstrained_numeric_keeps_precision() -> None:
    query, _ = validate_dql("SELECT (metadata_json->>'k')::numeric FROM agent_runs")
    assert "DECIMAL(38, 10)" in translate(query, "c").sql


# ------------------------------------------------------------------ the WHERE box


def where_error(where: str) -> DQLError:
    with pytest.raises(DQLError) as caught:
        validate_where_clause(where)
    return caught.value


@pytest.mark.parametrize(
    "where",
    [
        "",
        "   ",
        "metadata_json->>'model' ILIKE '%gpt%'",
        "CAST(metadata_json->'scores'->>'k' AS DOUBLE PRECISION) > 0.5 OR name IS NULL",
        "agent_runs.id IN (SELECT transcripts.agent_run_id FROM transcripts "
        "ORDER BY transcripts.id LIMIT 3)",
        "metadata->>'model' = 'x'",
        "name = 'a;b ORDER BY c'",
    ],
)
def test_where_box_accepts_conditions(where: str) -> None:
    validate_where_clause(where)


@pytest.mark.parametrize(
    ("where", "fragment", "position"),
    [
        ("metadata_json->>'model' = 'x' ORDER BY id", "ORDER BY", 30),
        ("name IS NULL LIMIT 5", "LIMIT", 13),
        ("name IS NULL OFFSET 5", "OFFSET", 13),
        ("name IS NULL GROUP BY name", "GROUP BY", 13),
        ("name IS NULL HAVING count() > 1", "HAVING", 13),
        ("name IS NULL UNION SELECT id FROM agent_runs", "UNION", 13),
        ("name IS NULL; DROP TABLE agent_runs", "';'", 12),
        ("name IS NULL;", "';'", 12),
    ],
)
def test_where_box_refuses_sorting_paging_and_statements(
    where: str, fragment: str, position: int
) -> None:
    error = where_error(where)
    assert fragment in error.message
    assert error.message.startswith("The filter is")
    assert error.position == position


def test_where_box_sorting_message_names_the_run_list() -> None:
    message = where_error("name IS NULL ORDER BY name").message
    assert message == (
        "The filter is only the condition after WHERE: sorting (ORDER BY) belongs to the run list."
    )


def test_where_box_parse_error_is_relative_to_the_box() -> None:
    error = where_error("metadata_json->>'model' = 'x' AND")
    assert error.position == 30
    assert error.message == (
        "Incomplete filter: something must follow 'AND'. "
        "Line 1, Col: 33.\n  metadata_json->>'model' = 'x' \x1b[4mAND\x1b[0m"
    )
    assert WHERE_PREFIX not in error.message


def test_where_box_parse_error_on_a_later_line() -> None:
    where = "name IS NULL\n  AND = 2"
    error = where_error(where)
    assert error.position == where.index("2")
    assert "Line 2, Col: 9." in error.message


def test_where_box_unterminated_string() -> None:
    error = where_error("name = 'abc")
    assert error.message == (
        "Unclosed quote: the string that starts at line 1, column 8 needs a closing '"
    )
    assert error.position == 7


def test_where_box_unterminated_quoted_name_on_a_later_line() -> None:
    error = where_error("name IS NULL\n  AND \"metadata_json = 'a'")
    assert error.message.startswith("Unclosed quote: the quoted name that starts at line 2, col")
    assert 'column 7 needs a closing "' in error.message
    assert error.position == len("name IS NULL\n  AND ")


@pytest.mark.parametrize(
    ("where", "message", "position"),
    [
        ("model = 'x'", "Column 'model' is not a valid column for table 'agent_runs'.", 0),
        ("bad.id = 1", "Unknown table or alias 'bad' in column reference 'bad.id'.", 0),
        ("foo(id) = 1", "Function 'foo' is not allowed in Docent Query Language.", 0),
        ("count(*) > 1", STAR_MESSAGE, 6),
        (
            "id IN (SELECT agent_run_id FROM transcripts)",
            "Column 'agent_run_id' is not a valid column for table 'agent_runs'. In a subquery, "
            "qualify each column: transcripts.agent_run_id.",
            14,
        ),
        (
            "EXISTS (SELECT 1 FROM transcripts t WHERE t.agent_run_id = id)",
            "Column 'id' must be qualified when multiple tables are present.",
            59,
        ),
    ],
)
def test_where_box_validation_errors_use_server_wording(
    where: str, message: str, position: int | None
) -> None:
    error = where_error(where)
    assert error.message == message
    if position is not None:
        assert error.position == position


def test_wrap_where_survives_or_and_comments() -> None:
    assert wrap_where(" a = 1 OR b = 2 ") == "(a = 1 OR b = 2)"
    assert wrap_where("a = 1 -- note") == "(a = 1 -- note\n)"


@pytest.mark.parametrize(
    ("where", "kind"),
    [
        ("CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION)", "double precision"),
        ("1", "integer"),
        ("(2.5)", "numeric"),
        ("metadata_json->'scores'", "jsonb"),
        ("metadata_json->>'model'", "text"),
    ],
)
def test_where_box_that_is_a_value_says_to_compare_it(where: str, kind: str) -> None:
    error = where_error(where)
    assert error.message == (
        "The filter must be a condition, true or false for each run; this is a value of "
        f"type {kind}: compare it, as in … < 0.5 or … = 'x'."
    )
    assert error.position == 0
    validate_where_clause(f"{where} IS NOT NULL")  # compared, it is a condition


@pytest.mark.parametrize(
    ("where", "follows"), [("scores.", "."), ("metadata_json->>", "->>"), ("name = ", "=")]
)
def test_where_box_that_is_incomplete_says_so(where: str, follows: str) -> None:
    error = where_error(where)
    assert error.message.startswith(f"Incomplete filter: something must follow {follows!r}.")
    assert "sqlglot" not in error.message
    assert error.position == where.rindex(follows)
