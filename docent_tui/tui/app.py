"""The Textual application: loads collections in workers and hosts the screens."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel

from docent_tui.core.library import Collection, Library
from docent_tui.core.remote.connect import Connector, RemoteTarget, connect
from docent_tui.core.remote.errors import NotFound, RemoteError
from docent_tui.core.remote.remote_backend import RemoteBackend, RemoteEvent, RunRefreshed
from docent_tui.core.sanitize import one_line
from docent_tui.tui.heap import freeze_survivors
from docent_tui.tui.messages import CollectionsChanged, RemoteChanged, ShowCollection
from docent_tui.tui.screens.browser import BrowserScreen
from docent_tui.tui.screens.help import HelpScreen

# How often a loading collection may repaint its progress in the collection pane.
_PROGRESS_INTERVAL_S = 0.1


def stylesheet_path() -> Path:
    """styles.tcss ships inside the wheel; in a checkout it sits at the repository root."""
    package_dir = Path(__file__).resolve().parent.parent
    packaged = package_dir / "styles.tcss"
    return packaged if packaged.exists() else package_dir.parent / "styles.tcss"


class DocentApp(App[None]):
    """docent-tui: browse Docent agent runs from local files in the terminal."""

    TITLE = "docent-tui"
    CSS_PATH = stylesheet_path()
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
    ]

    def __init__(
        self,
        library: Library,
        *,
        load: Iterable[Collection] = (),
        where: str = "",
        filter_debounce: float = 0.3,
        remote: RemoteTarget | None = None,
        connector: Connector = connect,
    ) -> None:
        super().__init__()
        self.library = library
        self.filter_debounce = filter_debounce
        self._to_load = list(load)
        self.remote = remote
        self.connector = connector
        self.remote_backend: RemoteBackend | None = None
        self.browser = BrowserScreen(where)

    def on_mount(self) -> None:
        self.push_screen(self.browser)
        # A closed SSH session (SIGHUP) or a kill ends the app properly, so the caller's clean-up
        # (the engine's scratch file) still runs.
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop = asyncio.get_running_loop()
            for number in (signal.SIGTERM, signal.SIGHUP):
                loop.add_signal_handler(number, self.exit)
        for collection in self._to_load:
            self._load(collection)
        if self.remote is not None:
            self._connect(self.remote)
        self.call_after_refresh(freeze_survivors)

    async def on_unmount(self) -> None:
        self.library.engine.abandon_loading()
        if self.remote_backend is not None:
            await self.remote_backend.aclose()

    @work(group="remote", exit_on_error=False)
    async def _connect(self, target: RemoteTarget) -> None:
        """List the server's collections into the pane, then go to the one asked for."""
        backend = self.connector(target.settings, self._remote_event)
        self.remote_backend = backend
        host = target.settings.frontend_host
        placeholder = f"remote:{target.settings.api_url}"
        self.library.add_connecting(placeholder, host, target.settings.api_url)
        self._announce()
        for note in target.settings.notes:
            self._tell(note, severity="warning")
        if not target.settings.has_api_key:
            self._tell(
                "No DOCENT_API_KEY found (environment or docent.env): "
                "only collections open to everyone can be read.",
                severity="warning",
            )
        try:
            listed = await backend.list_collections()
        except RemoteError as error:
            self.library.add_failed(placeholder, host, target.settings.api_url, error.message)
            self._announce()
            return
        self.library.remove(placeholder)
        for info in listed:
            self.library.add_remote(backend, info.id, info.name or info.id, host, info.run_count)
        wanted = target.collection_id
        if wanted is not None and self.library.get(wanted) is None:
            try:
                found = await backend.get_collection(wanted)
                self.library.add_remote(
                    backend, found.id, found.name or found.id, host, found.run_count
                )
            except NotFound:
                self._tell(f"Collection {wanted} was not found on {host}.")
                wanted = None
            except RemoteError as error:
                self._tell(f"Could not open collection {wanted}: {error.message}")
                wanted = None
        self._announce()
        if wanted is not None:
            self.browser.post_message(ShowCollection(wanted, target.run_id))

    def _tell(self, text: str, severity: SeverityLevel = "error") -> None:
        self.notify(one_line(text, limit=300), severity=severity, markup=False, timeout=10)

    def _remote_event(self, event: RemoteEvent) -> None:
        if isinstance(event, RunRefreshed):
            self.browser.post_message(RemoteChanged(event.collection_id, event.run_id))
        else:
            self.browser.post_message(RemoteChanged())

    @work(thread=True, group="load", exit_on_error=False)
    def _load(self, collection: Collection) -> None:
        last_post = 0.0

        def progress(_count: int) -> None:
            nonlocal last_post
            now = time.monotonic()
            if now - last_post >= _PROGRESS_INTERVAL_S:
                last_post = now
                self._announce()

        self._announce()
        self.library.load(collection, progress)
        self._announce()
        self.library.engine.compact()  # after the news: the list need not wait for it
        freeze_survivors()

    def _announce(self) -> None:
        """Tell the browser that collections changed (post_message is thread-safe)."""
        self.browser.post_message(CollectionsChanged())

    def action_help(self) -> None:
        self.push_screen(HelpScreen())
