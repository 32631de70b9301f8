"""The DQL WHERE box: one boolean expression that filters the run list as you type."""

from __future__ import annotations

from functools import lru_cache
from typing import Any, ClassVar

from pygments.lexers.sql import PostgresLexer  # type: ignore[import-untyped]
from pygments.token import (  # type: ignore[import-untyped]
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    String,
    _TokenType,
)
from rich.highlighter import Highlighter
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static
from textual.widgets.input import Selection

from docent_tui.core.backend import Backend
from docent_tui.core.completion import Completion, complete, value_candidates, value_query
from docent_tui.core.dql import DQLError, QueryCancelled
from docent_tui.core.history import QueryHistory
from docent_tui.core.remote.errors import RemoteError
from docent_tui.core.sanitize import neutralize, strip_sgr
from docent_tui.core.schema import DQLSchema
from docent_tui.tui.widgets.completion_menu import CompletionMenu

PLACEHOLDER = "DQL WHERE clause, e.g. metadata_json->>'model' ILIKE '%gpt%'"

# Token classes and their styles; a token takes the style of its nearest listed ancestor.
TOKEN_STYLES: dict[_TokenType, str] = {
    Comment: "dim italic",
    String: "green",
    Number: "cyan",
    Keyword: "bold magenta",
    Name.Builtin: "blue",
    Operator: "yellow",
}
# Beyond this many characters the rest of the clause is shown unstyled (one line, typed by hand).
MAX_HIGHLIGHT_CHARS = 4_000
_LEXER = PostgresLexer()
_STYLE_CACHE: dict[_TokenType, str | None] = {}


def _style_for(token: _TokenType) -> str | None:
    if token not in _STYLE_CACHE:
        kind: _TokenType | None = token
        while kind is not None and kind not in TOKEN_STYLES:
            kind = kind.parent
        _STYLE_CACHE[token] = TOKEN_STYLES[kind] if kind is not None else None
    return _STYLE_CACHE[token]


@lru_cache(maxsize=64)
def sql_spans(clause: str) -> tuple[tuple[int, int, str], ...]:
    """(start, end, style) of the styled tokens of `clause`; adjacent equal styles merged.

    Cached because the Input renders its value several times per keystroke.
    """
    spans: list[tuple[int, int, str]] = []
    try:
        tokens = list(_LEXER.get_tokens_unprocessed(clause[:MAX_HIGHLIGHT_CHARS]))
    except Exception:  # a lexer failure costs the colours, never the box
        return ()
    for index, token, value in tokens:
        style = _style_for(token)
        if style is None or not value:
            continue
        end = index + len(value)
        if spans and spans[-1][1] == index and spans[-1][2] == style:
            spans[-1] = (spans[-1][0], end, style)
        else:
            spans.append((index, end, style))
    return tuple(spans)


def _visible(text: str) -> str:
    """`text` with each control or reordering character replaced by one visible character, so
    offsets (cursor, selection, styles) still line up."""
    if neutralize(text) == text:
        return text
    shown = []
    for char in text:
        safe = neutralize(char)
        shown.append(safe if len(safe) == 1 else "\ufffd")
    return "".join(shown)


class SqlHighlighter(Highlighter):
    """Colours a DQL clause with pygments' PostgreSQL lexer; the text is never read as markup."""

    def highlight(self, text: Text) -> None:
        plain = text.plain
        for start, end, style in sql_spans(plain):
            text.stylize(style, start, end)
        safe = _visible(plain)
        if safe != plain:
            text.plain = safe


# Actions that work on the completion list, and those that take the same keys when it is closed.
_MENU_ACTIONS = frozenset({"complete", "menu_move", "close_menu"})
_CLOSED_MENU_ACTIONS = frozenset({"history_older", "history_newer", "restore"})


class WhereBox(Input):
    """An Input that hands focus back to the run list, optionally restoring the shown filter,
    steps through the collection's earlier filters with Up and Down, and completes columns,
    metadata paths, keywords and common values in a dropdown while typing."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # One key, two bindings: `check_action` enables the menu's while it is open, so the
        # footer names what the key does now.
        Binding("tab", "complete", "Complete"),
        Binding("up", "menu_move(-1)", "Choose", key_display="↑↓"),
        Binding("down", "menu_move(1)", "Next candidate", show=False),
        Binding("escape", "close_menu", "Close list"),
        Binding("up", "history_older", "History", key_display="↑↓"),
        Binding("down", "history_newer", "Later filter, then the run list", show=False),
        Binding("escape", "restore", "Restore last valid filter"),
    ]

    class Leave(Message):
        """Focus should go back to the run list; with `restore`, the box should show the filter
        the list is showing."""

        def __init__(self, restore: bool) -> None:
            self.restore = restore
            super().__init__()

    def __init__(
        self, value: str = "", *, id: str | None = None, history: QueryHistory | None = None
    ) -> None:
        # Completion state first: Input's own initialisation already moves the cursor.
        self.menu = CompletionMenu(id="where-completion")
        self._schemas: dict[str, DQLSchema] = {}
        self._backends: dict[str, Backend] = {}
        # Common values per (collection, expression): rows of (value, count).
        self._values: dict[tuple[str, str], list[list[Any]]] = {}
        self._looking_up: tuple[str, str] | None = None
        # A value set by the box itself (history, an accepted candidate): it opens no menu.
        self._quiet: str | None = None
        self._menu_cursor = 0
        self._last_value = value
        # No selecting on focus: the focus event can land after keys typed in the same burst
        # (`/` selects the filter itself, at once; see BrowserScreen.action_focus_where).
        super().__init__(
            value=value,
            placeholder=PLACEHOLDER,
            id=id,
            highlighter=SqlHighlighter(),
            select_on_focus=False,
        )
        self.history = history if history is not None else QueryHistory()
        self.collection_id: str | None = None
        # While browsing: the entries being stepped through, the one shown, and the draft.
        self._browsed: list[str] = []
        self._index: int | None = None
        self._draft = ""
        # A filter applied while the box has focus; kept when editing ends, not per keystroke.
        self._pending: tuple[str, str] | None = None

    def on_mount(self) -> None:
        # A sibling drawn over what follows it (overlay), so the layout never shifts; the owner
        # may compose it further down (under the error line), otherwise it follows the box.
        if self.menu.parent is None and isinstance(self.parent, Widget):
            self.parent.mount(self.menu, after=self)

    def set_schema(self, collection_id: str, schema: DQLSchema, backend: Backend) -> None:
        """Complete paths of `schema` in this collection, reading common values from `backend`."""
        self._schemas[collection_id] = schema
        self._backends[collection_id] = backend
        self._values = {key: rows for key, rows in self._values.items() if key[0] != collection_id}

    def set_collection(self, collection_id: str | None) -> None:
        """Use this collection's history and schema from now on."""
        if collection_id != self.collection_id:
            self._commit_pending()
            self.collection_id = collection_id
            self._stop_browsing()
            self.close_completion()

    def remember(self, collection_id: str, where: str) -> None:
        """`where` was applied to the collection without error: keep it in its history.

        While the box has focus the filter may be a step of what is still being typed, so only
        the last one applied is kept, when focus leaves the box.
        """
        if not where.strip():
            return
        self._pending = (collection_id, where)
        if not self.has_focus:
            self._commit_pending()

    def _commit_pending(self) -> None:
        if self._pending is not None:
            collection_id, where = self._pending
            self._pending = None
            self.history.record(collection_id, where)

    def on_blur(self, event: events.Blur) -> None:
        self._commit_pending()
        self._stop_browsing()
        self.close_completion()

    def on_unmount(self) -> None:
        self._commit_pending()

    @property
    def browsing(self) -> bool:
        """Whether the box shows a history entry the user has not edited since."""
        return self._index is not None and self.value == self._browsed[self._index]

    def _stop_browsing(self) -> None:
        self._browsed, self._index, self._draft = [], None, ""

    def _show(self, value: str, cursor: int | None = None) -> None:
        self._quiet = value
        self.value = value
        self.cursor_position = len(value) if cursor is None else cursor

    # -- completion ------------------------------------------------------------------------

    def on_input_changed(self, event: Input.Changed) -> None:
        # Typing opens the menu; deleting only updates one already open (as editors do).
        quiet, self._quiet = self._quiet, None
        typed = len(event.value) > len(self._last_value)
        self._last_value = event.value
        if event.value != quiet and (typed or self.menu.display):
            self.update_completion()
        else:
            self.close_completion()

    def watch_selection(self, selection: Selection) -> None:
        # Moving the cursor without editing leaves the token the menu was offered for.
        moved = selection.end != self._menu_cursor
        if self.menu.display and moved and self.value == self._last_value:
            self.menu.close()

    def update_completion(self) -> None:
        """Offer what completes the token at the cursor; common values are looked up once."""
        if not self.has_focus or self.collection_id is None:
            self.close_completion()
            return
        schema = self._schemas.get(self.collection_id)
        found = complete(self.value, self.cursor_position, schema)
        if found.value_expression is None:
            self._cancel_lookup()
            self._offer(found)
            return
        key = (self.collection_id, found.value_expression)
        rows = self._values.get(key)
        if rows is not None:
            self._offer(Completion(value_candidates(found, rows)))
        elif key[0] in self._backends and key != self._looking_up:
            self.menu.close()
            self._looking_up = key
            self.run_worker(
                self._look_up_values(key), group="where-values", exclusive=True, exit_on_error=False
            )

    def _offer(self, found: Completion) -> None:
        self._menu_cursor = self.cursor_position
        self.menu.show(found.candidates)

    def close_completion(self) -> None:
        self._cancel_lookup()
        self.menu.close()

    def _cancel_lookup(self) -> None:
        if self._looking_up is not None:
            self._looking_up = None
            self.workers.cancel_group(self, "where-values")

    async def _look_up_values(self, key: tuple[str, str]) -> None:
        collection_id, expression = key
        backend = self._backends[collection_id]
        rows: list[list[Any]] | None = None
        try:
            result = await backend.execute(
                collection_id, value_query(expression), channel=f"where-values:{id(self)}"
            )
            rows = result.rows
        except (DQLError, RemoteError):  # no values to offer; the filter itself reports errors
            rows = []
        except QueryCancelled:
            pass
        finally:
            current = self._looking_up == key
            if current:
                self._looking_up = None
        if rows is not None:
            self._values[key] = rows
            if current:
                self.update_completion()

    async def _on_key(self, event: events.Key) -> None:
        # Textual runs a bound key's action only once the key has bubbled up to the app, after
        # the keys queued behind it (Textual issue #6605): over SSH, a burst such as `/`,
        # ctrl+u, text lost the text. The box's own bindings run here, in the keys' order.
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # With the list closed, ↑↓ step through history, escape restores and tab moves focus.
        if action in _MENU_ACTIONS:
            return self.menu.is_open
        if action in _CLOSED_MENU_ACTIONS:
            return not self.menu.is_open
        return super().check_action(action, parameters)

    def action_menu_move(self, step: int) -> None:
        self.menu.move(step)

    def action_close_menu(self) -> None:
        self.close_completion()

    def action_restore(self) -> None:
        self.action_leave(True)

    def action_complete(self) -> None:
        self._accept()

    def _accept(self) -> bool:
        """Insert the highlighted candidate; False when the menu is closed."""
        chosen = self.menu.chosen
        if chosen is None:
            return False
        value, cursor = chosen.apply(self.value)
        self.close_completion()
        self._stop_browsing()
        self._show(value, cursor)
        return True

    async def action_submit(self) -> None:
        # Enter inserts a candidate only once the user moved to it: typed fast, a whole filter
        # and Enter must apply the filter, whatever the list offers at that moment.
        if not (self.menu.picked and self._accept()):
            self.close_completion()
            await super().action_submit()

    # -- history ---------------------------------------------------------------------------

    def action_history_older(self) -> None:
        if not self.browsing:
            if self.collection_id is None:
                return
            self._draft = self.value
            self._browsed = [e for e in self.history.entries(self.collection_id) if e != self.value]
            self._index = None
        step = 0 if self._index is None else self._index + 1
        if step >= len(self._browsed):
            self.app.bell()
            return
        self._index = step
        self._show(self._browsed[step])

    def action_history_newer(self) -> None:
        if not self.browsing or self._index is None:
            self._stop_browsing()
            self.action_leave()
        elif self._index == 0:
            draft = self._draft
            self._stop_browsing()
            self._show(draft)
        else:
            self._index -= 1
            self._show(self._browsed[self._index])

    def action_leave(self, restore: bool = False) -> None:
        self.post_message(self.Leave(restore))


class FilterError(Static):
    """The engine's message for an invalid clause, shown as plain text under the box."""

    def show_error(self, message: str, where: str, position: int | None) -> None:
        """The message's first line, then the clause with a caret under the position if known.

        sqlglot's messages repeat the query below their first line; the caret replaces that.
        """
        lines = [line for line in strip_sgr(message).strip().splitlines() if line.strip()]
        text = Text(neutralize(lines[0] if lines else "Invalid filter."))
        if position is not None and 0 <= position <= len(where):
            excerpt, caret = _excerpt(where, position, self.size.width or 80)
            text.append("\n" + neutralize(excerpt) + "\n" + " " * caret + "^")
        else:
            for line in lines[1:3]:
                text.append("\n" + neutralize(line))
        self.update(text)
        self.display = True

    def clear(self) -> None:
        self.update("")
        self.display = False


def _excerpt(where: str, position: int, width: int) -> tuple[str, int]:
    """One line of the clause around `position`, and the caret's column in it."""
    flat = where.replace("\n", " ").replace("\t", " ")
    room = max(width - 4, 20)
    start = max(0, min(position - room // 2, len(flat) - room))
    excerpt = flat[start : start + room]
    caret = position - start
    if start > 0:
        excerpt = "…" + excerpt[1:]
    if start + room < len(flat):
        excerpt = excerpt[:-1] + "…"
    return excerpt, caret
