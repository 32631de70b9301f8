"""Heights of the transcript's items, with O(log n) prefix sums and y -> (item, line) lookup."""

from __future__ import annotations

from collections.abc import Sequence


class HeightIndex:
    """A Fenwick tree over item heights (estimated or measured)."""

    def __init__(self, heights: Sequence[int] = ()) -> None:
        self._values = [max(0, height) for height in heights]
        size = len(self._values)
        tree = [0] * (size + 1)
        for index in range(1, size + 1):
            tree[index] += self._values[index - 1]
            parent = index + (index & -index)
            if parent <= size:
                tree[parent] += tree[index]
        self._tree = tree
        self._total = sum(self._values)
        self._top_bit = 1 << size.bit_length() if size else 0

    def __len__(self) -> int:
        return len(self._values)

    def __getitem__(self, index: int) -> int:
        return self._values[index]

    @property
    def total(self) -> int:
        """Sum of all heights."""
        return self._total

    def set(self, index: int, height: int) -> None:
        """Change one height."""
        delta = max(0, height) - self._values[index]
        if not delta:
            return
        self._values[index] += delta
        self._total += delta
        position = index + 1
        while position < len(self._tree):
            self._tree[position] += delta
            position += position & -position

    def start(self, index: int) -> int:
        """The y at which item `index` begins (sum of the heights before it)."""
        result = 0
        position = min(index, len(self._values))
        while position > 0:
            result += self._tree[position]
            position -= position & -position
        return result

    def locate(self, y: int) -> tuple[int, int]:
        """`(item, line within it)` for a y; clamped into the items. Requires at least one item."""
        if not self._values:
            raise IndexError("locate() on an empty HeightIndex")
        if y >= self._total:
            last = len(self._values) - 1
            return last, max(0, self._values[last] - 1)
        y = max(0, y)
        # Binary lifting: the largest position whose prefix sum is <= y.
        position = 0
        remaining = y
        step = self._top_bit
        while step:
            following = position + step
            if following < len(self._tree) and self._tree[following] <= remaining:
                position = following
                remaining -= self._tree[following]
            step >>= 1
        return position, remaining
