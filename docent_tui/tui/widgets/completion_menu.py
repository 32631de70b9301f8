"""The WHERE box's completion dropdown: one OptionList drawn over the run list, never focused."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from docent_tui.core.completion import Candidate
from docent_tui.core.sanitize import one_line

# Characters of a label shown before it is cut; paths and values can be long.
LABEL_LIMIT = 60


def candidate_prompt(candidate: Candidate) -> Text:
    """The option's text: the label, then its kind or detail dimmed; never read as markup."""
    prompt = Text(one_line(candidate.label, limit=LABEL_LIMIT))
    note = candidate.detail or candidate.kind
    if candidate.kind == "path" and candidate.detail:
        note = f"path · {candidate.detail}"
    prompt.append(f"  {note}", style="dim")
    return prompt


class CompletionMenu(OptionList):
    """The candidates for the token at the WHERE box's cursor; the box drives it by keys."""

    can_focus = False

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.candidates: list[Candidate] = []
        self.display = False
        self.picked = False
        """Whether the user moved in the list since it opened: a choice Enter may accept."""

    @property
    def is_open(self) -> bool:
        return self.display and bool(self.candidates)

    def show(self, candidates: Sequence[Candidate]) -> None:
        """Offer `candidates`, the first highlighted; none closes the menu."""
        self.candidates = list(candidates)
        if not self.candidates:
            self.close()
            return
        self.set_options(Option(candidate_prompt(c)) for c in self.candidates)
        self.highlighted = 0
        self.picked = False
        if not self.display:
            self.display = True
            self.refresh_bindings()  # the footer names what ↑↓, tab and escape do now

    def close(self) -> None:
        if self.display:
            self.display = False
            self.refresh_bindings()
        self.candidates = []
        self.clear_options()

    def move(self, step: int) -> None:
        """Highlight the candidate `step` rows down (negative: up), stopping at either end."""
        if not self.candidates:
            return
        self.picked = True
        current = self.highlighted or 0
        self.highlighted = max(0, min(len(self.candidates) - 1, current + step))

    @property
    def chosen(self) -> Candidate | None:
        """The highlighted candidate."""
        if not self.is_open or self.highlighted is None:
            return None
        if 0 <= self.highlighted < len(self.candidates):
            return self.candidates[self.highlighted]
        return None
