"""The transcript viewer: a line-API ScrollView that renders messages lazily.

No widget per message. Each item (message, separator, notice) is rendered to Strips only when it
comes near the viewport, cached in an LRU keyed by (run generation, item, width, palette). Items
not rendered yet have estimated heights; when rendering corrects a height, the message at the top
of the viewport stays where it is (the view never jumps).
"""

from __future__ import annotations

import gc
import re
from typing import ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from docent_tui.core.models import AgentRun, ToolCall
from docent_tui.core.sanitize import one_line
from docent_tui.core.tree import parse_address
from docent_tui.tui.heap import freeze_survivors
from docent_tui.tui.transcript.heights import HeightIndex
from docent_tui.tui.transcript.items import Item, build_items
from docent_tui.tui.transcript.render import (
    Palette,
    error_strips,
    palette_from_variables,
    render_item,
)

# Rendered items kept in memory (each is a list of Strips at one width).
_CACHE_ITEMS = 1024
# Rendered strips carry many small tracked objects; after this many, the young survivors are
# frozen too, so a full collection never rescans a screenful of cached lines (40+ ms pauses).
_FREEZE_AFTER_STRIPS = 1_000
# Passes of render-and-correct before settling gives up (each pass only renders new items).
_SETTLE_PASSES = 32

_Anchor = tuple[int, int]
# (run generation, item, width, palette serial, expanded, search serial)
_CacheKey = tuple[int, int, int, int, bool, int]
# Lines shown above a search hit when the view jumps to it.
_HIT_CONTEXT = 2


class TranscriptView(ScrollView, can_focus=True, inherit_bindings=False):
    """Shows every transcript of one run in Docent's canonical order."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "line_up", "Scroll up", show=False),
        Binding("down,j", "line_down", "Scroll down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("home,g", "top", "Top", show=False),
        Binding("end,G", "bottom", "Bottom", show=False),
        Binding("left_square_bracket", "previous_message", "Prev message", show=False),
        Binding("right_square_bracket", "next_message", "Next message", show=False),
    ]

    def __init__(
        self,
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._run: AgentRun | None = None
        self._items: list[Item] = []
        self._heights = HeightIndex()
        # Width at which each item's height is exact; 0 while it is an estimate.
        self._measured: list[int] = []
        self._layout_width = 0
        self._generation = 0
        self._cache: LRUCache[_CacheKey, list[Strip]] = LRUCache(_CACHE_ITEMS)
        self._strips_since_freeze = 0
        # Items the reader expanded (indices into _items); everything else renders collapsed.
        self._expanded: set[int] = set()
        self._search: re.Pattern[str] | None = None
        self._search_serial = 0
        self._palette: Palette | None = None
        self._palette_serial = 0
        self._message_count = 0
        self._message_items: list[int] = []
        self._by_address: dict[tuple[int, int], int] = {}
        self._settling = False
        self._settle_queued = False
        # Where to put the viewport once the widget has a size (set before the first layout).
        self._pending: _Anchor | str | None = None

    # --- public API ------------------------------------------------------------------------------

    def show_run(self, run: AgentRun) -> None:
        """Replace the content with `run` and scroll to the top."""
        self._run = run
        self._generation += 1
        self._cache.clear()
        self._expanded = set()
        self._items = build_items(run)
        self._measured = [0] * len(self._items)
        # Estimate at the current width now (a guess before the first layout), so lookups work.
        self._relayout(self.scrollable_content_region.width or 80)
        self._message_count = run.message_count
        self._message_items = [i for i, item in enumerate(self._items) if item.kind == "message"]
        self._by_address = {
            (item.transcript_index, item.block): i
            for i, item in enumerate(self._items)
            if item.kind == "message"
        }
        self._settle(anchor=(0, 0))
        # A big run is millions of objects: freezing them keeps the cyclic collector from
        # rescanning them all (100+ ms pauses) while the reader scrolls and jumps.
        gc.freeze()

    def on_unmount(self) -> None:
        gc.unfreeze()  # the run's cycles can go; what the app keeps is frozen again
        self.app.call_after_refresh(freeze_survivors)

    @property
    def run(self) -> AgentRun | None:
        """The run on show."""
        return self._run

    @property
    def message_count(self) -> int:
        """Messages in the run, across all transcripts."""
        return self._message_count

    @property
    def current_address(self) -> str | None:
        """`T{t}B{b}` of the message at the top of the viewport (or `T{t}` on a separator)."""
        if not self._items:
            return None
        index, _ = self._heights.locate(self.scroll_offset.y)
        item = self._items[index]
        if item.kind == "message":
            return item.address
        following = self._items[index + 1] if index + 1 < len(self._items) else None
        if (
            following is not None
            and following.kind == "message"
            and following.transcript_index == item.transcript_index
        ):
            return following.address
        return f"T{item.transcript_index}" if item.transcript_index >= 0 else None

    def scroll_to_address(self, address: str) -> bool:
        """Put the message `T{t}B{b}` (or transcript `T{t}`) at the top; False if unknown."""
        parsed = parse_address(address)
        index: int | None = None
        if parsed is not None:
            index = self._by_address.get(parsed)
        else:
            text = address.strip()
            if text[:1] == "T" and text[1:].isdigit():
                wanted = int(text[1:])
                index = next(
                    (i for i, item in enumerate(self._items) if item.transcript_index == wanted),
                    None,
                )
        if index is None:
            return False
        self._settle(anchor=(index, 0))
        return True

    @property
    def current_item(self) -> int | None:
        """The index of the message at the top of the viewport (or just below a separator)."""
        if not self._items:
            return None
        index, _ = self._heights.locate(self.scroll_offset.y)
        if self._items[index].kind != "message" and index + 1 < len(self._items):
            following = self._items[index + 1]
            if following.kind == "message":
                return index + 1
        return index if self._items[index].kind == "message" else None

    @property
    def items(self) -> list[Item]:
        """What the view draws, in order (messages, separators, notices)."""
        return self._items

    def scroll_to_item(self, index: int) -> None:
        """Put item `index` at the top of the view."""
        self._settle(anchor=(index, 0))

    def call_answered(self, address: tuple[int, int]) -> ToolCall | None:
        """The tool call that the tool result at `address` answers, if it was matched."""
        index = self._by_address.get(address)
        answered = None if index is None else self._items[index].answers
        return None if answered is None else answered.call

    def item_at(self, address: tuple[int, int]) -> int | None:
        """The item index of message (transcript, block)."""
        return self._by_address.get(address)

    def is_expanded(self, index: int) -> bool:
        return index in self._expanded

    def toggle_expanded(self, index: int | None = None) -> bool | None:
        """Expand or collapse a message (the current one by default); returns the new state.

        None when there is no such message or it has nothing hidden.
        """
        index = self.current_item if index is None else index
        if index is None or not self._items[index].collapsible:
            return None
        expand = index not in self._expanded
        self.set_expanded(index, expand)
        return expand

    def set_expanded(self, index: int, expanded: bool) -> None:
        """Show a message whole or collapsed, keeping the top of the view where it is."""
        if (index in self._expanded) == expanded:
            return
        if expanded:
            self._expanded.add(index)
        else:
            self._expanded.discard(index)
        self._measured[index] = 0
        width = self._layout_width or self.scrollable_content_region.width or 80
        self._heights.set(index, self._items[index].estimate(width, expanded))
        self._settle()

    def set_search(self, pattern: re.Pattern[str] | None) -> None:
        """Highlight every match of `pattern` (None: no highlighting)."""
        self._search = pattern
        self._search_serial += 1
        self.refresh()

    def show_hit(self, index: int) -> bool:
        """Put a search hit in message `index` on screen, expanding it if the hit is hidden.

        False when no match is drawn (past the display limit, or in text the viewer does not
        show, such as metadata): the message is still brought to the top.
        """
        width = self._layout_width or self.scrollable_content_region.width or 80
        pattern = self._search
        line = self._match_line(index, width, expanded=index in self._expanded)
        if line is None and pattern is not None and self._items[index].collapsible:
            self.set_expanded(index, True)
            line = self._match_line(index, width, expanded=True)
        self._settle(anchor=(index, max(0, (line or 0) - _HIT_CONTEXT)))
        return line is not None

    def _match_line(self, index: int, width: int, *, expanded: bool) -> int | None:
        """The first rendered line of message `index` holding a search match."""
        if self._search is None:
            return None
        strips = self._render_strips(index, width, expanded)
        return next((i for i, strip in enumerate(strips) if self._search.search(strip.text)), None)

    # --- actions -------------------------------------------------------------------------------

    def action_line_up(self) -> None:
        self._scroll_lines(-1)

    def action_line_down(self) -> None:
        self._scroll_lines(1)

    def action_page_up(self) -> None:
        self._scroll_lines(-max(1, self.scrollable_content_region.height - 1))

    def action_page_down(self) -> None:
        self._scroll_lines(max(1, self.scrollable_content_region.height - 1))

    def action_top(self) -> None:
        self._settle(anchor=(0, 0))

    def action_bottom(self) -> None:
        self._settle(bottom=True)

    def action_next_message(self) -> None:
        if not self._items:
            return
        index, _ = self._heights.locate(self.scroll_offset.y)
        following = next((i for i in self._message_items if i > index), None)
        if following is not None:
            self._settle(anchor=(following, 0))

    def action_previous_message(self) -> None:
        if not self._items:
            return
        index, offset = self._heights.locate(self.scroll_offset.y)
        if offset > 0 and self._items[index].kind == "message":
            self._settle(anchor=(index, 0))
            return
        previous = next((i for i in reversed(self._message_items) if i < index), None)
        if previous is not None:
            self._settle(anchor=(previous, 0))

    def _scroll_lines(self, delta: int) -> None:
        self.scroll_to(y=self.scroll_offset.y + delta, animate=False)

    # --- events --------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.watch(self.app, "theme", self._theme_changed, init=False)
        self._settle()

    def on_resize(self, event: events.Resize) -> None:
        self._settle()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if not self._settling:
            self._settle()

    def _theme_changed(self) -> None:
        self._palette = None
        self._palette_serial += 1
        self._cache.clear()
        self.refresh()

    # --- rendering -----------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        base = self.rich_style
        line = scroll_y + y
        if not self._items or width <= 0 or line >= self._heights.total:
            # Past the end (the last message can be scrolled to the top): blank.
            return Strip.blank(max(0, width), base)
        if width != self._layout_width:
            self._queue_settle()
        index, offset = self._heights.locate(line)
        strips = self._strips(index, width)
        if self._measured[index] != width or len(strips) != self._heights[index]:
            self._queue_settle()
        strip = strips[offset] if offset < len(strips) else Strip.blank(width)
        if offset == 0 and index == self.current_item:
            # The header of the message that y, c, space, m and o act on.
            strip = strip.apply_style(self._get_palette().current)
        return strip.crop_extend(scroll_x, scroll_x + width, base).apply_style(base)

    def _get_palette(self) -> Palette:
        if self._palette is None:
            self._palette = palette_from_variables(
                self.app.theme_variables, self.app.current_theme.dark
            )
        return self._palette

    def _strips(self, index: int, width: int) -> list[Strip]:
        """The item's lines at `width` as it is shown now, from the cache or freshly rendered."""
        return self._render_strips(index, width, index in self._expanded)

    def _cache_key(self, index: int, width: int, expanded: bool) -> _CacheKey:
        serial = self._search_serial
        return (self._generation, index, width, self._palette_serial, expanded, serial)

    def _render_strips(self, index: int, width: int, expanded: bool) -> list[Strip]:
        key = self._cache_key(index, width, expanded)
        strips = self._cache.get(key)
        if strips is None:
            item = self._items[index]
            palette = self._get_palette()
            try:
                strips = render_item(
                    item, width, palette, self.app.console, expanded=expanded, search=self._search
                )
            except Exception as error:  # one bad item must not blank the whole run
                problem = one_line(f"{type(error).__name__}: {error}", 200)
                strips = error_strips(item, width, problem, palette, self.app.console)
            strips = strips or [Strip.blank(width)]
            self._cache[key] = strips
            self._strips_since_freeze += len(strips)
            if self._strips_since_freeze >= _FREEZE_AFTER_STRIPS:
                self._strips_since_freeze = 0
                # Young cyclic garbage is collected first (cheap), so little is frozen in vain.
                gc.collect(1)
                gc.freeze()
        return strips

    # --- layout --------------------------------------------------------------------------------

    def _measure(self, index: int, width: int) -> bool:
        """Render item `index` at `width` and record its real height; True if it changed."""
        if self._measured[index] == width:
            return False
        height = len(self._strips(index, width))
        self._measured[index] = width
        if height != self._heights[index]:
            self._heights.set(index, height)
            return True
        return False

    def _relayout(self, width: int) -> None:
        """New estimates for every item at a new width (reusing heights still in the cache)."""
        expanded = self._expanded
        heights = [item.estimate(width, i in expanded) for i, item in enumerate(self._items)]
        measured = [0] * len(self._items)
        for index, previous in enumerate(self._measured):
            # Only items rendered before (at some width) can have strips cached at this width.
            if previous:
                cached = self._cache.get(self._cache_key(index, width, index in expanded))
                if cached is not None:
                    heights[index] = len(cached)
                    measured[index] = width
        self._heights = HeightIndex(heights)
        self._measured = measured
        self._layout_width = width

    def _queue_settle(self) -> None:
        if not self._settle_queued:
            self._settle_queued = True
            self.call_after_refresh(self._queued_settle)

    def _queued_settle(self) -> None:
        self._settle_queued = False
        self._settle()

    def _settle(self, anchor: _Anchor | None = None, *, bottom: bool = False) -> None:
        """Render what is in and near the viewport, fix heights, and keep the anchor in place.

        The anchor is (item, line within it) that must stay at the top of the viewport: by
        default whatever is there now; `bottom` pins the end of the content to the bottom.
        """
        if self._settling:
            return
        region = self.scrollable_content_region
        width, height = region.width, region.height
        if width <= 0 or height <= 0 or not self.is_mounted:
            if bottom or anchor is not None:
                self._pending = "bottom" if bottom else anchor
            return
        if anchor is None and not bottom and self._pending is not None:
            if self._pending == "bottom":
                bottom = True
            elif isinstance(self._pending, tuple):
                anchor = self._pending
        self._pending = None
        self._settling = True
        try:
            if not self._items:
                self.virtual_size = Size(width, 0)
                self.scroll_to(0, 0, animate=False, force=True)
                self.refresh()
                return
            if anchor is None and not bottom:
                anchor = self._heights.locate(self.scroll_offset.y)
            if width != self._layout_width:
                self._relayout(width)
            top = self._settle_passes(anchor, bottom, width, height)
            self.virtual_size = Size(
                width, max(self._heights.total, self._max_top(height) + height)
            )
            if self.scroll_offset.y != top or self.scroll_y != top:
                self.scroll_to(0, top, animate=False, force=True)
            self.refresh()
        finally:
            self._settling = False

    def _max_top(self, height: int) -> int:
        """The furthest the view may scroll: the last message may come up to the top, so any
        message can be the current one."""
        heights = self._heights
        last_message = self._message_items[-1] if self._message_items else len(heights) - 1
        return max(0, heights.total - height, heights.start(last_message))

    def _settle_passes(self, anchor: _Anchor | None, bottom: bool, width: int, height: int) -> int:
        """Measure around the target until no height changes; returns the top line."""
        heights = self._heights
        top = 0
        for _ in range(_SETTLE_PASSES):
            max_top = self._max_top(height)
            if bottom or anchor is None:
                top = max(0, heights.total - height)
            else:
                index, offset = anchor
                index = min(index, len(heights) - 1)
                top = min(heights.start(index) + min(offset, heights[index] - 1), max_top)
            first, _ = heights.locate(max(0, top - height))
            last, _ = heights.locate(top + 2 * height)
            changed = False
            for index in range(first, last + 1):
                changed = self._measure(index, width) or changed
            if not changed:
                break
        return max(0, top)
