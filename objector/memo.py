"""Results memoised by the identity of the object they come from (a regime, a dataset), bounded."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class ByIdentity(Generic[V]):
    """Values computed from an object and further hashable arguments, at most ``max_entries``.

    The data models (frozen pydantic models holding dicts) do not hash by value, so
    entries are keyed by the object's id; each entry holds the object itself, so its
    id cannot be reused by another object while the entry exists. A batch asks the
    same questions for every letter with a handful of answers; past ``max_entries``
    the oldest entry goes first.
    """

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self.entries: dict[tuple[int, Hashable], tuple[object, V]] = {}

    def get(self, owner: object, key: Hashable, make: Callable[[], V]) -> V:
        """The value for ``owner`` and ``key``, made by ``make()`` the first time."""
        k = (id(owner), key)
        hit = self.entries.get(k)
        if hit is not None and hit[0] is owner:
            return hit[1]
        value = make()
        if len(self.entries) >= self.max_entries:
            self.entries.pop(next(iter(self.entries)))
        self.entries[k] = (owner, value)
        return value
