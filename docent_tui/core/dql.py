"""DQL as the Docent server enforces it, and its translation to the local DuckDB engine.

Validation follows docent-api.md §C.3/§C.4 (server v3) message for message; translation turns a
validated PostgreSQL-dialect query into DuckDB SQL that is scoped to one collection.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.postgres import Postgres
from sqlglot.errors import ParseError, SqlglotError, TokenError
from sqlglot.optimizer.scope import Scope, build_scope
from sqlglot.tokens import TokenType

# sqlglot warns through logging when it falls back to a Command parse; a TUI must not print it.
logging.getLogger("sqlglot").addHandler(logging.NullHandler())

MAX_RESULT_LIMIT = 10_000
"""The server's row cap (MAX_DQL_RESULT_LIMIT)."""

WHERE_PREFIX = "SELECT agent_runs.id AS agent_run_id FROM agent_runs WHERE "
"""What the SDK puts in front of a WHERE clause (docent-api.md §C.9)."""

PHYSICAL_SCHEMA = "docent"
"""DuckDB schema holding the real tables; DQL never names it directly."""


class DQLError(Exception):
    """A DQL query the server would refuse; `str(exc)` is the server's message."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class QueryCancelled(Exception):
    """A newer query on the same channel interrupted this one."""


@dataclass(frozen=True)
class TableSpec:
    """A table DQL may read: its visible columns and where its rows live."""

    name: str
    columns: tuple[str, ...]
    column_aliases: Mapping[str, str]
    ordinal: str
    """Hidden insertion-order column, used for the default order and never visible to DQL."""


def _spec(name: str, columns: str, aliases: Mapping[str, str] | None = None) -> TableSpec:
    return TableSpec(name, tuple(columns.split()), dict(aliases or {}), f"__docent_ord_{name}")


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        _spec(
            "agent_runs",
            "collection_id id name description metadata_json created_at",
            {"metadata": "metadata_json"},
        ),
        _spec(
            "transcripts",
            "collection_id agent_run_id dict_key id name description transcript_group_id "
            "messages metadata_json created_at",
        ),
        _spec(
            "transcript_groups",
            "id collection_id agent_run_id name description parent_transcript_group_id "
            "metadata_json created_at",
        ),
        _spec(
            "judge_results",
            "id agent_run_id rubric_id rubric_version output result_metadata result_type value",
        ),
    )
}

# Columns stored as BLOB (bytea on the server): LIKE on them compares the UTF-8 text.
_BYTEA_COLUMNS = {("transcripts", "messages"), ("transcripts", "metadata_json")}

ALLOWED_EXPRESSIONS: tuple[type[exp.Expression], ...] = (
    # Core
    exp.Select, exp.Subquery, exp.Table, exp.TableAlias, exp.From, exp.Where, exp.With,
    exp.CTE, exp.Order, exp.Limit, exp.Offset, exp.Distinct, exp.Join, exp.Alias, exp.Column,
    exp.Identifier, exp.Literal, exp.Boolean, exp.And, exp.Or, exp.Not, exp.EQ, exp.NEQ,
    exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Is, exp.Null, exp.If, exp.In, exp.Exists, exp.Like,
    exp.ILike, exp.Between, exp.Paren, exp.Neg, exp.Cast, exp.Group, exp.Having, exp.Case,
    exp.When, exp.Ordered,
    # Aggregates
    exp.Count, exp.Avg, exp.Max, exp.Min, exp.Sum, exp.Stddev, exp.StddevPop, exp.StddevSamp,
    exp.Variance, exp.Var, exp.CovarPop, exp.CovarSamp, exp.ArrayAgg, exp.Median,
    exp.PercentileCont, exp.PercentileDisc, exp.GroupConcat, exp.WithinGroup, exp.Filter,
    # String aggregation
    exp.Concat, exp.ConcatWs, exp.JSONArrayAgg, exp.JSONObjectAgg, exp.JSONBObjectAgg,
    # Window functions
    exp.Window, exp.RowNumber, exp.Rank, exp.DenseRank, exp.Ntile, exp.Lag, exp.Lead,
    exp.FirstValue, exp.LastValue, exp.NthValue, exp.PercentRank, exp.CumeDist,
    # Set operations
    exp.Union, exp.Intersect, exp.Except,
    # String functions
    exp.Substring, exp.Left, exp.Right, exp.Length, exp.Upper, exp.Lower, exp.Initcap,
    exp.Trim, exp.Replace, exp.SplitPart, exp.StrPosition,
    # Date/time
    exp.CurrentDate, exp.CurrentTime, exp.CurrentTimestamp, exp.Extract, exp.DateTrunc,
    exp.TimestampTrunc, exp.DatetimeTrunc, exp.TimeTrunc, exp.ToChar, exp.Interval,
    exp.AtTimeZone, exp.FromTimeZone, exp.ConvertTimezone, exp.Year, exp.Month, exp.Day,
    exp.DayOfMonth, exp.DayOfWeek, exp.DayOfWeekIso, exp.DayOfYear, exp.Week, exp.WeekOfYear,
    exp.Quarter, exp.DateAdd, exp.DateSub, exp.DateDiff, exp.DatetimeAdd, exp.DatetimeSub,
    exp.DatetimeDiff, exp.TimeAdd, exp.TimeSub, exp.TimeDiff, exp.TimestampAdd,
    exp.TimestampSub, exp.TimestampDiff, exp.MonthsBetween, exp.AddMonths, exp.DateFromParts,
    exp.TimeFromParts, exp.TimestampFromParts, exp.DateFromUnixDate, exp.UnixDate,
    exp.UnixSeconds, exp.LastDay, exp.Date, exp.Time, exp.Timestamp, exp.Datetime,
    exp.StrToDate, exp.StrToTime, exp.DateToDateStr, exp.TimeToStr, exp.TimeToTimeStr,
    exp.UnixToTime, exp.UnixToTimeStr, exp.ParseDatetime, exp.ParseTime,
    exp.FromISO8601Timestamp,
    # Math
    exp.Abs, exp.Sign, exp.Sqrt, exp.Cbrt, exp.Log, exp.Ln, exp.Exp, exp.Pow, exp.Rand,
    exp.Greatest, exp.Least, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Floor, exp.Ceil,
    exp.Round,
    # Null handling
    exp.Coalesce, exp.Nullif,
    # JSON
    exp.JSONBContains, exp.JSONBExists, exp.JSONBExtract, exp.JSONBExtractScalar,
    exp.JSONExtract, exp.JSONExtractScalar, exp.JSONArray, exp.JSONPath, exp.JSONPathRoot,
    exp.JSONPathKey, exp.JSONPathSubscript, exp.JSONPathSelector, exp.JSONPathFilter,
    exp.ArrayContainsAll, exp.ArrayContains, exp.JSONArrayContains,
    # Pattern matching
    exp.SimilarTo, exp.RegexpLike, exp.RegexpReplace,
    # Arrays
    exp.ArraySize, exp.ArrayConcat, exp.Unnest,
    # Other
    exp.DataType, exp.Lambda, exp.Anonymous,
)  # fmt: skip

ALLOWED_ANONYMOUS_FUNCTIONS = frozenset({"mode", "string_agg", "jsonb_build_object"})

_READ_WRITE_NODES: tuple[type[exp.Expression], ...] = (
    exp.Delete, exp.Update, exp.Insert, exp.Command, exp.Create, exp.Drop, exp.Alter,
    exp.Transaction, exp.Merge, exp.Set,
)  # fmt: skip

_FRAGMENT_LIMIT = 160


# --------------------------------------------------------------------------- parsing


def _node_position(node: exp.Expression) -> int | None:
    """0-based offset of a node in the parsed text: its earliest token sqlglot placed."""
    starts = [
        candidate.meta["start"]
        for candidate in node.walk()
        if candidate.meta and isinstance(candidate.meta.get("start"), int)
    ]
    return min(starts) if starts else None


def _line_col_to_offset(text: str, line: int, col: int, highlight: str) -> int:
    """Turn sqlglot's (1-based line, 1-based end column) into a 0-based start offset."""
    lines = text.split("\n")
    line_index = min(max(line, 1), len(lines)) - 1
    offset = sum(len(lines[i]) + 1 for i in range(line_index))
    return max(0, min(len(text), offset + col - len(highlight)))


def _parse_error(exc: ParseError, text: str, shift: int) -> DQLError:
    position: int | None = None
    if exc.errors:
        first = exc.errors[0]
        line, col = first.get("line"), first.get("col")
        if isinstance(line, int) and isinstance(col, int):
            position = _line_col_to_offset(text, line, col, str(first.get("highlight") or ""))
            position += shift
    return DQLError(str(exc), position)


def _token_error(exc: TokenError, text: str, shift: int) -> DQLError:
    # sqlglot reports no position for tokenizer errors; an unterminated quote is the usual cause.
    quote = _unterminated_quote(text)
    return DQLError(str(exc), None if quote is None else quote + shift)


def _unterminated_quote(text: str) -> int | None:
    """Where a string or quoted identifier that never closes begins (a doubled quote escapes)."""
    position: int | None = None
    quote: str | None = None
    index = 0
    while index < len(text):
        char = text[index]
        if quote is None and char in "'\"":
            quote, position = char, index
        elif quote is not None and char == quote:
            if text[index + 1 : index + 2] == quote:
                index += 1
            else:
                quote = None
        index += 1
    return position if quote is not None else None


def parse_statement(dql: str) -> tuple[exp.Expression, int]:
    """Steps 1-3 of §C.3: strip, parse with the postgres dialect, require one statement.

    Returns the statement and the offset of the stripped text inside `dql`.
    """
    stripped = dql.strip()
    if not stripped:
        raise DQLError("DQL query cannot be empty.")
    shift = len(dql) - len(dql.lstrip())
    try:
        statements = [s for s in sqlglot.parse(stripped, read="postgres") if s is not None]
    except ParseError as exc:
        raise _parse_error(exc, stripped, shift) from None
    except TokenError as exc:
        raise _token_error(exc, stripped, shift) from None
    if len(statements) != 1:
        raise DQLError("Only a single SELECT statement is permitted.")
    return statements[0], shift


# --------------------------------------------------------------------------- validation


def apply_count_sugar(expression: exp.Expression) -> None:
    """Rewrite `count()` to `count(1)`, the server's one rewrite."""
    for count in expression.find_all(exp.Count):
        if count.args.get("this") is None and not count.args.get("expressions"):
            count.set("this", exp.Literal.number(1))


def _fragment(node: exp.Expression) -> str:
    try:
        rendered = node.sql(dialect="postgres").strip()
    except SqlglotError:
        rendered = str(node).strip()
    if len(rendered) > _FRAGMENT_LIMIT:
        rendered = rendered[: _FRAGMENT_LIMIT - 3] + "..."
    return rendered


def _check_expression_classes(expression: exp.Expression, shift: int) -> None:
    for node in expression.walk(bfs=True):
        if not isinstance(node, ALLOWED_EXPRESSIONS):
            rendered = _fragment(node)
            detail = f"\n\nOffending DQL fragment: {rendered}" if rendered else ""
            hint = ""
            if isinstance(node, exp.Star):
                hint = "\n\nHint: If using COUNT(*), try count() or count(1) instead."
            raise DQLError(
                f"Expression type '{type(node).__name__}' is not allowed in Docent Query "
                f"Language.{detail}{hint}",
                _shifted(_node_position(node), shift),
            )
        if isinstance(node, exp.Anonymous):
            name = node.name or ""
            if name.lower() not in ALLOWED_ANONYMOUS_FUNCTIONS:
                raise DQLError(
                    f"Function '{name}' is not allowed in Docent Query Language.",
                    _shifted(_node_position(node), shift),
                )


def _shifted(position: int | None, shift: int) -> int | None:
    return None if position is None else position + shift


def _child_scopes(scope: Scope) -> Iterator[Scope]:
    seen: set[int] = set()
    for attribute in ("table_scopes", "subquery_scopes", "cte_scopes", "union_scopes"):
        for child in getattr(scope, attribute, None) or []:
            if isinstance(child, Scope) and id(child) not in seen:
                seen.add(id(child))
                yield child
    for source in scope.sources.values():
        if isinstance(source, Scope) and id(source) not in seen:
            seen.add(id(source))
            yield source


class _ScopeValidator:
    """Step 8 of §C.3: tables, columns and the collection predicate, scope by scope."""

    def __init__(self, shift: int) -> None:
        self.shift = shift
        self.done: dict[int, bool] = {}

    def lookup_table(self, table: exp.Table) -> TableSpec:
        spec = TABLES.get(table.name.lower())
        if spec is None:
            raise DQLError(
                f"Table '{table.name}' is not a valid table for Docent Query Language.",
                _shifted(_node_position(table), self.shift),
            )
        return spec

    def validate(self, scope: Scope, parent: Mapping[str, TableSpec] | None) -> bool:
        if id(scope) in self.done:
            return self.done[id(scope)]
        base: dict[str, TableSpec] = {}
        derived: set[str] = set()
        scoped = False
        for alias, source in scope.sources.items():
            if isinstance(source, exp.Table):
                spec = self.lookup_table(source)
                base[alias.lower()] = spec
                base.setdefault(source.name.lower(), spec)
                scoped = True
            elif isinstance(source, Scope):
                derived.add(alias.lower())
            else:
                raise DQLError(f"Unsupported FROM source type '{type(source).__name__}'.")
        merged = {**{k.lower(): v for k, v in (parent or {}).items()}, **base}
        self.check_columns(scope.columns, merged, derived)
        for child in _child_scopes(scope):
            if self.validate(child, merged):
                scoped = True
        if not scoped:
            raise DQLError("Must reference at least one table.")
        self.done[id(scope)] = scoped
        return scoped

    def check_columns(
        self, columns: list[exp.Column], tables: Mapping[str, TableSpec], derived: set[str]
    ) -> None:
        if not columns:
            return
        distinct = list({id(spec): spec for spec in tables.values()}.values())
        for column in columns:
            if isinstance(column.this, exp.Star):
                continue
            qualifier = column.table.lower() if column.table else None
            if qualifier is None:
                if not tables:
                    continue
                if len(distinct) != 1:
                    raise DQLError(
                        f"Column '{column.sql()}' must be qualified when multiple tables are "
                        "present.",
                        _shifted(_node_position(column), self.shift),
                    )
                self.check_column_name(distinct[0], column)
                continue
            if qualifier in derived:
                continue
            spec = tables.get(qualifier)
            if spec is None:
                raise DQLError(
                    f"Unknown table or alias '{column.table}' in column reference "
                    f"'{column.sql()}'.",
                    _shifted(_node_position(column), self.shift),
                )
            self.check_column_name(spec, column)

    def check_column_name(self, spec: TableSpec, column: exp.Column) -> None:
        name = column.name.lower()
        if name in spec.columns or spec.column_aliases.get(name) in spec.columns:
            return
        raise DQLError(
            f"Column '{column.sql()}' is not a valid column for table '{spec.name}'.",
            _shifted(_node_position(column), self.shift),
        )


def _literal_int(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(node.this)
        except (TypeError, ValueError):
            return None
    if isinstance(node, exp.Neg):
        inner = _literal_int(node.this)
        return None if inner is None else -inner
    return None


def _check_limits(expression: exp.Expression) -> None:
    for node in expression.walk():
        if isinstance(node, exp.Limit):
            value = _literal_int(node.args.get("expression"))
            if value is not None and value < 0:
                raise DQLError("LIMIT must be non-negative.")
        elif isinstance(node, exp.Offset):
            value = _literal_int(node.args.get("expression"))
            if value is not None and value < 0:
                raise DQLError("OFFSET must be non-negative.")


def validate_statement(expression: exp.Expression, shift: int = 0) -> exp.Query:
    """Steps 4-9 of §C.3 on a parsed statement; returns it (rewritten by the count sugar)."""
    apply_count_sugar(expression)
    if not isinstance(expression, exp.Query):
        raise DQLError("Only SELECT-style queries are permitted.")
    for node in expression.walk():
        if isinstance(node, _READ_WRITE_NODES):
            raise DQLError("Only read-only SELECT queries are supported.")
    _check_expression_classes(expression, shift)
    root = build_scope(expression)
    if root is None:
        raise DQLError("Must reference at least one table.")
    if not _ScopeValidator(shift).validate(root, None):
        raise DQLError(
            "DQL queries must reference collection-scoped tables when a collection id is supplied."
        )
    _check_limits(expression)
    return expression


def validate_dql(dql: str) -> tuple[exp.Query, int]:
    """Parse and validate a DQL query exactly as the server would; return it and its shift."""
    statement, shift = parse_statement(dql)
    return validate_statement(statement, shift), shift


# --------------------------------------------------------------------------- WHERE box

_BOX_CLAUSES: dict[TokenType, str] = {
    TokenType.ORDER_BY: "sorting (ORDER BY) belongs to the run list",
    TokenType.LIMIT: "paging (LIMIT) belongs to the run list",
    TokenType.OFFSET: "paging (OFFSET) belongs to the run list",
    TokenType.FETCH: "paging (FETCH) belongs to the run list",
    TokenType.GROUP_BY: "GROUP BY cannot be used here (put it in a subquery)",
    TokenType.HAVING: "HAVING cannot be used here (put it in a subquery)",
    TokenType.UNION: "UNION cannot be used here (put it in a subquery)",
    TokenType.INTERSECT: "INTERSECT cannot be used here (put it in a subquery)",
    TokenType.EXCEPT: "EXCEPT cannot be used here (put it in a subquery)",
    TokenType.WINDOW: "WINDOW cannot be used here",
    TokenType.QUALIFY: "QUALIFY cannot be used here",
}


def _check_box_clauses(where: str) -> None:
    """Refuse clauses that would escape the WHERE condition, at the top nesting level."""
    try:
        tokens = Postgres().tokenize(where)
    except TokenError as exc:
        raise _token_error(exc, where, 0) from None
    depth = 0
    for token in tokens:
        if token.token_type in (TokenType.L_PAREN, TokenType.L_BRACKET):
            depth += 1
        elif token.token_type in (TokenType.R_PAREN, TokenType.R_BRACKET):
            depth = max(depth - 1, 0)
        elif depth == 0 and token.token_type == TokenType.SEMICOLON:
            raise DQLError(
                "The filter is a single condition: remove the ';' (one statement only).",
                token.start,
            )
        elif depth == 0 and token.token_type in _BOX_CLAUSES:
            raise DQLError(
                f"The filter is only the condition after WHERE: {_BOX_CLAUSES[token.token_type]}.",
                token.start,
            )


def _box_parse_error(exc: ParseError, where: str) -> DQLError:
    """Re-anchor sqlglot's message and position on the box text instead of the full query."""
    full = WHERE_PREFIX + where
    if not exc.errors:
        return DQLError(str(exc))
    first = exc.errors[0]
    line, col = first.get("line"), first.get("col")
    highlight = str(first.get("highlight") or "")
    if not isinstance(line, int) or not isinstance(col, int):
        return DQLError(str(exc))
    position = _line_col_to_offset(full, line, col, highlight) - len(WHERE_PREFIX)
    if position < 0:
        position, highlight = 0, ""
    if line == 1:
        col = max(col - len(WHERE_PREFIX), len(highlight), 1)
    start = where[max(0, position - 100) : position]
    end = where[position + len(highlight) : position + len(highlight) + 100]
    message = (
        f"{first.get('description')}. Line {line}, Col: {col}.\n"
        f"  {start}\033[4m{highlight}\033[0m{end}"
    )
    return DQLError(message, position)


def validate_where_clause(where: str) -> None:
    """Check a WHERE box text; positions in errors are relative to `where`."""
    if not where.strip():
        return
    _check_box_clauses(where)
    full = WHERE_PREFIX + where
    try:
        statements = [s for s in sqlglot.parse(full, read="postgres") if s is not None]
    except ParseError as exc:
        raise _box_parse_error(exc, where) from None
    except TokenError as exc:
        raise _token_error(exc, where, 0) from None
    if len(statements) != 1:
        raise DQLError("The filter is a single condition: remove the ';' (one statement only).")
    statement = statements[0]
    if isinstance(statement, exp.Select) and any(
        statement.args.get(key) for key in ("order", "limit", "offset", "group", "having")
    ):
        raise DQLError("The filter is only the condition after WHERE.")
    validate_statement(statement, -len(WHERE_PREFIX))


def wrap_where(where: str) -> str:
    """The box text as one parenthesised condition (a trailing comment cannot eat the paren)."""
    body = where.strip()
    return f"({body}\n)" if "--" in body else f"({body})"


# --------------------------------------------------------------------------- output names

_PG_TYPE_NAMES: dict[exp.DataType.Type, str] = {
    exp.DataType.Type.DOUBLE: "float8",
    exp.DataType.Type.FLOAT: "float4",
    exp.DataType.Type.INT: "int4",
    exp.DataType.Type.BIGINT: "int8",
    exp.DataType.Type.SMALLINT: "int2",
    exp.DataType.Type.DECIMAL: "numeric",
    exp.DataType.Type.BOOLEAN: "bool",
    exp.DataType.Type.CHAR: "bpchar",
    exp.DataType.Type.VARBINARY: "bytea",
    exp.DataType.Type.TIMESTAMPTZ: "timestamptz",
}

_OPERATOR_FUNCS: tuple[type[exp.Expression], ...] = (
    exp.JSONExtract, exp.JSONExtractScalar, exp.JSONBExtract, exp.JSONBExtractScalar,
    exp.JSONBContains, exp.ArrayContainsAll, exp.ArrayContains, exp.JSONArrayContains,
    exp.RegexpLike, exp.SimilarTo,
)  # fmt: skip

_FUNC_NAME = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(\(|$)")


def _identifier_name(node: exp.Expression | None) -> str:
    if isinstance(node, exp.TableAlias):
        node = node.this
    if isinstance(node, exp.Identifier):
        name = str(node.this)
        return name if node.quoted else name.lower()
    return "?column?"


def _figure_name(node: exp.Expression) -> tuple[str, int]:
    """PostgreSQL's FigureColname: (name, strength) for an unaliased select item."""
    if isinstance(node, exp.Column):
        return _identifier_name(node.this), 2
    if isinstance(node, exp.Paren):
        return _figure_name(node.this)
    if isinstance(node, exp.Cast):
        inner, strength = _figure_name(node.this)
        if strength > 1:
            return inner, strength
        to = node.args.get("to")
        if isinstance(to, exp.DataType):
            kind = to.this
            name = _PG_TYPE_NAMES.get(kind) if isinstance(kind, exp.DataType.Type) else None
            return name or to.sql(dialect="postgres").split("(")[0].lower(), 1
        return inner, strength
    if isinstance(node, exp.Boolean):
        return "bool", 1
    if isinstance(node, exp.Interval):
        return "interval", 1
    if isinstance(node, exp.Case):
        return "case", 1
    if isinstance(node, exp.Exists):
        return "exists", 2
    if isinstance(node, exp.Subquery):
        inner_query = node.this
        while isinstance(inner_query, exp.SetOperation):
            inner_query = inner_query.this
        if isinstance(inner_query, exp.Select) and inner_query.expressions:
            return output_name(inner_query.expressions[0]), 2
        return "?column?", 0
    if isinstance(node, (exp.WithinGroup, exp.Window, exp.Filter)):
        return _figure_name(node.this)
    if isinstance(node, exp.CurrentTimestamp):
        return "now", 2
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower(), 2
    if isinstance(node, exp.Func) and not isinstance(node, _OPERATOR_FUNCS):
        match = _FUNC_NAME.match(node.sql(dialect="postgres"))
        if match:
            return match.group(1).lower(), 2
    return "?column?", 0


def output_name(node: exp.Expression) -> str:
    """The result column name PostgreSQL gives a select item."""
    if isinstance(node, exp.Alias):
        return _identifier_name(node.args.get("alias"))
    return _figure_name(node)[0]


def output_names(query: exp.Query) -> list[str]:
    """Result column names of a query, left-most branch for set operations."""
    node: exp.Expression = query
    while isinstance(node, exp.SetOperation):
        node = node.this
    while isinstance(node, exp.Subquery):
        node = node.this
    if isinstance(node, exp.Select):
        return [output_name(e) for e in node.expressions]
    return []


# --------------------------------------------------------------------------- limits


@dataclass(frozen=True)
class LimitPlan:
    """The §C.5 limit arithmetic for one query."""

    requested: int | None
    applied: int
    fetch: int


def plan_limit(query: exp.Query, max_rows: int | None = None) -> LimitPlan:
    """Compute requested/applied/fetch limits and overwrite the top-level LIMIT with fetch."""
    cap = MAX_RESULT_LIMIT if max_rows is None else min(MAX_RESULT_LIMIT, max_rows)
    limit = query.args.get("limit")
    requested = _literal_int(limit.args.get("expression")) if isinstance(limit, exp.Limit) else None
    applied = cap if requested is None else min(requested, cap)
    fetch = cap + 1 if requested is None or requested > cap else requested + 1
    if isinstance(limit, exp.Limit):
        limit.set("expression", exp.Literal.number(fetch))
    else:
        query.set("limit", exp.Limit(expression=exp.Literal.number(fetch)))
    return LimitPlan(requested, applied, fetch)


# --------------------------------------------------------------------------- translation


def _pointer(keys: list[str]) -> str:
    """A JSON pointer naming exactly these keys (no JSONPath quoting pitfalls)."""
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in keys)


def _json_path_operand(path: exp.Expression) -> exp.Expression:
    """The DuckDB operand for one PostgreSQL `->`/`->>` step: a JSON pointer where possible."""
    if isinstance(path, exp.JSONPath):
        parts = [p for p in path.expressions if not isinstance(p, exp.JSONPathRoot)]
        keys: list[str] = []
        for part in parts:
            if isinstance(part, exp.JSONPathKey):
                keys.append(str(part.this))
            elif isinstance(part, exp.JSONPathSubscript) and int(part.this) >= 0:
                # TODO: a pointer also matches an object key "0" where PostgreSQL gives NULL.
                keys.append(str(int(part.this)))
            else:
                return path
        return exp.Literal.string(_pointer(keys))
    return path


def _is_pointer(node: exp.Expression) -> bool:
    return isinstance(node, exp.Literal) and node.is_string and str(node.this).startswith("/")


def _json_step(doc: exp.Expression, operand: exp.Expression, scalar: bool) -> exp.Expression:
    """`doc -> operand` (`->>` when scalar), folding pointer chains so the JSON is parsed once."""
    if _is_pointer(operand) and isinstance(doc, exp.JSONExtract) and _is_pointer(doc.expression):
        operand = exp.Literal.string(str(doc.expression.this) + str(operand.this))
        doc = doc.this
    if scalar:
        return exp.JSONExtractScalar(this=doc, expression=operand)
    return exp.JSONExtract(this=doc, expression=operand)


def _pg_text_array(text: str) -> list[str]:
    """Elements of a PostgreSQL text-array literal such as '{a,"b c",d}'."""
    body = text.strip()
    if not (body.startswith("{") and body.endswith("}")):
        return [body]
    body = body[1:-1]
    if not body.strip():
        return []
    items: list[str] = []
    current: list[str] = []
    quoted = escaped = was_quoted = False
    for char in body:
        if escaped:
            current.append(char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
            was_quoted = True
        elif char == "," and not quoted:
            items.append("".join(current) if was_quoted else "".join(current).strip())
            current, was_quoted = [], False
        else:
            current.append(char)
    items.append("".join(current) if was_quoted else "".join(current).strip())
    return items


def _call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _translate_node(node: exp.Expression) -> exp.Expression:
    """Rewrite one node whose DuckDB form differs from PostgreSQL's."""
    if isinstance(node, (exp.JSONExtract, exp.JSONExtractScalar)):
        operand = _json_path_operand(node.expression)
        return _json_step(node.this, operand, isinstance(node, exp.JSONExtractScalar))
    if isinstance(node, (exp.JSONBExtract, exp.JSONBExtractScalar)):
        scalar = isinstance(node, exp.JSONBExtractScalar)
        path = node.expression
        if isinstance(path, exp.Literal) and path.is_string:
            keys = _pg_text_array(path.this)
            if not keys:
                return (
                    _call("json_extract_string", node.this, exp.Literal.string("$"))
                    if scalar
                    else node.this
                )
            return _json_step(node.this, exp.Literal.string(_pointer(keys)), scalar)
        # TODO: a non-literal #> path (an expression) is passed through as a JSONPath string.
        return _json_step(node.this, path, scalar)
    if isinstance(node, exp.JSONBContains):
        return _call("__pg_jsonb_exists", node.this, node.expression)
    if isinstance(node, exp.ArrayContainsAll):
        return _call("__pg_jsonb_contains", node.this, node.expression)
    if isinstance(node, (exp.Like, exp.ILike)) and not isinstance(node.parent, exp.Escape):
        # PostgreSQL's LIKE treats backslash as the escape character by default (a user ESCAPE
        # clause never gets here: validation refuses it).
        return exp.Escape(this=node, expression=exp.Literal.string("\\"))
    if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.Anonymous):
        order = node.expression
        if node.this.name.lower() == "mode" and isinstance(order, exp.Order) and order.expressions:
            first = order.expressions[0]
            target = first.this if isinstance(first, exp.Ordered) else first
            return _call("mode", target)
    if isinstance(node, exp.Anonymous) and node.name.lower() == "jsonb_build_object":
        return _call("json_object", *node.expressions)
    if isinstance(node, exp.JSONArrayAgg):
        return _call("json_group_array", node.this)
    if isinstance(node, (exp.JSONObjectAgg, exp.JSONBObjectAgg)):
        args = list(node.expressions) or [node.this, node.expression]
        return _call("json_group_object", *[a for a in args if a is not None])
    is_decimal = isinstance(node, exp.DataType) and node.this == exp.DataType.Type.DECIMAL
    if is_decimal and not node.expressions:
        # Unconstrained numeric: DuckDB's default DECIMAL(18,3) would round values away.
        return exp.DataType.build("DECIMAL(38, 10)")
    return node


def _rewrite_bottom_up(root: exp.Expression) -> exp.Expression:
    """Apply `_translate_node` to every node, children before parents."""
    for node in reversed(list(root.walk(bfs=False))):
        parent, arg_key, index = node.parent, node.arg_key, node.index
        replacement = _translate_node(node)
        if replacement is node:
            continue
        if node is root:
            root = replacement
        elif parent is not None and arg_key:
            parent.set(arg_key, replacement, index)
    return root


def _project_json_text(query: exp.Expression) -> frozenset[int]:
    """Fetch top-level `->>` output columns as JSON, to be printed the PostgreSQL way.

    DuckDB prints numbers and objects in its own style; the engine re-prints these columns
    from the JSON value. ORDER BY references to them (alias or position) keep the text form.
    Grouped and DISTINCT queries are left alone so their expressions still match.
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
                position = _literal_int(key)
                if position is not None and position in by_position:
                    key.replace(by_position[position].copy())
    return frozenset(marked)


@dataclass(frozen=True)
class Translation:
    """Executable DuckDB SQL for a validated query, plus what the response needs."""

    sql: str
    columns: list[str]
    limit: LimitPlan
    text_columns: frozenset[int] = frozenset()
    """Output columns fetched as JSON that the engine turns into jsonb `->>` text."""


def _scopes(root: Scope) -> Iterator[Scope]:
    stack = [root]
    seen: set[int] = set()
    while stack:
        scope = stack.pop()
        if id(scope) in seen:
            continue
        seen.add(id(scope))
        yield scope
        stack.extend(_child_scopes(scope))
        stack.extend(getattr(scope, "udtf_scopes", None) or [])


def _scoped_source(spec: TableSpec, collection_id: str, alias: exp.Expression) -> exp.Subquery:
    projections: list[exp.Expression] = [exp.column(c) for c in spec.columns]
    projections += [
        exp.alias_(exp.column(target), name) for name, target in spec.column_aliases.items()
    ]
    projections.append(exp.column(spec.ordinal))
    inner = (
        exp.select(*projections)
        .from_(exp.table_(spec.name, db=PHYSICAL_SCHEMA))
        .where(
            exp.EQ(
                this=exp.column("collection_id"),
                expression=exp.Literal.string(collection_id),
            )
        )
    )
    return exp.Subquery(this=inner, alias=alias)


def _resolve_column(scope: Scope, column: exp.Column) -> tuple[str, str] | None:
    """(registered table, column) a column refers to, when the scope makes it unambiguous."""
    tables: dict[str, str] = {}
    for alias, source in scope.sources.items():
        if isinstance(source, exp.Table) and source.name.lower() in TABLES:
            tables[alias.lower()] = source.name.lower()
    if column.table:
        table = tables.get(column.table.lower())
    else:
        table = next(iter(set(tables.values()))) if len(set(tables.values())) == 1 else None
    return None if table is None else (table, column.name.lower())


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


def _add_default_order(query: exp.Query, ordinals: dict[int, str]) -> None:
    """Order single-table queries by insertion order (as the tiebreaker after any ORDER BY)."""
    if not isinstance(query, exp.Select) or query.args.get("joins"):
        return
    from_ = query.args.get("from")
    source = from_.this if isinstance(from_, exp.From) else None
    if not isinstance(source, exp.Subquery) or _is_aggregate_select(query):
        return
    ordinal = ordinals.get(id(source))
    if ordinal is None:
        return
    tiebreak = exp.Ordered(this=exp.column(ordinal, table=source.alias), nulls_first=False)
    order = query.args.get("order")
    if isinstance(order, exp.Order):
        order.append("expressions", tiebreak)
    else:
        query.set("order", exp.Order(expressions=[tiebreak]))


def translate(query: exp.Query, collection_id: str, max_rows: int | None = None) -> Translation:
    """DuckDB SQL for a validated query: every table read is limited to one collection."""
    columns = output_names(query)
    work = query.copy()
    limit = plan_limit(work, max_rows)
    root = build_scope(work)
    replacements: dict[int, tuple[exp.Table, TableSpec]] = {}
    bytea_columns: list[exp.Column] = []
    if root is not None:
        for scope in _scopes(root):
            for source in scope.sources.values():
                if isinstance(source, exp.Table):
                    spec = TABLES.get(source.name.lower())
                    if spec is not None:
                        replacements[id(source)] = (source, spec)
            for column in scope.columns:
                if _resolve_column(scope, column) in _BYTEA_COLUMNS:
                    bytea_columns.append(column)
    for column in bytea_columns:
        if isinstance(column.parent, exp.Like) and column.arg_key == "this":
            column.replace(_call("decode", column.copy()))
    ordinals: dict[int, str] = {}
    for table, spec in replacements.values():
        alias = table.args.get("alias")
        if not isinstance(alias, exp.TableAlias):
            alias = exp.TableAlias(this=exp.to_identifier(table.name))
        scoped = _scoped_source(spec, collection_id, alias.copy())
        ordinals[id(scoped)] = spec.ordinal
        table.replace(scoped)
    _add_default_order(work, ordinals)
    translated = _rewrite_bottom_up(work)
    text_columns = _project_json_text(translated)
    cte_names = {cte.alias_or_name.lower() for cte in translated.find_all(exp.CTE)}
    for table in translated.find_all(exp.Table):
        if table.db != PHYSICAL_SCHEMA and not (not table.db and table.name.lower() in cte_names):
            raise DQLError(f"Table '{table.name}' is not a valid table for Docent Query Language.")
    try:
        sql = translated.sql(dialect="duckdb")
    except SqlglotError as exc:
        raise DQLError(str(exc)) from None
    return Translation(sql, columns, limit, text_columns)
