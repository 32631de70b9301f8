"""The outline: transcript groups, transcripts and one line per message, to navigate by."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from typing import Any, ClassVar

from rich.style import Style
from rich.text import Span, Text, TextType
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.containers import Vertical
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from docent_tui.core.models import (
    AgentRun,
    AssistantMessage,
    ChatMessage,
    RawMessage,
    ReasoningContent,
    ToolCall,
    ToolMessage,
    UnknownContent,
)
from docent_tui.core.sanitize import one_line
from docent_tui.core.tree import (
    group_label,
    message_address,
    ordered_transcripts,
    parse_address,
)
from docent_tui.tui.screens.dialog import Dialog

# Characters of a message kept for its outline line (the tree crops to the screen anyway).
_LABEL_CHARS = 160
# Argument keys that usually hold what a tool call does, shown after the function name.
_MAIN_ARGUMENTS = ("cmd", "command", "code", "query", "path", "file_path", "url", "answer")
_NOT_SPACE = re.compile(r"\S")


def first_line(text: str, limit: int = _LABEL_CHARS) -> str:
    """The first non-blank line of `text`, on one safe line (cheap on huge texts)."""
    start = _NOT_SPACE.search(text)
    if start is None:
        return ""
    head = text[start.start() : start.start() + limit * 2]
    return one_line(head.split("\n", 1)[0].rstrip(), limit)


def _short(value: Any) -> str:
    """A scalar as text; containers as `{…}` / `[…]` (never serialised in full)."""
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list):
        return "[…]"
    return str(value)[:_LABEL_CHARS]


def call_summary(call: ToolCall) -> str:
    """`bash: ls -la`: the function and its main argument, on one line."""
    name = one_line(call.function or "(no function)", 60)
    arguments = call.arguments
    detail = ""
    if isinstance(arguments, str):
        detail = first_line(arguments)
    elif isinstance(arguments, dict) and arguments:
        main = next(
            (arguments[k] for k in _MAIN_ARGUMENTS if isinstance(arguments.get(k), str)), None
        )
        if main is None and len(arguments) == 1:
            only = next(iter(arguments.values()))
            main = only if isinstance(only, str) else None
        if isinstance(main, str):
            detail = first_line(main)
        else:
            pairs = itertools.islice(arguments.items(), 4)
            detail = first_line(", ".join(f"{key}={_short(value)}" for key, value in pairs))
    return f"{name}: {detail}" if detail else name


def message_summary(message: ChatMessage) -> tuple[str, bool]:
    """The outline text of a message and whether it marks an error."""
    if isinstance(message, RawMessage):
        return first_line(message.problem or "could not read this message"), True
    if isinstance(message, ToolMessage) and message.error is not None:
        return "✗ " + first_line(message.error_text or "error"), True
    parts: list[str] = []
    failed = False
    if isinstance(message, AssistantMessage) and message.tool_calls:
        calls = message.tool_calls
        parts.append("→ " + call_summary(calls[0]))
        if len(calls) > 1:
            parts.append(f"(+{len(calls) - 1} more calls)")
        failed = any(call.parse_error for call in calls)
    text = first_line(message.text)
    if text:
        parts.append(text)
    elif not parts:
        items = message.content_items
        reasoning = [item for item in items if isinstance(item, ReasoningContent)]
        unknown = [item for item in items if isinstance(item, UnknownContent)]
        if reasoning:
            parts.append("✻ " + (first_line(reasoning[0].display_text) or "reasoning"))
        elif unknown:
            parts.append(f"[{one_line(unknown[0].type, 30)}]")
        else:
            parts.append("(empty)")
    return "  ".join(parts), failed


def _role_label(message: ChatMessage) -> tuple[str, str]:
    """(shown role, palette role) of a message."""
    if isinstance(message, RawMessage):
        return "unreadable", "unknown"
    role = message.role if message.role in ("system", "user", "assistant", "tool") else "unknown"
    return one_line(message.role, 20), role


def _theme_style(variables: Mapping[str, str], name: str, fallback: str, **extra: Any) -> Style:
    """A Rich style in a theme colour (made opaque over the background)."""
    try:
        background = Color.parse(variables.get("background", "#000000"))
        colour = background + Color.parse(variables.get(name, fallback))
    except Exception:
        colour = Color.parse(fallback)
    return Style(color=colour.rich_color, **extra)


class OutlineTree(Tree[str | None]):
    """A Tree whose line widths are estimated from the label text instead of rendering it.

    Textual renders every label to size the tree each time it is rebuilt; for 10,000 messages
    that dominates opening the outline. Labels are one line with no wide characters to speak
    of, and the outline does not scroll sideways, so the plain length is enough.
    """

    def get_label_width(self, node: TreeNode[str | None]) -> int:
        label = node.label
        return (len(label.plain) if isinstance(label, Text) else len(label)) + 2

    def process_label(self, label: TextType) -> Text:
        # Labels here are built as one-line Text already; skip the copy and split per node.
        return label if isinstance(label, Text) else Text(label)


class OutlineScreen(Dialog[str | None]):
    """The run as a tree; enter returns the address of a message (`T0B3`) or transcript (`T0`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,l", "dismiss", "Close"),
        Binding("j", "move(1)", "Down", show=False),
        Binding("k", "move(-1)", "Up", show=False),
        Binding("g", "edge(True)", "First", show=False),
        Binding("G", "edge(False)", "Last", show=False),
        Binding("left,h", "collapse", "Collapse", show=False),
        Binding("right", "expand", "Expand", show=False),
    ]

    def __init__(self, run: AgentRun, current: str | None = None) -> None:
        super().__init__()
        self.run = run
        self.current = current
        self._outline_nodes: dict[str, TreeNode[str | None]] = {}

    def compose(self) -> ComposeResult:
        title = Text("Outline  ", style="bold")
        title.append(one_line(self.run.name or self.run.id or "(unnamed run)", 100))
        tree = OutlineTree(Text("run"), id="outline-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 2
        self._fill(tree)
        with Vertical(id="outline-dialog"):
            yield Static(title, id="outline-title")
            yield tree
            yield Static(
                Text("enter go to  ·  space/←→ fold  ·  escape close", style="dim"),
                id="outline-hint",
            )

    def _styles(self) -> dict[str, Style]:
        variables = self.app.theme_variables
        return {
            "system": _theme_style(variables, "foreground-muted", "#999999", bold=True),
            "user": _theme_style(variables, "text-success", "#8AD4A1", bold=True),
            "assistant": _theme_style(variables, "text-primary", "#57A5E2", bold=True),
            "tool": _theme_style(variables, "text-accent", "#FFC473", bold=True),
            "unknown": _theme_style(variables, "text-warning", "#FFC473", bold=True),
            "error": _theme_style(variables, "text-error", "#D17E92", bold=True),
            "address": _theme_style(variables, "foreground-muted", "#999999"),
        }

    def _fill(self, tree: OutlineTree) -> None:
        """One node per group and transcript, one leaf per message, labels only."""
        styles = self._styles()
        groups: dict[tuple[str, ...], TreeNode[str | None]] = {}
        for ordered in ordered_transcripts(self.run):
            parent = tree.root
            path: tuple[str, ...] = ()
            for group in ordered.group_path:
                path = (*path, group.id)
                node = groups.get(path)
                if node is None:
                    label = Text("▣ ", style="dim")
                    label.append(one_line(group_label(group), 100), style="bold")
                    node = parent.add(label, data=None, expand=True)
                    groups[path] = node
                parent = node
            transcript = ordered.transcript
            label = Text(ordered.label, style="bold")
            label.append(" · " + one_line(transcript.name or transcript.id or "(no id)", 100))
            count = len(transcript.messages)
            label.append(f"  {count:,} message{'s' if count != 1 else ''}", style=styles["address"])
            transcript_node = parent.add(label, data=ordered.label, expand=True)
            self._outline_nodes[ordered.label] = transcript_node
            for block, message in enumerate(transcript.messages):
                address = message_address(ordered.index, block)
                leaf = transcript_node.add_leaf(
                    self._message_label(message, address, styles), address
                )
                self._outline_nodes[address] = leaf

    @staticmethod
    def _message_label(message: ChatMessage, address: str, styles: Mapping[str, Style]) -> Text:
        """`T0B3 assistant  → bash: ls -la`, built from spans (cheap for 10,000 messages)."""
        shown_role, role = _role_label(message)
        summary, failed = message_summary(message)
        role_end = len(address) + 1 + len(shown_role)
        spans = [
            Span(0, len(address), styles["address"]),
            Span(len(address) + 1, role_end, styles[role]),
        ]
        if failed:
            spans.append(Span(role_end + 2, role_end + 2 + len(summary), styles["error"]))
        return Text(f"{address} {shown_role}  {summary}", spans=spans, no_wrap=True)

    def on_mount(self) -> None:
        tree = self.query_one(OutlineTree)
        tree.focus()
        self.call_after_refresh(self._select_current)

    def _select_current(self) -> None:
        tree = self.query_one(OutlineTree)
        node = self._node_for(self.current)
        tree.get_node_at_line(0)  # lays out the tree lines so that nodes know their line
        if node is not None:
            tree.center_scroll = True
            tree.move_cursor(node)
            tree.scroll_to_node(node, animate=False)
            tree.center_scroll = False
        else:
            tree.cursor_line = 0

    def _node_for(self, address: str | None) -> TreeNode[str | None] | None:
        """The node of an address; a block past the end gives its transcript."""
        if not address:
            return None
        node = self._outline_nodes.get(address.strip())
        position = parse_address(address)
        if node is None and position is not None:
            node = self._outline_nodes.get(f"T{position[0]}")
        return node

    def on_tree_node_selected(self, event: Tree.NodeSelected[str | None]) -> None:
        event.stop()
        if event.node.data is not None:
            self.dismiss(event.node.data)
        else:
            event.node.toggle()

    def action_move(self, step: int) -> None:
        tree = self.query_one(OutlineTree)
        if step > 0:
            tree.action_cursor_down()
        else:
            tree.action_cursor_up()

    def action_edge(self, first: bool) -> None:
        tree = self.query_one(OutlineTree)
        if first:
            tree.action_scroll_home()
        else:
            tree.action_scroll_end()

    def action_collapse(self) -> None:
        tree = self.query_one(OutlineTree)
        node = tree.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not tree.root:
            tree.move_cursor(node.parent)

    def action_expand(self) -> None:
        node = self.query_one(OutlineTree).cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()
