"""The task catalogue: each eval task with its samples, long outputs and text pools."""

from __future__ import annotations

import random
from functools import cache

from docent_tui.demo.actions import bash, python, truncated
from docent_tui.demo.ctf_samples import CTF_SYSTEM, ctf_sample
from docent_tui.demo.cybench_samples import CYBENCH_CHALLENGES, CYBENCH_SYSTEM, cybench_sample
from docent_tui.demo.gaia_samples import GAIA_SYSTEM, gaia_sample
from docent_tui.demo.long_outputs import (
    find_listing,
    gobuster_log,
    objdump_log,
    pip_log,
    pytest_log,
    strings_log,
    traceback_log,
)
from docent_tui.demo.math_samples import MATH_SYSTEM, math_sample
from docent_tui.demo.reasoning_texts import SUMMARIES, THINKING
from docent_tui.demo.records import Action, Sample, Task
from docent_tui.demo.swe_samples import SWE_SYSTEM, swe_sample
from docent_tui.demo.tool_errors import tool_errors


@cache
def all_tasks() -> tuple[Task, ...]:
    """Build every task's samples and text pools once (fixed seeds, independent of run seeds)."""
    rng = random.Random(20250602)
    long_rng = random.Random(7)
    pip = bash(
        "Install the package in development mode.", "pip install -e . 2>&1", pip_log(long_rng)
    )
    pytest = bash(
        "Run the full test module.",
        "python -m pytest tests/utils_tests -v 2>&1",
        pytest_log(long_rng),
    )
    find = bash(
        "Get an overview of the source tree.", "find . -name '*.py' | sort", find_listing(long_rng)
    )
    trace = python(
        "Run the crawler script.", "import crawl\ncrawl.crawl(start_url)", traceback_log(long_rng)
    )
    objdump = bash("Disassemble the binary.", "objdump -d checkpass", objdump_log(long_rng))
    gobuster = bash(
        "Brute-force directories on the web server.",
        "gobuster dir -u http://victim:1337 -w /usr/share/wordlists/dirb/common.txt",
        truncated(gobuster_log(long_rng)),
    )
    strings = bash("Dump all printable strings.", "strings -n 4 checkpass", strings_log(long_rng))
    ctf_ids = sorted(rng.sample(range(1, 100), 48))

    def task(
        kind: str,
        name: str,
        weight: float,
        ease: float,
        turns: tuple[int, int],
        system: str,
        samples: tuple[Sample, ...],
        long_outputs: tuple[Action, ...],
    ) -> Task:
        return Task(
            kind=kind,
            name=name,
            short=name.rsplit("/", 1)[-1].removeprefix("gdm_"),
            weight=weight,
            ease=ease,
            turns=turns,
            system=system,
            samples=samples,
            errors=tool_errors(kind),
            long_outputs=long_outputs,
            thinking=THINKING[kind],
            summaries=SUMMARIES[kind],
        )

    # Weights set the task mix; ease scales the pass rate; turns bound the exploration steps.
    return (
        task(
            "ctf",
            "inspect_evals/gdm_intercode_ctf",
            weight=1.1,
            ease=1.0,
            turns=(0, 3),
            system=CTF_SYSTEM,
            samples=tuple(ctf_sample(i, sid, rng) for i, sid in enumerate(ctf_ids)),
            long_outputs=(strings, objdump, find),
        ),
        task(
            "swe",
            "inspect_evals/swe_bench_verified",
            weight=1.0,
            ease=0.6,
            turns=(3, 4),
            system=SWE_SYSTEM,
            samples=tuple(swe_sample(i, rng) for i in range(40)),
            long_outputs=(pip, pytest, find, trace),
        ),
        task(
            "gaia",
            "inspect_evals/gaia",
            weight=0.9,
            ease=0.75,
            turns=(0, 2),
            system=GAIA_SYSTEM,
            samples=tuple(gaia_sample(i, rng) for i in range(30)),
            long_outputs=(trace, find),
        ),
        task(
            "cybench",
            "inspect_evals/cybench",
            weight=0.7,
            ease=0.42,
            turns=(0, 3),
            system=CYBENCH_SYSTEM,
            samples=tuple(cybench_sample(i, rng) for i in range(len(CYBENCH_CHALLENGES))),
            long_outputs=(gobuster, objdump, strings),
        ),
        task(
            "math",
            "inspect_evals/math",
            weight=1.3,
            ease=1.1,
            turns=(0, 1),
            system=MATH_SYSTEM,
            samples=tuple(math_sample(i, rng) for i in range(60)),
            long_outputs=(),
        ),
    )


@cache
def task_cum() -> tuple[float, ...]:
    tasks = all_tasks()
    return tuple(sum(t.weight for t in tasks[: i + 1]) for i in range(len(tasks)))
