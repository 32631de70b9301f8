"""The Textual application: loads collections in workers and hosts the screens."""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding, BindingType

from docent_tui.core.library import Collection, Library
from docent_tui.tui.messages import CollectionsChanged
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
    ) -> None:
        super().__init__()
        self.library = library
        self.filter_debounce = filter_debounce
        self._to_load = list(load)
        self.browser = BrowserScreen(where)

    def on_mount(self) -> None:
        self.push_screen(self.browser)
        for collection in self._to_load:
            self._load(collection)

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

    def _announce(self) -> None:
        """Tell the browser that collections changed (post_message is thread-safe)."""
        self.browser.post_message(CollectionsChanged())

    def action_help(self) -> None:
        self.push_screen(HelpScreen())
