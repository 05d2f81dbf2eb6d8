"""A size-bounded, thread-safe LRU mapping for what a worker keeps between requests.

Every process-wide cache whose keys a visitor can influence is one of these: once it holds
`maxsize` entries, storing one more drops the one least recently used, so no sequence of
requests can make a worker's memory grow without end. A lock makes each operation whole,
because the development server and the aggregates' refresher thread use a cache from several
threads at once.

>>> kept = LRUCache(2)
>>> kept["a"], kept["b"] = 1, 2
>>> kept.get("a")
1
>>> kept["c"] = 3  # "b" was used least recently
>>> sorted(kept.keys()), len(kept)
(['a', 'c'], 2)
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


class LRUCache:
    """At most `maxsize` entries; reading or storing an entry makes it the most recent."""

    def __init__(self, maxsize: int):
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        self.maxsize = maxsize
        self._entries: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            if key not in self._entries:
                return default
            self._entries.move_to_end(key)
            return self._entries[key]

    def __setitem__(self, key: Hashable, value) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def pop(self, key: Hashable, default=None):
        with self._lock:
            return self._entries.pop(key, default)

    def keys(self) -> list:
        """A copy of the keys, least recently used first."""
        with self._lock:
            return list(self._entries)

    def discard_where(self, condition: Callable[[Hashable], bool]) -> None:
        """Drop every entry whose key meets `condition` (e.g. an earlier version's pages)."""
        with self._lock:
            for key in [k for k in self._entries if condition(k)]:
                del self._entries[key]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
