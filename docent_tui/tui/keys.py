"""The one table of keys: shown by `?`, and the source of the README's key list."""

from __future__ import annotations

from typing import NamedTuple


class KeyHelp(NamedTuple):
    context: str
    keys: str
    action: str


KEYS: tuple[KeyHelp, ...] = (
    KeyHelp("Global", "q", "quit"),
    KeyHelp("Global", "?", "this help"),
    KeyHelp("Global", "ctrl+p", "command palette"),
    KeyHelp("Global", "tab / shift+tab", "next / previous pane"),
    KeyHelp("Global", "escape", "back (transcript → run list → collections)"),
    KeyHelp("Collections", "↑ ↓ / j k", "choose a collection"),
    KeyHelp("Collections", "enter", "go to its run list"),
    KeyHelp("Run list", "↑ ↓ / j k", "move"),
    KeyHelp("Run list", "pgup pgdn / g G", "page, first, last"),
    KeyHelp("Run list", "enter / double-click", "open the run"),
    KeyHelp("Run list", "/", "edit the DQL WHERE filter"),
    KeyHelp(
        "Run list",
        "← → / h l",
        "move the column cursor (on a numeric column, the summary charts it)",
    ),
    KeyHelp("Run list", "s", "sort by the column under the cursor: ▲, ▼, then default order"),
    KeyHelp("Run list", "c", "choose columns (kept per collection across launches)"),
    KeyHelp("Run list", "!", "list files and samples that could not be loaded"),
    KeyHelp("Run list", "w", "copy the run's Docent web URL (remote collections)"),
    KeyHelp("Run list", "r", "reload: ask the server again instead of the session's cache"),
    KeyHelp("WHERE box", "enter / ↓", "back to the run list (↓ when not stepping through history)"),
    KeyHelp("WHERE box", "↑ ↓", "earlier / later filters of this collection; ↓ ends at your draft"),
    KeyHelp("WHERE box", "tab", "insert the completion (enter too, once moved to with ↑ ↓)"),
    KeyHelp("WHERE box", "↑ ↓ (completion open)", "move in the completion list"),
    KeyHelp("WHERE box", "escape", "close the completion; else restore the last valid filter"),
    KeyHelp("Transcript", "↑ ↓ / j k", "scroll"),
    KeyHelp("Transcript", "pgup pgdn / g G", "page, top, bottom"),
    KeyHelp("Transcript", "[ ]", "previous / next message"),
    KeyHelp("Transcript", "/", "search the whole run, collapsed parts too"),
    KeyHelp("Transcript", "n N", "next / previous search hit"),
    KeyHelp("Transcript", "e E", "next / previous error (failed tool call or result)"),
    KeyHelp("Transcript", "t T", "next / previous tool call"),
    KeyHelp("Transcript", "f", "make t/T jump to the calls of one function"),
    KeyHelp("Transcript", "u U", "next / previous user message"),
    KeyHelp("Transcript", "r R", "next / previous reasoning"),
    KeyHelp("Transcript", "space", "expand / collapse the current message"),
    KeyHelp("Transcript", "l", "outline: transcripts and one line per message"),
    KeyHelp("Transcript", "m", "run, transcript and message metadata"),
    KeyHelp("Transcript", "y", "copy the current message"),
    KeyHelp("Transcript", "c", "copy the current tool call (or the call a result answers)"),
    KeyHelp("Transcript", "Y", "copy the run id"),
    KeyHelp("Transcript", "w", "copy the run's Docent web URL (remote runs; OSC 52)"),
    KeyHelp("Transcript", "o O", "open the current message in $PAGER / $EDITOR"),
    KeyHelp("Transcript", "x", "export the run as Markdown or Docent JSON"),
    KeyHelp("Transcript", "J K", "next / previous run of the list (same filter and order)"),
    KeyHelp("Transcript", "escape", "back to the run list"),
)
