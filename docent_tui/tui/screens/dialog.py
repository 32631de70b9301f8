"""The base of docent-tui's modal screens: one answer each, however fast keys arrive."""

from __future__ import annotations

from textual.await_complete import AwaitComplete
from textual.screen import ModalScreen, ScreenResultType


class Dialog(ModalScreen[ScreenResultType]):
    """A modal screen that closes once.

    Textual's `dismiss` pops whatever screen is on top and calls the result callback each time,
    so keys queued behind the first answer (Enter pressed twice) would close the screen beneath
    and answer again; here every answer after the first is ignored.
    """

    _answered = False

    def dismiss(self, result: ScreenResultType | None = None) -> AwaitComplete:
        if self._answered or not self.is_attached:
            return AwaitComplete()
        self._answered = True
        return super().dismiss(result)
