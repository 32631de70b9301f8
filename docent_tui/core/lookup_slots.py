"""Plain columns holding the pre-extracted metadata values a collection filters on.

A filter such as `metadata_json->>'model' = 'x'` reads the hidden texts map (json_fields), and a
map lookup searches each run's keys: about 20 ms on 100,000 runs, ten times a plain column scan.
So each collection also copies up to SLOT_COUNT common map keys into VARCHAR slot columns, as the
keys first appear. A key gets its slot only before any run holding it is inserted, so for every
run of the collection the slot equals the map entry (NULL where the run lacks the key), and the
translation may read either.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

SLOT_COUNT = 32
"""Slot columns per agent_runs row; keys first seen after these are taken stay map lookups."""

COMMON_SHARE = 20
"""A key new in a batch gets a slot when at least 1 in this many of the batch's runs hold it."""

TEXTS = "texts"
"""The map of top-level values: its keys are the metadata keys."""

NESTED = "nested"
"""The map of values inside short objects: its keys are `json_fields.nested_key` pointers."""


def slot_column(slot: int) -> str:
    """The name of one hidden slot column of agent_runs."""
    return f"__docent_slot_{slot}"


@dataclass(frozen=True)
class LookupSlots:
    """Which map entries one collection also keeps in a slot column; replaced, never mutated
    (queries read it from other threads), and hashable so translations can be remembered."""

    entries: tuple[tuple[str, str, int], ...] = ()
    """(map, key, slot) in the order the slots were given."""
    _by_key: dict[tuple[str, str], int] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        self._by_key.update({(name, key): slot for name, key, slot in self.entries})

    def slot(self, map_name: str, key: str) -> int | None:
        """The slot holding `map_name[key]` for every run, or None when only the map does."""
        return self._by_key.get((map_name, key))

    @property
    def full(self) -> bool:
        return len(self.entries) >= SLOT_COUNT

    def adding(
        self, map_name: str, counts: Mapping[str, int], runs: int, seen: set[tuple[str, str]]
    ) -> LookupSlots:
        """These slots plus one for each common key of `map_name` no run has held yet.

        `counts` says how many of the `runs` about to be inserted hold each key; `seen` holds
        every (map, key) of the runs inserted before, and gains the new ones. Call it before
        inserting the runs (see the module's invariant).
        """
        entries = list(self.entries)
        new = [key for key in counts if (map_name, key) not in seen]
        seen.update((map_name, key) for key in new)
        # Most common first; a key in fewer than 1 in COMMON_SHARE runs is left to the map.
        for key in sorted(new, key=lambda k: (-counts[k], k)):
            if len(entries) >= SLOT_COUNT or counts[key] * COMMON_SHARE < runs:
                break
            entries.append((map_name, key, len(entries)))
        return self if len(entries) == len(self.entries) else LookupSlots(tuple(entries))
