"""DuckDB macros giving the translated SQL PostgreSQL's semantics.

The translation (translate.py) calls these; DQL itself cannot name them, since the server's
function whitelist admits only `mode`, `string_agg` and `jsonb_build_object`.
"""

from __future__ import annotations

FIELD_KEYS = "__docent_keys"
FIELD_TEXTS = "__docent_texts"
FIELD_OBJECTS = "__docent_objects"
FIELD_NESTED = "__docent_nested"
"""Hidden agent_runs columns holding top-level metadata values, and the values one level below
them in short objects (see json_fields)."""

# DuckDB macros the translated SQL calls; DQL cannot name them (its function whitelist).
MACROS = [
    # A JSON number printed by DuckDB in exponent form, spelled out as PostgreSQL's numeric does.
    r"""CREATE OR REPLACE MACRO __pg_plain_number(s) AS list_transform(
        [regexp_extract(s, '^(-?)([0-9]+)(?:\.([0-9]+))?[eE]([-+]?[0-9]+)$',
                        ['sign', 'whole', 'frac', 'exp'])],
        lambda m: CASE
        WHEN m.whole = '' THEN s
        ELSE list_transform([m.whole || m.frac],
            lambda d: list_transform([length(ltrim(m.whole, '0')) + CAST(m.exp AS INTEGER)],
                lambda p: m.sign || CASE
                    WHEN p <= 0 THEN '0.' || repeat('0', -p) || ltrim(d, '0')
                    WHEN p >= length(ltrim(d, '0'))
                        THEN ltrim(d, '0') || repeat('0', p - length(ltrim(d, '0')))
                    ELSE left(ltrim(d, '0'), p) || '.' || substr(ltrim(d, '0'), p + 1)
                    END)[1])[1]
        END)[1]""",
    # Compact JSON text laid out as PostgreSQL prints jsonb: one space after ':' and ','.
    r"""CREATE OR REPLACE MACRO __pg_json_layout(s) AS replace(regexp_replace(regexp_replace(
        s, '("(?:[^"\\]|\\.)*")|([,:]) ?', '\1\2' || chr(1), 'g'), '"' || chr(1), '"', 'g'),
        chr(1), ' ')""",
    # The text PostgreSQL's ->> gives for a JSON value.
    r"""CREATE OR REPLACE MACRO __pg_json_text(v) AS list_transform([CAST(v AS VARCHAR)],
        lambda s: CASE
        WHEN s IS NULL OR s = 'null' THEN NULL
        WHEN s[1] = '"' THEN json_extract_string(s, '$')
        WHEN s[1] IN ('{', '[') THEN __pg_json_layout(s)
        WHEN s[1] IN ('t', 'f') THEN s
        WHEN contains(s, 'e') OR contains(s, 'E') THEN __pg_plain_number(s)
        ELSE s END)[1]""",
    # metadata_json ->> 'key' from the pre-extracted top-level values, else from the document.
    """CREATE OR REPLACE MACRO __pg_top_text(t, o, k, d, key, p) AS CASE
        WHEN map_contains(t, key) THEN t[key]
        WHEN NOT list_contains(k, key) THEN NULL ELSE __pg_text_at(d, p) END""",
    """CREATE OR REPLACE MACRO __pg_top_text_fast(t, o, k, d, key, p) AS CASE
        WHEN map_contains(t, key) THEN t[key]
        WHEN NOT list_contains(k, key) THEN NULL ELSE json_extract_string(d, p) END""",
    # metadata_json -> 'key' (then more key steps: a scalar has no keys, so NULL).
    """CREATE OR REPLACE MACRO __pg_top_json(o, k, d, key, p) AS CASE
        WHEN map_contains(o, key) THEN CAST(o[key] AS JSON)
        WHEN NOT list_contains(k, key) THEN NULL ELSE json_extract(d, p) END""",
    """CREATE OR REPLACE MACRO __pg_top_object(t, o, k, d, key, p) AS CASE
        WHEN map_contains(o, key) THEN CAST(o[key] AS JSON)
        WHEN map_contains(t, key) OR NOT list_contains(k, key) THEN NULL
        ELSE json_extract(d, p) END""",
    # The same where every run holding the key has it pre-extracted (the document unread).
    """CREATE OR REPLACE MACRO __pg_top_object_held(o, key) AS CASE
        WHEN map_contains(o, key) THEN CAST(o[key] AS JSON) END""",
    # doc ->> pointer: DuckDB's text where it is PostgreSQL's, the exact form otherwise.
    r"""CREATE OR REPLACE MACRO __pg_text_at(d, p) AS list_transform([json_extract_string(d, p)],
        lambda r: CASE
        WHEN r IS NULL THEN NULL
        WHEN r[1] IN ('{', '[') OR ((contains(r, 'e') OR contains(r, 'E'))
            AND r[1] IN ('-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'))
            THEN __pg_json_text(json_extract(d, p))
        ELSE r END)[1]""",
    # jsonb -> integer: arrays by position (negative from the end); a scalar is its own element 0.
    """CREATE OR REPLACE MACRO __pg_json_index(v, i) AS CASE json_type(v)
        WHEN 'ARRAY' THEN json_extract(v, CASE WHEN i >= 0 THEN '$[' || i || ']'
                                          ELSE '$[#' || i || ']' END)
        WHEN 'OBJECT' THEN NULL
        ELSE CASE WHEN i = 0 OR i = -1 THEN CAST(v AS JSON) END END""",
    # jsonb -> 'key' where the key looks like an index: only objects have keys.
    """CREATE OR REPLACE MACRO __pg_json_key(v, p) AS
        CASE WHEN json_type(v) = 'OBJECT' THEN json_extract(v, p) END""",
    # jsonb #> item: a key of an object or, when it is a number, a position in an array.
    """CREATE OR REPLACE MACRO __pg_json_either(v, p, i) AS CASE json_type(v)
        WHEN 'OBJECT' THEN json_extract(v, p) WHEN 'ARRAY' THEN __pg_json_index(v, i) END""",
    # A divisor: zero is PostgreSQL's "division by zero" error (DuckDB would return NULL).
    """CREATE OR REPLACE MACRO __pg_nonzero(b) AS CASE WHEN b = 0
        THEN CAST('[pg] division by zero [/pg]' AS INT) ELSE b END""",
    # jsonb sort order: null < strings < numbers < booleans < arrays < objects, then by value.
    """CREATE OR REPLACE MACRO __pg_jsonb_rank(v) AS CASE json_type(v)
        WHEN 'NULL' THEN 0 WHEN 'VARCHAR' THEN 1 WHEN 'BIGINT' THEN 2 WHEN 'UBIGINT' THEN 2
        WHEN 'DOUBLE' THEN 2 WHEN 'BOOLEAN' THEN 3 WHEN 'ARRAY' THEN 4 WHEN 'OBJECT' THEN 5 END""",
    """CREATE OR REPLACE MACRO __pg_jsonb_number(v) AS CASE
        WHEN json_type(v) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
        THEN TRY_CAST(CAST(v AS VARCHAR) AS DOUBLE) END""",
    """CREATE OR REPLACE MACRO __pg_jsonb_string(v) AS CASE
        WHEN json_type(v) = 'VARCHAR' THEN json_extract_string(v, '$') END""",
    """CREATE OR REPLACE MACRO __pg_jsonb_size(v) AS CASE json_type(v)
        WHEN 'ARRAY' THEN json_array_length(v) WHEN 'OBJECT' THEN len(json_keys(v)) END""",
    # jsonb a <=> b as -1, 0 or 1 (NULL when either is missing), in the order above; equal
    # strings are equal only bytewise. Arrays and objects of one size compare by their text in
    # the collation, as the last jsonb sort key does.
    """CREATE OR REPLACE MACRO __pg_jsonb_cmp_values(a, b) AS CASE
        WHEN a IS NULL OR b IS NULL THEN NULL
        WHEN __pg_jsonb_rank(a) <> __pg_jsonb_rank(b)
            THEN sign(__pg_jsonb_rank(a) - __pg_jsonb_rank(b))
        WHEN __pg_jsonb_rank(a) = 0 THEN 0
        WHEN __pg_jsonb_rank(a) = 1 THEN CASE
            WHEN __pg_jsonb_string(a) = __pg_jsonb_string(b) COLLATE "binary" THEN 0
            WHEN __pg_jsonb_string(a) < __pg_jsonb_string(b) THEN -1 ELSE 1 END
        WHEN __pg_jsonb_rank(a) = 2 THEN sign(__pg_jsonb_number(a) - __pg_jsonb_number(b))
        WHEN __pg_jsonb_size(a) IS DISTINCT FROM __pg_jsonb_size(b)
            THEN sign(__pg_jsonb_size(a) - __pg_jsonb_size(b))
        WHEN CAST(a AS VARCHAR) = CAST(b AS VARCHAR) COLLATE "binary" THEN 0
        WHEN CAST(a AS VARCHAR) < CAST(b AS VARCHAR) THEN -1 ELSE 1 END""",
    # Macros repeat their arguments where used: the lambda evaluates a and b once each.
    """CREATE OR REPLACE MACRO __pg_jsonb_cmp(a, b) AS
        list_transform([[a, b]], lambda p: __pg_jsonb_cmp_values(p[1], p[2]))[1]""",
    # An object's keys in jsonb's storage order: shorter first, then bytewise.
    """CREATE OR REPLACE MACRO __pg_jsonb_keys(v) AS list_transform(list_sort(list_transform(
        json_keys(v), lambda k: encode(lpad(CAST(strlen(k) AS VARCHAR), 10, '0') || k))),
        lambda b: substr(decode(b), 11))""",
    # bytea::text: PostgreSQL's hex output.
    r"""CREATE OR REPLACE MACRO __pg_bytea_text(b) AS '\x' || lower(hex(b))""",
    # float8::text: shortest form without a trailing '.0'.
    """CREATE OR REPLACE MACRO __pg_float_text(x) AS CASE
        WHEN x IS NULL THEN NULL
        WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'Infinity' ELSE '-Infinity' END
        WHEN isnan(x) THEN 'NaN'
        WHEN x = trunc(x) AND abs(x) < 1e15 THEN CAST(CAST(x AS HUGEINT) AS VARCHAR)
        ELSE CAST(x AS VARCHAR) END""",
    # text::integer the PostgreSQL way: digits only ('1.0' is an error, not 1).
    r"""CREATE OR REPLACE MACRO __pg_text_int(s, kind) AS CASE
        WHEN s IS NULL THEN NULL
        WHEN regexp_full_match(s, '\s*[-+]?[0-9]+\s*') THEN CAST(trim(s) AS HUGEINT)
        ELSE CAST('[pg] invalid input syntax for type ' || kind || ': "' || s || '" [/pg]' AS INT)
        END""",
    # initcap: each word (ICU word rules: '_' and inner ' or . join) capitalised, the rest lower.
    r"""CREATE OR REPLACE MACRO __pg_initcap(s) AS list_aggregate(list_transform(
        regexp_extract_all(s, '[[:alnum:]_]+(?:[''.][[:alnum:]_]+)*|[^[:alnum:]_]+'),
        lambda w: upper(left(w, 1)) || lower(substr(w, 2))), 'string_agg', '')""",
    # jsonb ? key: key of an object, string element of an array, or the string itself.
    """CREATE OR REPLACE MACRO __pg_jsonb_exists(j, k) AS list_transform([CAST(j AS JSON)],
        lambda x: CASE
        WHEN x IS NULL OR k IS NULL THEN NULL
        WHEN json_type(x) = 'OBJECT' THEN json_exists(x, '/' || replace(replace(
            CAST(k AS VARCHAR), '~', '~0'), '/', '~1'))
        WHEN json_type(x) = 'ARRAY' THEN coalesce(list_contains(list_transform(
            json_extract(x, '$[*]'),
            lambda e: CASE WHEN json_type(e) = 'VARCHAR' THEN json_extract_string(e, '$') END), k),
            false)
        WHEN json_type(x) = 'VARCHAR' THEN json_extract_string(x, '$') = k
        ELSE false END)[1]""",
    # Scalars equal as jsonb values: numbers by value, strings and the rest by their JSON text.
    """CREATE OR REPLACE MACRO __pg_jsonb_scalar_eq(a, b) AS CASE
        WHEN json_type(a) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
            THEN json_type(b) IN ('BIGINT', 'UBIGINT', 'DOUBLE')
                 AND TRY_CAST(CAST(a AS VARCHAR) AS DOUBLE) = TRY_CAST(CAST(b AS VARCHAR) AS DOUBLE)
        ELSE json_type(a) = json_type(b) AND CAST(a AS VARCHAR) = CAST(b AS VARCHAR) END""",
]

MACROS.append(
    # Whether a JSON array has an element equal to a JSON scalar (jsonb @> on array elements).
    """CREATE OR REPLACE MACRO __pg_json_has_scalar(arr, y) AS json_type(arr) = 'ARRAY'
        AND coalesce(list_bool_or(list_transform(json_extract(arr, '$[*]'),
            lambda x: __pg_jsonb_scalar_eq(x, y))), false)"""
)
