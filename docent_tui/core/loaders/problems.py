"""What a loader reports instead of a run when a file, sample, line or run cannot be used."""

from __future__ import annotations

from dataclasses import dataclass


def _flat(text: str) -> str:
    """Fold any whitespace run (newlines included) into one space so a problem is one line."""
    return " ".join(text.split())


@dataclass(frozen=True)
class LoadProblem:
    """One unusable file or item inside a file, with a one-line human reason."""

    path: str
    reason: str
    item: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", _flat(self.reason) or "unknown problem")
        if self.item is not None:
            object.__setattr__(self, "item", _flat(self.item))

    def __str__(self) -> str:
        parts = [self.path, self.item, self.reason] if self.item else [self.path, self.reason]
        return ": ".join(parts)


class DataShapeError(ValueError):
    """An item's JSON has a shape no run can be built from; the message is the reason."""
