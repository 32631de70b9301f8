"""The main screen: collections on the left, the filtered run list on the right."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static

from docent_tui.core.backend import Backend
from docent_tui.core.column_prefs import ColumnPrefs
from docent_tui.core.engine import DQLError, DQLResult, QueryCancelled
from docent_tui.core.library import Collection, CollectionState
from docent_tui.core.models import AgentRun
from docent_tui.core.remote.errors import RemoteError
from docent_tui.core.run_list import (
    PAGE_SIZE,
    ColumnChoice,
    RunColumn,
    RunSort,
    box_position,
    column_choices,
    columns_for_choices,
    count_query,
    default_columns,
    list_order,
    membership_where,
    next_sort,
    page_query,
    select_query,
)
from docent_tui.core.sanitize import one_line
from docent_tui.core.schema import DQLSchema
from docent_tui.core.summary import (
    Distribution,
    read_distribution,
    summary_field,
    summary_query,
)
from docent_tui.tui.messages import (
    CollectionsChanged,
    FilterFailed,
    PageFailed,
    PageReady,
    RemoteChanged,
    RunOpened,
    RunOpenFailed,
    RunsFailed,
    RunsReady,
    ShowCollection,
)
from docent_tui.tui.screens.columns import ColumnsScreen
from docent_tui.tui.screens.problems import ProblemsScreen
from docent_tui.tui.widgets.collection_list import CollectionList
from docent_tui.tui.widgets.run_status import RunStatus
from docent_tui.tui.widgets.run_summary import RunSummary
from docent_tui.tui.widgets.run_table import RunTable
from docent_tui.tui.widgets.where_box import FilterError, WhereBox

if TYPE_CHECKING:
    from docent_tui.tui.app import DocentApp
    from docent_tui.tui.screens.transcript import TranscriptScreen

# Rows around the cursor whose runs are fetched ahead, nearest first.
PREFETCH_STEPS = (1, -1, 2, 3)

A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")


# While a local collection loads, its list is queried again at most this often.
LIVE_REFRESH_S = 2.0


def _browsable_while_loading(collection: Collection) -> bool:
    """A local collection still loading whose first runs are in: they can be listed already."""
    loading = collection.state is CollectionState.LOADING
    return loading and not collection.remote and collection.run_count > 0


async def _value(value: A) -> A:
    return value


async def _concurrently(
    first: Awaitable[A], second: Awaitable[B], third: Awaitable[C]
) -> tuple[A, B, C]:
    """Await three things at once; when one fails, the others are cancelled and it raises."""
    tasks = (
        asyncio.ensure_future(first),
        asyncio.ensure_future(second),
        asyncio.ensure_future(third),
    )
    try:
        return await tasks[0], await tasks[1], await tasks[2]
    finally:
        for task in tasks:
            task.cancel()


class BrowserScreen(Screen[None]):
    """Pick a collection, filter its runs with DQL, open one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        # Priority, so the keys typed right after `/` (one packet over SSH) reach the box.
        Binding("slash", "focus_where", "Filter", priority=True),
        Binding("escape", "back", "Back", show=False),
        Binding("exclamation_mark", "problems", "Load problems", show=False),
        Binding("w", "copy_web_url", "Copy web URL", show=False),
        Binding("r", "reload", "Reload", show=False),
    ]

    def __init__(self, initial_where: str = "") -> None:
        super().__init__()
        # Narrow terminals give the run list the whole width (see styles.tcss).
        self.HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
        self.initial_where = initial_where
        self.collection_id: str | None = None
        self.generation = 0
        self.where_applied = ""
        self._columns: dict[str, list[RunColumn]] = {}
        # The user's sort per collection (none: the backend's default order).
        self._sorts: dict[str, RunSort] = {}
        self._column_prefs = ColumnPrefs()
        self._debounce: Timer | None = None
        self._shown_collection: str | None = None
        # The collection whose list was last queried while it was still loading, and when.
        self._partial: str | None = None
        self._partial_at = 0.0
        # (run, cursor row, table generation): a run a loading collection's answer could not
        # place, wanted again while the cursor stays where that answer left it.
        self._unplaced: tuple[str, int, int] | None = None
        # (collection, filter, field path) the summary was last asked to chart.
        self._charted: tuple[str, str, tuple[str, ...] | None] | None = None
        # (table generation, row) of the last J/K step, and whether its row is still loading.
        self._step: tuple[int, int] | None = None
        self._step_waiting = False

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
                box = WhereBox(self.initial_where, id="where")
                yield box
                yield FilterError(id="filter-error")
                yield box.menu  # under the error line, which it must not hide
                yield RunStatus(id="run-status")
                yield RunSummary(id="run-summary")
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
        library = self.docent_app.library
        if self.collection_id is not None and library.get(self.collection_id) is None:
            self.collection_id = None
        if self.collection_id is None and collections:
            self.select_collection(collections[0].id)
        elif self.collection_id is not None:
            current = self.docent_app.library.get(self.collection_id)
            ready = current is not None and current.state is CollectionState.READY
            shown = self._shown_collection == self.collection_id
            if ready and (not shown or self._partial == self.collection_id):
                self.run_filter()
            elif current is not None and _browsable_while_loading(current):
                # The runs loaded so far are listed, and listed again as more arrive.
                stale = time.monotonic() - self._partial_at >= LIVE_REFRESH_S
                if not shown or stale:
                    self.run_filter()
                else:
                    self._show_count(self.query_one(RunTable).total)
            elif current is not None and not ready:
                self._set_status(current.summary)
            self._update_title()

    @on(CollectionsChanged)
    def _collections_changed(self) -> None:
        self.refresh_collections()

    @on(ShowCollection)
    def _show_collection(self, message: ShowCollection) -> None:
        """Go to a collection (and open a run) named on the command line."""
        self.refresh_collections()
        self.query_one(CollectionList).highlight_collection(message.collection_id)
        if message.collection_id != self.collection_id:
            self.select_collection(message.collection_id)
        if message.run_id is not None:
            self.open_run(message.collection_id, message.run_id)

    @on(RemoteChanged)
    def _remote_changed(self, message: RemoteChanged) -> None:
        self.refresh_collections()
        if self._shown_collection == self.collection_id:
            self._show_count(self.query_one(RunTable).total)
        if message.collection_id is not None and message.run_id is not None:
            self._refresh_open_run(message.collection_id, message.run_id)

    @work(group="refresh", exit_on_error=False)
    async def _refresh_open_run(self, collection_id: str, run_id: str) -> None:
        from docent_tui.tui.screens.transcript import TranscriptScreen

        screen = self.app.screen
        if not isinstance(screen, TranscriptScreen):
            return
        shown: TranscriptScreen = screen
        if shown.run.id != run_id or shown.collection_id != collection_id:
            return
        try:
            record = await self._backend(collection_id).get_run(collection_id, run_id)
            if record is None:
                return
            run = await asyncio.to_thread(AgentRun.from_record, record)
        except Exception:  # the copy on screen stays; the next open tries again
            return
        if self.app.screen is shown:
            shown.show_refreshed(run)

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
        self.query_one(WhereBox).set_collection(collection_id)
        self._update_title()
        collection = self.docent_app.library.get(collection_id)
        if collection is not None and (
            collection.state is CollectionState.READY or _browsable_while_loading(collection)
        ):
            self.run_filter()
        else:
            self.query_one(RunTable).reset(self._next_generation(), [], 0, [])
            self.query_one(RunSummary).hide()  # the last collection's chart says nothing here
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
        if collection is None:
            return
        if collection.state is not CollectionState.READY:
            if not _browsable_while_loading(collection):
                return
            self._partial, self._partial_at = collection.id, time.monotonic()
        elif self._partial == collection.id:
            self._partial = None
        where = self.query_one(WhereBox).value
        keep = self._kept_run(self.collection_id)
        self.query_one(RunStatus).wait("filtering")
        self._query_runs(self._next_generation(), self.collection_id, where, keep)

    @property
    def _list_channel(self) -> str:
        """The query channel of the run list's count, first page and summary."""
        return f"runlist:{id(self)}"

    @work(exclusive=True, group="runlist", exit_on_error=False)
    async def _query_runs(
        self, generation: int, collection_id: str, where: str, keep: str | None
    ) -> None:
        try:
            self.post_message(await self._fetch_runs(generation, collection_id, where, keep))
        except QueryCancelled:
            return
        except RemoteError as error:
            self.post_message(RunsFailed(generation, error.message))
        except DQLError as error:
            failure = FilterFailed(generation, where, error.message, error.position)
            if collection_id == self._shown_collection or not where.strip():
                self.post_message(failure)
                return
            # Nothing of this collection is on screen yet: show all its runs, and the error.
            try:
                unfiltered = await self._fetch_runs(generation, collection_id, "", None)
            except (QueryCancelled, DQLError, RemoteError):
                self.post_message(failure)
                return
            unfiltered.failure = failure
            self.post_message(unfiltered)

    async def _fetch_runs(
        self, generation: int, collection_id: str, where: str, keep: str | None = None
    ) -> RunsReady:
        """Count and first page of `where`, and the page holding run `keep` if it matches."""
        backend = self._backend(collection_id)
        channel = self._list_channel
        backend.validate_where(where)
        columns = self._columns.get(collection_id)
        if columns is None:
            schema = await backend.schema(collection_id)
            self.query_one(WhereBox).set_schema(collection_id, schema, backend)
            chosen = self._column_prefs.get(collection_id)
            columns = (chosen and columns_for_choices(schema, chosen)) or default_columns(schema)
            self._columns[collection_id] = columns
        order = list_order(columns, self._sorts.get(collection_id), backend.default_order)
        first_page = page_query(where, columns, 0, order)
        # TODO: each new filter translates three queries (~18 ms holding the GIL at 100,000 runs,
        # most of it the page query's fixed select list, which could be translated once).
        # A cheap query says whether the kept run still matches; it runs beside the count and
        # first page, and only a match missing from the first page is then located.
        counted, page, matches = await _concurrently(
            self._execute(backend, collection_id, count_query(where), where, channel, generation),
            self._execute(backend, collection_id, first_page, where, f"{channel}:page", generation),
            self._still_matches(backend, collection_id, where, keep, f"{channel}:keep", generation)
            if keep is not None
            else _value(False),
        )
        total = int(counted.rows[0][0]) if counted.rows else 0
        pages: dict[int, list[list[Any]]] = {}
        if keep is not None and matches and all(r[0] != keep for r in page.rows):
            try:
                row = await backend.locate(
                    collection_id, where, keep, order, channel=channel, generation=generation
                )
            except (DQLError, RemoteError):  # the cursor goes to the top; the list itself is fine
                row = None
            if row is not None and row >= PAGE_SIZE:
                held = page_query(where, columns, row // PAGE_SIZE, order)
                found = await backend.execute(
                    collection_id, held, channel=channel, generation=generation
                )
                pages[row // PAGE_SIZE] = found.rows
        return RunsReady(generation, collection_id, where, columns, total, page.rows, pages)

    @staticmethod
    async def _still_matches(
        backend: Backend,
        collection_id: str,
        where: str,
        run_id: str,
        channel: str,
        generation: int,
    ) -> bool:
        """Whether run `run_id` matches `where`: one cheap query (the id narrows it to a row)."""
        dql = select_query(membership_where(where, run_id), ["agent_runs.id"])
        try:
            result = await backend.execute(
                collection_id, dql, channel=channel, generation=generation
            )
        except (DQLError, RemoteError):  # the count reports a bad filter; here it is no match
            return False
        return bool(result.rows)

    @staticmethod
    async def _execute(
        backend: Backend,
        collection_id: str,
        dql: str,
        where: str,
        channel: str,
        generation: int,
    ) -> DQLResult:
        """Run one run-list query; an error's position is moved onto the WHERE box text."""
        try:
            return await backend.execute(collection_id, dql, channel=channel, generation=generation)
        except DQLError as error:
            raise DQLError(error.message, box_position(dql, where, error.position)) from None

    def _backend(self, collection_id: str) -> Backend:
        backend = self.docent_app.library.backend_for(collection_id)
        if backend is None:
            raise RemoteError("this collection is no longer open")
        return backend

    @on(RunsReady)
    def _runs_ready(self, message: RunsReady) -> None:
        if message.generation != self.generation:
            return
        table = self.query_one(RunTable)
        keep = self._kept_run(message.collection_id)
        self._shown_collection = message.collection_id
        self.where_applied = message.where
        table.reset(
            message.generation,
            message.columns,
            message.total,
            message.first_page,
            keep,
            message.pages,
            sort=self._sorts.get(message.collection_id),
        )
        # While a collection loads, runs arrive between the queries of one answer: the page
        # read may no longer hold the run that was located. The next answer places it.
        loading = self._partial == message.collection_id
        self._unplaced = None
        if keep is not None and table.cursor_run_id != keep and loading:
            self._unplaced = (keep, table.cursor_row, table.generation)
        self._note_collection_size(message)
        if message.failure is None:
            self.query_one(FilterError).clear()
            self.query_one(WhereBox).remember(message.collection_id, message.where)
            self._show_count(message.total)
        else:
            self._filter_failed(message.failure)

    def _kept_run(self, collection_id: str) -> str | None:
        """The run the cursor stays on across a new query of the list: the one under it, or
        the one a loading collection's last answer could not place, if the cursor stayed."""
        if self._shown_collection != collection_id:
            return None
        table = self.query_one(RunTable)
        if self._unplaced is not None and self._unplaced[1:] == (
            table.cursor_row,
            table.generation,
        ):
            return self._unplaced[0]
        return table.cursor_run_id

    @on(RunsReady)
    def _summarise_runs(self, message: RunsReady) -> None:
        """Summarise the listed runs once the table shows them: the table never waits on it.

        A collection still loading gets its summary once complete: each one is a full scan.
        """
        if message.generation != self.generation:
            return
        if self._partial == message.collection_id:
            self.query_one(RunSummary).wait("the score chart follows once loading completes")
        else:
            self._query_summary(message.generation, message.collection_id, message.where)

    @work(exclusive=True, group="summary", exit_on_error=False)
    async def _query_summary(
        self, generation: int, collection_id: str, where: str, *, again: bool = True
    ) -> None:
        """Chart the summary's field over the filtered runs (`again`: even if it is shown)."""
        summary = self.query_one(RunSummary)
        distribution: Distribution | None = None
        try:
            backend = self._backend(collection_id)
            path = self.query_one(RunTable).cursor_path
            field = summary_field(await backend.schema(collection_id), path)
            charted = (collection_id, where, field.path if field is not None else None)
            if not again and charted == self._charted:
                return
            self._charted = charted
            if field is not None:
                result = await backend.execute(
                    collection_id,
                    summary_query(where, field),
                    # The list's channel: the next filter's queries interrupt this one.
                    channel=self._list_channel,
                    generation=generation,
                )
                distribution = read_distribution(field, result.columns, result.rows)
        except QueryCancelled:
            return
        except Exception:  # the summary is a nicety: any failure hides it, never the table
            distribution = None
        if generation != self.generation:
            return
        if distribution is None:
            summary.hide()
        else:
            summary.show(distribution)

    @on(RunTable.ColumnMoved)
    def _column_moved(self) -> None:
        """The summary charts the numeric column under the column cursor, else the first score.

        Only while the table shows the current filter: otherwise the filter in flight is
        summarised when it lands, and this query would interrupt it on the list's channel.
        """
        table = self.query_one(RunTable)
        collection_id = self._shown_collection
        if collection_id is None or table.generation != self.generation:
            return
        if self._partial != collection_id:
            self._query_summary(self.generation, collection_id, self.where_applied, again=False)

    def _note_collection_size(self, message: RunsReady) -> None:
        """With no filter a remote count is the collection's size, fresher than its listing."""
        collection = self.docent_app.library.get(message.collection_id)
        if collection is None or not collection.remote or message.where.strip():
            return
        if (collection.run_count, collection.run_count_known) != (message.total, True):
            collection.run_count, collection.run_count_known = message.total, True
            self.query_one(CollectionList).show(self.docent_app.library.collections)

    @on(RunsFailed)
    def _runs_failed(self, message: RunsFailed) -> None:
        if message.generation != self.generation:
            return
        # An earlier filter's error no longer describes the box.
        self.query_one(FilterError).clear()
        self._set_status(one_line(message.reason, limit=200), error=True)

    @on(FilterFailed)
    def _filter_failed(self, message: FilterFailed) -> None:
        if message.generation != self.generation:
            return
        self.query_one(FilterError).show_error(message.message, message.where, message.position)
        self._show_count(self.query_one(RunTable).total, note="filter not applied")

    def _show_count(self, shown: int, note: str = "") -> None:
        collection = self.docent_app.library.get(self.collection_id or "")
        total = collection.run_count if collection and collection.run_count_known else shown
        loading = collection is not None and collection.state is CollectionState.LOADING
        if self.where_applied.strip() and loading:
            # The count saw fewer runs than have been read by now: no "of N" to mislead.
            text = f"{shown:,} run{'s' if shown != 1 else ''} match so far"
        elif self.where_applied.strip():
            text = f"{shown:,} of {total:,} runs match"
        else:
            text = f"{shown:,} run{'s' if shown != 1 else ''}"
        backend = collection.backend if collection is not None else None
        if backend is not None and backend.status_detail:
            note = backend.status_detail + (f" · {note}" if note else "")
        if loading:
            note = f"still loading: {total:,} read" + (f" · {note}" if note else "")
        self._set_status(text + (f" · {note}" if note else ""))

    def _set_status(self, text: str, *, error: bool = False) -> None:
        self.query_one(RunStatus).show(text, error=error)

    # -- paging and opening ------------------------------------------------------------------

    @on(RunTable.PagesWanted)
    def _pages_wanted(self, message: RunTable.PagesWanted) -> None:
        if self.collection_id is None or message.generation != self.generation:
            return
        columns = self.query_one(RunTable).columns
        where = self.where_applied
        for page in message.pages:
            self._fetch_page(message.generation, self.collection_id, where, columns, page)

    @work(group="pages", exit_on_error=False)
    async def _fetch_page(
        self,
        generation: int,
        collection_id: str,
        where: str,
        columns: list[RunColumn],
        page: int,
    ) -> None:
        try:
            backend = self._backend(collection_id)
            order = list_order(columns, self._sorts.get(collection_id), backend.default_order)
            query = page_query(where, columns, page, order)
            rows = (await backend.execute(collection_id, query)).rows
        except QueryCancelled:
            return
        except (DQLError, RemoteError) as error:
            self.post_message(PageFailed(generation, page, error.message))
            return
        self.post_message(PageReady(generation, page, rows))

    @on(PageFailed)
    def _page_failed(self, message: PageFailed) -> None:
        if message.generation != self.generation:
            return
        self.query_one(RunTable).page_failed(message.generation, message.page)
        if self._step_waiting and self._step is not None:
            generation, row = self._step
            if generation == message.generation and row // PAGE_SIZE == message.page:
                self._step_waiting = False  # the notice above says why nothing opened
        self._set_status(
            f"some rows could not load: {one_line(message.reason, limit=160)}", error=True
        )

    @on(PageReady)
    def _page_ready(self, message: PageReady) -> None:
        table = self.query_one(RunTable)
        table.add_page(message.generation, message.page, message.rows)
        if not self._step_waiting or self._step is None:
            return
        generation, row = self._step
        run_id = table.run_id_at(row) if generation == table.generation else None
        if run_id is None and generation == table.generation:
            return  # another page arrived first
        self._step_waiting = False
        if run_id is not None and self._shown_transcript() is not None and self.collection_id:
            self.open_run(self.collection_id, run_id, in_place=True)

    @on(RunTable.CursorMoved)
    def _cursor_moved(self, message: RunTable.CursorMoved) -> None:
        """Fetch the runs around the cursor before they are asked for (remote collections)."""
        if self.collection_id is None:
            return
        backend = self.docent_app.library.backend_for(self.collection_id)
        if backend is None:
            return
        table = self.query_one(RunTable)
        nearby = [table.run_id_at(message.row + step) for step in PREFETCH_STEPS]
        backend.prefetch(self.collection_id, [run_id for run_id in nearby if run_id])

    @on(RunTable.SortWanted)
    def _sort_wanted(self, message: RunTable.SortWanted) -> None:
        """`s`: ascending, descending, then the default order; the list is queried again."""
        collection_id = self.collection_id
        if collection_id is None or self._shown_collection != collection_id:
            return
        sort = next_sort(self._sorts.pop(collection_id, None), message.key)
        if sort is not None:
            self._sorts[collection_id] = sort
        self.run_filter()

    @on(RunTable.ColumnsWanted)
    def _columns_wanted(self) -> None:
        if self.collection_id is not None and self.collection_id in self._columns:
            self._choose_columns(self.collection_id)

    @work(exclusive=True, group="columns", exit_on_error=False)
    async def _choose_columns(self, collection_id: str) -> None:
        try:
            schema = await self._backend(collection_id).schema(collection_id)
        except (DQLError, RemoteError) as error:
            self.notify(one_line(error.message), severity="error", markup=False)
            return
        current = [column.choice for column in self._columns.get(collection_id, [])]

        def apply(chosen: list[ColumnChoice] | None) -> None:
            if chosen is not None and chosen != current:
                self._apply_columns(collection_id, schema, chosen)

        # A callback rather than waiting here: the dialog may stay open for long.
        self.app.push_screen(ColumnsScreen(column_choices(schema), current), apply)

    def _apply_columns(
        self, collection_id: str, schema: DQLSchema, chosen: list[ColumnChoice]
    ) -> None:
        """Show the chosen columns, remember them for the collection, and query again."""
        columns = columns_for_choices(schema, chosen)
        if not columns:
            self.notify("Keep at least one column.", severity="warning", markup=False)
            return
        self._columns[collection_id] = columns
        sort = self._sorts.get(collection_id)
        if sort is not None and all(column.key != sort.key for column in columns):
            del self._sorts[collection_id]
        self._column_prefs.set(collection_id, [column.choice for column in columns])
        if collection_id == self.collection_id:
            self.run_filter()

    @on(RunTable.RunChosen)
    def _run_chosen(self, message: RunTable.RunChosen) -> None:
        if self.collection_id is not None:
            self.open_run(self.collection_id, message.run_id)

    def open_run(self, collection_id: str, run_id: str, *, in_place: bool = False) -> None:
        """Fetch a run and show it in the transcript viewer (`in_place`: the one on screen)."""
        self.query_one(RunStatus).wait(f"opening {one_line(run_id, limit=40)}")
        self._open_run(collection_id, run_id, in_place)

    @work(exclusive=True, group="open", exit_on_error=False)
    async def _open_run(self, collection_id: str, run_id: str, in_place: bool = False) -> None:
        try:
            backend = self._backend(collection_id)
            record = await backend.get_run(collection_id, run_id)
            run = None if record is None else await asyncio.to_thread(AgentRun.from_record, record)
        except RemoteError as error:
            self.post_message(RunOpenFailed(run_id, error.message))
            return
        except Exception as error:  # a broken run is reported, never fatal
            self.post_message(RunOpenFailed(run_id, f"could not read the run: {error}"))
            return
        if run is None:
            self.post_message(RunOpenFailed(run_id, "run not found in this collection"))
            return
        web_url = backend.web_url(collection_id, run_id)
        self.post_message(RunOpened(collection_id, run, web_url, in_place=in_place))

    @on(RunOpened)
    def _run_opened(self, message: RunOpened) -> None:
        from docent_tui.tui.screens.transcript import TranscriptScreen

        self._show_count(self.query_one(RunTable).total)
        if message.in_place:
            # Gone back to the list meanwhile: the cursor is on the run, nothing more to show.
            shown = self._shown_transcript()
            if shown is not None:
                shown.show_new_run(message.run, message.collection_id, message.web_url)
            return
        screen = TranscriptScreen(message.run, message.collection_id, message.web_url)
        screen.step_run = self.step_run
        self.app.push_screen(screen)

    # -- moving between runs from the transcript -----------------------------------------------

    def _shown_transcript(self) -> TranscriptScreen | None:
        from docent_tui.tui.screens.transcript import TranscriptScreen

        screen = self.app.screen
        return screen if isinstance(screen, TranscriptScreen) else None

    def _tell(self, text: str) -> None:
        """A notice over the transcript that replaces the previous ones (keys may repeat)."""
        self.app.clear_notifications()
        self.notify(text, markup=False)

    def step_run(self, step: int) -> None:
        """Open the run `step` rows from the one on screen (J/K), moving the list's cursor."""
        shown = self._shown_transcript()
        if shown is None:
            return
        table = self.query_one(RunTable)
        if self.collection_id is None or shown.collection_id != self.collection_id:
            self._tell("This run is not from the run list on screen.")
            return
        cursor_id = table.cursor_run_id
        if cursor_id == shown.run.id or self._step == (table.generation, table.cursor_row):
            base: int | None = table.cursor_row
        else:
            base = table.row_of(shown.run.id)
        if base is None:
            self._tell("This run is not in the run list any more: escape goes back to it.")
            return
        target = base + step
        if target < 0 or target >= table.total:
            self._tell(f"This is the {'first' if target < 0 else 'last'} run of the list.")
            return
        self._step = (table.generation, target)
        table.move_cursor(target)
        run_id = table.run_id_at(target)
        if run_id is None:
            self._step_waiting = True
            table.want_row(target)
            self._tell(f"Run {target + 1:,} of the list is loading…")
            return
        self._step_waiting = False
        self.open_run(self.collection_id, run_id, in_place=True)

    @on(RunOpenFailed)
    def _run_open_failed(self, message: RunOpenFailed) -> None:
        self._show_count(self.query_one(RunTable).total)
        self.notify(one_line(f"{message.run_id}: {message.reason}"), severity="error", markup=False)

    # -- actions -----------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # A `/` typed into the box is text, not the filter key.
        return not (action == "focus_where" and isinstance(self.focused, Input))

    def action_focus_where(self) -> None:
        box = self.query_one(WhereBox)
        self.set_focus(box)
        box.select_all()  # now, before the keys typed after `/`: typing replaces the filter

    def action_back(self) -> None:
        if self.query_one(RunTable).has_focus:
            self.add_class("-choosing")  # shown again on a narrow terminal, while it has focus
            self.call_after_refresh(self.set_focus, self.query_one(CollectionList))

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if isinstance(event.widget, CollectionList):
            self.remove_class("-choosing")

    def action_reload(self) -> None:
        """Ask again: new runs on a server, new fields in the schema."""
        if self.collection_id is None:
            return
        collection = self.docent_app.library.get(self.collection_id)
        if collection is None or collection.backend is None:
            return
        collection.backend.forget(self.collection_id)
        self._columns.pop(self.collection_id, None)
        self.run_filter()

    def action_copy_web_url(self) -> None:
        from docent_tui.tui.screens.transcript import copy_web_url

        table = self.query_one(RunTable)
        run_id = table.cursor_run_id
        backend = self.docent_app.library.backend_for(self.collection_id or "")
        if run_id is None or backend is None or self.collection_id is None:
            self.notify("No run under the cursor.", severity="warning", markup=False)
            return
        copy_web_url(self, backend.web_url(self.collection_id, run_id))

    def action_problems(self) -> None:
        collection = self.docent_app.library.get(self.collection_id or "")
        if collection is None or not (collection.problems or collection.ignored_files):
            self.notify("Nothing was skipped in this collection.", markup=False)
            return
        self.app.push_screen(ProblemsScreen(collection))
