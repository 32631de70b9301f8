"""What the run list shows: its columns, and the DQL that fetches its count and pages."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from docent_tui.core.dql import wrap_where
from docent_tui.core.schema import NUMBER_PATTERN, DQLSchema, MetadataField

PAGE_SIZE = 200
RUN_ID_ALIAS = "__run_id"
MAX_METADATA_COLUMNS = 4

# Keys people filter on first; anything under `scores` comes right after these.
_PREFERRED_KEYS = ("model", "task", "task_id")
_SCORE_PARENTS = ("scores",)
# Inspect runs have no name; these keys tell a reader which sample a row is.
_IDENTITY_KEYS = ("sample_id", "epoch")
_SCALAR_KINDS = {"str", "number", "bool"}
# A column may also show lists and objects (summarised in their cells), though none is a default.
_COLUMN_KINDS = _SCALAR_KINDS | {"list", "object"}

ColumnChoice = str | tuple[str, ...]
"""A column as the user chose it: "run", "created_at", or a metadata_json path."""


@dataclass(frozen=True)
class RunColumn:
    """One run-list column: a header and the DQL expression that fills it."""

    key: str
    title: str
    expression: str
    min_width: int = 6
    max_width: int = 40
    # A narrower width at which the values still read whole (timestamps without year/seconds).
    compact_width: int | None = None
    # The metadata_json path a metadata column shows; None for the run's own columns.
    path: tuple[str, ...] | None = None
    # What ORDER BY sorts on, when not `expression` (numbers sort as jsonb, not as text).
    sort_expression: str | None = None

    @property
    def choice(self) -> ColumnChoice:
        """How the column is named in the column choice: its key, or its metadata path."""
        return self.key if self.path is None else self.path

    @property
    def select_item(self) -> str:
        alias = self.key.replace('"', '""')
        return f'{self.expression} AS "{alias}"'


# A run is shown by its name, or by its id when it has none (Inspect runs have no name).
RUN_COLUMN = RunColumn(
    "run", "run", "coalesce(agent_runs.name, agent_runs.id)", min_width=10, max_width=36
)
CREATED_COLUMN = RunColumn(
    "created_at", "created", "agent_runs.created_at", 11, 19, compact_width=11
)


def _title(field: MetadataField) -> str:
    if len(field.path) > 1 and field.path[0] in _SCORE_PARENTS:
        return ".".join(field.path[1:]) or field.path[0]
    return ".".join(field.path)


def choose_metadata_columns(
    schema: DQLSchema, limit: int = MAX_METADATA_COLUMNS
) -> list[RunColumn]:
    """Pick the columns a reader wants first: model, task, then scores, then common keys.

    The candidates are the schema's agent_runs.metadata_json paths that hold scalars.
    """
    scalars = [f for f in schema.metadata_fields if f.kind in _SCALAR_KINDS and f.path]

    def rank(field: MetadataField) -> tuple[int, int, int]:
        head = field.path[0]
        if len(field.path) == 1 and head in _PREFERRED_KEYS:
            return (0, _PREFERRED_KEYS.index(head), 0)
        if head in _SCORE_PARENTS and len(field.path) == 2:
            return (1, 0, -field.runs)
        if len(field.path) == 1 and head in _IDENTITY_KEYS:
            return (2, _IDENTITY_KEYS.index(head), 0)
        if len(field.path) == 1 and field.kind in {"number", "bool"}:
            return (3, 0, -field.runs)
        return (4, len(field.path), -field.runs)

    return [metadata_column(field) for field in sorted(scalars, key=rank)[:limit]]


def metadata_column(field: MetadataField) -> RunColumn:
    """The column showing one metadata path; lists and objects arrive as JSON, so their cells
    can count their items.

    A number column sorts by value, where the text reads as a number (other values go last
    with the NULLs): a plain cast would fail the whole list on one stray string.
    """
    numeric = field.kind in {"number", "bool"}
    text = field.dql(text=True)
    by_value = f"CASE WHEN {text} ~ '{NUMBER_PATTERN}' THEN CAST({text} AS DOUBLE PRECISION) END"
    return RunColumn(
        key="m:" + ".".join(field.path),
        title=_title(field),
        expression=field.dql(text=field.kind in _SCALAR_KINDS),
        min_width=6 if numeric else 8,
        max_width=12 if numeric else 32,
        path=field.path,
        sort_expression=by_value if field.kind == "number" else None,
    )


def column_choices(schema: DQLSchema) -> list[tuple[ColumnChoice, str]]:
    """Every column the user can choose, with its label: the run's own, then metadata paths in
    the schema's order (most common first for local collections)."""
    choices: list[tuple[ColumnChoice, str]] = [
        (RUN_COLUMN.key, "run"),
        (CREATED_COLUMN.key, "created_at"),
    ]
    for field in schema.metadata_fields:
        if field.kind in _COLUMN_KINDS and field.path:
            choices.append((field.path, ".".join(field.path)))
    return choices


def columns_for_choices(schema: DQLSchema, choices: Sequence[ColumnChoice]) -> list[RunColumn]:
    """The columns named by `choices`, in order; paths the schema no longer has are dropped."""
    fields = {f.path: f for f in schema.metadata_fields if f.kind in _COLUMN_KINDS and f.path}
    builtins = {RUN_COLUMN.key: RUN_COLUMN, CREATED_COLUMN.key: CREATED_COLUMN}
    columns: list[RunColumn] = []
    for choice in choices:
        column = builtins.get(choice) if isinstance(choice, str) else None
        if isinstance(choice, tuple) and choice in fields:
            column = metadata_column(fields[choice])
        if column is not None and column not in columns:
            columns.append(column)
    return columns


def default_columns(schema: DQLSchema) -> list[RunColumn]:
    """Name (or id), created time and the metadata columns chosen from the schema."""
    return [RUN_COLUMN, CREATED_COLUMN, *choose_metadata_columns(schema)]


def page_select_items(columns: Sequence[RunColumn]) -> list[str]:
    """The select list of a page query: the run id first (to open runs), then each column."""
    return [f'agent_runs.id AS "{RUN_ID_ALIAS}"', *(column.select_item for column in columns)]


def select_query(
    where: str,
    select_items: Sequence[str],
    order_by: str | None = None,
    limit: int | None = None,
    offset: int | None = None,
) -> str:
    """The DQL the run list sends: `SELECT <items> FROM agent_runs [WHERE (<box>)] ...`."""
    parts = [f"SELECT {', '.join(select_items) or 'agent_runs.id'} FROM agent_runs"]
    if where.strip():
        parts.append(f"WHERE {wrap_where(where)}")
    if order_by is not None and order_by.strip():
        parts.append(f"ORDER BY {order_by.strip()}")
    if limit is not None:
        parts.append(f"LIMIT {int(limit)}")
    if offset is not None:
        parts.append(f"OFFSET {int(offset)}")
    return " ".join(parts)


def count_query(where: str) -> str:
    """The exact number of runs matching the WHERE box."""
    return select_query(where, ["count() AS n"])


def page_query(
    where: str, columns: Sequence[RunColumn], page: int, order: ListOrder | None = None
) -> str:
    """One page of the run list, in `order` or else the collection's natural order."""
    items = page_select_items(columns)
    order_by = order.sql if order is not None else None
    return select_query(where, items, order_by, limit=PAGE_SIZE, offset=page * PAGE_SIZE)


def box_position(dql: str, where: str, position: int | None) -> int | None:
    """Move an error position in a run-list query onto the WHERE box text, if it falls there."""
    if position is None or not where.strip():
        return None
    start = dql.find(f"WHERE {wrap_where(where)}")
    if start < 0:
        return None
    # wrap_where strips the box and adds "(": undo both to land on the box's own characters.
    offset = start + len("WHERE (") - (len(where) - len(where.lstrip()))
    inside = position - offset
    return inside if 0 <= inside <= len(where) else None


@dataclass(frozen=True)
class OrderKey:
    """One ORDER BY key and where its NULLs go: "default" as PostgreSQL puts them (last
    ascending, first descending), "last" both ways, or "never" for a key that is never NULL."""

    expression: str
    descending: bool = False
    nulls: Literal["default", "last", "never"] = "default"

    @property
    def sql(self) -> str:
        # `IS NULL` as a key of its own rather than NULLS LAST, which the local engine's
        # translation drops for DESC.
        ordered = f"{self.expression}{' DESC' if self.descending else ''}"
        return f"{self.expression} IS NULL, {ordered}" if self.nulls == "last" else ordered

    def before(self, mine: str, theirs: str) -> str:
        """DQL: `mine` sorts before `theirs` by this key."""
        strictly = f"{mine} {'>' if self.descending else '<'} {theirs}"
        if self.nulls == "never":
            return strictly
        if self.nulls == "last" or not self.descending:
            return f"{strictly} OR ({mine} IS NOT NULL AND {theirs} IS NULL)"
        return f"{strictly} OR ({mine} IS NULL AND {theirs} IS NOT NULL)"

    def same(self, mine: str, theirs: str) -> str:
        """DQL: `mine` and `theirs` tie on this key."""
        equal = f"{mine} = {theirs}"
        return (
            equal if self.nulls == "never" else f"{equal} OR ({mine} IS NULL AND {theirs} IS NULL)"
        )


@dataclass(frozen=True)
class ListOrder:
    """The run list's ORDER BY: keys in turn, the last one unique (the run id), so every run
    has one place and pages never overlap."""

    keys: tuple[OrderKey, ...]

    @property
    def sql(self) -> str:
        return ", ".join(key.sql for key in self.keys)


RUN_ID_KEY = OrderKey("agent_runs.id", nulls="never")
NEWEST_FIRST = ListOrder((OrderKey("agent_runs.created_at", descending=True), RUN_ID_KEY))
"""The remote run list's order: newest first, the id breaking ties so pages are stable."""


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def membership_where(where: str, run_id: str) -> str:
    """A WHERE clause matching run `run_id` only, and only if it matches `where` too."""
    own = f"agent_runs.id = {_literal(run_id)}"
    return f"{own} AND {wrap_where(where)}" if where.strip() else own


def rank_query(where: str, run_id: str, order: ListOrder) -> str:
    """DQL giving one row `(before, found)`: how many runs of the list of `where` in `order`
    come before run `run_id`, and whether the run is in the list at all.

    It counts the runs whose keys sort ahead of the run's own keys (read by a subquery), so it
    costs one scan, not a sort of the list.
    """
    run = _literal(run_id)
    ahead = ""
    for key in reversed(order.keys):
        mine = f"({key.expression})"
        theirs = f"(SELECT {key.expression} FROM agent_runs WHERE agent_runs.id = {run})"
        before = key.before(mine, theirs)
        ahead = f"{before} OR (({key.same(mine, theirs)}) AND ({ahead}))" if ahead else before
    dql = select_query(
        where,
        [
            f"sum(CASE WHEN agent_runs.id = {run} THEN 0 ELSE 1 END) AS before",
            f"sum(CASE WHEN agent_runs.id = {run} THEN 1 ELSE 0 END) AS found",
        ],
    )
    joiner = " AND " if where.strip() else " WHERE "
    return f"{dql}{joiner}(agent_runs.id = {run} OR {ahead})"


def ranked_position(rows: Sequence[Sequence[Any]]) -> int | None:
    """The answer of `rank_query`: the run's row in the list, or None when it does not match."""
    before, found = rows[0] if rows and len(rows[0]) == 2 else (0, 0)
    return int(before or 0) if found else None


@dataclass(frozen=True)
class RunSort:
    """The user's sort of the run list: a column key and a direction."""

    key: str
    descending: bool = False


def next_sort(current: RunSort | None, key: str) -> RunSort | None:
    """`s` on column `key`: ascending, then descending, then back to the default order."""
    if current is None or current.key != key:
        return RunSort(key)
    return RunSort(key, descending=True) if not current.descending else None


def sort_order(column: RunColumn, descending: bool) -> ListOrder:
    """ORDER BY for a column: NULLs last both ways, the run id breaking ties so pages are stable."""
    expression = column.sort_expression or column.expression
    return ListOrder((OrderKey(expression, descending, nulls="last"), RUN_ID_KEY))


def list_order(
    columns: Sequence[RunColumn], sort: RunSort | None, default: ListOrder | None
) -> ListOrder | None:
    """The run list's ORDER BY: the user's sort when its column is shown, else `default`."""
    column = next((c for c in columns if sort is not None and c.key == sort.key), None)
    if column is None or sort is None:
        return default
    return sort_order(column, sort.descending)
