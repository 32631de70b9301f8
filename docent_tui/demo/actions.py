"""Builders for the agent's tool calls (bash, python) and shell-shaped outputs."""

from __future__ import annotations

import random
from collections.abc import Sequence

from docent_tui.demo.records import Action


def _view(language: str, code: str) -> str:
    return f"```{language}\n{code}\n```\n"


def bash(text: str, cmd: str, output: str) -> Action:
    return Action(text, "bash", {"cmd": cmd}, _view("bash", cmd), output)


def python(text: str, code: str, output: str) -> Action:
    return Action(text, "python", {"code": code}, _view("python", code), output)


def ls(names: Sequence[str], rng: random.Random) -> str:
    lines = [
        "total 16",
        "drwxr-xr-x 1 root root 4096 May 21 22:29 .",
        "drwxr-xr-x 1 root root 4096 May 21 22:28 ..",
    ]
    for name in names:
        lines.append(f"-rw-r--r-- 1 root root {rng.randint(40, 9000):>5} May 21 22:29 {name}")
    return "\n".join(lines) + "\n"


def truncated(output: str) -> str:
    """Wrap output the way Inspect does when a tool result exceeds its size limit."""
    return (
        "The output of your call was too long to be displayed.\n"
        "Here is a truncated version:\n<START_TOOL_OUTPUT>\n"
        f"{output}<END_TOOL_OUTPUT>\n"
    )
