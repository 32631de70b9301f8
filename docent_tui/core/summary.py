"""The run list's summary line: how one numeric metadata field is spread over the filtered runs.

One DQL query, within the server's whitelist, gives the field's min, max, mean, how many runs
hold a number there, and a count per equal-width bucket; `sparkline` draws the buckets.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from docent_tui.core.dql import wrap_where
from docent_tui.core.schema import NUMBER_PATTERN, DQLSchema, MetadataField, json_path_dql

BUCKETS = 10
BARS = "▁▂▃▄▅▆▇█"

_SCORE_PARENT = "scores"


def default_field(schema: DQLSchema) -> MetadataField | None:
    """The numeric field to summarise: the first `scores.*` number, else the first number."""
    numbers = [f for f in schema.metadata_fields if f.kind == "number" and f.path]
    scores = [f for f in numbers if f.path[0] == _SCORE_PARENT and len(f.path) > 1]
    chosen = scores or numbers
    return chosen[0] if chosen else None


def summary_field(schema: DQLSchema, path: tuple[str, ...] | None) -> MetadataField | None:
    """The field to summarise: the numeric one at `path` (the column under the run list's
    column cursor) when there is one, else `default_field`."""
    chosen = next(
        (f for f in schema.metadata_fields if f.kind == "number" and path and f.path == path), None
    )
    return chosen or default_field(schema)


def field_label(field: MetadataField) -> str:
    """How the summary names a field: `reward` for scores.reward, else the dotted path."""
    if len(field.path) > 1 and field.path[0] == _SCORE_PARENT:
        return ".".join(field.path[1:])
    return ".".join(field.path)


def numeric_value_dql(field: MetadataField) -> str:
    """The field as a double where it holds a JSON number, else NULL (strings, booleans...).

    The jsonb value's text (`->`, cast to text) is matched rather than its `->>` text, so a
    string such as "0.5" stays out: its text keeps the quotes.
    """
    text = f"CAST({json_path_dql('agent_runs.metadata_json', field.path, text=False)} AS TEXT)"
    number = f"CAST({text} AS DOUBLE PRECISION)"
    return f"CASE WHEN {text} ~ '{NUMBER_PATTERN}' THEN {number} ELSE NULL END"


def summary_query(where: str, field: MetadataField, buckets: int = BUCKETS) -> str:
    """DQL giving one row: lo, hi, n (runs with a number), mean, then b0..b{buckets-1}.

    A value's bucket is floor((x - lo) * buckets / (hi - lo)), the maximum folded into the last
    one; when every value is equal they all land in bucket 0. No matching run: no row.
    """
    filtered = f" WHERE {wrap_where(where)}" if where.strip() else ""
    # least() skips NULLs (both engines), so the all-equal case is coalesced inside it.
    bucket = (
        f"least(coalesce(floor((v.x - s.lo) * {buckets} / nullif(s.hi - s.lo, 0)), 0), "
        f"{buckets - 1})"
    )
    counts = ", ".join(
        f"sum(CASE WHEN v.x IS NOT NULL AND {bucket} = {index} THEN 1 ELSE 0 END) AS b{index}"
        for index in range(buckets)
    )
    return (
        f"WITH v AS (SELECT {numeric_value_dql(field)} AS x FROM agent_runs{filtered}), "
        "s AS (SELECT min(x) AS lo, max(x) AS hi, count(x) AS n, avg(x) AS mean FROM v) "
        f"SELECT s.lo, s.hi, s.n, s.mean, {counts} "
        "FROM v CROSS JOIN s GROUP BY s.lo, s.hi, s.n, s.mean"
    )


@dataclass(frozen=True)
class Distribution:
    """One numeric field over the filtered runs."""

    label: str
    count: int
    """Runs holding a number in the field."""
    low: float | None
    high: float | None
    mean: float | None
    buckets: tuple[int, ...]


def _number(value: Any) -> float | None:
    # The server sends numerics as JSON numbers or, for exact decimals, as strings.
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def read_distribution(
    field: MetadataField, columns: Sequence[str], rows: Sequence[Sequence[Any]]
) -> Distribution:
    """The answer of `summary_query` as a Distribution; ValueError when it is not one."""
    label = field_label(field)
    if not rows:
        return Distribution(label, 0, None, None, None, ())
    row = list(rows[0])
    if len(row) < 5 or len(row) != len(columns):
        raise ValueError("the summary answer does not have the expected columns")
    low, high, count, mean = _number(row[0]), _number(row[1]), _number(row[2]), _number(row[3])
    buckets = tuple(int(_number(value) or 0) for value in row[4:])
    return Distribution(label, int(count or 0), low, high, mean, buckets)


def sparkline(buckets: Sequence[int]) -> str:
    """One bar per bucket, the fullest as █; an empty bucket is a space, a non-empty one ▁ at
    least, so a few runs in a bucket stay visible."""
    peak = max(buckets, default=0)
    if peak <= 0:
        return " " * len(buckets)
    bars = []
    for count in buckets:
        if count <= 0:
            bars.append(" ")
        else:
            level = math.ceil(count * len(BARS) / peak) - 1
            bars.append(BARS[min(max(level, 0), len(BARS) - 1)])
    return "".join(bars)


def format_number(value: float) -> str:
    """A compact number for the summary: 0.53, 12, 1.2e+06."""
    if value == int(value) and abs(value) < 1e6:
        return str(int(value))
    return f"{value:.3g}"


def summary_text(distribution: Distribution) -> str:
    """`reward  0 ▁▂▃▅█▆▃▁ 1   mean 0.53 · 1,204 runs with a value`, or why there is no chart."""
    if distribution.count == 0 or distribution.low is None or distribution.high is None:
        return f"{distribution.label}  no runs with a value"
    runs = f"{distribution.count:,} run{'s' if distribution.count != 1 else ''} with a value"
    mean = f"mean {format_number(distribution.mean)} · " if distribution.mean is not None else ""
    low, high = format_number(distribution.low), format_number(distribution.high)
    return f"{distribution.label}  {low} {sparkline(distribution.buckets)} {high}   {mean}{runs}"
