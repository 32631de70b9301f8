"""The transcript screen: one run, every transcript in Docent's order, and the keys to find
what went wrong in it (search, jumps, outline, metadata) and to get it out (copy, pager, export).
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Input, Static

from docent_tui.core.export import (
    editor_command,
    export_path,
    message_text,
    pager_command,
    run_json,
    run_markdown,
    tool_call_copy,
)
from docent_tui.core.jumps import Jump, functions_used, jump_targets, next_target
from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    ChatMessage,
    ToolCall,
    ToolMessage,
)
from docent_tui.core.sanitize import neutralize, one_line
from docent_tui.core.search import Hit, RunSearch
from docent_tui.core.tree import message_address
from docent_tui.tui.external import open_in_program
from docent_tui.tui.screens.choose import ChooseScreen
from docent_tui.tui.screens.metadata import MetadataScreen
from docent_tui.tui.screens.outline import OutlineScreen
from docent_tui.tui.transcript import TranscriptView
from docent_tui.tui.widgets.search_bar import SearchBar

# Characters above which a clipboard write (OSC 52) is likely to be dropped by the terminal.
LARGE_COPY = 100_000
# What a jump key is called in "no further …" messages.
_JUMP_NAMES = {
    Jump.ERROR: "errors",
    Jump.TOOL_CALL: "tool calls",
    Jump.USER: "user messages",
    Jump.REASONING: "reasoning",
}


def run_header(run: AgentRun) -> Text:
    """Run name or id, model and task, and the scores, which stay visible while reading."""
    title = Text(one_line(run.name or run.id, limit=100), style="bold")
    metadata = run.metadata
    for key in ("model", "task"):
        value = metadata.get(key)
        if isinstance(value, str | int | float):
            title.append(f"  {key}: ", style="dim")
            title.append(one_line(str(value), limit=60))
    scores = metadata.get("scores")
    if isinstance(scores, dict) and scores:
        title.append("\nscores ", style="dim")
        parts = []
        for name, value in list(scores.items())[:8]:
            shown = value if isinstance(value, str | int | float | bool) else json.dumps(value)
            parts.append(f"{name}={shown}")
        more = len(scores) - 8
        suffix = f"  (+{more} more)" if more > 0 else ""
        title.append(one_line("  ".join(parts), limit=200) + suffix)
    explanation = score_explanation(metadata)
    if explanation:
        title.append("\nwhy ", style="dim")
        title.append(one_line(explanation, limit=300))
    return title


def score_explanation(metadata: dict[str, object]) -> str | None:
    """The first scorer's explanation (Inspect's `scoring_metadata`), the "why" of a score."""
    scoring = metadata.get("scoring_metadata")
    if not isinstance(scoring, dict):
        return None
    for name, result in scoring.items():
        if isinstance(result, dict):
            explanation = result.get("explanation")
            if isinstance(explanation, str) and explanation.strip():
                return f"{name}: {explanation.strip()}"
    return None


class TranscriptScreen(Screen[None]):
    """Shows one run; escape returns to the run list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("slash", "search", "Search"),
        Binding("n", "hit(True)", "Next hit", show=False),
        Binding("N", "hit(False)", "Previous hit", show=False),
        Binding("e", "jump('error', True)", "Next error"),
        Binding("E", "jump('error', False)", "Previous error", show=False),
        Binding("t", "jump('tool_call', True)", "Next tool call", show=False),
        Binding("T", "jump('tool_call', False)", "Previous tool call", show=False),
        Binding("f", "choose_function", "Tool calls of one function", show=False),
        Binding("u", "jump('user', True)", "Next user message", show=False),
        Binding("U", "jump('user', False)", "Previous user message", show=False),
        Binding("r", "jump('reasoning', True)", "Next reasoning", show=False),
        Binding("R", "jump('reasoning', False)", "Previous reasoning", show=False),
        Binding("space", "expand", "Expand"),
        Binding("l", "outline", "Outline"),
        Binding("m", "metadata", "Metadata"),
        Binding("y", "copy_message", "Copy message", show=False),
        Binding("c", "copy_tool_call", "Copy tool call", show=False),
        Binding("Y", "copy_run_id", "Copy run id", show=False),
        Binding("w", "copy_web_url", "Copy web URL", show=False),
        Binding("o", "open_external('pager')", "Open in $PAGER", show=False),
        Binding("O", "open_external('editor')", "Open in $EDITOR", show=False),
        Binding("x", "export", "Export", show=False),
        Binding("J", "step_run(1)", "Next run", show=False),
        Binding("K", "step_run(-1)", "Previous run", show=False),
    ]

    def __init__(
        self, run: AgentRun, collection_id: str | None = None, web_url: str | None = None
    ) -> None:
        super().__init__()
        self.run = run
        self.collection_id = collection_id
        self.web_url = web_url
        self._search: RunSearch | None = None
        self._query = ""
        self._hits: list[Hit] = []
        self._hit = -1
        self._function: str | None = None
        self._targets: dict[tuple[Jump, str | None], list[tuple[int, int]]] = {}
        # Where the last jump went: a first message already jumped to is not ahead any more.
        self._jumped_to: tuple[int, int] | None = None
        # Set by the run list that opened this screen: opens its next (1) or previous (-1) run.
        self.step_run: Callable[[int], None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(run_header(self.run), id="run-header")
        yield TranscriptView(id="transcript")
        yield Static(id="transcript-status")
        yield SearchBar(id="transcript-search")
        yield Footer()

    def on_mount(self) -> None:
        view = self.query_one(TranscriptView)
        view.show_run(self.run)
        view.focus()
        self.query_one(SearchBar).display = False
        self.watch(view, "scroll_y", self._update_status, init=False)
        self._update_status()

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def show_refreshed(self, run: AgentRun) -> None:
        """Show a newer copy of the same run, staying at the same message."""
        view = self.view
        address = view.current_address
        self.run = run
        self._search = None
        self._targets.clear()
        self._hits, self._hit = [], -1
        self.query_one("#run-header", Static).update(run_header(run))
        view.show_run(run)
        if address is not None:
            view.scroll_to_address(address)
        self.notify("The run changed on the server; showing the new version.", markup=False)

    def show_new_run(
        self, run: AgentRun, collection_id: str | None = None, web_url: str | None = None
    ) -> None:
        """Show another run in this screen, from its top, with no search or jump state left."""
        self.workers.cancel_group(self, "search")
        self.run = run
        self.collection_id = collection_id
        self.web_url = web_url
        self._search = None
        self._query = ""
        self._hits, self._hit = [], -1
        self._function = None
        self._targets.clear()
        self._jumped_to = None
        self.query_one(SearchBar).display = False
        self.query_one("#run-header", Static).update(run_header(run))
        view = self.view
        view.set_search(None)
        view.show_run(run)
        view.focus()
        self._update_status()

    def action_step_run(self, step: int) -> None:
        if self.step_run is None:
            self._say("This run was not opened from a run list: there is no next run.")
            return
        self.step_run(step)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Single-letter keys type into the search box while it has focus.
        return not (isinstance(self.focused, Input) and action != "app.pop_screen")

    # --- the current message -------------------------------------------------------------------

    def _current(self) -> tuple[tuple[int, int], ChatMessage] | None:
        """(address, message) of the message at the top of the view."""
        view = self.view
        index = view.current_item
        if index is None:
            return None
        item = view.items[index]
        if item.message is None:
            return None
        return (item.transcript_index, item.block), item.message

    def _current_address(self) -> tuple[int, int] | None:
        current = self._current()
        return None if current is None else current[0]

    def _update_status(self) -> None:
        view = self.view
        parts = [view.current_address or "", f"{view.message_count:,} messages"]
        if self._query:
            if self._hits:
                total = sum(hit.count for hit in self._hits)
                place = f"{self._hit + 1}/{len(self._hits)}" if self._hit >= 0 else "–"
                parts.append(f"“{one_line(self._query, 40)}” {place} messages, {total:,} matches")
            else:
                parts.append(f"“{one_line(self._query, 40)}” not found")
        if self._function is not None:
            parts.append(f"t/T: {one_line(self._function, 40)} calls")
        self.query_one("#transcript-status", Static).update(Text(" · ".join(p for p in parts if p)))

    # --- search ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        self.query_one(SearchBar).open(self._query)

    @on(SearchBar.Submitted, "#transcript-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        bar = self.query_one(SearchBar)
        bar.display = False
        self.view.focus()
        self._run_search(event.value.strip())

    @on(SearchBar.Closed)
    def _search_closed(self) -> None:
        self.view.focus()

    @work(exclusive=True, group="search", exit_on_error=False)
    async def _run_search(self, query: str) -> None:
        if self._search is None:
            self._search = await asyncio.to_thread(RunSearch, self.run)
        search = self._search
        hits = await asyncio.to_thread(search.find, query)
        self._query = query
        self._hits = hits
        self._hit = -1
        self.view.set_search(search.pattern(query))
        if hits:
            self._go_to_hit(forward=True, include_current=True)
        self._update_status()

    def action_hit(self, forward: bool) -> None:
        if not self._query:
            self.notify("Nothing searched yet: press / to search.", markup=False)
            return
        if not self._hits:
            self.notify(f"“{one_line(self._query, 60)}” is not in this run.", markup=False)
            return
        self._go_to_hit(forward=forward)

    def _go_to_hit(self, *, forward: bool, include_current: bool = False) -> None:
        """Show the next (or previous) message with a hit; the first search may stay here."""
        addresses = [(hit.transcript_index, hit.block) for hit in self._hits]
        current = self._current_address()
        if include_current and current is not None:
            current = (current[0], current[1] - 1)  # just before the current message
        target = next_target(addresses, current, forward)
        if target is None:
            target = addresses[0] if forward else addresses[-1]
            self._say(f"Search wrapped to the {'first' if forward else 'last'} hit.")
        self._hit = addresses.index(target)
        index = self.view.item_at(target)
        if index is not None and not self.view.show_hit(index):
            self._say(
                f"The hit in {message_address(*target)} is not drawn here (past the display "
                "limit, or in metadata or ids): o opens the whole message in $PAGER, m the "
                "metadata."
            )
        self._update_status()

    # --- jumps -----------------------------------------------------------------------------------

    def action_jump(self, kind_name: str, forward: bool) -> None:
        kind = Jump(kind_name)
        function = self._function if kind is Jump.TOOL_CALL else None
        key = (kind, function)
        targets = self._targets.get(key)
        if targets is None:
            targets = jump_targets(self.run, kind, function)
            self._targets[key] = targets
        current = self._current_address()
        if forward and self.view.scroll_offset.y == 0 and self._jumped_to != current:
            current = None  # at the very top, the first message counts as ahead
        target = next_target(targets, current, forward)
        if target is None:
            name = _JUMP_NAMES[kind]
            if function is not None:
                name = f"{one_line(function, 40)} calls"
            what = "no" if not targets else ("no later" if forward else "no earlier")
            self._say(f"{what.capitalize()} {name} in this run.")
            return
        index = self.view.item_at(target)
        if index is not None:
            self._jumped_to = target
            self.view.scroll_to_item(index)

    def action_choose_function(self) -> None:
        used = functions_used(self.run)
        if not used:
            self.notify("This run has no tool calls.", markup=False)
            return
        options = [("", "all tool calls")]
        options += [(name, f"{one_line(name, 60)}  ({count:,})") for name, count in used]
        self.app.push_screen(ChooseScreen("t/T jump to calls of", options), self._function_chosen)

    def _function_chosen(self, choice: str | None) -> None:
        if choice is None:
            return
        self._function = choice or None
        self._update_status()

    # --- reading -------------------------------------------------------------------------------

    def action_expand(self) -> None:
        state = self.view.toggle_expanded()
        if state is None:
            self.notify("Nothing is hidden in this message.", markup=False)

    def action_outline(self) -> None:
        self.app.push_screen(OutlineScreen(self.run, self.view.current_address), self._go_to)

    def _go_to(self, address: str | None) -> None:
        if address is not None:
            self.view.scroll_to_address(address)

    def action_metadata(self) -> None:
        self.app.push_screen(MetadataScreen(self.run, self.view.current_address))

    # --- getting things out ----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        """A notice that replaces the previous ones (repeated keys must not stack them)."""
        self.app.clear_notifications()
        self.notify(text, markup=False)

    def _copy(self, text: str, what: str) -> None:
        # Control characters made visible: a paste must not carry escape sequences.
        safe = neutralize(text)
        self.app.copy_to_clipboard(safe)
        if len(safe) > LARGE_COPY:
            self.notify(
                f"Copied {what} ({len(safe):,} characters): terminals often drop clipboard "
                "writes this large; o opens it in $PAGER instead.",
                severity="warning",
                markup=False,
            )
        else:
            self.notify(f"Copied {what} ({len(safe):,} characters)", markup=False)

    def action_copy_message(self) -> None:
        current = self._current()
        if current is None:
            self.notify("No message here.", markup=False)
            return
        (transcript, block), message = current
        address = message_address(transcript, block)
        self._copy(message_text(message, address), address)

    def action_copy_tool_call(self) -> None:
        current = self._current()
        calls = [] if current is None else self._calls_for(*current)
        if not calls:
            self.notify("No tool call in this message.", markup=False)
            return
        text = "\n\n".join(tool_call_copy(call) for call in calls)
        names = ", ".join(one_line(call.function or "?", 30) for call in calls)
        self._copy(text, f"tool call {names}")

    def _calls_for(self, address: tuple[int, int], message: ChatMessage) -> list[ToolCall]:
        """The tool calls of an assistant message, or the call a tool result answers."""
        if isinstance(message, AssistantMessage):
            return list(message.tool_calls)
        if isinstance(message, ToolMessage):
            call = self.view.call_answered(address)
            return [] if call is None else [call]
        return []

    def action_copy_run_id(self) -> None:
        self._copy(self.run.id, f"run id {one_line(self.run.id, 60)}")

    def action_copy_web_url(self) -> None:
        copy_web_url(self, self.web_url)

    def action_open_external(self, which: str) -> None:
        current = self._current()
        if current is None:
            self.notify("No message here.", markup=False)
            return
        (transcript, block), message = current
        text = message_text(message, message_address(transcript, block))
        environ = dict(os.environ)
        command = pager_command(environ) if which == "pager" else editor_command(environ)
        problem = open_in_program(self.app, command, text)
        if problem:
            self.notify(one_line(problem, 200), severity="error", markup=False)

    def action_export(self) -> None:
        options = [("md", "Markdown (.md)"), ("json", "Docent AgentRun JSON (.json)")]
        self.app.push_screen(ChooseScreen("Export this run as", options), self._export)

    def _export(self, choice: str | None) -> None:
        if choice is None:
            return
        text = run_markdown(self.run) if choice == "md" else run_json(self.run)
        path = export_path(Path.cwd(), self.run, f".{choice}")
        try:
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            reason = one_line(f"Could not write {path}: {error.strerror or error}", 300)
            self.notify(reason, severity="error", markup=False)
            return
        self.notify(one_line(f"Exported to {path}", 300), markup=False)


def copy_web_url(screen: Screen[None], url: str | None) -> None:
    """Put a run's Docent web address on the clipboard (OSC 52, so it works over SSH)."""
    if url is None:
        screen.notify("Local runs have no Docent web page.", severity="warning", markup=False)
        return
    screen.app.copy_to_clipboard(url)
    screen.notify(f"Copied {one_line(url, limit=400)}", markup=False)
