"""A virtual run table: rows arrive in pages and only the visible lines are ever rendered."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from docent_tui.core.run_list import PAGE_SIZE, RunColumn, RunSort
from docent_tui.core.sanitize import one_line

Row = Sequence[Any]
_COLUMN_GAP = 2
# A list or object of at most this many items, and this many characters, is shown as JSON.
_INLINE_ITEMS = 8
_INLINE_JSON = 32


def format_cell(value: Any) -> str:
    """One line of plain text for a cell: first line of long strings, summaries for JSON."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, list | dict):
        return _json_cell(value)
    text = str(value)
    if len(text) >= 19 and text[4:5] == "-" and text[10:11] == "T":
        text = text.replace("T", " ", 1)[:19]
    first, _, rest = text.partition("\n")
    return one_line(first + (" …" if rest.strip() else ""), limit=400)


def _json_cell(value: list[Any] | dict[str, Any]) -> str:
    """A short list or object as its JSON text, a longer one as how many items it holds."""
    if len(value) <= _INLINE_ITEMS:
        text = json.dumps(value, ensure_ascii=False)
        if len(text) <= _INLINE_JSON:
            return one_line(text)
    count = len(value)
    if isinstance(value, list):
        return f"[{count:,} item{'s' if count != 1 else ''}]"
    return f"{{{count:,} key{'s' if count != 1 else ''}}}"


def fit_cell(text: str, width: int) -> str:
    """Pad or cut `text` to `width` cells; `namespace/name` keeps its name (`…gpt-4o`).

    The namespace is usually shared by every row, so a name too long for the cell is cut at
    its end (`…swe_bench_ve…`) rather than showing the same namespace on every row.
    """
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if width <= 1:
        return set_cell_size("…", width)
    if _is_timestamp(text) and width >= 11:
        return set_cell_size(text[5:16], width)
    head, slash, tail = text.partition("/")
    if head and slash and "/" not in tail and " " not in text and cell_len(tail) >= 3:
        if cell_len(tail) < width:
            return set_cell_size("…" + tail, width)
        if width >= 6:
            return "…" + set_cell_size(tail, width - 2) + "…"
    return set_cell_size(text, width - 1) + "…"


def _is_timestamp(text: str) -> bool:
    return len(text) == 19 and text[4] == "-" and text[10] == " " and text[13] == ":"


class RunTable(ScrollView, can_focus=True):
    """One line per run for any number of runs; the owner supplies pages on request."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "run-table--header",
        "run-table--header-cursor",
        "run-table--cursor",
        "run-table--stripe",
        "run-table--pending",
    }
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "jump(0)", "First", show=False),
        Binding("end,G", "jump(-1)", "Last", show=False),
        Binding("enter", "open", "Open run"),
        Binding("left,h", "column(-1)", "Column left", show=False),
        Binding("right,l", "column(1)", "Column right", show=False),
        Binding("s", "sort", "Sort"),
        Binding("c", "choose_columns", "Columns"),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True)
    cursor_column: reactive[int] = reactive(0)

    class RunChosen(Message):
        """The user asked to open the run under the cursor."""

        def __init__(self, run_id: str) -> None:
            self.run_id = run_id
            super().__init__()

    class CursorMoved(Message):
        """The cursor is on another row; the owner may fetch the runs around it ahead."""

        def __init__(self, row: int) -> None:
            self.row = row
            super().__init__()

    class ColumnMoved(Message):
        """The column cursor is on another column (its metadata path, None for run columns)."""

        def __init__(self, path: tuple[str, ...] | None) -> None:
            self.path = path
            super().__init__()

    class SortWanted(Message):
        """The user asked to sort by the column `key` (the owner cycles the direction)."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    class ColumnsWanted(Message):
        """The user asked to choose the columns."""

    class PagesWanted(Message):
        """Rows are visible whose page has not arrived; the owner should fetch these pages."""

        def __init__(self, generation: int, pages: list[int]) -> None:
            self.generation = generation
            self.pages = pages
            super().__init__()

    def __init__(self, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.columns: list[RunColumn] = []
        self.sort: RunSort | None = None
        self.total = 0
        self.generation = 0
        self._pages: dict[int, Sequence[Row]] = {}
        self._requested: set[int] = set()
        self._natural_widths: list[int] = []
        self._widths_for: tuple[int, list[int]] = (-1, [])
        # The first column shown when they do not all fit (see `_window`).
        self._first_column = 0

    # -- data --------------------------------------------------------------------------------

    def reset(
        self,
        generation: int,
        columns: Sequence[RunColumn],
        total: int,
        first_page: Sequence[Row],
        keep_run_id: str | None = None,
        pages: Mapping[int, Sequence[Row]] | None = None,
        sort: RunSort | None = None,
    ) -> None:
        """Show a new result: its columns, exact row count and first page of rows.

        `pages` are further pages fetched along; the cursor stays on `keep_run_id` when it is in
        any page given, and goes to the first row otherwise. `sort` is the order the rows are in
        (None: the default order); the column cursor stays on the column it was on.
        """
        self.generation = generation
        shown = self.columns
        on_column = shown[self.cursor_column].key if self.cursor_column < len(shown) else None
        self.columns = list(columns)
        self.sort = sort
        keys = [column.key for column in self.columns]
        self.cursor_column = keys.index(on_column) if on_column in keys else 0
        self.total = total
        self._pages = {**(pages or {}), 0: first_page}
        self._requested = set(self._pages)
        self._natural_widths = self._measure(first_page)
        self._widths_for = (-1, [])
        self.virtual_size = Size(self.size.width, total + 1)
        row = 0 if keep_run_id is None else self.row_of(keep_run_id) or 0
        row = min(row, max(total - 1, 0))
        # Scroll before moving the cursor, so the kept row ends up in view; forced, because
        # after a result that fitted the screen, Textual allows no scrolling until next layout.
        top = 0 if row < self._visible_rows else row - self._visible_rows // 2
        self.scroll_to(y=top, animate=False, force=True)
        self.cursor_row = row
        self.refresh()

    def add_page(self, generation: int, page: int, rows: Sequence[Row]) -> None:
        """Accept a page fetched on request; pages from an older result are dropped."""
        if generation != self.generation:
            return
        self._pages[page] = rows
        self.refresh()

    def page_failed(self, generation: int, page: int) -> None:
        """A page could not be fetched: ask for it again when it is next on screen."""
        if generation == self.generation:
            self._requested.discard(page)

    def row(self, index: int) -> Row | None:
        rows = self._pages.get(index // PAGE_SIZE)
        if rows is None:
            return None
        offset = index % PAGE_SIZE
        return rows[offset] if offset < len(rows) else None

    def run_id_at(self, index: int) -> str | None:
        """The run id on row `index`, if that row is loaded."""
        row = self.row(index) if 0 <= index < self.total else None
        return None if row is None else str(row[0])

    @property
    def cursor_run_id(self) -> str | None:
        return self.run_id_at(self.cursor_row)

    def row_of(self, run_id: str) -> int | None:
        """The row of `run_id` among the loaded pages, if it is there."""
        for page, rows in self._pages.items():
            for offset, row in enumerate(rows):
                if row[0] == run_id:
                    return page * PAGE_SIZE + offset
        return None

    def want_row(self, index: int) -> None:
        """Ask the owner for the page of row `index` unless it is loaded or on its way."""
        if 0 <= index < self.total and self.row(index) is None:
            self._want(index // PAGE_SIZE)

    # -- layout ------------------------------------------------------------------------------

    def _measure(self, rows: Sequence[Row]) -> list[int]:
        widths = []
        for position, column in enumerate(self.columns, start=1):
            longest = max(
                [cell_len(column.title), *(cell_len(format_cell(r[position])) for r in rows)]
            )
            widths.append(max(column.min_width, min(longest, column.max_width)))
        return widths

    def _column_widths(self, available: int) -> list[int]:
        """Fit natural widths to the terminal: shrink the widest first, give slack to the first."""
        if self._widths_for[0] == available:
            return self._widths_for[1]
        widths = list(self._natural_widths)
        gaps = _COLUMN_GAP * max(len(widths) - 1, 0)
        overflow = sum(widths) + gaps - available
        # A column with a compact form (a timestamp as `MM-DD HH:MM`) gives way whole, first.
        for index, column in enumerate(self.columns):
            compact = column.compact_width
            if overflow > 0 and compact is not None and widths[index] > compact:
                overflow -= widths[index] - compact
                widths[index] = compact
        while overflow > 0 and widths:
            widest = max(range(len(widths)), key=lambda i: widths[i] - self.columns[i].min_width)
            if widths[widest] <= self.columns[widest].min_width:
                break
            widths[widest] -= 1
            overflow -= 1
        if overflow < 0 and widths:
            widths[0] += -overflow
        self._widths_for = (available, widths)
        return widths

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, self.total + 1)

    # -- rendering ---------------------------------------------------------------------------

    def _window(self, available: int) -> range:
        """The columns shown: all when they fit, else a run of them holding the column cursor,
        one cell kept at each end whose columns are cut off for a marker (‹ ›)."""
        widths = self._column_widths(available)
        count = len(widths)

        def fits(first: int, last: int) -> bool:
            markers = (first > 0) + (last < count - 1)
            used = sum(widths[first : last + 1]) + _COLUMN_GAP * (last - first) + markers
            return used <= available

        if count == 0 or fits(0, count - 1):
            self._first_column = 0
            return range(count)
        cursor = min(self.cursor_column, count - 1)
        first = min(self._first_column, cursor)
        while True:
            last = first
            while last + 1 < count and fits(first, last + 1):
                last += 1
            if cursor <= last or first == cursor:
                break
            first += 1
        self._first_column = first
        return range(first, last + 1)

    def _cells(
        self, texts: Sequence[str], widths: list[int], shown: range, style: Style
    ) -> list[Segment]:
        """The shown columns' cells, after a blank for the left marker when there is one."""
        segments = [Segment(" ", style)] if shown.start > 0 else []
        gap = " " * _COLUMN_GAP
        for index in shown:
            if index > shown.start:
                segments.append(Segment(gap, style))
            segments.append(Segment(fit_cell(texts[index], widths[index]), style))
        return segments

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        widths = self._column_widths(width)
        shown = self._window(width)
        base = self.rich_style
        if y == 0:
            return self._header_line(widths, shown, width)
        index = int(self.scroll_offset.y) + y - 1
        if index >= self.total:
            return Strip.blank(width, base)
        row = self.row(index)
        if row is None:
            self._want(index // PAGE_SIZE)
            style = base + self.get_component_rich_style("run-table--pending")
            return Strip([Segment(set_cell_size("  …", width), style)])
        if index == self.cursor_row:
            style = base + self.get_component_rich_style("run-table--cursor")
        elif index % 2:
            style = base + self.get_component_rich_style("run-table--stripe")
        else:
            style = base
        texts = [format_cell(value) for value in row[1 : len(self.columns) + 1]]
        strip = Strip(self._cells(texts, widths, shown, style))
        return strip.crop(0, width).extend_cell_length(width, style)

    def header_titles(self, widths: Sequence[int] | None = None) -> list[str]:
        """Column titles, the sorted one marked ▲ (ascending) or ▼ (descending)."""
        titles = []
        for index, column in enumerate(self.columns):
            title = one_line(column.title)
            if self.sort is not None and self.sort.key == column.key:
                room = widths[index] - 2 if widths is not None else cell_len(title)
                title = fit_cell(title, max(room, 1)).rstrip()
                title += " ▼" if self.sort.descending else " ▲"
            titles.append(title)
        return titles

    def _header_line(self, widths: list[int], shown: range, width: int) -> Strip:
        """The titles, the column cursor's highlighted; ‹ and › where columns are cut off."""
        style = self.rich_style + self.get_component_rich_style("run-table--header")
        cursor = style + self.get_component_rich_style("run-table--header-cursor")
        titles = self.header_titles(widths)
        segments = [Segment("‹", style)] if shown.start > 0 else []
        gap = " " * _COLUMN_GAP
        for index in shown:
            if index > shown.start:
                segments.append(Segment(gap, style))
            on_cursor = index == self.cursor_column
            segments.append(
                Segment(fit_cell(titles[index], widths[index]), cursor if on_cursor else style)
            )
        line = Strip(segments).crop(0, width).extend_cell_length(width, style)
        if shown.stop < len(self.columns):
            line = Strip.join([line.crop(0, width - 1), Strip([Segment("›", style)])])
        return line

    def _want(self, page: int) -> None:
        if page in self._requested:
            return
        self._requested.add(page)
        self.post_message(self.PagesWanted(self.generation, [page]))

    # -- movement ----------------------------------------------------------------------------

    @property
    def _visible_rows(self) -> int:
        return max(self.scrollable_content_region.height - 1, 1)

    def watch_cursor_row(self, old: int, new: int) -> None:
        top = int(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, force=True)
        elif new >= top + self._visible_rows:
            self.scroll_to(y=new - self._visible_rows + 1, animate=False, force=True)
        self.refresh()
        if self.total:
            self.post_message(self.CursorMoved(new))

    def move_cursor(self, row: int) -> None:
        if self.total:
            self.cursor_row = max(0, min(row, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._visible_rows)

    def action_jump(self, row: int) -> None:
        self.move_cursor(self.total - 1 if row < 0 else row)

    def watch_cursor_column(self) -> None:
        self.refresh()
        if self.cursor_column < len(self.columns):
            self.post_message(self.ColumnMoved(self.cursor_path))

    @property
    def cursor_path(self) -> tuple[str, ...] | None:
        """The metadata path of the column under the column cursor (None: a run column)."""
        if self.cursor_column < len(self.columns):
            return self.columns[self.cursor_column].path
        return None

    def action_column(self, delta: int) -> None:
        if self.columns:
            self.cursor_column = max(0, min(self.cursor_column + delta, len(self.columns) - 1))

    def action_sort(self) -> None:
        if self.columns:
            self.post_message(self.SortWanted(self.columns[self.cursor_column].key))

    def action_choose_columns(self) -> None:
        self.post_message(self.ColumnsWanted())

    def action_open(self) -> None:
        run_id = self.cursor_run_id
        if run_id is not None:
            self.post_message(self.RunChosen(run_id))
        elif self.total:
            self.notify("This row has not loaded yet.", severity="warning", markup=False)

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y == 0:
            return
        index = int(self.scroll_offset.y) + offset.y - 1
        if index >= self.total:
            return
        if index == self.cursor_row and event.chain >= 2:
            self.action_open()
        self.move_cursor(index)
