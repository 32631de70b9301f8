"""Validated DQL as DuckDB SQL with PostgreSQL's semantics, scoped to one collection.

The starting point is what the Docent server sends PostgreSQL: sqlglot's rendering of the
validated query (`_server_rendering` reproduces the spots where that rendering changes meaning).
Every registered table then becomes the engine's physical table and gets the server's collection
predicate ANDed into the WHERE of the SELECT reading it, so a LEFT JOIN loses unmatched rows
exactly as on the server. Finally each construct whose DuckDB meaning differs from PostgreSQL's
is rewritten (`_translate_node`; JSON operators in pg_json, types in pg_types, macros in
pg_macros), and numeric output columns get their PostgreSQL display from pg_numeric.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlglot import exp
from sqlglot.dialects.duckdb import DuckDB
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import Scope, build_scope

from docent_tui.core.dql import (
    PHYSICAL_SCHEMA,
    TABLES,
    DQLError,
    LimitPlan,
    TableSpec,
    child_scopes,
    literal_int,
    output_names,
    plan_limit,
)
from docent_tui.core.lookup_slots import LookupSlots
from docent_tui.core.pg_json import (
    SLOTS,
    SPILLED,
    binary_collation,
    call,
    check_bytea_operators,
    refuse_bytea_json,
    translate_json,
)
from docent_tui.core.pg_jsonb_compare import (
    both_jsonb,
    jsonb_literal_side,
    translate_jsonb_comparison,
    translate_jsonb_pair,
)
from docent_tui.core.pg_numeric import NumericPlan, PlanBuilder
from docent_tui.core.pg_similar import translate_similar
from docent_tui.core.pg_types import (
    PG_TYPE_KEY,
    SOURCE_KEY,
    annotate_columns,
    check_boolean_arguments,
    pg_type,
    resolve_column,
    type_of_datatype,
)

__all__ = ["Translation", "translate"]

# --------------------------------------------------------------------------- node rewrites


class EngineDuckDB(DuckDB):
    """DuckDB as the engine configures it: NULLs sort as in PostgreSQL (large), so sqlglot
    writes `NULLS LAST` on a DESC key instead of assuming DuckDB's stock order."""

    NULL_ORDERING = "nulls_are_large"


def _translate_cast(node: exp.Cast) -> exp.Expression | None:
    to = node.args.get("to")
    if not isinstance(to, exp.DataType):
        return None
    target = type_of_datatype(to)
    source = pg_type(node.this)
    inner = node.this
    if target == "text":
        if source == "bytea":
            return call("__pg_bytea_text", inner)
        if source == "float":
            return call("__pg_float_text", inner)
        if source == "jsonb":
            return call("__pg_json_layout", exp.Cast(this=inner, to=exp.DataType.build("TEXT")))
    if target == "int" and source == "text":
        name, duck = {
            exp.DataType.Type.SMALLINT: ("smallint", "SMALLINT"),
            exp.DataType.Type.BIGINT: ("bigint", "BIGINT"),
        }.get(to.this, ("integer", "INT"))
        checked = call("__pg_text_int", inner, exp.Literal.string(name))
        return exp.Cast(this=checked, to=exp.DataType.build(duck))
    if target == "numeric" and not to.expressions:
        # Unconstrained numeric: DuckDB's default DECIMAL(18,3) would round values away.
        # TODO: PostgreSQL's numeric keeps every digit and each value's own scale.
        return exp.Cast(this=inner, to=exp.DataType.build("DECIMAL(38, 10)"))
    return None


def _translate_extract(node: exp.Extract) -> exp.Expression:
    """EXTRACT returns numeric in PostgreSQL: seconds and epoch with 6 decimals, others whole."""
    unit = node.this.name.lower() if isinstance(node.this, exp.Expression) else str(node.this)
    value = node.expression
    if unit in ("second", "seconds"):
        micros = call("microsecond", value)
        return exp.Mul(
            this=exp.Cast(this=micros, to=exp.DataType.build("DECIMAL(18, 0)")),
            expression=exp.Cast(
                this=exp.Literal.string("0.000001"), to=exp.DataType.build("DECIMAL(7, 6)")
            ),
        )
    if unit == "epoch":
        return exp.Mul(
            this=exp.Cast(this=call("epoch_us", value), to=exp.DataType.build("DECIMAL(38, 0)")),
            expression=exp.Cast(
                this=exp.Literal.string("0.000001"), to=exp.DataType.build("DECIMAL(7, 6)")
            ),
        )
    return exp.Cast(this=node, to=exp.DataType.build("DECIMAL(18, 0)"))


def _jsonb_key_order(key: str) -> tuple[int, bytes]:
    data = key.encode("utf-8", "surrogatepass")
    return len(data), data


def _translate_build_object(node: exp.Anonymous) -> exp.Expression:
    """jsonb_build_object: jsonb keeps one value per key (the last) in jsonb key order."""
    args = list(node.expressions)
    pairs = list(zip(args[0::2], args[1::2], strict=False))
    if all(isinstance(k, exp.Literal) and k.is_string for k, _ in pairs):
        last: dict[str, exp.Expression] = {}
        for key, value in pairs:
            last[str(key.this)] = value
        ordered = sorted(last, key=_jsonb_key_order)
        args = [a for k in ordered for a in (exp.Literal.string(k), last[k])]
    # TODO: computed keys keep their argument order (jsonb would sort them).
    return call("json_object", *args)


def _ordered_arg(node: exp.Expression) -> tuple[exp.Expression, exp.Order | None]:
    if isinstance(node, exp.Order):
        target = node.this
        return target, node
    return node, None


def _translate_aggregate(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.Anonymous):
        order = node.expression
        if node.this.name.lower() == "mode" and isinstance(order, exp.Order) and order.expressions:
            first = order.expressions[0]
            target = first.this if isinstance(first, exp.Ordered) else first
            # DuckDB's mode keeps the first of equally common values in input order.
            return call("mode", exp.Order(this=target.copy(), expressions=order.expressions))
    if isinstance(node, exp.JSONArrayAgg):
        value, order = _ordered_arg(node.this)
        if order is None and isinstance(node.args.get("order"), exp.Order):
            order = node.args["order"]
        if order is not None:
            listed = exp.ArrayAgg(this=exp.Order(this=value, expressions=list(order.expressions)))
        else:
            listed = exp.ArrayAgg(this=value)
        return call("to_json", listed)
    if isinstance(node, (exp.JSONObjectAgg, exp.JSONBObjectAgg)):
        args = list(node.expressions) or [node.this, node.expression]
        return call("json_group_object", *[a for a in args if a is not None])
    return None


def _translate_node(node: exp.Expression) -> exp.Expression:
    """Rewrite one node whose DuckDB form differs from PostgreSQL's."""
    refuse_bytea_json(node)
    json_form = translate_json(node)
    if json_form is not None:
        return json_form
    if isinstance(node, exp.Cast):
        return _translate_cast(node) or node
    if isinstance(node, (exp.Like, exp.ILike)) and not isinstance(node.parent, exp.Escape):
        if pg_type(node.this) == "bytea":
            if isinstance(node, exp.ILike):
                raise DQLError("operator does not exist: bytea ~~* unknown")
            node.set("this", call("decode", node.this))
        # PostgreSQL's LIKE treats backslash as the escape character by default (a user ESCAPE
        # clause never gets here: validation refuses it).
        return exp.Escape(this=node, expression=exp.Literal.string("\\"))
    if isinstance(node, exp.Length) and pg_type(node.this) == "bytea":
        return call("octet_length", node.this)
    if isinstance(node, exp.Order):
        _jsonb_order(node)
        return node
    if isinstance(node, exp.SimilarTo):
        return translate_similar(node, pg_type(node.this))
    jsonb_side = jsonb_literal_side(node)
    if jsonb_side is not None:
        return translate_jsonb_comparison(node, jsonb_side)
    if both_jsonb(node):
        return translate_jsonb_pair(node)
    if isinstance(node, (exp.EQ, exp.NEQ)) and "text" in (
        pg_type(node.this),
        pg_type(node.expression),
    ):
        side = "expression" if pg_type(node.expression) == "text" else "this"
        node.set(side, binary_collation(node.args[side]))
        return node
    if isinstance(node, exp.In) and pg_type(node.this) == "text" and node.expressions:
        node.set("this", binary_collation(node.this))
        return node
    if isinstance(node, (exp.Div, exp.Mod)):
        node.set("expression", call("__pg_nonzero", node.expression))
        return node
    if isinstance(node, exp.Initcap):
        return call("__pg_initcap", node.this)
    if isinstance(node, exp.Extract):
        return _translate_extract(node)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "jsonb_build_object":
        return _translate_build_object(node)
    return _translate_aggregate(node) or node


_JSONB_SORT_KEYS = ("__pg_jsonb_rank", "__pg_jsonb_number", "__pg_jsonb_string", "__pg_jsonb_size")


def _jsonb_order(order: exp.Order) -> None:
    """Sort jsonb keys the way PostgreSQL compares jsonb values, not by their text."""
    expanded: list[exp.Expression] = []
    changed = False
    for ordered in order.expressions:
        key = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        if not isinstance(ordered, exp.Ordered) or pg_type(key) != "jsonb":
            expanded.append(ordered)
            continue
        changed = True
        for name in _JSONB_SORT_KEYS:
            part = ordered.copy()
            part.set("this", call(name, key.copy()))
            expanded.append(part)
        # TODO: arrays and objects of equal size compare element by element in PostgreSQL;
        # their text decides here.
        expanded.append(ordered)
    if changed:
        order.set("expressions", expanded)


def _rewrite_bottom_up(root: exp.Expression) -> exp.Expression:
    """Apply `_translate_node` to every node, children before parents."""
    for node in reversed(list(root.walk(bfs=False))):
        parent, arg_key, index = node.parent, node.arg_key, node.index
        replacement = _translate_node(node)
        if replacement is node:
            continue
        if PG_TYPE_KEY in node.meta and PG_TYPE_KEY not in replacement.meta:
            replacement.meta[PG_TYPE_KEY] = node.meta[PG_TYPE_KEY]
        if node is root:
            root = replacement
        elif parent is not None and arg_key:
            parent.set(arg_key, replacement, index)
    return root


# --------------------------------------------------------------------------- output columns


_AGGREGATES: tuple[type[exp.Expression], ...] = (
    exp.AggFunc, exp.WithinGroup, exp.Filter, exp.GroupConcat, exp.JSONArrayAgg,
    exp.JSONObjectAgg, exp.JSONBObjectAgg,
)  # fmt: skip
_AGGREGATE_NAMES = frozenset({"mode", "string_agg"})


def _is_aggregate(node: exp.Expression) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.lower() in _AGGREGATE_NAMES
    return isinstance(node, _AGGREGATES)


def _is_aggregate_select(select: exp.Select) -> bool:
    """Whether the select groups rows (GROUP BY, HAVING, DISTINCT or an aggregate call)."""
    if select.args.get("group") or select.args.get("having") or select.args.get("distinct"):
        return True
    for projection in select.expressions:
        for node in projection.walk():
            if (
                _is_aggregate(node)
                and node.find_ancestor(exp.Select) is select
                and node.find_ancestor(exp.Window) is None
            ):
                return True
    return False


def _project_json_text(query: exp.Expression) -> frozenset[int]:
    """Fetch top-level `->>` output columns as JSON, to be printed the PostgreSQL way in Python.

    Python prints nested objects exactly (even exponent floats deep inside them). ORDER BY
    references to these columns (alias or position) keep the text form. Grouped and DISTINCT
    queries are left alone so their expressions still match.
    """
    if not isinstance(query, exp.Select) or _is_aggregate_select(query):
        return frozenset()
    plain: dict[str, exp.Expression] = {}
    by_position: dict[int, exp.Expression] = {}
    marked: set[int] = set()
    for index, projection in enumerate(query.expressions):
        node = projection.this if isinstance(projection, exp.Alias) else projection
        if not isinstance(node, exp.JSONExtractScalar):
            continue
        text_form = node.copy()
        node.replace(exp.JSONExtract(this=node.this, expression=node.expression))
        marked.add(index)
        by_position[index + 1] = text_form
        if isinstance(projection, exp.Alias):
            plain[projection.alias.lower()] = text_form
    order = query.args.get("order")
    if marked and isinstance(order, exp.Order):
        for ordered in order.expressions:
            key = ordered.this if isinstance(ordered, exp.Ordered) else ordered
            if isinstance(key, exp.Column) and not key.table and key.name.lower() in plain:
                key.replace(plain[key.name.lower()].copy())
            elif isinstance(key, exp.Literal) and not key.is_string:
                position = literal_int(key)
                if position is not None and position in by_position:
                    key.replace(by_position[position].copy())
    return frozenset(marked)


# --------------------------------------------------------------------------- scoping


def _scopes(root: Scope) -> Iterator[Scope]:
    stack = [root]
    seen: set[int] = set()
    while stack:
        scope = stack.pop()
        if id(scope) in seen:
            continue
        seen.add(id(scope))
        yield scope
        stack.extend(child_scopes(scope))
        stack.extend(getattr(scope, "udtf_scopes", None) or [])


def _physical(table: exp.Table, spec: TableSpec) -> tuple[exp.Table, exp.Identifier]:
    """The engine's table for a DQL table reference, under the alias the query uses."""
    alias = table.args.get("alias")
    identifier = (
        alias.this.copy()
        if isinstance(alias, exp.TableAlias) and isinstance(alias.this, exp.Identifier)
        else exp.to_identifier(table.name)
    )
    physical = exp.Table(
        this=exp.to_identifier(spec.name),
        db=exp.to_identifier(PHYSICAL_SCHEMA),
        alias=exp.TableAlias(this=identifier.copy()),
    )
    return physical, identifier


def _collection_predicate(alias: exp.Identifier, collection_id: str) -> exp.Expression:
    return exp.EQ(
        this=exp.Column(this=exp.to_identifier("collection_id"), table=alias.copy()),
        expression=binary_collation(exp.Literal.string(collection_id)),
    )


def _resolve_metadata_alias(column: exp.Column) -> None:
    """`metadata` names agent_runs.metadata_json (the registry's column alias)."""
    target = exp.Column(this=exp.to_identifier("metadata_json"), table=column.args.get("table"))
    target.meta[PG_TYPE_KEY] = "jsonb"
    target.meta[SOURCE_KEY] = ("agent_runs", "metadata_json")
    if isinstance(column.parent, exp.Select) and column.arg_key == "expressions":
        column.replace(exp.alias_(target, "metadata"))
    else:
        column.replace(target)


def _scope_tables(work: exp.Query, collection_id: str) -> dict[int, tuple[str, str]]:
    """Point DQL tables at the engine's tables and AND in the collection predicates.

    Returns the insertion-order column of each replaced table by the id of its new node.
    """
    root = build_scope(work)
    if root is None:
        return {}
    pending: list[tuple[exp.Select, exp.Table, TableSpec]] = []
    columns: list[tuple[exp.Column, tuple[str, str]]] = []
    for scope in _scopes(root):
        for source in scope.sources.values():
            spec = TABLES.get(source.name.lower()) if isinstance(source, exp.Table) else None
            if spec is not None and isinstance(scope.expression, exp.Select):
                pending.append((scope.expression, source, spec))
        for column in scope.columns:
            resolved = resolve_column(scope, column)
            if resolved is not None:
                columns.append((column, resolved))
    annotate_columns(columns)
    ordinals: dict[int, tuple[str, str]] = {}
    for select, table, spec in pending:
        physical, alias = _physical(table, spec)
        table.replace(physical)
        select.where(_collection_predicate(alias, collection_id), copy=False)
        ordinals[id(physical)] = (alias.name, spec.ordinal)
    for column, (table_name, name) in columns:
        if table_name == "agent_runs" and name == "metadata":
            _resolve_metadata_alias(column)
    return ordinals


ORDINAL_COLUMN = "__docent_ordinal"
"""The output column `translate(..., ordinal=True)` adds: the row's insertion position."""


def _own_ordinal(query: exp.Query, ordinals: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
    """(alias, ordinal column) of the one table a plain single-table SELECT reads, if it is one."""
    if not isinstance(query, exp.Select) or query.args.get("joins"):
        return None
    from_ = query.args.get("from")
    source = from_.this if isinstance(from_, exp.From) else None
    if not isinstance(source, exp.Table) or _is_aggregate_select(query):
        return None
    return ordinals.get(id(source))


def _add_default_order(query: exp.Query, ordinals: dict[int, tuple[str, str]]) -> None:
    """Break ORDER BY ties of single-table queries by insertion order, as PostgreSQL's heap."""
    found = _own_ordinal(query, ordinals)
    order = query.args.get("order")
    if found is None or not isinstance(order, exp.Order):
        return  # DuckDB returns rows in insertion order (preserve_insertion_order), and stops early
    alias, ordinal = found
    order.append(
        "expressions", exp.Ordered(this=exp.column(ordinal, table=alias), nulls_first=False)
    )


def _add_ordinal_column(query: exp.Query, ordinals: dict[int, tuple[str, str]]) -> None:
    """Select the insertion position of each row too, as ORDINAL_COLUMN."""
    found = _own_ordinal(query, ordinals)
    if found is None:
        raise DQLError("Only a plain query of one table has an insertion order.")
    alias, ordinal = found
    query.append("expressions", exp.alias_(exp.column(ordinal, table=alias), ORDINAL_COLUMN))


# --------------------------------------------------------------------------- entry point


@dataclass(frozen=True)
class Translation:
    """Executable DuckDB SQL for a validated query, plus what the response needs."""

    sql: str
    columns: list[str]
    limit: LimitPlan
    text_columns: frozenset[int] = frozenset()
    """Output columns fetched as JSON that the engine turns into jsonb `->>` text."""
    numeric_columns: dict[int, tuple[int, NumericPlan]] = field(default_factory=dict)
    """Numeric output columns computed in Python: column -> (first hidden leaf column, plan)."""


def _json_from_lambda(node: exp.Lambda) -> exp.Expression:
    """`f(col -> 'k' ...)`: sqlglot parses the argument as a lambda; PostgreSQL, which gets the
    same text back, reads a JSON step on the column."""
    params = node.expressions
    if len(params) != 1 or not isinstance(params[0], exp.Identifier):
        raise DQLError("Lambda expressions are not supported by PostgreSQL.")
    column = exp.Column(this=params[0].copy())
    body: exp.Expression = node.this.copy()
    leaf = body
    while isinstance(leaf, (exp.JSONExtract, exp.JSONExtractScalar)):
        leaf = leaf.this
    if not isinstance(leaf, exp.Literal):
        raise DQLError("Lambda expressions are not supported by PostgreSQL.")
    part: exp.Expression = (
        exp.JSONPathKey(this=str(leaf.this))
        if leaf.is_string
        else exp.JSONPathSubscript(this=int(leaf.this))
    )
    step = exp.JSONExtract(
        this=column, expression=exp.JSONPath(expressions=[exp.JSONPathRoot(), part])
    )
    if leaf is body:
        return step
    leaf.replace(step)
    return body


def _type_order_aliases(query: exp.Query) -> None:
    """ORDER BY naming an output column by alias has that column's type."""
    order = query.args.get("order")
    if not isinstance(query, exp.Select) or not isinstance(order, exp.Order):
        return
    aliases = {
        p.alias.lower(): pg_type(p.this) for p in query.expressions if isinstance(p, exp.Alias)
    }
    for ordered in order.expressions:
        key = ordered.this if isinstance(ordered, exp.Ordered) else ordered
        if isinstance(key, exp.Column) and not key.table and key.name.lower() in aliases:
            key.meta[PG_TYPE_KEY] = aliases[key.name.lower()]


def _plan_numeric_columns(query: exp.Query) -> dict[int, tuple[int, NumericPlan]]:
    """Hidden leaf columns for each top-level numeric output (see pg_numeric)."""
    if not isinstance(query, exp.Select) or query.args.get("distinct"):
        return {}
    aggregate = _is_aggregate_select(query)
    plans: dict[int, tuple[int, NumericPlan]] = {}
    hidden: list[exp.Expression] = []
    visible = len(query.expressions)
    for index, projection in enumerate(list(query.expressions)):
        node = projection.this if isinstance(projection, exp.Alias) else projection
        if pg_type(node) != "numeric":
            continue
        plan = PlanBuilder(pg_type, aggregate).build(node)
        if plan is None:
            continue
        plans[index] = (visible + len(hidden), plan)
        for leaf in plan.leaves:
            hidden.append(exp.alias_(leaf, f"__docent_num_{len(hidden)}"))
    for item in hidden:
        query.append("expressions", item)
    return plans


def _server_rendering(query: exp.Query) -> exp.Query:
    """The query as PostgreSQL receives it from the server, which sends sqlglot's rendering.

    Three spots of that rendering change what a JSON step means: a step with an empty key
    vanishes (`doc->>''` is `doc` itself), a negative position becomes a call of
    json_extract_path(_text), which has no integer form, and a key holding a quote is written
    without doubling it, which PostgreSQL cannot parse.
    """
    work = query.copy()
    for lambda_ in list(work.find_all(exp.Lambda)):
        lambda_.replace(_json_from_lambda(lambda_))
    for node in list(work.find_all(exp.JSONExtract, exp.JSONExtractScalar)):
        path = node.expression
        if isinstance(path, exp.JSONPath):
            parts = [p for p in path.expressions if not isinstance(p, exp.JSONPathRoot)]
            for part in parts:
                if isinstance(part, exp.JSONPathKey) and "'" in str(part.this):
                    raise DQLError(
                        f'syntax error at or near "{part.this}" (the server sends this key '
                        "to PostgreSQL without doubling its quote)"
                    )
            if all(isinstance(p, exp.JSONPathKey) and p.this == "" for p in parts):
                node.replace(node.this)
        elif not isinstance(path, exp.Literal):
            scalar = isinstance(node, exp.JSONExtractScalar)
            function = "json_extract_path_text" if scalar else "json_extract_path"
            raise DQLError(f"function {function}(jsonb, integer) does not exist")
    return work


def translate(
    query: exp.Query,
    collection_id: str,
    max_rows: int | None = None,
    spilled: frozenset[str] | None = None,
    slots: LookupSlots | None = None,
    *,
    ordinal: bool = False,
) -> Translation:
    """DuckDB SQL for a validated query: every table read is limited to one collection.

    `spilled` names the top-level metadata keys whose values the collection's hidden columns
    may lack (None when not known); `slots` says which of those values also sit in plain
    columns. With `ordinal` (for the engine's own wrapping queries), a plain one-table query also
    selects ORDINAL_COLUMN, and returns every row: the result cap is not applied.
    """
    spilled_token = SPILLED.set(spilled)
    slots_token = SLOTS.set(slots)
    try:
        return _translate(query, collection_id, max_rows, ordinal)
    finally:
        SLOTS.reset(slots_token)
        SPILLED.reset(spilled_token)


def _translate(
    query: exp.Query, collection_id: str, max_rows: int | None, ordinal: bool
) -> Translation:
    work = _server_rendering(query)
    columns = output_names(work)
    limit = plan_limit(work, max_rows)
    ordinals = _scope_tables(work, collection_id)
    for node in work.walk():
        pg_type(node)
    check_bytea_operators(work)
    check_boolean_arguments(work)
    _type_order_aliases(work)
    _add_default_order(work, ordinals)
    if ordinal:
        _add_ordinal_column(work, ordinals)
        work.set("limit", None)
    numeric_columns = _plan_numeric_columns(work)
    text_columns = _project_json_text(work)
    translated = _rewrite_bottom_up(work)
    cte_names = {cte.alias_or_name.lower() for cte in translated.find_all(exp.CTE)}
    for table in translated.find_all(exp.Table):
        if table.db != PHYSICAL_SCHEMA and not (not table.db and table.name.lower() in cte_names):
            raise DQLError(f"Table '{table.name}' is not a valid table for Docent Query Language.")
    try:
        sql = translated.sql(dialect=EngineDuckDB)
    except SqlglotError as exc:
        raise DQLError(str(exc)) from None
    return Translation(sql, columns, limit, text_columns, numeric_columns)
