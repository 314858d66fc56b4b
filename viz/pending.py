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

from typing import Callable, Hashable, TypeVar

T = TypeVar("T")


def finished(box: dict, key: Hashable, run: Callable[[], T]) -> T:
    """``run()``'s result for ``key``: kept in ``box`` from an earlier, interrupted rerun, or
    run now and kept there before anything else happens. The caller empties ``box`` once
    the result is in place."""
    if box.get("key") != key:
        result = run()
        box.update(key=key, result=result)
    return box["result"]
