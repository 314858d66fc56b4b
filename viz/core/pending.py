"""A requested run whose result outlives the rerun that interrupts it.

Streamlit stops a running script when a widget changes: at the script's next Streamlit call
or session-state access it raises and starts the script over. A run that finished just
before that point was lost with its rerun, and the user's click with it (the Run or Compare
button seemed to do nothing). So the result goes into a plain dict kept in session state at
once (writing to a dict is no Streamlit call), and the request stays open until the result
is in place: the rerun that interrupted it finds the result instead of losing or repeating
the run.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Callable, Hashable, Iterator, MutableMapping, TypeVar

T = TypeVar("T")


@contextmanager
def serve(state: MutableMapping[str, Any], flag: str, box_name: str) -> Iterator[dict]:
    """Serves the open request ``state[flag]``; yields the box (``state[box_name]``) its
    result is kept in by :func:`finished`.

    Leaving the block closes the request and empties the box: the result is in place. An
    exception closes it too (said on the page once, not retried by every rerun after it).
    Streamlit's stop for a rerun is no Exception: it leaves both, and the next rerun finds
    the result.
    """
    box = state.setdefault(box_name, {})
    try:
        yield box
    except Exception:
        state[flag] = False
        raise
    state[flag] = False
    box.clear()


def finished(box: dict, key: Hashable, run: Callable[[], T]) -> T:
    """``run()``'s result for ``key``: kept in ``box`` from an earlier, interrupted rerun, or
    run now and kept there before anything else happens. :func:`serve` empties ``box`` once
    the result is in place."""
    if box.get("key") != key:
        result = run()
        box.update(key=key, result=result)
    return box["result"]
