"""A requested run that outlives the rerun interrupting it (viz.core.pending)."""

from __future__ import annotations

import pytest

from viz.core.pending import finished, serve


def test_a_finished_run_is_found_by_the_rerun_that_interrupted_it() -> None:
    calls: list[str] = []
    box: dict = {}
    assert finished(box, ("a", "tf1"), lambda: calls.append("a") or "trace a") == "trace a"
    # the rerun that interrupted the script before the result was stored finds it
    assert finished(box, ("a", "tf1"), lambda: calls.append("again") or "other") == "trace a"
    # another request (other text or settings) runs
    assert finished(box, ("b", "tf1"), lambda: calls.append("b") or "trace b") == "trace b"
    assert calls == ["a", "b"]
    box.clear()  # what the caller does once the result is in place: the next request runs
    assert finished(box, ("b", "tf1"), lambda: calls.append("b2") or "trace b2") == "trace b2"


def test_a_run_that_raises_keeps_nothing() -> None:
    box: dict = {}
    with pytest.raises(RuntimeError):
        finished(box, "a", lambda: (_ for _ in ()).throw(RuntimeError("worker gone")))
    assert box == {}


def test_a_request_closes_once_served_and_stays_open_through_a_rerun() -> None:
    class Rerun(BaseException):
        """Streamlit stops a script for a rerun with an exception that is no Exception."""

    state: dict = {"asked": True}
    with pytest.raises(Rerun):
        with serve(state, "asked", "box") as box:
            finished(box, "a", lambda: "trace a")
            raise Rerun
    assert state == {"asked": True, "box": {"key": "a", "result": "trace a"}}
    # the next rerun finds the result, puts it in place and closes the request
    with serve(state, "asked", "box") as box:
        assert finished(box, "a", lambda: "run again") == "trace a"
    assert state == {"asked": False, "box": {}}
    # a failure closes the request too: said once, not retried by every rerun after it
    state["asked"] = True
    with pytest.raises(RuntimeError):
        with serve(state, "asked", "box"):
            raise RuntimeError("worker gone")
    assert state["asked"] is False
