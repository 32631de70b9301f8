"""The main screen: collections on the left, the filtered run list on the right."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static

from docent_tui.core.engine import DQLError, QueryCancelled
from docent_tui.core.library import CollectionState
from docent_tui.core.models import AgentRun
from docent_tui.core.run_list import RunColumn, count_query, default_columns, page_query
from docent_tui.core.sanitize import one_line
from docent_tui.tui.messages import (
    CollectionsChanged,
    FilterFailed,
    PageReady,
    RunOpened,
    RunOpenFailed,
    RunsReady,
)
from docent_tui.tui.screens.problems import ProblemsScreen
from docent_tui.tui.widgets.collection_list import CollectionList
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import FilterError, WhereBox

if TYPE_CHECKING:
    from docent_tui.tui.app import DocentApp


class BrowserScreen(Screen[None]):
    """Pick a collection, filter its runs with DQL, open one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so the keys typed right after `/` (one packet over SSH) reach the box.
        Binding("slash", "focus_where", "Filter", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("exclamation_mark", "problems", "Load problems", show=False),
    ]

    def __init__(self, initial_where: str = "") -> None:
        super().__init__()
        self.initial_where = initial_where
        self.collection_id: str | None = None
        self.generation = 0
        self.where_applied = ""
        self._columns: dict[str, list[RunColumn]] = {}
        self._debounce: Timer | None = None
        self._shown_collection: str | None = None

    @property
    def docent_app(self) -> DocentApp:
        from docent_tui.tui.app import DocentApp

        assert isinstance(self.app, DocentApp)
        return self.app

    def compose(self) -> ComposeResult:
        with Horizontal(id="browser"):
            yield CollectionList(id="collections")
            with Vertical(id="runs-pane"):
                yield Static(id="collection-title")
                yield WhereBox(self.initial_where, id="where")
                yield FilterError(id="filter-error")
                yield Static(id="run-status")
                yield RunTable(id="runs")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(FilterError).clear()
        self.refresh_collections()
        self.set_focus(self.query_one(RunTable))

    # -- collections -------------------------------------------------------------------------

    def refresh_collections(self) -> None:
        collections = self.docent_app.library.collections
        listing = self.query_one(CollectionList)
        listing.show(collections)
        if self.collection_id is None and collections:
            self.select_collection(collections[0].id)
        elif self.collection_id is not None:
            current = self.docent_app.library.get(self.collection_id)
            ready = current is not None and current.state is CollectionState.READY
            if ready and self._shown_collection != self.collection_id:
                self.run_filter()
            elif current is not None and not ready:
                self._set_status(current.summary)
            self._update_title()

    @on(CollectionsChanged)
    def _collections_changed(self) -> None:
        self.refresh_collections()

    @on(OptionList.OptionHighlighted, "#collections")
    def _collection_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None and event.option.id != self.collection_id:
            self.select_collection(event.option.id)

    @on(OptionList.OptionSelected, "#collections")
    def _collection_selected(self, event: OptionList.OptionSelected) -> None:
        self.set_focus(self.query_one(RunTable))

    def select_collection(self, collection_id: str) -> None:
        self.collection_id = collection_id
        self._shown_collection = None
        self._update_title()
        collection = self.docent_app.library.get(collection_id)
        if collection is not None and collection.state is CollectionState.READY:
            self.run_filter()
        else:
            self.query_one(RunTable).reset(self._next_generation(), [], 0, [])
            self._set_status(collection.summary if collection is not None else "")

    def _update_title(self) -> None:
        collection = self.docent_app.library.get(self.collection_id) if self.collection_id else None
        title = self.query_one("#collection-title", Static)
        if collection is None:
            title.update(Text("No collection open"))
            return
        line = Text(one_line(collection.name, limit=80), style="bold")
        line.append("  " + one_line(collection.source, limit=120), style="dim")
        if collection.state is CollectionState.FAILED:
            line.append("\n" + one_line(f"Could not load: {collection.error}"), style="red")
        elif collection.problems:
            more = len(collection.problems) - 1
            hint = f" (+{more} more: press !)" if more else " (press ! for details)"
            note = one_line(f"⚠ skipped {collection.problems[0]}", limit=160) + hint
            line.append("\n" + note, style="yellow")
        elif collection.state is CollectionState.READY and collection.run_count == 0:
            line.append("\nno runs found (reads .eval, .json and .jsonl files)", style="yellow")
        if collection.ignored_files:
            ignored = len(collection.ignored_files)
            line.append(f"\n{ignored} unsupported file(s) ignored (press !)", style="dim")
        title.update(line)

    # -- filtering ---------------------------------------------------------------------------

    def _next_generation(self) -> int:
        self.generation += 1
        return self.generation

    @on(WhereBox.Changed, "#where")
    def _where_changed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        delay = self.docent_app.filter_debounce
        if delay > 0:
            self._debounce = self.set_timer(delay, self.run_filter)
        else:
            self.call_later(self.run_filter)

    @on(WhereBox.Submitted, "#where")
    def _where_submitted(self) -> None:
        if self.query_one(WhereBox).value != self.where_applied:
            self.run_filter()
        self.set_focus(self.query_one(RunTable))

    @on(WhereBox.Leave)
    def _where_leave(self, message: WhereBox.Leave) -> None:
        box = self.query_one(WhereBox)
        if message.restore and box.value != self.where_applied:
            box.value = self.where_applied
            box.cursor_position = len(box.value)
        self.set_focus(self.query_one(RunTable))

    def run_filter(self) -> None:
        """Query the selected collection with the current WHERE box; a newer call wins."""
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if self.collection_id is None:
            return
        collection = self.docent_app.library.get(self.collection_id)
        if collection is None or collection.state is not CollectionState.READY:
            return
        where = self.query_one(WhereBox).value
        self._set_status("filtering…")
        self._query_runs(self._next_generation(), self.collection_id, where)

    @work(thread=True, exclusive=True, group="runlist", exit_on_error=False)
    def _query_runs(self, generation: int, collection_id: str, where: str) -> None:
        try:
            self.post_message(self._fetch_runs(generation, collection_id, where))
        except QueryCancelled:
            return
        except DQLError as error:
            failure = FilterFailed(generation, where, error.message, error.position)
            if collection_id == self._shown_collection or not where.strip():
                self.post_message(failure)
                return
            # Nothing of this collection is on screen yet: show all its runs, and the error.
            try:
                unfiltered = self._fetch_runs(generation, collection_id, "")
            except (QueryCancelled, DQLError):
                self.post_message(failure)
                return
            unfiltered.failure = failure
            self.post_message(unfiltered)

    def _fetch_runs(self, generation: int, collection_id: str, where: str) -> RunsReady:
        """Count and first page of `where` (runs in a worker thread)."""
        engine = self.docent_app.library.engine
        channel = f"runlist:{id(self)}"
        engine.validate_where(where)
        columns = self._columns.get(collection_id)
        if columns is None:
            columns = default_columns(engine.introspect(collection_id))
            self._columns[collection_id] = columns
        count = count_query(where)
        total_result = engine.execute(collection_id, count, channel=channel, generation=generation)
        total = int(total_result.rows[0][0]) if total_result.rows else 0
        first_page = page_query(where, columns, 0)
        rows = engine.execute(
            collection_id, first_page, channel=channel, generation=generation
        ).rows
        return RunsReady(generation, collection_id, where, columns, total, rows)

    @on(RunsReady)
    def _runs_ready(self, message: RunsReady) -> None:
        if message.generation != self.generation:
            return
        table = self.query_one(RunTable)
        keep = table.cursor_run_id if self._shown_collection == message.collection_id else None
        self._shown_collection = message.collection_id
        self.where_applied = message.where
        table.reset(message.generation, message.columns, message.total, message.first_page, keep)
        if message.failure is None:
            self.query_one(FilterError).clear()
            self._show_count(message.total)
        else:
            self._filter_failed(message.failure)

    @on(FilterFailed)
    def _filter_failed(self, message: FilterFailed) -> None:
        if message.generation != self.generation:
            return
        self.query_one(FilterError).show_error(message.message, message.where, message.position)
        self._show_count(self.query_one(RunTable).total, note="filter not applied")

    def _show_count(self, shown: int, note: str = "") -> None:
        collection = self.docent_app.library.get(self.collection_id or "")
        total = collection.run_count if collection else shown
        if self.where_applied.strip():
            text = f"{shown:,} of {total:,} runs match"
        else:
            text = f"{total:,} run{'s' if total != 1 else ''}"
        self._set_status(text + (f" · {note}" if note else ""))

    def _set_status(self, text: str) -> None:
        self.query_one("#run-status", Static).update(Text(text))

    # -- paging and opening ------------------------------------------------------------------

    @on(RunTable.PagesWanted)
    def _pages_wanted(self, message: RunTable.PagesWanted) -> None:
        if self.collection_id is None or message.generation != self.generation:
            return
        columns = self.query_one(RunTable).columns
        where = self.where_applied
        for page in message.pages:
            self._fetch_page(message.generation, self.collection_id, where, columns, page)

    @work(thread=True, group="pages", exit_on_error=False)
    def _fetch_page(
        self,
        generation: int,
        collection_id: str,
        where: str,
        columns: list[RunColumn],
        page: int,
    ) -> None:
        engine = self.docent_app.library.engine
        try:
            rows = engine.execute(collection_id, page_query(where, columns, page)).rows
        except (DQLError, QueryCancelled):
            return
        self.post_message(PageReady(generation, page, rows))

    @on(PageReady)
    def _page_ready(self, message: PageReady) -> None:
        self.query_one(RunTable).add_page(message.generation, message.page, message.rows)

    @on(RunTable.RunChosen)
    def _run_chosen(self, message: RunTable.RunChosen) -> None:
        if self.collection_id is not None:
            self._set_status(f"opening {one_line(message.run_id, limit=40)}…")
            self._open_run(self.collection_id, message.run_id)

    @work(thread=True, exclusive=True, group="open", exit_on_error=False)
    def _open_run(self, collection_id: str, run_id: str) -> None:
        try:
            record = self.docent_app.library.engine.get_run(collection_id, run_id)
            run = None if record is None else AgentRun.from_record(record)
        except Exception as error:  # a broken run is reported, never fatal
            self.post_message(RunOpenFailed(run_id, f"could not read the run: {error}"))
            return
        if run is None:
            self.post_message(RunOpenFailed(run_id, "run not found in this collection"))
            return
        self.post_message(RunOpened(collection_id, run))

    @on(RunOpened)
    def _run_opened(self, message: RunOpened) -> None:
        from docent_tui.tui.screens.transcript import TranscriptScreen

        self._show_count(self.query_one(RunTable).total)
        self.app.push_screen(TranscriptScreen(message.run))

    @on(RunOpenFailed)
    def _run_open_failed(self, message: RunOpenFailed) -> None:
        self._show_count(self.query_one(RunTable).total)
        self.notify(one_line(f"{message.run_id}: {message.reason}"), severity="error", markup=False)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A `/` typed into the box is text, not the filter key.
        return not (action == "focus_where" and isinstance(self.focused, Input))

    def action_focus_where(self) -> None:
        self.set_focus(self.query_one(WhereBox))

    def action_back(self) -> None:
        if self.query_one(RunTable).has_focus:
            self.set_focus(self.query_one(CollectionList))

    def action_problems(self) -> None:
        collection = self.docent_app.library.get(self.collection_id or "")
        if collection is None or not (collection.problems or collection.ignored_files):
            self.notify("Nothing was skipped in this collection.", markup=False)
            return
        self.app.push_screen(ProblemsScreen(collection))
