"""A cache bounded by the bytes it holds, for what the server keeps for every visitor."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Callable


class BoundedCache:
    """Least-recently-used cache of byte strings whose total size stays under ``max_bytes``.

    Streamlit's own caches bound the number of entries, not their size: 64 drawings of a big
    model would be gigabytes. Keys are hashed, so a long key (DOT text) is not kept either.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The cached value for ``key``, or None."""
        digest = _digest(key)
        with self._lock:
            if digest in self._items:
                self._items.move_to_end(digest)
                return self._items[digest]
        return None

    def put(self, key: str, value: bytes) -> None:
        """Keeps ``value`` for ``key`` if it fits, dropping the least recently used."""
        if len(value) > self.max_bytes:
            return
        digest = _digest(key)
        with self._lock:
            if digest not in self._items:
                self._items[digest] = value
                self.size += len(value)
            while self.size > self.max_bytes:
                _, dropped = self._items.popitem(last=False)
                self.size -= len(dropped)

    def get_or_make(self, key: str, make: Callable[[], bytes]) -> bytes:
        """The cached value for ``key``, made (outside the lock) and kept if it fits."""
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value


def _digest(key: str) -> bytes:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
