"""In a real browser, a live room: a presenter and two attendees in separate browser contexts
(separate sessions, as separate people have)."""

from __future__ import annotations

import os
import re
import time
from typing import Callable

import pytest
from browser_support import CHROMIUM, ONE_MISS, SCREENSHOTS, answer_and_check, expect, start_room

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]

SEED_1 = "seed_1_name_scope_vs_variable_scope"
# The promise: an attendee's page shows the presenter's change within 2 s.
FOLLOW_S = 2.0


def join(page: object, app_url: str, code: str) -> None:
    page.goto(f"{app_url}/?room={code}")
    expect(page.get_by_text(f"Following room {code}")).to_be_visible()


def test_attendees_show_the_presenters_step_within_2_s_of_each_next(
        open_page: Callable[..., object], app_url: str) -> None:
    presenter = open_page(1366, 768)
    presenter.goto(f"{app_url}/?example={SEED_1}&step=1")
    expect(presenter.get_by_text(re.compile(r"Step 1 of 7, line"))).to_be_visible()
    code = start_room(presenter)
    attendees = [open_page(1366, 768), open_page(800, 600, "dark")]
    for attendee in attendees:
        join(attendee, app_url, code)
        expect(attendee.get_by_text(re.compile(r"Step 1 of 7, line"))).to_be_visible()
    expect(presenter.get_by_text("2 following")).to_be_visible()
    lags = []
    for step in range(2, 6):
        presenter.get_by_role("button", name="Next").click()
        shown = re.compile(rf"Step {step} of 7, line")
        expect(presenter.get_by_text(shown)).to_be_visible()
        changed = time.monotonic()
        for attendee in attendees:
            expect(attendee.get_by_text(shown)).to_be_visible(timeout=FOLLOW_S * 1000)
        lags.append(time.monotonic() - changed)
    assert max(lags) <= FOLLOW_S, lags
    # Each attendee's run is its own: the graph on their page, drawn by their session.
    expect(attendees[1].locator(".scopeviz-graph svg")).to_be_visible()
    attendees[1].screenshot(path=str(SCREENSHOTS / "room_attendee_800x600_dark.png"))
    presenter.screenshot(path=str(SCREENSHOTS / "room_presenter_1366x768.png"))


def test_the_presenter_sees_the_rooms_answers_and_try_it_myself_leaves(
        open_page: Callable[..., object], app_url: str) -> None:
    presenter = open_page(1366, 768)
    presenter.goto(f"{app_url}/?exercise={SEED_1}")
    expect(presenter.locator('[class*="st-key-answer_"] input')).to_have_count(4)
    code = start_room(presenter)
    attendee = open_page(1366, 768)
    join(attendee, app_url, code)
    answer_and_check(attendee, ONE_MISS)
    expect(attendee.get_by_text("3 of 4 right")).to_be_visible()
    expect(presenter.get_by_text("1 checked their answers.")).to_be_visible()
    expect(presenter.get_by_text("Q3, line 16: 0 of 1 right; most common wrong answer "
                                 "nsc1/vsc1/v3:0 (1)")).to_be_visible()
    expect(presenter.get_by_text("Q4, line 23: 1 of 1 right")).to_be_visible()
    # A second attendee's answers are a stranger's text on the presenter's screen.
    stranger = open_page(1366, 768)
    join(stranger, app_url, code)
    answer_and_check(stranger, ["[x](javascript:alert(1))", "<img src=x onerror=alert(1)>",
                                "", ""])
    expect(presenter.get_by_text("2 checked their answers.")).to_be_visible()
    counts = presenter.locator(".st-key-room_answers")
    expect(counts).to_contain_text("(javascript")
    expect(counts).to_contain_text("<img src=x onerror=alert(1)>")
    assert counts.locator("a, img").count() == 0
    stranger.get_by_role("button", name="Try it myself").click()
    presenter.screenshot(path=str(SCREENSHOTS / "room_exercise_counts_1366x768.png"))
    # Try it myself: the attendee leaves with the exercise, the presenter moves on alone.
    attendee.get_by_role("button", name="Try it myself").click()
    expect(attendee.get_by_text(f"Following room {code}")).to_have_count(0)
    expect(presenter.get_by_text("0 following")).to_be_visible()
    expect(attendee.get_by_text("3 of 4 right")).to_be_visible()


def test_a_room_ends_with_its_presenter_and_a_wrong_code_says_so(
        open_page: Callable[..., object], app_url: str) -> None:
    presenter = open_page(1366, 768)
    presenter.goto(f"{app_url}/?example=auto_reuse")
    code = start_room(presenter)
    attendee = open_page(1366, 768)
    join(attendee, app_url, code)
    presenter.get_by_role("button", name="End the room").click()
    expect(attendee.get_by_text("The room ended: its presenter left.", exact=False)
           ).to_be_visible()
    expect(attendee.locator(".scopeviz-graph svg")).to_be_visible()  # the page stays
    stranger = open_page(800, 600)
    stranger.goto(f"{app_url}/?room={code}")
    expect(stranger.get_by_text("There is no live room with that code", exact=False)
           ).to_be_visible()
