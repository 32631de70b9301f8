"""Docent's canonical transcript order (docent-api.md §B.3) and `T{idx}B{block}` addresses.

Groups hang under their parent group (or the run), transcripts under their group (or the run);
every node's children are sorted by `created_at` with missing timestamps last; a pre-order walk
numbers the transcripts T0, T1, ... This is the order the web UI and citations use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from docent_tui.core.models import AgentRun, Transcript, TranscriptGroup

ROOT_ID = "__global_root"

NodeKind = Literal["ar", "tg", "t"]

_ADDRESS = re.compile(r"^T(\d+)B(\d+)$")


@dataclass
class TreeNode:
    """One node: the run root (`ar`), a group (`tg`) or a transcript (`t`)."""

    kind: NodeKind
    id: str
    group: TranscriptGroup | None = None
    transcript: Transcript | None = None
    created_at: str | None = None
    children: list[TreeNode] = field(default_factory=list)
    has_transcript_in_subtree: bool = False


@dataclass(frozen=True)
class OrderedTranscript:
    """A transcript with its canonical index and the groups it sits in, outermost first."""

    index: int
    transcript: Transcript
    group_path: tuple[TranscriptGroup, ...]

    @property
    def label(self) -> str:
        """`T{index}`."""
        return f"T{self.index}"


def _sort_key(created_at: str | None) -> tuple[int, datetime]:
    """Ascending by timestamp; missing or unreadable timestamps sort last (Docent: datetime.max)."""
    if created_at:
        try:
            moment = datetime.fromisoformat(created_at.strip().replace("Z", "+00:00"))
        except ValueError:
            return (1, datetime.max)
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC).replace(tzinfo=None)
        return (0, moment)
    return (1, datetime.max)


def build_tree(run: AgentRun) -> TreeNode:
    """The full tree of a run, children sorted, `has_transcript_in_subtree` set.

    Groups are added before transcripts, each in source order; the stable sort keeps that order
    among equal timestamps. A transcript whose group id is unknown falls back to the root. A group
    whose parent id is unknown still gets a placeholder group node for that id, under the root.
    A parent cycle (which Docent never resolves) is cut by hanging one of its groups on the root.
    """
    root = TreeNode(kind="ar", id=ROOT_ID)
    nodes: dict[str, TreeNode] = {}
    parent_of: dict[str, str | None] = {}
    for group in run.transcript_groups:
        if group.id not in nodes:
            nodes[group.id] = TreeNode(
                kind="tg", id=group.id, group=group, created_at=group.created_at
            )
            parent_of[group.id] = group.parent_transcript_group_id or None
    for parent_id in list(parent_of.values()):
        if parent_id is not None and parent_id not in nodes:
            nodes[parent_id] = TreeNode(kind="tg", id=parent_id)
            parent_of[parent_id] = None
    _cut_cycles(parent_of)

    for group_id, node in nodes.items():
        parent_id = parent_of[group_id]
        (root if parent_id is None else nodes[parent_id]).children.append(node)
    for transcript in run.transcripts:
        home = transcript.transcript_group_id
        parent = nodes.get(home, root) if home else root
        parent.children.append(
            TreeNode(
                kind="t",
                id=transcript.id,
                transcript=transcript,
                created_at=transcript.created_at,
            )
        )
    _sort_and_mark(root)
    return root


def _cut_cycles(parent_of: dict[str, str | None]) -> None:
    """Make the parent links a forest: the group where a walk first repeats loses its parent."""
    reaches_root: set[str] = set()
    for start in parent_of:
        walk: list[str] = []
        on_walk: set[str] = set()
        current: str | None = start
        while current is not None and current not in reaches_root and current not in on_walk:
            walk.append(current)
            on_walk.add(current)
            current = parent_of[current]
        if current is not None and current in on_walk:
            parent_of[current] = None
        reaches_root.update(walk)


def _sort_and_mark(root: TreeNode) -> None:
    """Sort every node's children by time and mark subtrees that hold transcripts."""
    order: list[TreeNode] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        node.children.sort(key=lambda child: _sort_key(child.created_at))
        stack.extend(node.children)
    for node in reversed(order):
        node.has_transcript_in_subtree = node.kind == "t" or any(
            child.has_transcript_in_subtree for child in node.children
        )


def pruned(node: TreeNode) -> TreeNode:
    """A copy without the nodes that have no transcript below them (Docent's default view)."""
    top = replace(node, children=[])
    stack = [(node, top)]
    while stack:
        source, copy = stack.pop()
        for child in source.children:
            if child.has_transcript_in_subtree:
                child_copy = replace(child, children=[])
                copy.children.append(child_copy)
                stack.append((child, child_copy))
    return top


def ordered_transcripts(run: AgentRun) -> list[OrderedTranscript]:
    """Every transcript of the run in canonical order, numbered T0..Tn, with its group path."""
    result: list[OrderedTranscript] = []
    # Pre-order DFS with an explicit stack of (node, path of groups above it).
    stack: list[tuple[TreeNode, tuple[TranscriptGroup, ...]]] = [(build_tree(run), ())]
    while stack:
        node, path = stack.pop()
        if node.kind == "t" and node.transcript is not None:
            result.append(OrderedTranscript(len(result), node.transcript, path))
            continue
        inner = path
        if node.kind == "tg":
            inner = (*path, node.group or TranscriptGroup(id=node.id))
        stack.extend((child, inner) for child in reversed(node.children))
    return result


def message_address(transcript_index: int, block: int) -> str:
    """Docent's citation address of a message: `T{transcript}B{block}` (block is 0-based)."""
    return f"T{transcript_index}B{block}"


def parse_address(address: str) -> tuple[int, int] | None:
    """`(transcript, block)` from `T3B12`, or None when it is not a message address."""
    match = _ADDRESS.match(address.strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2))


def group_label(group: TranscriptGroup) -> str:
    """A group's display name: its name, else its id."""
    return group.name or group.id or "(unnamed group)"
