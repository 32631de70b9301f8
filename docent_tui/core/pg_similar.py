"""PostgreSQL's SIMILAR TO as a DuckDB regular-expression match."""

from __future__ import annotations

from sqlglot import exp

from docent_tui.core.dql import DQLError


def similar_to_regex(pattern: str, escape: str = "\\") -> str:
    """The anchored regular expression PostgreSQL's similar_to_escape makes of an SQL pattern.

    `%` and `_` become `.*` and `.`, `(` a non-capturing group, the regex metacharacters that
    are literal in SQL patterns (`.`, `^`, `$`, backslash) are escaped, and character classes
    pass through (a `]` right after `[` or `[^` is a literal member, as in PostgreSQL).
    """
    out: list[str] = ["^(?:"]
    after_escape = False
    quotes = 0
    class_depth = 0
    class_start = 0
    for char in pattern:
        if after_escape:
            if char == '"' and class_depth < 1:
                if quotes == 0:
                    out.append("){1,1}?(")
                elif quotes == 1:
                    out.append("){1,1}(?:")
                else:
                    raise DQLError(
                        "SQL regular expression may not contain more than two "
                        "escape-double-quote separators"
                    )
                quotes += 1
            else:
                out.append("\\" + char)
            after_escape = False
        elif char == escape:
            after_escape = True
        elif class_depth > 0:
            out.append("\\" + char if char == "\\" else char)
            if char == "]" and class_start > 2:
                class_depth -= 1
            elif char == "[":
                class_depth += 1
            class_start = class_start + 1 if char == "^" else 3
        elif char == "[":
            out.append(char)
            class_depth, class_start = 1, 1
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        elif char == "(":
            out.append("(?:")
        elif char in "\\.^$":
            out.append("\\" + char)
        else:
            out.append(char)
    out.append(")$")
    return "".join(out)


def translate_similar(node: exp.SimilarTo, target: str | None) -> exp.Expression:
    """`text SIMILAR TO 'pattern'`; `target` is the PostgreSQL type of the matched text."""
    if target == "bytea":
        raise DQLError("operator does not exist: bytea ~ text")
    pattern = node.expression
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        # TODO: a computed pattern would need similar_to_escape at run time.
        raise DQLError("SIMILAR TO needs a string literal pattern in the local engine")
    regex = similar_to_regex(str(pattern.this))
    # 's': `.` also matches a newline, as in PostgreSQL's regular expressions.
    return exp.Anonymous(
        this="regexp_matches",
        expressions=[node.this, exp.Literal.string(regex), exp.Literal.string("s")],
    )
