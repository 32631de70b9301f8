"""PostgreSQL's jsonb comparison operators (`=`, `<>`, `<`, ...) against a jsonb literal.

jsonb values order by type first (object > array > boolean > number > string > null), then by
value: numbers numerically (4 = 4.0), strings by the database collation, arrays and objects by
size and then element by element (object keys in jsonb's storage order: shorter keys first).
The literal is known when translating, so the comparison is unrolled over its structure.
"""

from __future__ import annotations

import json
from decimal import Decimal

from sqlglot import exp

from docent_tui.core.dql import DQLError
from docent_tui.core.pg_json import binary_collation, call
from docent_tui.core.pg_types import pg_type

_COMPARISONS: tuple[type[exp.Expression], ...] = (
    exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE,
)  # fmt: skip
_MIRRORED: dict[type[exp.Expression], type[exp.Expression]] = {
    exp.EQ: exp.EQ, exp.NEQ: exp.NEQ, exp.LT: exp.GT, exp.LTE: exp.GTE, exp.GT: exp.LT,
    exp.GTE: exp.LTE,
}  # fmt: skip
_RANK_NULL, _RANK_STRING, _RANK_NUMBER, _RANK_BOOL, _RANK_ARRAY, _RANK_OBJECT = range(6)


def _refuse_constant(name: str) -> object:
    raise ValueError(name)


def _parse(text: str) -> object:
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=_refuse_constant
        )
    except ValueError:
        raise DQLError("invalid input syntax for type json") from None


def _rank(value: object) -> int:
    if value is None:
        return _RANK_NULL
    if isinstance(value, bool):
        return _RANK_BOOL
    if isinstance(value, Decimal):
        return _RANK_NUMBER
    if isinstance(value, str):
        return _RANK_STRING
    return _RANK_ARRAY if isinstance(value, list) else _RANK_OBJECT


def _int(value: int) -> exp.Expression:
    return exp.Literal.number(value)


def _sign(a: exp.Expression, b: exp.Expression) -> exp.Expression:
    """-1, 0 or 1 as a is less than, equal to or greater than b."""
    return exp.Case(
        ifs=[
            exp.If(this=exp.EQ(this=a, expression=b), true=_int(0)),
            exp.If(this=exp.LT(this=a.copy(), expression=b.copy()), true=_int(-1)),
        ],
        default=_int(1),
    )


def _text_sign(a: exp.Expression, text: str) -> exp.Expression:
    """Strings: equal only when bytewise equal, ordered by the collation."""
    literal = exp.Literal.string(text)
    return exp.Case(
        ifs=[
            exp.If(this=exp.EQ(this=a, expression=binary_collation(literal)), true=_int(0)),
            exp.If(this=exp.LT(this=a.copy(), expression=literal.copy()), true=_int(-1)),
        ],
        default=_int(1),
    )


def _first_difference(parts: list[exp.Expression]) -> exp.Expression:
    """The first non-zero of several comparisons, else 0 (lexicographic order)."""
    return exp.func("coalesce", *[exp.func("nullif", p, _int(0)) for p in parts], _int(0))


def _pointer(key: exp.Expression) -> exp.Expression:
    tilde = call("replace", key, exp.Literal.string("~"), exp.Literal.string("~0"))
    escaped = call("replace", tilde, exp.Literal.string("/"), exp.Literal.string("~1"))
    return exp.DPipe(this=exp.Literal.string("/"), expression=escaped)


def _at(value: exp.Expression, pointer: exp.Expression) -> exp.Expression:
    return call("json_extract", value.copy(), pointer)


def _same_type(value: exp.Expression, literal: object) -> exp.Expression:
    """The comparison of `value` with a literal of its own type rank."""
    if literal is None:
        return _int(0)
    if isinstance(literal, bool):
        truth = exp.EQ(
            this=exp.Cast(this=value.copy(), to=exp.DataType.build("VARCHAR")),
            expression=exp.Literal.string("true"),
        )
        return _sign(exp.paren(truth, copy=False), exp.true() if literal else exp.false())
    if isinstance(literal, Decimal):
        number = exp.Cast(this=exp.Literal.string(str(literal)), to=exp.DataType.build("DOUBLE"))
        return _sign(call("__pg_jsonb_number", value.copy()), number)
    if isinstance(literal, str):
        return _text_sign(call("__pg_jsonb_string", value.copy()), literal)
    if not isinstance(literal, (list, dict)):
        raise DQLError("invalid input syntax for type json")
    size = _sign(call("__pg_jsonb_size", value.copy()), _int(len(literal)))
    parts: list[exp.Expression] = [size]
    if isinstance(literal, list):
        for index, item in enumerate(literal):
            parts.append(_compare(_at(value, exp.Literal.string(f"/{index}")), item))
    elif isinstance(literal, dict):
        keys = sorted(literal, key=lambda k: (len(k.encode()), k.encode()))
        for index, key in enumerate(keys):
            stored = call("list_extract", call("__pg_jsonb_keys", value.copy()), _int(index + 1))
            parts.append(_text_sign(stored, key))
            parts.append(_compare(_at(value, _pointer(stored.copy())), literal[key]))
    return _first_difference(parts)


def _compare(value: exp.Expression, literal: object, top: bool = False) -> exp.Expression:
    """-1, 0 or 1 as the JSON `value` (never SQL NULL here) sorts before, with or after."""
    rank = _rank(literal)
    checks: list[exp.If] = []
    if top:
        # A top-level empty array sorts before every scalar, even null (PostgreSQL's quirk).
        empty = exp.and_(
            exp.EQ(this=call("json_type", value.copy()), expression=exp.Literal.string("ARRAY")),
            exp.EQ(this=call("json_array_length", value.copy()), expression=_int(0)),
        )
        if rank < _RANK_ARRAY:
            checks.append(exp.If(this=empty, true=_int(-1)))
        elif literal == []:
            scalar = exp.LT(this=call("__pg_jsonb_rank", value.copy()), expression=_int(4))
            checks.append(exp.If(this=scalar, true=_int(1)))
    own = call("__pg_jsonb_rank", value.copy())
    checks.append(
        exp.If(
            this=exp.NEQ(this=own, expression=_int(rank)),
            true=_sign(own.copy(), _int(rank)),
        )
    )
    return exp.Case(ifs=checks, default=_same_type(value, literal))


def _equal(value: exp.Expression, literal: object) -> exp.Expression:
    """Whether the JSON `value` equals the literal as jsonb (numbers by value); NULL-free."""
    if literal is None:
        return exp.EQ(this=call("json_type", value.copy()), expression=exp.Literal.string("NULL"))
    if isinstance(literal, (bool, Decimal, str)):
        same = exp.EQ(this=call("__pg_jsonb_rank", value.copy()), expression=_int(_rank(literal)))
        return exp.and_(same, exp.EQ(this=_same_type(value, literal), expression=_int(0)))
    return exp.EQ(this=exp.func("coalesce", _compare(value, literal), _int(-2)), expression=_int(0))


def translate_jsonb_comparison(node: exp.Expression, jsonb_side: str) -> exp.Expression:
    """A comparison of a jsonb expression (`jsonb_side` of `node`) with a string literal."""
    kind: type[exp.Expression] = type(node)
    value: exp.Expression = node.args[jsonb_side]
    other = node.expression if jsonb_side == "this" else node.this
    if jsonb_side == "expression":
        kind = _MIRRORED[kind]
    literal = _parse(str(other.this))
    if kind in (exp.EQ, exp.NEQ):
        condition: exp.Expression = exp.func(
            "coalesce", exp.paren(_equal(value, literal)), exp.false()
        )
        if kind is exp.NEQ:
            condition = exp.Not(this=condition)
    else:
        condition = kind(this=_compare(value, literal, top=True), expression=_int(0))
    # SQL NULL (a missing key) compares as NULL, unlike JSON null.
    return exp.paren(
        exp.Case(
            ifs=[exp.If(this=exp.Is(this=value.copy(), expression=exp.Null()), true=exp.Null())],
            default=condition,
        ),
        copy=False,
    )


def jsonb_literal_side(node: exp.Expression) -> str | None:
    """Which side of a comparison is jsonb when the other is a string literal, else None."""
    if not isinstance(node, _COMPARISONS):
        return None
    right = node.expression
    if pg_type(node.this) == "jsonb" and isinstance(right, exp.Literal) and right.is_string:
        return "this"
    left = node.this
    if pg_type(right) == "jsonb" and isinstance(left, exp.Literal) and left.is_string:
        return "expression"
    return None


def both_jsonb(node: exp.Expression) -> bool:
    """Whether `node` compares two jsonb expressions (neither a literal)."""
    return (
        isinstance(node, _COMPARISONS)
        and pg_type(node.this) == "jsonb"
        and pg_type(node.expression) == "jsonb"
    )


def translate_jsonb_pair(node: exp.Expression) -> exp.Expression:
    """`a OP b` on two jsonb expressions: jsonb's order, through `__pg_jsonb_cmp(a, b) OP 0`.

    TODO: numbers compare as doubles, and arrays and objects of one size by their text, as
    the jsonb sort keys do.
    """
    comparison = type(node)(this=call("__pg_jsonb_cmp", node.this, node.expression))
    comparison.set("expression", _int(0))
    return comparison
