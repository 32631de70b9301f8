"""A transcript being written: assistant turns, tool calls and results in one model's style."""

from __future__ import annotations

import random
from typing import Any

from docent_tui.demo.messages import tool_message, user_message
from docent_tui.demo.models import Model
from docent_tui.demo.random_text import ALNUM, B64URL, HEX, rand_str
from docent_tui.demo.records import Action, Task
from docent_tui.demo.tool_errors import PARSE_ERROR

_CONTINUE = (
    "Please keep working on the task with your tools. If you are confident you have the "
    "answer, call submit() with it."
)
_NUDGE_TEXTS = (
    "I think I understand the setup now. Let me summarise what I know before going further.",
    "I have gathered enough information to form a hypothesis about the answer.",
    "Let me step back and consider other approaches.",
    "Based on the output above, the next step should be clear.",
    "I'm not sure the previous command did what I expected. Let me reconsider.",
)


class Transcript:
    """Accumulates one transcript's messages for a given model, with per-run randomness."""

    def __init__(self, rng: random.Random, model: Model, task: Task, usage: bool) -> None:
        self.rng = rng
        self.model = model
        self.task = task
        self.usage = usage
        self.tokens = 0
        self.calls = 0
        self.messages: list[dict[str, Any]] = []

    def _call_id(self, function: str) -> str:
        self.calls += 1
        style = self.model.id_style
        if style == "openai":
            return "call_" + rand_str(self.rng, ALNUM, 24)
        if style == "anthropic":
            return "toolu_01" + rand_str(self.rng, ALNUM, 22)
        if style == "google":
            return f"{function}_{self.calls}"
        return "chatcmpl-tool-" + rand_str(self.rng, HEX, 16)

    def _reasoning(self) -> dict[str, Any] | None:
        rng = self.rng
        kind = self.model.reasoning
        if kind == "encrypted" and rng.random() < 0.7:
            summary = rng.choice(self.task.summaries) if rng.random() < 0.75 else None
            return {
                "type": "reasoning",
                "reasoning": "gAAAAAB" + rand_str(rng, B64URL, 33),
                "summary": summary,
                "signature": None,
                "redacted": True,
            }
        if kind == "thinking" and rng.random() < 0.35:
            if rng.random() < 0.05:
                return {
                    "type": "reasoning",
                    "reasoning": "",
                    "summary": None,
                    "signature": "EmwKAhgB" + rand_str(rng, B64URL, 40),
                    "redacted": True,
                }
            return {
                "type": "reasoning",
                "reasoning": rng.choice(self.task.thinking),
                "summary": None,
                "signature": "EqQBCkYIBxgC" + rand_str(rng, B64URL, 28),
                "redacted": False,
            }
        if kind == "thought" and rng.random() < 0.5:
            return {
                "type": "reasoning",
                "reasoning": rng.choice(self.task.summaries),
                "summary": None,
                "signature": None,
                "redacted": False,
            }
        return None

    def _metadata(self, output_tokens: int) -> dict[str, Any] | None:
        if not self.usage:
            return None
        self.tokens += self.rng.randint(120, 900)
        usage: dict[str, Any] = {
            "input_tokens": self.tokens,
            "output_tokens": output_tokens,
            "total_tokens": self.tokens + output_tokens,
        }
        if self.model.reasoning == "encrypted":
            usage["reasoning_tokens"] = self.rng.randint(64, 1200)
        return {"usage": usage}

    def assistant(self, text: str, calls: list[dict[str, Any]] | None) -> None:
        reasoning = self._reasoning()
        content: str | list[dict[str, Any]]
        if reasoning is None:
            content = text
        elif text:
            content = [reasoning, {"type": "text", "text": text, "refusal": None}]
        else:
            content = [reasoning]
        self.messages.append(
            {
                "id": None,
                "content": content,
                "role": "assistant",
                "metadata": self._metadata(len(text) // 4 + 12),
                "model": self.model.api_name,
                "tool_calls": calls,
            }
        )

    def call(self, action: Action, *, parse_error: str | None = None) -> dict[str, Any]:
        view = action.view
        signature = None
        if self.model.id_style == "google" and self.calls % 3 == 0:
            signature = "CiQB" + rand_str(self.rng, B64URL, 28)
        return {
            "id": self._call_id(action.function),
            "function": action.function,
            "arguments": dict(action.arguments),
            "type": "function",
            "parse_error": parse_error,
            "view": None
            if view is None
            else {"title": action.function, "format": "markdown", "content": view},
            "google_thought_signature": signature,
        }

    def text_for(self, action: Action) -> str:
        return action.text if self.rng.random() < self.model.text_rate else ""

    def turn(self, action: Action) -> None:
        """The agent explains, calls one tool (sometimes two in parallel) and gets the output."""
        rng = self.rng
        calls = [self.call(action)]
        pair = None
        if self.model.id_style == "openai" and rng.random() < 0.06 and self.task.samples[0].explore:
            pair = rng.choice(rng.choice(self.task.samples).explore[:2])
            calls.append(self.call(pair))
        self.assistant(self.text_for(action), calls)
        self.messages.append(tool_message(action.output, calls[0], None))
        if pair is not None:
            self.messages.append(tool_message(pair.output, calls[1], None))

    def failed_turn(self, action: Action, error_type: str, message: str) -> None:
        call = self.call(action)
        self.assistant(self.text_for(action), [call])
        self.messages.append(tool_message("", call, {"type": error_type, "message": message}))

    def parse_error_turn(self, action: Action) -> None:
        """A malformed call: the arguments use a key the tool does not accept."""
        bad = Action(
            action.text,
            action.function,
            {"command": next(iter(action.arguments.values()))},
            None,
            "",
        )
        call = self.call(bad, parse_error=PARSE_ERROR)
        self.assistant(self.text_for(action), [call])
        self.messages.append(tool_message("", call, {"type": "parsing", "message": PARSE_ERROR}))

    def nudge(self) -> None:
        """A turn without a tool call, answered by the scaffold's continue prompt."""
        self.assistant(self.rng.choice(_NUDGE_TEXTS), None)
        self.messages.append(user_message(_CONTINUE))

    def submit(self, answer: str, text: str) -> None:
        call = self.call(Action(text, "submit", {"answer": answer}, None, answer))
        self.assistant(text if self.rng.random() < self.model.text_rate else "", [call])
        self.messages.append(tool_message(answer, call, None))
