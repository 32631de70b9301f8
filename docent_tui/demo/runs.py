"""Run assembly: one run from (seed, index), the run stream and its JSON Lines writer."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import uuid5

from docent_tui.demo.collection import BASE_TIME, DEMO_RUNS, NAMESPACE
from docent_tui.demo.conversations import agent_messages, math_messages
from docent_tui.demo.models import MODEL_CUM, MODELS
from docent_tui.demo.scoring import scores_for
from docent_tui.demo.tasks import all_tasks, task_cum
from docent_tui.demo.transcript import Transcript
from docent_tui.demo.transcript_groups import multi_transcript, transcript_record

_DIFFICULTY_FACTOR = {"easy": 1.3, "medium": 0.9, "hard": 0.5}


def _make_run(seed: int, index: int) -> dict[str, Any]:
    rng = random.Random(seed * 1_000_003 + index)
    model = rng.choices(MODELS, cum_weights=MODEL_CUM)[0]
    task = rng.choices(all_tasks(), cum_weights=task_cum())[0]
    sample = rng.choice(task.samples)
    epoch = 1 if rng.random() < 0.7 else rng.randint(2, 3)
    chance = model.skill * task.ease * _DIFFICULTY_FACTOR[sample.difficulty]
    for kind, factor in model.affinity:
        if kind == task.kind:
            chance *= factor
    if rng.random() < min(0.95, max(0.03, chance)):
        outcome = "pass"
    elif task.kind == "math":
        outcome = "wrong"
    else:
        roll = rng.random()
        outcome = "wrong" if roll < 0.86 else "limit" if roll < 0.89 else "error"
    start = BASE_TIME + timedelta(seconds=index * 47 + rng.randrange(45))
    key = f"{seed}:{index}"
    run_id = str(uuid5(NAMESPACE, key))

    main = Transcript(rng, model, task, rng.random() < 0.1)
    if task.kind == "math":
        answer = math_messages(main, sample, outcome == "pass")
    else:
        answer = agent_messages(main, sample, outcome)
    scoring, scores = scores_for(task, sample, outcome, answer, rng)

    description = None
    if task.kind != "math" and rng.random() < 0.04:
        ids = [str(uuid5(NAMESPACE, f"{key}:{k}")) for k in range(6)]
        transcripts, groups = multi_transcript(
            rng, ids, run_id, start, main, sample, answer, outcome == "pass"
        )
        description = f"{len(transcripts)} transcripts: agent scaffold with a separate grading pass"
    else:
        transcript_id = str(uuid5(NAMESPACE, f"{key}:0"))
        transcripts = [transcript_record(transcript_id, None, None, start, main.messages, {})]
        groups = []

    metadata: dict[str, Any] = {
        "sample_id": sample.sample_id,
        "epoch": epoch,
        "target": sample.target,
        "scoring_metadata": scoring,
        "scores": scores,
        "task": task.name,
        "model": model.name,
        "tags": list(sample.tags),
        "difficulty": sample.difficulty,
    }
    for name, value in sample.extra:
        metadata[name] = value
    short_id = (
        sample.sample_id
        if isinstance(sample.sample_id, int)
        else sample.sample_id[:24].rstrip("-_")
    )
    return {
        "id": run_id,
        "name": f"{task.short}/{short_id}/epoch-{epoch}",
        "description": description,
        "transcripts": transcripts,
        "transcript_groups": groups,
        "metadata": metadata,
        "created_at": start.isoformat(),
    }


def generate_runs(count: int = DEMO_RUNS, seed: int = 0) -> Iterator[dict[str, Any]]:
    """Yield `count` demo runs (RunRecord dicts); run i depends only on (seed, i)."""
    for index in range(count):
        yield _make_run(seed, index)


def write_jsonl(path: Path, count: int, seed: int = 0) -> int:
    """Write `count` demo runs to `path` as JSON Lines; return the number written."""
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    written = 0
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for run in generate_runs(count, seed):
            out.write(encode(run))
            out.write("\n")
            written += 1
    return written
