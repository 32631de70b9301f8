"""Markdown for message text: the content's own formatting, and nothing that acts.

Rich's Markdown is used with three changes: raw HTML is shown as text (Rich would drop it),
line breaks inside a paragraph are kept (agents rely on them), and links and images stay plain
text with their address in brackets (no OSC 8 hyperlinks). The caller neutralises the text first.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token
from rich.markdown import Markdown

# The pygments themes that take their colours from the terminal's palette.
DARK_CODE_THEME = "ansi_dark"
LIGHT_CODE_THEME = "ansi_light"
# Text nested deeper than this (quotes in lists in quotes ...) is shown as plain text.
MAX_DEPTH = 12


def _plain_inlines(tokens: Iterable[Token]) -> None:
    """Keep soft line breaks as breaks and turn images into text, recursively.

    Rich draws an image as a separate block ahead of its paragraph; as text it stays in place.
    """
    for token in tokens:
        if token.type == "softbreak":
            token.type = "hardbreak"
        elif token.type == "image":
            source = str(token.attrs.get("src", ""))
            alt = token.content or "image"
            token.type, token.tag, token.children = "text", "", None
            token.content = f"🖼 {alt} ({source})" if source else f"🖼 {alt}"
        if token.children:
            _plain_inlines(token.children)


@cache
def _parser() -> MarkdownIt:
    """CommonMark with tables and strikethrough, and raw HTML left as text."""
    return MarkdownIt("commonmark", {"html": False}).enable("strikethrough").enable("table")


class SafeMarkdown(Markdown):
    """Markdown that keeps line breaks and HTML as written and makes no links."""

    def __init__(self, text: str, *, dark: bool = True) -> None:
        super().__init__(
            "",
            code_theme=DARK_CODE_THEME if dark else LIGHT_CODE_THEME,
            hyperlinks=False,
        )
        self.markup = text
        self.parsed = _parser().parse(text)
        _plain_inlines(self.parsed)
        self.depth = 0
        self.columns = 0
        cells = 0
        for token in self.parsed:
            self.depth = max(self.depth, token.level)
            if token.type == "tr_open":
                cells = 0
            elif token.type in ("td_open", "th_open"):
                cells += 1
                self.columns = max(self.columns, cells)

    def fits(self, width: int) -> bool:
        """False when nesting or a table is too wide for `width` (Rich would drop content).

        The parser also stops short of its nesting limit and loses what is beneath, so deep
        nesting never counts as fitting.
        """
        return self.depth < MAX_DEPTH and self.depth * 4 < width and self.columns * 4 < width
