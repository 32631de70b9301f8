"""Deterministic generator of realistic demo agent runs in Docent's RunRecord shape.

`python -m docent_tui.demo --runs N --out PATH [--seed S]` writes N runs as JSON Lines.
Run `i` depends only on `(seed, i)`, so a shorter output is always a prefix of a longer one.
"""

from docent_tui.demo.cli import main
from docent_tui.demo.collection import DEMO_COLLECTION_ID, DEMO_RUNS
from docent_tui.demo.runs import generate_runs, write_jsonl

__all__ = ["DEMO_COLLECTION_ID", "DEMO_RUNS", "generate_runs", "main", "write_jsonl"]
