"""PostgreSQL `numeric` output: exact values with PostgreSQL's display scale, computed in Python.

DuckDB's DECIMAL has one scale per column and at most 38 digits, while PostgreSQL keeps a scale
per value (`'4.50'::numeric` prints 4.50, `avg(int)` prints at least 16 significant digits). For
a numeric output column the engine therefore fetches the column's integer, text or aggregate
inputs ("leaves") as extra hidden columns and redoes the numeric arithmetic here, following
PostgreSQL's rules (numeric.c: select_div_scale, round half away from zero).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import (
    ROUND_CEILING,
    ROUND_FLOOR,
    ROUND_HALF_UP,
    Decimal,
    InvalidOperation,
    localcontext,
)
from typing import Any

from sqlglot import exp

NUMERIC_MIN_SIG_DIGITS = 16
_MAX_SCALE = 1000


class NumericError(Exception):
    """PostgreSQL would raise this error (text is its message)."""


@dataclass(frozen=True)
class Num:
    """A PostgreSQL numeric: exact value and display scale (digits after the point)."""

    value: Decimal
    scale: int

    def text(self) -> str:
        """How the server's JSON carries it: Python's str() of the Decimal PostgreSQL sends."""
        if not self.value.is_finite():
            return str(self.value)
        return str(self.value.quantize(Decimal(1).scaleb(-self.scale)))


def _exact(operation: Callable[[], Decimal]) -> Decimal:
    with localcontext() as context:
        context.prec = 2000
        return operation()


def _round(value: Decimal, scale: int) -> Decimal:
    with localcontext() as context:
        context.prec = 2000
        return value.quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def from_text(text: str) -> Num:
    """numeric input: the scale is the number of digits after the point, exponent applied."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise NumericError(f'invalid input syntax for type numeric: "{text}"') from None
    if not value.is_finite():
        return Num(value, 0)
    exponent = value.as_tuple().exponent
    scale = max(0, -exponent) if isinstance(exponent, int) else 0
    return Num(value, scale)


def from_float(number: float) -> Num:
    """float8::numeric keeps 15 significant digits (DBL_DIG)."""
    if math.isnan(number):
        return Num(Decimal("NaN"), 0)
    return from_text(format(number, ".15g"))


def _weight_first(value: Decimal) -> tuple[int, int]:
    """Weight and first digit of a value in PostgreSQL's base-10000 representation."""
    magnitude = abs(value)
    if magnitude == 0:
        return 0, 0
    weight = magnitude.adjusted() // 4
    first = int(_exact(lambda: magnitude.scaleb(-4 * weight)))
    return weight, first


def division_scale(a: Num, b: Num) -> int:
    """select_div_scale: at least 16 significant digits, never fewer decimals than an input."""
    weight1, first1 = _weight_first(a.value)
    weight2, first2 = _weight_first(b.value)
    quotient_weight = weight1 - weight2
    if first1 <= first2:
        quotient_weight -= 1
    scale = NUMERIC_MIN_SIG_DIGITS - quotient_weight * 4
    return min(max(scale, a.scale, b.scale, 0), _MAX_SCALE)


def divide(a: Num, b: Num) -> Num:
    if b.value == 0:
        raise NumericError("division by zero")
    scale = division_scale(a, b)
    return Num(_round(_exact(lambda: a.value / b.value), scale), scale)


def add(a: Num, b: Num) -> Num:
    return Num(_exact(lambda: a.value + b.value), max(a.scale, b.scale))


def subtract(a: Num, b: Num) -> Num:
    return Num(_exact(lambda: a.value - b.value), max(a.scale, b.scale))


def multiply(a: Num, b: Num) -> Num:
    return Num(_exact(lambda: a.value * b.value), a.scale + b.scale)


def round_to(a: Num, places: int) -> Num:
    scale = max(places, 0)
    if places >= 0:
        return Num(_round(a.value, places), scale)
    step = Decimal(1).scaleb(-places)
    return Num(_exact(lambda: (a.value / step).quantize(Decimal(1), ROUND_HALF_UP) * step), 0)


def variance(count: int, total: Decimal, squares: Decimal, sample: bool, root: bool) -> Num:
    """numeric_stddev_internal for integer inputs (input scale 0)."""
    if count == 0 or (sample and count == 1):
        raise _Null()
    numerator = _exact(lambda: count * squares - total * total)
    if numerator <= 0:
        return Num(Decimal(0), 0)
    denominator = Decimal(count * (count - 1) if sample else count * count)
    top, bottom = Num(numerator, 0), Num(denominator, 0)
    scale = division_scale(top, bottom)
    quotient = _round(_exact(lambda: numerator / denominator), scale)
    if not root:
        return Num(quotient, scale)
    return Num(_round(_exact(lambda: quotient.sqrt()), scale), scale)


class _Null(Exception):
    """The numeric result is NULL."""


# --------------------------------------------------------------------------- plans


Evaluate = Callable[[Sequence[Any]], Num | None]


@dataclass
class NumericPlan:
    """How to compute one numeric output column from hidden leaf columns."""

    leaves: list[exp.Expression]
    evaluate: Evaluate

    def value(self, row: Sequence[Any]) -> str | None:
        """The column's JSON value for one row of leaf values."""
        try:
            result = self.evaluate(row)
        except _Null:
            return None
        return None if result is None else result.text()


_STATISTICS: tuple[type[exp.Expression], ...] = (
    exp.Avg,
    exp.Stddev,
    exp.StddevSamp,
    exp.StddevPop,
    exp.Variance,
    exp.VariancePop,
)


class _Unsupported(Exception):
    """This expression is computed by DuckDB instead."""


def _to_num(value: Any) -> Num | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Unsupported()
    if isinstance(value, int):
        return Num(Decimal(value), 0)
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return Num(value, max(0, -exponent) if isinstance(exponent, int) else 0)
    if isinstance(value, float):
        return from_float(value)
    if isinstance(value, str):
        return from_text(value)
    raise _Unsupported()


class PlanBuilder:
    """Builds a NumericPlan from a (not yet translated) numeric expression.

    `pg_type` gives each node's PostgreSQL type; `aggregate` says whether the select groups,
    in which case every leaf must be an aggregate (it is fetched next to grouped columns).
    """

    def __init__(self, pg_type: Callable[[exp.Expression], str | None], aggregate: bool) -> None:
        self.pg_type = pg_type
        self.aggregate = aggregate
        self.leaves: list[exp.Expression] = []

    def build(self, node: exp.Expression) -> NumericPlan | None:
        try:
            evaluate = self._node(node)
        except _Unsupported:
            return None
        return NumericPlan(self.leaves, evaluate)

    def _leaf(self, node: exp.Expression) -> Evaluate:
        if self.aggregate and not any(
            isinstance(n, (exp.AggFunc, exp.Window)) for n in node.walk()
        ):
            raise _Unsupported()
        index = len(self.leaves)
        self.leaves.append(node.copy())
        return lambda row: _to_num(row[index])

    def _node(self, node: exp.Expression) -> Evaluate:
        kind = self.pg_type(node)
        if isinstance(node, (exp.Paren, exp.Alias)):
            return self._node(node.this)
        if isinstance(node, exp.Literal) and not node.is_string:
            constant = from_text(str(node.this))
            return lambda row: constant
        if kind == "int" and not isinstance(node, exp.Window):
            return self._leaf(node)
        if kind != "numeric":
            raise _Unsupported()
        if isinstance(node, exp.Cast):
            return self._cast(node)
        if isinstance(node, exp.Neg):
            inner = self._node(node.this)
            return lambda row: _map(inner(row), lambda a: Num(-a.value, a.scale))
        if isinstance(node, exp.Abs):
            inner = self._node(node.this)
            return lambda row: _map(inner(row), lambda a: Num(abs(a.value), a.scale))
        binary = {exp.Add: add, exp.Sub: subtract, exp.Mul: multiply, exp.Div: divide}
        for klass, operation in binary.items():
            if isinstance(node, klass):
                return self._binary(node, operation)
        if isinstance(node, exp.Round):
            return self._round(node)
        if isinstance(node, (exp.Floor, exp.Ceil, exp.Sign)):
            return self._unary_scale0(node)
        if isinstance(node, (exp.Case, exp.Coalesce)):
            return self._leaf_then_scale(node)
        if isinstance(node, _STATISTICS):
            return self._statistic(node, None)
        if isinstance(node, exp.Window) and isinstance(node.this, _STATISTICS):
            return self._statistic(node.this, node)
        raise _Unsupported()

    def _binary(self, node: exp.Expression, operation: Callable[[Num, Num], Num]) -> Evaluate:
        left, right = self._node(node.this), self._node(node.expression)

        def evaluate(row: Sequence[Any]) -> Num | None:
            a, b = left(row), right(row)
            if a is None or b is None:
                return None
            try:
                return operation(a, b)
            except NumericError as exc:
                raise NumericError(str(exc)) from None

        return evaluate

    def _cast(self, node: exp.Cast) -> Evaluate:
        to = node.args.get("to")
        if not isinstance(to, exp.DataType) or to.expressions:
            raise _Unsupported()
        source = self.pg_type(node.this)
        if source in ("text", "int", "numeric", "float"):
            if source == "numeric":
                return self._node(node.this)
            return self._leaf(node.this)
        raise _Unsupported()

    def _round(self, node: exp.Round) -> Evaluate:
        inner = self._node(node.this)
        places_node = node.args.get("decimals")
        places = 0
        if places_node is not None:
            if not (isinstance(places_node, exp.Literal) and places_node.is_int):
                raise _Unsupported()
            places = int(places_node.this)
        return lambda row: _map(inner(row), lambda a: round_to(a, places))

    def _unary_scale0(self, node: exp.Expression) -> Evaluate:
        inner = self._node(node.this)

        def apply(a: Num) -> Num:
            if isinstance(node, exp.Sign):
                return Num(Decimal((a.value > 0) - (a.value < 0)), 0)
            rounding = ROUND_FLOOR if isinstance(node, exp.Floor) else ROUND_CEILING
            return Num(a.value.quantize(Decimal(1), rounding=rounding), 0)

        return lambda row: _map(inner(row), apply)

    def _leaf_then_scale(self, node: exp.Expression) -> Evaluate:
        """CASE/COALESCE choosing among integers and literals: DuckDB picks the value and the
        literal it equals gives its scale (an integer branch has scale 0)."""
        if self.aggregate:
            raise _Unsupported()
        if isinstance(node, exp.Case):
            branches = [w.args["true"] for w in node.args.get("ifs") or []]
            if node.args.get("default") is not None:
                branches.append(node.args["default"])
        else:
            branches = [node.this, *node.expressions]
        scales: dict[Decimal, int] = {}
        for branch in branches:
            if isinstance(branch, exp.Literal) and not branch.is_string:
                literal = from_text(str(branch.this))
                scales[literal.value] = literal.scale
            elif self.pg_type(branch) != "int" and not isinstance(branch, exp.Null):
                raise _Unsupported()
        index = len(self.leaves)
        self.leaves.append(node.copy())

        def pick(row: Sequence[Any]) -> Num | None:
            value = row[index]
            if value is None:
                return None
            exact = Decimal(str(value))
            for literal, scale in scales.items():
                if literal == exact:
                    return Num(literal, scale)
            return Num(exact.quantize(Decimal(1)), 0)

        return pick

    def _statistic(self, node: exp.Expression, window: exp.Window | None) -> Evaluate:
        argument = node.this
        if self.pg_type(argument) != "int":
            raise _Unsupported()

        def over(aggregate: exp.Expression) -> exp.Expression:
            if window is None:
                return aggregate
            copy = window.copy()
            copy.set("this", aggregate)
            return copy

        count_index = len(self.leaves)
        self.leaves.append(over(exp.Count(this=argument.copy())))
        sum_index = len(self.leaves)
        self.leaves.append(
            over(exp.Sum(this=exp.Cast(this=argument.copy(), to=exp.DataType.build("HUGEINT"))))
        )
        if isinstance(node, exp.Avg):

            def mean(row: Sequence[Any]) -> Num | None:
                count, total = row[count_index], row[sum_index]
                if not count:
                    return None
                return divide(Num(Decimal(total), 0), Num(Decimal(count), 0))

            return mean
        squared = exp.Mul(
            this=exp.Cast(this=argument.copy(), to=exp.DataType.build("HUGEINT")),
            expression=exp.Cast(this=argument.copy(), to=exp.DataType.build("HUGEINT")),
        )
        squares_index = len(self.leaves)
        self.leaves.append(over(exp.Sum(this=squared)))
        sample = not isinstance(node, (exp.StddevPop, exp.VariancePop))
        root = isinstance(node, (exp.Stddev, exp.StddevSamp, exp.StddevPop))

        def spread(row: Sequence[Any]) -> Num | None:
            count = row[count_index]
            if not count:
                return None
            return variance(
                int(count), Decimal(row[sum_index]), Decimal(row[squares_index]), sample, root
            )

        return spread


def _map(value: Num | None, operation: Callable[[Num], Num]) -> Num | None:
    return None if value is None else operation(value)
