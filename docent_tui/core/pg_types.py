"""The PostgreSQL type of DQL expressions, as far as the translation needs it.

Types are inferred once on the query before it is rewritten and kept in each node's `meta`
(rewritten nodes inherit them), so later steps can ask "is this text? jsonb? bytea?".
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope

from docent_tui.core.dql import TABLES, DQLError

# PostgreSQL type of each DQL column (how the server's tables declare it, docent-api.md §C.7).
_COLUMN_TYPES: dict[tuple[str, str], str] = {
    ("agent_runs", "metadata_json"): "jsonb",
    ("agent_runs", "metadata"): "jsonb",
    ("agent_runs", "created_at"): "timestamp",
    ("transcripts", "messages"): "bytea",
    ("transcripts", "metadata_json"): "bytea",
    ("transcripts", "created_at"): "timestamp",
    ("transcript_groups", "metadata_json"): "jsonb",
    ("transcript_groups", "created_at"): "timestamp",
    ("judge_results", "output"): "jsonb",
    ("judge_results", "result_metadata"): "jsonb",
    ("judge_results", "rubric_version"): "int",
}

PG_TYPE_KEY = "pg_type"
"""Key of `Expression.meta` holding the PostgreSQL type inferred for a node."""

SOURCE_KEY = "pg_source"
"""Key of `Expression.meta` holding the (table, column) a column reference resolves to."""

_TEXT_FUNCS: tuple[type[exp.Expression], ...] = (
    exp.Lower, exp.Upper, exp.Initcap, exp.Substring, exp.Trim, exp.Replace, exp.SplitPart,
    exp.Left, exp.Right, exp.Concat, exp.ConcatWs, exp.GroupConcat, exp.RegexpReplace,
    exp.JSONExtractScalar, exp.JSONBExtractScalar, exp.ToChar,
)  # fmt: skip
_INT_FUNCS: tuple[type[exp.Expression], ...] = (
    exp.Count, exp.Length, exp.StrPosition, exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile,
)  # fmt: skip
_BOOL_NODES: tuple[type[exp.Expression], ...] = (
    exp.Predicate, exp.And, exp.Or, exp.Not, exp.Boolean, exp.JSONBContains,
    exp.ArrayContainsAll, exp.RegexpLike,
)  # fmt: skip
_NUMERIC_RESULT: tuple[type[exp.Expression], ...] = (exp.Avg, exp.Stddev, exp.StddevPop,
    exp.StddevSamp, exp.Variance, exp.VariancePop)  # fmt: skip


def type_of_datatype(to: exp.DataType) -> str | None:
    kind = to.this
    if kind in (exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.SMALLINT):
        return "int"
    if kind in (exp.DataType.Type.DOUBLE, exp.DataType.Type.FLOAT):
        return "float"
    if kind == exp.DataType.Type.DECIMAL:
        return "numeric"
    if kind in exp.DataType.TEXT_TYPES:
        return "text"
    if kind == exp.DataType.Type.BOOLEAN:
        return "bool"
    if kind in (exp.DataType.Type.JSON, exp.DataType.Type.JSONB):
        return "jsonb"
    if kind in (exp.DataType.Type.TIMESTAMP, exp.DataType.Type.DATETIME):
        return "timestamp"
    if kind in (exp.DataType.Type.VARBINARY, exp.DataType.Type.BINARY):
        return "bytea"
    return None


def _promote(*kinds: str | None) -> str | None:
    known = [k for k in kinds if k is not None]
    for kind in ("float", "numeric", "int", "text", "jsonb", "timestamp", "bool"):
        if kind in known:
            return kind
    return None


def pg_type(node: exp.Expression) -> str | None:
    """The PostgreSQL type of an expression as far as it matters here (memoised in meta)."""
    if PG_TYPE_KEY in node.meta:
        cached: str | None = node.meta[PG_TYPE_KEY]
        return cached
    kind = _infer(node)
    node.meta[PG_TYPE_KEY] = kind
    return kind


def _infer(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Column):
        return None  # set by `annotate_columns` when the column resolves to a DQL table
    if isinstance(node, exp.Literal):
        if node.is_string:
            return "text"
        return "int" if node.is_int else "numeric"
    if isinstance(node, (exp.Paren, exp.Neg, exp.Abs, exp.Alias)):
        return pg_type(node.this)
    if isinstance(node, exp.Cast):
        to = node.args.get("to")
        return type_of_datatype(to) if isinstance(to, exp.DataType) else None
    if isinstance(node, (exp.JSONExtract, exp.JSONBExtract)):
        return "jsonb"
    if isinstance(node, _TEXT_FUNCS):
        return "text"
    if isinstance(node, _INT_FUNCS):
        return "int"
    if isinstance(node, _BOOL_NODES):
        return "bool"
    if isinstance(node, exp.Extract):
        return "numeric"
    if isinstance(node, (exp.DateTrunc, exp.TimestampTrunc)):
        return "timestamp"
    if isinstance(node, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod)):
        return _promote(pg_type(node.this), pg_type(node.expression))
    if isinstance(node, exp.Pow):
        return "numeric" if "numeric" in (pg_type(node.this), pg_type(node.expression)) else "float"
    if isinstance(node, (exp.Sqrt, exp.Ln, exp.Exp, exp.Log, exp.PercentileCont)):
        return "float"
    if isinstance(node, exp.Sum):
        inner = pg_type(node.this)
        return inner
    if isinstance(node, _NUMERIC_RESULT):
        inner = pg_type(node.this)
        return "float" if inner == "float" else "numeric" if inner in ("int", "numeric") else None
    if isinstance(node, (exp.Min, exp.Max, exp.Round, exp.Floor, exp.Ceil, exp.Sign)):
        return pg_type(node.this)
    if isinstance(node, (exp.Coalesce, exp.Greatest, exp.Least)):
        return _promote(pg_type(node.this), *(pg_type(e) for e in node.expressions))
    if isinstance(node, exp.Case):
        branches = [pg_type(w.args["true"]) for w in node.args.get("ifs") or []]
        default = node.args.get("default")
        return _promote(*branches, pg_type(default) if default is not None else None)
    if isinstance(node, (exp.Window, exp.Filter)):
        return pg_type(node.this)
    if isinstance(node, exp.WithinGroup):
        order = node.expression
        if (
            isinstance(order, exp.Order)
            and order.expressions
            and isinstance(node.this, exp.Anonymous)
        ):
            first = order.expressions[0]
            return pg_type(first.this if isinstance(first, exp.Ordered) else first)
        return pg_type(node.this)
    if isinstance(node, exp.Anonymous):
        name = node.name.lower()
        return {"string_agg": "text", "jsonb_build_object": "jsonb"}.get(name)
    if isinstance(node, exp.Subquery):
        query = node.this
        if isinstance(query, exp.Select) and query.expressions:
            return pg_type(query.expressions[0])
    return None


def _scope_tables_by_alias(scope: Scope) -> dict[str, str]:
    tables: dict[str, str] = {}
    for alias, source in scope.sources.items():
        if isinstance(source, exp.Table) and source.name.lower() in TABLES:
            tables[alias.lower()] = source.name.lower()
    return tables


def resolve_column(scope: Scope, column: exp.Column) -> tuple[str, str] | None:
    """(registered table, column) a column refers to, looking outwards for correlated ones."""
    current: Scope | None = scope
    while current is not None:
        tables = _scope_tables_by_alias(current)
        if column.table:
            if column.table.lower() in tables:
                return tables[column.table.lower()], column.name.lower()
            if column.table.lower() in {a.lower() for a in current.sources}:
                return None  # a derived table or CTE
        else:
            names = set(tables.values())
            if len(names) == 1:
                return next(iter(names)), column.name.lower()
            if current.sources:
                return None
        current = current.parent
    return None


def annotate_columns(columns: list[tuple[exp.Column, tuple[str, str]]]) -> None:
    for column, key in columns:
        table, name = key
        spec = TABLES[table]
        if name in spec.columns or name in spec.column_aliases:
            column.meta[PG_TYPE_KEY] = _COLUMN_TYPES.get(key, "text")
            column.meta[SOURCE_KEY] = (table, spec.column_aliases.get(name, name))


# PostgreSQL's names of the types above, as its messages print them.
_TYPE_NAMES = {
    "int": "integer",
    "float": "double precision",
    "numeric": "numeric",
    "text": "text",
    "jsonb": "jsonb",
    "timestamp": "timestamp without time zone",
    "bytea": "bytea",
}


# Functions whose integer result PostgreSQL types as bigint.
_BIGINT_RESULT = (exp.Count, exp.Sum, exp.RowNumber, exp.Rank, exp.DenseRank)


def check_boolean_arguments(root: exp.Expression) -> None:
    """Refuse a condition whose type is known and not boolean, as PostgreSQL does (DuckDB
    would cast it): innermost first, left to right, like PostgreSQL's parse analysis.

    A string literal is left alone (PostgreSQL reads it as a boolean), and so is a text column,
    whose exact PostgreSQL type the registry does not say.
    """
    for child in root.iter_expressions():
        check_boolean_arguments(child)
    for clause, condition in _conditions(root):
        name = non_boolean_type(condition)
        if name is not None:
            raise DQLError(f"argument of {clause} must be type boolean, not type {name}")


def non_boolean_type(condition: exp.Expression) -> str | None:
    """PostgreSQL's name of the condition's type when it is known and not boolean, else None."""
    condition = _bare(condition)
    kind = pg_type(condition)
    if kind is None or kind == "bool" or (isinstance(condition, exp.Literal) and kind == "text"):
        return None
    if kind == "text" and isinstance(condition, exp.Column):
        return None
    if kind == "int" and isinstance(condition, _BIGINT_RESULT):
        return "bigint"
    return _TYPE_NAMES.get(kind, kind)


def _conditions(node: exp.Expression) -> list[tuple[str, exp.Expression]]:
    """The (clause, operand) pairs of `node` that PostgreSQL requires to be boolean."""
    if isinstance(node, (exp.And, exp.Or)):
        clause = "AND" if isinstance(node, exp.And) else "OR"
        return [(clause, _bare(node.this)), (clause, _bare(node.expression))]
    if isinstance(node, exp.Not):
        return [("NOT", _bare(node.this))]
    if isinstance(node, (exp.Where, exp.Having)):
        if isinstance(node.parent, exp.Filter):
            return [("FILTER", _bare(node.this))]
        return [("WHERE" if isinstance(node, exp.Where) else "HAVING", _bare(node.this))]
    if isinstance(node, exp.Join) and node.args.get("on") is not None:
        return [("JOIN/ON", _bare(node.args["on"]))]
    if isinstance(node, exp.If) and isinstance(node.parent, exp.Case):
        return [("CASE/WHEN", _bare(node.this))]
    return []


def _bare(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node
