"""PostgreSQL's JSON operators (`->`, `->>`, `#>`, `#>>`, `?`, `@>`) as DuckDB expressions."""

from __future__ import annotations

import json
import re
from contextvars import ContextVar

from sqlglot import exp

from docent_tui.core.dql import DQLError
from docent_tui.core.json_fields import nested_key
from docent_tui.core.lookup_slots import NESTED, TEXTS, LookupSlots, slot_column
from docent_tui.core.pg_macros import FIELD_KEYS, FIELD_NESTED, FIELD_OBJECTS, FIELD_TEXTS
from docent_tui.core.pg_types import SOURCE_KEY, pg_type, type_of_datatype

SPILLED: ContextVar[frozenset[str] | None] = ContextVar("spilled", default=None)
"""Top-level keys the hidden value columns may lack for the collection being translated
(None: unknown, so every read falls back to the document when the columns lack a key)."""

SLOTS: ContextVar[LookupSlots | None] = ContextVar("slots", default=None)
"""The slot columns of the collection being translated (see lookup_slots)."""


def call(name: str, *args: exp.Expression) -> exp.Anonymous:
    return exp.Anonymous(this=name, expressions=list(args))


def _pointer(keys: list[str]) -> str:
    """A JSON pointer naming exactly these keys (no JSONPath quoting pitfalls)."""
    return "".join("/" + key.replace("~", "~0").replace("/", "~1") for key in keys)


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


def _is_index(key: str) -> bool:
    """Keys a JSON pointer would also read as an array position."""
    return key.isdigit() or (key.startswith("-") and key[1:].isdigit())


Step = tuple[str, str | int]
"""One JSON step: ("key", name) for ->'k', ("index", n) for ->n, ("path", text) for #> items."""

_HELD_TOP = "pg_held_top"
"""Key of `Expression.meta` on a top-level `metadata_json -> 'key'` whose value every run holds
pre-extracted: (the texts column, the key)."""

_POINTER = "pg_pointer"
"""Key of `Expression.meta` holding the steps a generated JSON pointer literal stands for."""


def _json_steps(
    doc: exp.Expression, steps: list[Step], scalar: bool, fast: bool = False
) -> exp.Expression:
    """`doc -> step -> ... ->> last` in DuckDB: plain keys folded into one pointer.

    With `fast`, the last `->>` is DuckDB's own (its text differs from PostgreSQL's only for
    objects, arrays and exponent floats, which the caller's context cannot tell apart).
    """
    if not steps:
        return call("__pg_json_text", doc) if scalar else doc
    fields = _top_fields(doc)
    kind, first = steps[0]
    if fields is not None and kind != "index" and not _is_index(str(first)):
        key = exp.Literal.string(str(first))
        pointer = exp.Literal.string(_pointer([str(first)]))
        args = (*fields, doc, key, pointer)
        rest = steps[1:]
        spilled = SPILLED.get()
        held = spilled is not None and str(first) not in spilled
        if not rest:
            if scalar and held:
                return _held_entry(fields[0], TEXTS, str(first))
            if scalar:
                return call("__pg_top_text_fast" if fast else "__pg_top_text", *args)
            top = call("__pg_top_json", *args[1:])
            if held:
                top.meta[_HELD_TOP] = (fields[0], str(first))
            return top
        if rest[0][0] != "index" and not _is_index(str(rest[0][1])):
            if scalar and held and len(rest) == 1:
                return _nested_text(fields[0], str(first), str(rest[0][1]))
            start = (
                call("__pg_top_object_held", fields[1], key)
                if held
                else call("__pg_top_object", *args)
            )
            return _json_steps(start, rest, scalar, fast)
    current = doc
    pending: list[Step] = []

    def flush(last: bool) -> exp.Expression:
        pointer = exp.Literal.string(_pointer([str(value) for _, value in pending]))
        pointer.meta[_POINTER] = list(pending)
        if last and scalar:
            if fast:
                return exp.JSONExtractScalar(this=current, expression=pointer)
            return call("__pg_text_at", current, pointer)
        return exp.JSONExtract(this=current, expression=pointer)

    for index, (kind, value) in enumerate(steps):
        last = index == len(steps) - 1
        if kind != "index" and not _is_index(str(value)):
            pending.append((kind, value))
            if last:
                return flush(True)
            continue
        if pending:
            current = flush(False)
            pending = []
        if kind == "index":
            current = call("__pg_json_index", current, exp.Literal.number(int(value)))
        elif kind == "key":
            current = call("__pg_json_key", current, exp.Literal.string(_pointer([str(value)])))
        else:
            current = call(
                "__pg_json_either",
                current,
                exp.Literal.string(_pointer([str(value)])),
                exp.Literal.number(int(str(value))),
            )
        if last and scalar:
            return call("__pg_json_text", current)
    return current


_RUN_METADATA = ("agent_runs", "metadata_json")


def _top_fields(doc: exp.Expression) -> tuple[exp.Column, exp.Column, exp.Column] | None:
    """The hidden top-level value columns beside agent_runs.metadata_json, if `doc` is it."""
    if not isinstance(doc, exp.Column) or doc.meta.get(SOURCE_KEY) != _RUN_METADATA:
        return None
    return (
        _beside(doc, FIELD_TEXTS),
        _beside(doc, FIELD_OBJECTS),
        _beside(doc, FIELD_KEYS),
    )


def _beside(column: exp.Column, name: str) -> exp.Column:
    """The hidden column `name` of the table `column` belongs to (with its table qualifier)."""
    table = column.args.get("table")
    return exp.Column(
        this=exp.to_identifier(name),
        table=table.copy() if isinstance(table, exp.Identifier) else None,
    )


def _held_entry(texts: exp.Column, map_name: str, key: str) -> exp.Expression:
    """One entry of a hidden map beside `texts`: its slot column when it has one."""
    slots = SLOTS.get()
    slot = slots.slot(map_name, key) if slots is not None else None
    if slot is not None:
        return _beside(texts, slot_column(slot))
    column = texts if map_name == TEXTS else _beside(texts, FIELD_NESTED)
    return exp.Bracket(this=column, expressions=[exp.Literal.string(key)])


def _nested_text(texts: exp.Column, key: str, child: str) -> exp.Expression:
    """`metadata_json->'key'->>'child'` where every run's `key` value is held pre-extracted:
    the nested map then holds each child of a short object (nulls too), and nothing else has
    children, so a missing entry is NULL as in PostgreSQL."""
    return _held_entry(texts, NESTED, nested_key(key, child))


def _held_child(doc: exp.Expression, steps: list[Step], scalar: bool) -> exp.Expression | None:
    """The nested-map lookup for `<held top-level value> ->> 'child'`, when that is the shape."""
    held = doc.meta.get(_HELD_TOP)
    if not (scalar and held and len(steps) == 1):
        return None
    kind, child = steps[0]
    if kind == "index" or _is_index(str(child)):
        return None
    texts, key = held
    return _nested_text(texts, key, str(child))


def _path_steps(path: exp.Expression) -> list[Step] | None:
    """The keys and positions of one `->`/`->>` operand, or None for an expression."""
    if isinstance(path, exp.JSONPath):
        steps: list[Step] = []
        for part in path.expressions:
            if isinstance(part, exp.JSONPathRoot):
                continue
            if isinstance(part, exp.JSONPathKey):
                steps.append(("key", str(part.this)))
            elif isinstance(part, exp.JSONPathSubscript):
                steps.append(("index", int(part.this)))
            else:
                return None
        return steps
    if isinstance(path, exp.Literal):
        return [("key", str(path.this))] if path.is_string else [("index", int(path.this))]
    return None


def _folded(doc: exp.Expression) -> tuple[exp.Expression, list[Step]]:
    """An already translated `doc -> pointer` as (document, steps), to extend the pointer."""
    if isinstance(doc, exp.JSONExtract):
        steps = doc.expression.meta.get(_POINTER)
        if isinstance(steps, list):
            return doc.this, list(steps)
    return doc, []


_JSON_OPERATORS: dict[type[exp.Expression], str] = {
    exp.JSONExtract: "->", exp.JSONExtractScalar: "->>", exp.JSONBExtract: "#>",
    exp.JSONBExtractScalar: "#>>", exp.JSONBContains: "?", exp.ArrayContainsAll: "@>",
}  # fmt: skip


def refuse_bytea_json(node: exp.Expression) -> None:
    """PostgreSQL has no JSON operators on bytea (transcripts.messages / metadata_json)."""
    operator = _JSON_OPERATORS.get(type(node))
    target = node.this
    if operator is not None and isinstance(target, exp.Expression) and pg_type(target) == "bytea":
        raise DQLError(f"operator does not exist: bytea {operator} unknown")


_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")
_STRUCTURAL = frozenset('{}[]:,"\\')


def _safe_literal(node: exp.Expression) -> bool:
    """A string no object, array or number text can equal, in either PostgreSQL's or DuckDB's
    spelling (so comparing DuckDB's ->> text with it gives PostgreSQL's answer)."""
    if not (isinstance(node, exp.Literal) and node.is_string):
        return False
    text = str(node.this)
    return not text.startswith(("{", "[")) and not _NUMBER_TEXT.fullmatch(text)


def _safe_pattern(node: exp.Expression) -> bool:
    """A LIKE pattern that matches object, array and number texts alike in both spellings."""
    if not (isinstance(node, exp.Literal) and node.is_string):
        return False
    text = str(node.this)
    if any(char in _STRUCTURAL for char in text):
        return False
    return any(char not in "0123456789.eE+-%_" for char in text)


_CAST_TARGETS = frozenset({"int", "float", "numeric"})


def _fast_text_ok(node: exp.Expression) -> bool:
    """Whether DuckDB's ->> text gives the same answer as PostgreSQL's where this node is used."""
    child, parent = node, node.parent
    while isinstance(parent, exp.Paren):
        child, parent = parent, parent.parent
    if isinstance(parent, exp.Cast):
        to = parent.args.get("to")
        return isinstance(to, exp.DataType) and type_of_datatype(to) in _CAST_TARGETS
    if isinstance(parent, exp.Is):
        return isinstance(parent.expression, exp.Null)
    if isinstance(parent, (exp.EQ, exp.NEQ)):
        other = parent.expression if child is parent.this else parent.this
        return _safe_literal(other)
    if isinstance(parent, exp.In) and child is parent.this and parent.expressions:
        return all(_safe_literal(item) for item in parent.expressions)
    if isinstance(parent, (exp.Like, exp.ILike)) and child is parent.this:
        return _safe_pattern(parent.expression)
    return False


def binary_collation(node: exp.Expression) -> exp.Expression:
    """Compare text bytewise: PostgreSQL's equality ignores the collation, and it is faster."""
    return exp.Collate(this=node, expression=exp.Identifier(this="binary", quoted=True))


def check_bytea_operators(root: exp.Expression) -> None:
    """Refuse JSON operators on bytea in PostgreSQL's order: select list first, innermost first."""
    operators = tuple(_JSON_OPERATORS)
    for node in root.walk(bfs=False):
        if isinstance(node, operators):
            inner = node
            while isinstance(inner.this, operators):
                inner = inner.this
            refuse_bytea_json(inner)


def translate_json(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, (exp.JSONExtract, exp.JSONExtractScalar)):
        scalar = isinstance(node, exp.JSONExtractScalar)
        steps = _path_steps(node.expression)
        if steps is None:
            function = "json_extract_path_text" if scalar else "json_extract_path"
            raise DQLError(f"function {function}(jsonb, integer) does not exist")
        nested = _held_child(node.this, steps, scalar)
        if nested is not None:
            return nested
        doc, before = _folded(node.this)
        return _json_steps(doc, before + steps, scalar, scalar and _fast_text_ok(node))
    if isinstance(node, (exp.JSONBExtract, exp.JSONBExtractScalar)):
        scalar = isinstance(node, exp.JSONBExtractScalar)
        path = node.expression
        if not (isinstance(path, exp.Literal) and path.is_string):
            # TODO: a #> path computed by an expression.
            raise DQLError("#> and #>> need a text-array literal path in the local engine")
        items: list[Step] = [("path", key) for key in _pg_text_array(str(path.this))]
        nested = _held_child(node.this, items, scalar)
        if nested is not None:
            return nested
        doc, before = _folded(node.this)
        return _json_steps(doc, before + items, scalar, scalar and _fast_text_ok(node))
    if isinstance(node, exp.JSONBContains):
        fields = _top_fields(node.this)
        if fields is not None:
            return call("list_contains", fields[2], node.expression)
        return call("__pg_jsonb_exists", node.this, node.expression)
    if isinstance(node, exp.ArrayContainsAll):
        return _translate_contains(node.this, node.expression)
    return None


def _json_literal(value: object) -> exp.Expression:
    return exp.Cast(this=exp.Literal.string(json.dumps(value)), to=exp.DataType.build("JSON"))


def _contains_at(doc: exp.Expression, keys: list[str], needle: object) -> exp.Expression:
    """PostgreSQL's jsonb containment of a literal `needle` at `doc`'s pointer `keys`."""
    here = exp.JSONExtract(this=doc, expression=exp.Literal.string(_pointer(keys))) if keys else doc
    if isinstance(needle, dict):
        checks: list[exp.Expression] = [
            exp.EQ(this=call("json_type", here), expression=exp.Literal.string("OBJECT"))
        ]
        checks += [_contains_at(doc, [*keys, str(k)], v) for k, v in needle.items()]
        return exp.and_(*checks)
    if isinstance(needle, list):
        checks = [exp.EQ(this=call("json_type", here), expression=exp.Literal.string("ARRAY"))]
        for item in needle:
            if isinstance(item, (dict, list)):
                # TODO: an object or array inside an array is matched with DuckDB's looser
                # json_contains, not PostgreSQL's element-wise containment.
                checks.append(call("json_contains", here, _json_literal(item)))
            else:
                checks.append(call("__pg_json_has_scalar", here, _json_literal(item)))
        return exp.and_(*checks)
    scalar = call("__pg_jsonb_scalar_eq", here, _json_literal(needle))
    if keys:
        return scalar
    # A top-level array contains a scalar that is one of its elements.
    return exp.or_(scalar, call("__pg_json_has_scalar", here, _json_literal(needle)))


def _translate_contains(doc: exp.Expression, needle: exp.Expression) -> exp.Expression:
    if isinstance(needle, exp.Literal) and needle.is_string:
        try:
            value = json.loads(str(needle.this))
        except ValueError:
            raise DQLError("invalid input syntax for type json") from None
        condition = exp.paren(_contains_at(doc, [], value), copy=False)
        guarded = exp.Case(
            ifs=[exp.If(this=exp.Is(this=doc.copy(), expression=exp.Null()), true=exp.Null())],
            default=exp.func("coalesce", condition, exp.false()),
        )
        return guarded
    # TODO: a computed right-hand side uses DuckDB's looser json_contains.
    return call("json_contains", doc, needle)
