"""A workshop server's access code (viz.core.access): compared whole, wrong tries slowed."""

from __future__ import annotations

import pytest

from viz.core.access import MAX_DELAY_S, code_matches, wrong_try_delay


@pytest.mark.parametrize("given, right", [
    ("tiger-42", True), (" tiger-42\n", True), ("tiger-4", False), ("tiger-420", False),
    ("", False), ("TIGER-42", False), ("tiger-42\udcff", False)])
def test_only_the_code_itself_is_let_in(given: str, right: bool) -> None:
    assert code_matches(given, "tiger-42") is right


def test_each_wrong_try_waits_longer_up_to_a_bound() -> None:
    assert [wrong_try_delay(n) for n in range(7)] == [0.0, 1.0, 2.0, 4.0, 8.0, 16.0, 16.0]
    assert wrong_try_delay(10**6) == MAX_DELAY_S
