"""In a real browser, the graph explorer: a clicked box and a clicked line, the step-through,
the fit to the width, and the time from a click to the graph."""

from __future__ import annotations

import os
import re
import time
from typing import Callable

import pytest
from browser_support import (
    CHROMIUM,
    DRAWN,
    EDITOR_FRAME,
    NO_OVERFLOW,
    SCREENSHOTS,
    SIZES,
    editor_text,
    expect,
    expect_page,
    expect_script,
    graph_nodes,
    poll_until,
    replace_editor_text,
)

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


def test_clicking_a_box_shows_its_details_and_marks_its_lines(
        open_page: Callable[..., object], app_url: str) -> None:
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example=seed_3_get_variable_sharing")
    weights = graph_nodes(page, "image_filters/conv1/weights:0")
    weights.click()
    card = page.get_by_text("reused at lines", exact=False)
    expect(card).to_be_visible()
    expect(page.get_by_text("image_filters/conv1/weights", exact=True).first).to_be_visible()
    expect(page.locator(".scopeviz-graph svg g.sv-focus")).to_have_count(1)
    # the card over the graph leaves the clicked box in sight (it sits on the other side)
    shown = page.locator(".sv-card")
    poll_until(lambda: (shown.bounding_box(), weights.bounding_box()),
               lambda boxes: boxes[0]["x"] + boxes[0]["width"] <= boxes[1]["x"]
               or boxes[1]["x"] + boxes[1]["width"] <= boxes[0]["x"],
               "the card beside the clicked box, not over it")
    frame = page.frame_locator(EDITOR_FRAME)
    # the line that created it (15) and the call that reused it (15 again, in a loop)
    expect(frame.locator(".scopeviz-focus-line")).to_have_count(1)
    expect(frame.locator(".ace_gutter-cell").filter(has_text="15").first).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "details_card.png"))


def test_clicking_a_line_in_the_editor_outlines_what_it_made(
        open_page: Callable[..., object], app_url: str) -> None:
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example=seed_3_get_variable_sharing")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    frame = page.frame_locator(EDITOR_FRAME)
    focus = page.locator(".scopeviz-graph svg g.sv-focus title")
    expect(focus).to_have_count(0)
    # a plain click in line 15's text: it created conv1/weights and, called again, conv2's
    line_15 = frame.locator(".ace_line").filter(has_text='weights = tf.get_variable("weights"')
    # (Ace's line boxes are a million pixels wide: the click goes near their start, and Ace
    # takes it underneath the text)
    line_15.click(force=True, position={"x": 60, "y": 10})
    expect(focus).to_have_count(2)
    expect(focus).to_have_text(["image_filters/conv1/weights:0",
                                "image_filters/conv2/weights:0"])
    # the cursor moved by the keys to line 17: the biases it made
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(focus).to_have_text(["image_filters/conv1/biases:0",
                                "image_filters/conv2/biases:0"])
    # an edit moves lines: nothing is outlined until the text is the one that ran again
    page.keyboard.press("End")
    page.keyboard.insert_text("  # edited")
    expect(focus).to_have_count(0)
    page.keyboard.press("Control+z")
    expect(focus).to_have_count(2)
    # line 1 made nothing
    page.keyboard.press("Control+Home")
    expect(focus).to_have_count(0)
    # nothing ran, and the text is whole
    poll_until(lambda: editor_text(page), lambda text: text.startswith('"""Seed 3'),
               "the editor's text")


def test_a_step_link_shows_that_step_and_arrow_keys_move(
        open_page: Callable[..., object], app_url: str) -> None:
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope&step=3")
    expect(page.get_by_text("Step 3 of 7, line 14", exact=False)).to_be_visible()
    expect(page.get_by_text("entered variable scope vsc1", exact=False)).to_be_visible()
    focus = page.locator(".scopeviz-graph svg g.sv-focus title")
    expect(focus).to_have_text("cluster_vsc1")
    # later events are not drawn yet: v2 (step 4) is missing
    expect(graph_nodes(page, "nsc1/vsc1/v2:0")).to_have_count(0)
    expect(page.frame_locator(EDITOR_FRAME).locator(".scopeviz-focus-line")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "step_3.png"))
    page.get_by_text("Step 3 of 7", exact=False).click()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text("Step 4 of 7, line 15", exact=False)).to_be_visible()
    expect(graph_nodes(page, "nsc1/vsc1/v2:0")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]step=4$"))


# Where the step shown is: its line among the editor's fully visible rows, its box inside
# the explorer's visible area, and how many lines the editor marks.
STEP_IN_VIEW = """line => {
    const frame = document.querySelector('iframe[title="code_editor.code_editor"]');
    const ace = frame && frame.contentDocument.querySelector('.ace_editor');
    if (!ace) return null;
    const editor = ace.env.editor;
    const row = line - 1;
    const lineInView = row >= editor.renderer.getFirstFullyVisibleRow()
        && row <= editor.renderer.getLastFullyVisibleRow();
    let boxInView = false;
    for (const host of document.querySelectorAll('*')) {
        const root = host.shadowRoot;
        const graph = root && root.querySelector('.scopeviz-graph');
        const focus = graph && graph.querySelector('g.sv-focus');
        if (!focus) continue;
        const g = graph.getBoundingClientRect(), f = focus.getBoundingClientRect();
        boxInView = f.width > 0 && f.left >= g.left - 1 && f.right <= g.right + 1
            && f.top >= g.top - 1 && f.bottom <= g.bottom + 1;
    }
    return {lineInView, boxInView,
            marked: frame.contentDocument.querySelectorAll('.scopeviz-focus-line').length};
}"""
STEP_SHOWN = re.compile(r"Step (\d+) of (\d+), line (\d+)")


def expect_step_in_view(page: object, step: int | str) -> int:
    """Waits until step ``step`` (a number, or "last") is shown with its line in the editor's
    view (marked) and its box in the explorer's, and the address names it; returns it."""
    text = page.get_by_text(re.compile(r"Step (\d+) of \1, line" if step == "last" else
                                       rf"Step {step} of \d+, line")).first
    expect(text).to_be_visible()
    shown, _, line = (int(n) for n in STEP_SHOWN.search(text.text_content()).groups())
    poll_until(lambda: page.evaluate(STEP_IN_VIEW, line),
               lambda seen: seen == {"lineInView": True, "boxInView": True, "marked": 1},
               f"step {shown}'s line {line} and box in view")
    expect(page).to_have_url(re.compile(rf"[?&]step={shown}(&|$)"))
    return shown


@pytest.mark.parametrize("width,height", SIZES)
def test_every_step_brings_its_line_and_its_box_into_view(
        open_page: Callable[..., object], app_url: str, width: int, height: int) -> None:
    """A 204-variable model, 55 lines: the step's line was outside the editor's rows and its
    box outside the explorer's view, and Next left the editor's mark on the first line."""
    page = open_page(width, height)
    page.goto(f"{app_url}/?example=model_bert_like_encoder&step=9999")  # the last step
    last = expect_step_in_view(page, "last")
    assert last > 200
    for expected in (last - 1, last - 2):
        page.get_by_role("button", name="Back").click()
        expect_step_in_view(page, expected)
    page.get_by_role("slider").focus()
    page.keyboard.press("Home")
    expect_step_in_view(page, 1)
    for expected in (2, 3):
        page.get_by_role("button", name="Next").click()
        expect_step_in_view(page, expected)


def test_play_plays_to_the_last_step_and_pause_stops(
        open_page: Callable[..., object], app_url: str) -> None:
    """Play moved one step and stopped, its button left on Pause."""
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope&step=1")
    expect(page.get_by_text("Step 1 of 7", exact=False)).to_be_visible()
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_text("Step 4 of 7", exact=False)).to_be_visible()
    expect(page.get_by_text("Step 7 of 7", exact=False)).to_be_visible()
    expect(page.get_by_role("button", name="Play")).to_be_visible()  # it stopped there
    expect_step_in_view(page, 7)
    page.get_by_role("button", name="Play").click()  # from the last step: again from 1
    expect(page.get_by_text("Step 2 of 7", exact=False)).to_be_visible()
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Play")).to_be_visible()
    expect_script(page, "notRunning")
    paused = expect_step_in_view(page, r"\d+")
    page.wait_for_timeout(2500)  # a paused step-through stays put: time is what is tested
    assert expect_step_in_view(page, r"\d+") == paused


FITS_THE_BOX = """() => [...document.querySelectorAll('*')].some(host => {
    const box = host.shadowRoot && host.shadowRoot.querySelector('.scopeviz-graph');
    const svg = box && box.querySelector('svg');
    if (!svg) return false;
    const outer = box.getBoundingClientRect(), drawn = svg.getBoundingClientRect();
    return drawn.left >= outer.left - 1 && drawn.right <= outer.right + 1; })"""


@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("example", ["seed_3_get_variable_sharing", "model_bert_like_encoder"])
def test_the_graph_fits_the_width(open_page: Callable[..., object], app_url: str,
                                  width: int, height: int, example: str) -> None:
    page = open_page(width, height)
    page.goto(f"{app_url}/?example={example}")
    svg = page.locator(".scopeviz-graph svg")
    expect(svg).to_be_visible()
    # fitted when drawn and again when its box is resized (a scroll bar appears): wait for it
    page.wait_for_function(FITS_THE_BOX, timeout=30_000)
    box = page.locator(".scopeviz-graph").bounding_box()
    drawn = svg.bounding_box()
    assert drawn["x"] >= box["x"] - 1
    assert drawn["x"] + drawn["width"] <= box["x"] + box["width"] + 1, (drawn, box)
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")
    # zoom in with the button: the drawing grows; "Fit width" brings it back
    page.get_by_role("button", name="Zoom in").click()
    poll_until(lambda: svg.bounding_box()["width"], lambda width: width > drawn["width"],
               "the zoomed drawing's width")
    page.get_by_role("button", name="Fit width").click()
    poll_until(lambda: svg.bounding_box()["width"],
               lambda width: abs(width - drawn["width"]) < 2, "the refitted drawing's width")


@pytest.mark.parametrize("example", ["seed_1_name_scope_vs_variable_scope",
                                     "seed_3_get_variable_sharing", "model_bert_like_encoder"])
def test_click_to_graph_time(open_page: Callable[..., object], app_url: str,
                             example: str) -> None:
    """Measured, not asserted against a clock: prints the time from Ctrl+Enter in the editor
    to the new graph on the page. The text is replaced first (its select-all reruns the
    page), so the clock starts once the page is idle again, as it is when a person presses
    Ctrl+Enter after typing."""
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example={example}")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    source = editor_text(page)
    times = []
    for attempt in range(3):
        probe = f"probe_{attempt}"
        replace_editor_text(page, f"{source}\ntf.Variable(0, name={probe!r})\n")
        # measures from an idle page: a rerun the typing started may not have begun yet
        page.wait_for_timeout(500)
        expect_script(page, "notRunning")
        started = time.monotonic()
        page.keyboard.press("Control+Enter")  # from the editor, as people run
        # checked on every animation frame (expect() polls at up to a second apart)
        page.wait_for_function(DRAWN, arg=f"{probe}:0", polling="raf", timeout=60_000)
        times.append(time.monotonic() - started)
    print(f"\nclick to graph, {example}: {', '.join(f'{t * 1000:.0f} ms' for t in times)}")
    assert len(times) == 3


# How far the page has scrolled: the window, or Streamlit's main block where it scrolls.
SCROLLED = """() => window.scrollY + [...document.querySelectorAll(
    '[data-testid="stMain"], section')].reduce((sum, element) => sum + element.scrollTop, 0)"""


@pytest.mark.parametrize("width,height", SIZES)
def test_the_wheel_scrolls_the_page_and_ctrl_wheel_zooms_the_graph(
        open_page: Callable[..., object], app_url: str, width: int, height: int) -> None:
    """The wheel over a graph zoomed it, and a long page could not be scrolled past it."""
    page = open_page(width, height)
    page.goto(f"{app_url}/?example=seed_3_get_variable_sharing")
    graph = page.locator(".scopeviz-graph")
    expect(graph.locator("svg")).to_be_visible()
    graph.scroll_into_view_if_needed()
    zoom = page.locator(".sv-zoom").first
    before, shown = page.evaluate(SCROLLED), zoom.text_content()
    box = graph.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + min(box["height"] / 2, 100))
    page.mouse.wheel(0, 300)
    poll_until(lambda: page.evaluate(SCROLLED), lambda now: now > before,
               "the page scrolled by the wheel over the graph")
    assert zoom.text_content() == shown
    # The scroll may still be gliding: aim once the graph stands still.
    places = []
    box = poll_until(lambda: places.append(graph.bounding_box()) or places[-2:],
                     lambda last: len(last) == 2 and last[0] == last[1],
                     "the graph standing still")[-1]
    visible = (max(box["y"], 0), min(box["y"] + box["height"], height))
    page.mouse.move(box["x"] + box["width"] / 2, sum(visible) / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -300)
    page.keyboard.up("Control")
    expect(zoom).not_to_have_text(shown)
    expect(page.get_by_text("Ctrl+wheel or pinch: zoom", exact=False).first).to_be_visible()
