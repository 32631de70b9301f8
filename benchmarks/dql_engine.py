"""DQL engine benchmark: typical WHERE filters on 100,000 generated runs, and `query` overhead.

Run: `python benchmarks/dql_engine.py` (about a minute). Prints tables; asserts nothing.

1. 100,000 runs from `docent_tui.demo.generate_runs` are loaded into a LocalEngine. Each filter
   runs as `SELECT count(1) ...` and as a 200-row run-list page, 20 times each; the table gives
   the engine time (DQLResult.execution_time_ms) and the wall time of `execute` (validation,
   translation and value conversion included), p50 and p95.
2. On 10,000 runs written with `python -m docent_tui.demo`, `docent-tui query FILE DQL` (a fresh
   process: start-up, loading, query) is timed against the same query in raw DuckDB, also in a
   fresh process reading the same file.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docent_tui.core.engine import LocalEngine
from docent_tui.demo import generate_runs

RUNS = 100_000
REPEATS = 20
CLI_RUNS = 10_000
CLI_REPEATS = 5
COLLECTION = "benchmark"

FILTERS = {
    "model =": "metadata_json->>'model' = 'openai/gpt-4o'",
    "model ILIKE": "metadata_json->>'model' ILIKE '%claude%'",
    "score ::float >": "(metadata_json->'scores'->>'reward')::float > 0.5",
    "score DOUBLE BETWEEN": (
        "CAST(metadata_json->'scores'->>'reward' AS DOUBLE PRECISION) BETWEEN 0.25 AND 0.75"
    ),
    "task IN": "metadata_json->>'task' IN ('inspect_evals/math', 'inspect_evals/gaia')",
    "level IS NULL": "metadata_json->>'level' IS NULL",
    "AND/OR combo": (
        "(metadata_json->>'difficulty' = 'hard' OR (metadata_json->>'epoch')::int > 1) "
        "AND metadata_json->>'model' ILIKE '%gpt%'"
    ),
    "transcripts subquery": (
        "agent_runs.id IN (SELECT t.agent_run_id FROM transcripts t WHERE t.name = 'grader')"
    ),
}

PAGE_ITEMS = (
    'agent_runs.id AS "run_id", agent_runs.name, agent_runs.created_at, '
    "agent_runs.metadata_json->>'model' AS model, agent_runs.metadata_json->>'task' AS task, "
    "agent_runs.metadata_json->'scores'->>'reward' AS reward"
)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def measure(engine: LocalEngine, dql: str) -> tuple[list[float], list[float], int]:
    engine_ms: list[float] = []
    wall_ms: list[float] = []
    rows = 0
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = engine.execute(COLLECTION, dql)
        wall_ms.append((time.perf_counter() - started) * 1000)
        engine_ms.append(result.execution_time_ms)
        rows = result.rows[0][0] if "count(1)" in dql else result.row_count
    return engine_ms, wall_ms, rows


def engine_table() -> None:
    engine = LocalEngine()
    started = time.perf_counter()
    engine.add_collection(COLLECTION, "benchmark", generate_runs(RUNS))
    print(f"loaded {RUNS:,} generated runs in {time.perf_counter() - started:.1f} s\n")
    header = (
        f"{'filter':<22} {'query':<6} {'rows':>7} {'engine p50':>11} {'engine p95':>11} "
        f"{'wall p50':>9} {'wall p95':>9}"
    )
    print(header)
    print("-" * len(header))
    engine_p50s: list[float] = []
    for name, where in FILTERS.items():
        queries = {
            "count": f"SELECT count(1) FROM agent_runs WHERE {where}",
            "page": f"SELECT {PAGE_ITEMS} FROM agent_runs WHERE ({where}) LIMIT 200",
        }
        for kind, dql in queries.items():
            engine_ms, wall_ms, rows = measure(engine, dql)
            engine_p50s.append(statistics.median(engine_ms))
            print(
                f"{name:<22} {kind:<6} {rows:>7} {statistics.median(engine_ms):>9.1f}ms "
                f"{percentile(engine_ms, 0.95):>9.1f}ms {statistics.median(wall_ms):>7.1f}ms "
                f"{percentile(wall_ms, 0.95):>7.1f}ms"
            )
    print(
        f"\nworst engine p50: {max(engine_p50s):.1f} ms; median of p50s: "
        f"{statistics.median(engine_p50s):.1f} ms (target: <= 50 ms)"
    )
    engine.close()


RAW_DUCKDB = """
import duckdb, sys, time
started = time.perf_counter()
con = duckdb.connect()
rows = con.execute(
    "SELECT count(*) FROM read_json(?, format='newline_delimited', "
    "columns={'id': 'VARCHAR', 'metadata': 'JSON'}) "
    "WHERE metadata->>'$.model' = 'openai/gpt-4o'",
    [sys.argv[1]],
).fetchall()
print(rows[0][0])
"""


def timed(command: list[str]) -> tuple[float, str]:
    """Wall milliseconds of a fresh process, and the count it printed."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    elapsed = (time.perf_counter() - started) * 1000
    out = done.stdout.strip()
    if out.startswith("{"):
        out = str(json.loads(out)["rows"][0][0])
    return elapsed, out


def cli_table() -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "runs.jsonl"
        subprocess.run(
            [sys.executable, "-m", "docent_tui.demo", "--runs", str(CLI_RUNS), "--out", str(path)],
            check=True,
            capture_output=True,
        )
        dql = "SELECT count(1) FROM agent_runs WHERE metadata_json->>'model' = 'openai/gpt-4o'"
        cli = [sys.executable, "-m", "docent_tui", "query", str(path), dql, "--json"]
        raw = [sys.executable, "-c", RAW_DUCKDB, str(path)]
        cli_ms, raw_ms = [], []
        answers = set()
        for _ in range(CLI_REPEATS):
            elapsed, out = timed(cli)
            cli_ms.append(elapsed)
            answers.add(out)
            elapsed, out = timed(raw)
            raw_ms.append(elapsed)
            answers.add(out)
        print(f"\n`docent-tui query` on {CLI_RUNS:,} runs vs raw DuckDB (fresh process each)")
        print(f"{'command':<28} {'p50':>9} {'min':>9}")
        print(f"{'docent-tui query':<28} {statistics.median(cli_ms):>7.0f}ms {min(cli_ms):>7.0f}ms")
        print(f"{'raw duckdb read_json+query':<28} {statistics.median(raw_ms):>7.0f}ms "
              f"{min(raw_ms):>7.0f}ms")  # fmt: skip
        overhead = statistics.median(cli_ms) - statistics.median(raw_ms)
        print(f"overhead of docent-tui query: {overhead:.0f} ms (both counted {sorted(answers)})")


if __name__ == "__main__":
    engine_table()
    cli_table()
