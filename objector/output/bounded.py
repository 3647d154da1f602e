"""A bounded least-recently-used cache that keeps only what comes back, for the renderer's caches."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Values by key, at most ``max_entries``, the least recently used dropped first.

    With ``admit_second`` a key is stored only the second time it is missed: a
    batch's letters share their paragraphs, but each has lines of its own (the
    person's name, address, reference) that never come back. Those would fill the
    cache and push out the shared ones; instead their key hashes go to a
    doorkeeper set, emptied when it holds ``forget_after`` (four times
    ``max_entries``, at least 16,384: some hundreds of letters' lines, under a
    megabyte).
    ``hits`` and ``misses`` are for benchmarks and tests."""

    def __init__(self, max_entries: int, admit_second: bool = False) -> None:
        self.max_entries = max_entries
        self.admit_second = admit_second
        self.entries: OrderedDict[Any, V] = OrderedDict()
        self._seen: set[int] = set()
        self.forget_after = max(4 * max_entries, 16_384)
        self.hits = self.misses = 0

    def get(self, key: Any) -> V | None:
        """The value for ``key`` (counted as a hit) or None (counted as a miss). Raises TypeError for an
        unhashable key."""
        found = self.entries.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self.entries.move_to_end(key)
        return found

    def wanted(self, key: Any) -> bool:
        """Whether a value computed for ``key`` (just missed) should be stored."""
        if not self.admit_second:
            return True
        digest = hash(key)
        if digest in self._seen:
            self._seen.discard(digest)
            return True
        if len(self._seen) >= self.forget_after:
            self._seen.clear()
        self._seen.add(digest)
        return False

    def get_or_make(self, key: Any, make: Callable[[], V]) -> V:
        """The value for ``key``, else ``make()``, stored if ``wanted``."""
        found = self.get(key)
        if found is None:
            found = make()
            if self.wanted(key):
                self.put(key, found)
        return found

    def put(self, key: Any, value: V) -> None:
        self.entries[key] = value
        if len(self.entries) > self.max_entries:
            self.entries.popitem(last=False)

    def clear(self) -> None:
        self.entries.clear()
        self._seen.clear()
