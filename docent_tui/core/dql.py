"""DQL as the Docent server enforces it: parsing, validation, output names and limits.

Validation follows docent-api.md §C.3/§C.4 (server v3) message for message. The translation of a
validated query to the local DuckDB engine lives in translate.py.
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
    if quote is None:
        return DQLError(str(exc))
    line = text.count("\n", 0, quote) + 1
    column = quote - (text.rfind("\n", 0, quote) + 1) + 1
    what = "string" if text[quote] == "'" else "quoted name"
    message = (
        f"Unclosed quote: the {what} that starts at line {line}, column {column} "
        f"needs a closing {text[quote]}"
    )
    return DQLError(message, quote + shift)


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


def child_scopes(scope: Scope) -> Iterator[Scope]:
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
        for child in child_scopes(scope):
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


def literal_int(node: exp.Expression | None) -> int | None:
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return int(node.this)
        except (TypeError, ValueError):
            return None
    if isinstance(node, exp.Neg):
        inner = literal_int(node.this)
        return None if inner is None else -inner
    return None


def _check_limits(expression: exp.Expression) -> None:
    for node in expression.walk():
        if isinstance(node, exp.Limit):
            value = literal_int(node.args.get("expression"))
            if value is not None and value < 0:
                raise DQLError("LIMIT must be non-negative.")
        elif isinstance(node, exp.Offset):
            value = literal_int(node.args.get("expression"))
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
    description = str(first.get("description"))
    if _MISSING_PART.match(description):  # sqlglot names its own classes: say it plainly
        description = f"Incomplete filter: something must follow {highlight.strip()!r}"
    message = f"{description}. Line {line}, Col: {col}.\n  {start}\033[4m{highlight}\033[0m{end}"
    return DQLError(message, position)


_MISSING_PART = re.compile(r"Required keyword: '\w+' missing for <class 'sqlglot\.")


def validate_where_clause(where: str, *, rules: bool = True) -> None:
    """Check a WHERE box text; positions in errors are relative to `where`.

    With `rules=False` only the shape is checked (it parses, one condition, no ORDER BY...),
    leaving the whitelist and column checks to a server whose registry may differ.
    """
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
    where_clause = statement.args.get("where") if isinstance(statement, exp.Select) else None
    if isinstance(where_clause, exp.Where):
        _check_condition(where_clause.this)
    if rules:
        try:
            validate_statement(statement, -len(WHERE_PREFIX))
        except DQLError as error:
            # The server's wording blames the outer table for a subquery's unqualified column.
            if "is not a valid column for table" in error.message and statement.find(exp.Subquery):
                hint = " In a subquery, qualify each column: transcripts.agent_run_id."
                raise DQLError(error.message + hint, error.position) from None
            raise


def _check_condition(condition: exp.Expression) -> None:
    """Refuse a box whose whole text is a value rather than a condition (`CAST(x AS ...)`).

    The server would say `argument of AND must be type boolean`, naming an AND the user never
    wrote (its collection filter's): this says what to do instead.
    """
    from docent_tui.core.pg_types import non_boolean_type  # pg_types builds on this module

    kind = non_boolean_type(condition)
    if kind is not None:
        raise DQLError(
            f"The filter must be a condition, true or false for each run; this is a value of "
            f"type {kind}: compare it, as in … < 0.5 or … = 'x'.",
            0,
        )


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
        return "current_timestamp", 2
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
    requested = literal_int(limit.args.get("expression")) if isinstance(limit, exp.Limit) else None
    applied = cap if requested is None else min(requested, cap)
    fetch = cap + 1 if requested is None or requested > cap else requested + 1
    if isinstance(limit, exp.Limit):
        limit.set("expression", exp.Literal.number(fetch))
    else:
        query.set("limit", exp.Limit(expression=exp.Literal.number(fetch)))
    return LimitPlan(requested, applied, fetch)
