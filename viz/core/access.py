"""A workshop server's access code: asked once per browser session before anything runs, so
that a server on a public address serves its room only. Pure: the comparison and the delay
after a wrong try; the page asks (:mod:`viz.ui.access`)."""

from __future__ import annotations

import hmac

# Seconds a session waits after its Nth wrong try: doubling from 1 s, at most 16 s.
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 16.0


def code_matches(given: str, expected: str) -> bool:
    """Whether ``given`` is the access code, in time that does not depend on how much of it
    is right."""
    return hmac.compare_digest(given.strip().encode("utf-8", "surrogatepass"),
                               expected.encode("utf-8", "surrogatepass"))


def wrong_try_delay(failures: int) -> float:
    """How long the ``failures``-th wrong try of a session waits before it is answered."""
    if failures < 1:
        return 0.0
    return min(FIRST_DELAY_S * 2 ** min(failures - 1, 16), MAX_DELAY_S)
