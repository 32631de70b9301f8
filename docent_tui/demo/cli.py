"""Command line: `python -m docent_tui.demo --runs N --out PATH [--seed S]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from docent_tui.demo.collection import DEMO_RUNS
from docent_tui.demo.runs import write_jsonl


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m docent_tui.demo",
        description="Write generated demo agent runs as Docent JSON Lines.",
    )
    parser.add_argument("--runs", type=int, default=DEMO_RUNS, help="number of runs to write")
    parser.add_argument("--out", type=Path, required=True, help="output .jsonl path")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.runs < 0:
        parser.error("--runs must be zero or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse_args(argv)
    try:
        written = write_jsonl(args.out, args.runs, args.seed)
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"wrote {written} runs to {args.out}")
    return 0
