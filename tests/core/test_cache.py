"""The size-bounded cache (viz.core.cache)."""

from __future__ import annotations

from viz.core.cache import BoundedCache


def test_bounded_cache_keeps_recent_values_within_its_size() -> None:
    cache = BoundedCache(max_bytes=10)
    made: list[str] = []

    def maker(key: str, size: int):
        return lambda: made.append(key) or b"x" * size

    assert cache.get_or_make("a", maker("a", 4)) == b"xxxx"
    cache.get_or_make("b", maker("b", 4))
    cache.get_or_make("a", maker("a", 4))  # a hit: a is now the most recent
    cache.get_or_make("c", maker("c", 4))  # 12 bytes: b, the least recent, goes
    assert cache.size == 8
    cache.get_or_make("a", maker("a", 4))
    cache.get_or_make("b", maker("b", 4))
    assert made == ["a", "b", "c", "b"]
    assert cache.get_or_make("huge", maker("huge", 11)) == b"x" * 11  # too big to keep
    assert cache.size <= 10
