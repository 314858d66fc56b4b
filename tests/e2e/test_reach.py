"""In a real browser, every answer in reach: a TF1 model beside its TF2 migration in Compare,
the highlight inside collapsed series, the keyboard's way to a details card, what sits above
the fold at 1366x768."""

from __future__ import annotations

import os
import re
from typing import Callable

import pytest
from browser_support import (
    CHROMIUM,
    NO_OVERFLOW,
    SCREENSHOTS,
    editor_frame,
    expect,
    expect_page,
    graph_nodes,
    low_contrast_texts,
    poll_until,
    replace_editor_text,
)
from snippets import TF1_LAYERS, TF2_LAYERS

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]

LOOKS = [(1366, 768, "light"), (1366, 768, "dark"), (800, 600, "light"), (800, 600, "dark")]


@pytest.mark.parametrize("width,height,scheme", LOOKS)
def test_compare_runs_a_tf1_model_beside_its_tf2_migration(
        open_page: Callable[..., object], app_url: str, width: int, height: int,
        scheme: str) -> None:
    """Each side's mode is chosen above its editor and travels in the link (before, both
    sides ran in the app's mode: the TF1 side failed in TF2 mode)."""
    page = open_page(width, height, scheme)
    page.goto(app_url)
    page.get_by_text("Compare two snippets", exact=True).click()
    replace_editor_text(page, TF1_LAYERS, 0)
    replace_editor_text(page, TF2_LAYERS, 1)
    page.locator(".st-key-compare_mode_b").get_by_text("TF2", exact=True).click()
    expect(page).to_have_url(re.compile(r"[?&]mode_a=tf1&mode_b=tf2"))
    page.screenshot(path=str(SCREENSHOTS / f"compare_modes_{width}x{height}_{scheme}.png"))
    page.locator(".st-key-compare").get_by_role("button", name=re.compile("^Compare")).click()
    expect(page.get_by_text("0 same, 4 renamed, 0 changed, 0 only in A, 0 only in B")
           ).to_be_visible()
    expect(page.get_by_text("A (TF1): 4 variables")).to_be_visible()
    expect(page.get_by_text("B (TF2): 4 variables")).to_be_visible()
    expect(graph_nodes(page, "encoder/dense/kernel")).to_have_count(1)
    expect(graph_nodes(page, "encoder/kernel")).to_have_count(1)
    page.locator(".st-key-compare_graphs").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"compare_tf1_tf2_{width}x{height}_{scheme}.png"))
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")


@pytest.mark.parametrize("width,height,scheme", LOOKS)
def test_the_highlight_counts_names_inside_a_series_and_one_key_opens_them(
        open_page: Callable[..., object], app_url: str, width: int, height: int,
        scheme: str) -> None:
    """BERT's 12 layers are one series box: a highlight of one layer's query said 0 matching.
    Now the box says how many it folds, and Alt+O draws the layer and its query open."""
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?example=model_bert_like_encoder")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    search = page.get_by_placeholder("Highlight names, e.g. kernel")
    search.fill("layer_3/attention/self/query")
    search.press("Enter")
    badge = page.locator(".scopeviz-graph g.node g.sv-inside-badge")
    expect(badge).to_have_count(1)
    expect(badge).to_have_text("2 matching inside")
    expect(page.locator(".sv-matches")).to_have_text("0 matching, 2 more inside 1 folded box")
    expect(page.locator(".scopeviz-graph g.node.sv-match-inside title")).to_have_text(
        "bert/encoder/layer_*")
    page.locator(".scopeviz-graph").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"highlight_inside_{width}x{height}_{scheme}.png"))
    search.blur()  # the shortcut is the page's, not the input's
    page.keyboard.press("Alt+o")
    expect(badge).to_have_count(0)
    expect(page.locator(".sv-matches")).to_have_text("2 matching")
    matched = page.locator(".scopeviz-graph g.node.sv-match title")
    expect(matched).to_have_text(["bert/encoder/layer_3/attention/self/query/kernel:0",
                                  "bert/encoder/layer_3/attention/self/query/bias:0"])
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")



def expect_readable(page: object, where: str) -> None:
    """Every text of the page at 4.5:1 or more, once the page's own styles have come (they
    arrive with their element's lazily loaded code)."""
    poll_until(lambda: low_contrast_texts(page), lambda found: not found,
               f"texts below WCAG AA {where}")


@pytest.mark.parametrize("width,height,scheme", LOOKS)
def test_every_text_reads_at_wcag_aa(open_page: Callable[..., object], app_url: str,
                                     width: int, height: int, scheme: str) -> None:
    """Each tab, Compare and an exercise, in both themes: the selected tab and view were
    3.6-3.9:1 in dark, the editor's strings, numbers and comments 2.3-2.9:1 in light, the
    exercise's code 2.3-4.2:1."""
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    expect(editor_frame(page).locator(".ace_comment").first).to_be_attached()
    for tab in ["Graph", "Variables", "Why these names", "Output"]:
        page.get_by_role("tab", name=tab).click()
        expect_readable(page, f"on the {tab} tab")
    page.get_by_text("Compare two snippets", exact=True).click()
    expect(editor_frame(page, 1).locator(".ace_line").first).to_be_visible()
    expect_readable(page, "on the Compare page")
    page.goto(f"{app_url}/?exercise=seed_1_name_scope_vs_variable_scope")
    expect(page.locator('[data-testid="stCode"] .token.string').first).to_be_visible()
    expect_readable(page, "on the exercise page")


# What has the keyboard's focus: through shadow roots and into an editor's frame.
FOCUSED = """() => { let element = document.activeElement, inEditor = false;
    if (element && element.tagName === 'IFRAME') {
        inEditor = true; element = element.contentDocument.activeElement; }
    while (element && element.shadowRoot && element.shadowRoot.activeElement)
        element = element.shadowRoot.activeElement;
    const shape = element.querySelector && element.querySelector(
        ':scope > polygon, :scope > path, :scope > g > a > path, :scope > g > a > polygon');
    const style = getComputedStyle(element);
    return {inEditor, tag: element.tagName, label: element.getAttribute('aria-label') || '',
            text: (element.textContent || '').trim().slice(0, 60),
            inSidebar: Boolean(element.closest && element.closest('[data-testid=stSidebar]')),
            ring: shape ? getComputedStyle(shape).stroke : style.outlineStyle !== 'none'
                ? style.outlineColor : style.boxShadow}; }"""


def press(page: object, key: str) -> dict:
    page.keyboard.press(key)
    return page.evaluate(FOCUSED)


@pytest.mark.parametrize("width,height,scheme", LOOKS)
def test_a_keyboard_reaches_a_details_card_and_comes_back_to_the_editor(
        open_page: Callable[..., object], app_url: str, width: int, height: int,
        scheme: str) -> None:
    """From page load, keys only: the skip links come first (not the closed sidebar's nine
    controls), the graph's boxes take the focus with a visible ring, the arrows move between
    them, Enter opens a card and the focus follows it, closing it returns to the box, and
    Escape then Tab leaves the editor (Tab used to indent for ever)."""
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    expect(editor_frame(page).locator(".ace_content")).to_be_visible()
    # The skip links show once their targets are there (the page looks a few times a second):
    # the graph's may come a moment after the graph.
    expect_page(page, "() => { const links = [...document.querySelectorAll('.sv-skip a')]; "
                      "return links.length === 2 && links.every(a => !a.hidden); }",
                "both skip links")
    skip = press(page, "Tab")
    assert skip["text"] == "Skip to the editor" and skip["ring"] == "rgb(255, 191, 71)", skip
    assert press(page, "Tab")["text"] == "Skip to the graph"
    box = press(page, "Enter")
    assert box["label"] and box["ring"] == "rgb(11, 87, 208)", box  # the focus ring
    seen = [box["label"]]
    while seen[-1].startswith("scope ") and len(seen) < 12:
        seen.append(press(page, "ArrowDown")["label"])
    assert not seen[-1].startswith("scope ") and len(set(seen)) == len(seen), seen
    variable = seen[-1]
    expect(page.locator(".sv-card")).to_have_count(0)
    page.keyboard.press("Enter")
    card = page.locator(".sv-card")
    expect(card).to_contain_text(variable.removesuffix(":0"))
    poll_until(lambda: page.evaluate(FOCUSED), lambda focus: focus["text"] == "Close",
               "the focus on the card's Close")
    page.screenshot(path=str(SCREENSHOTS / f"keyboard_card_{width}x{height}_{scheme}.png"))
    page.keyboard.press("Enter")
    expect(card).to_have_count(0)
    poll_until(lambda: page.evaluate(FOCUSED), lambda focus: focus["label"] == variable,
               "the focus back on the box")
    for _ in range(40):  # back up the page to the editor
        if press(page, "Shift+Tab")["inEditor"]:
            break
    focus = page.evaluate(FOCUSED)
    assert focus["inEditor"], focus
    assert not press(page, "Enter")["inSidebar"]
    page.keyboard.type("# typed\n")
    expect(editor_frame(page).locator(".ace_content")).to_contain_text("# typed")
    assert press(page, "Tab")["inEditor"]  # Tab indents
    press(page, "Escape")
    assert not press(page, "Tab")["inEditor"]  # Escape, then Tab, leaves it


# Whether an element lies within the window, below Streamlit's 60 px header.
IN_VIEW = """element => { const box = element.getBoundingClientRect();
    return box.top >= 60 && box.bottom <= window.innerHeight && box.height > 0; }"""


@pytest.mark.parametrize("width,height,scheme", LOOKS)
def test_run_graph_details_and_error_are_in_view_without_scrolling(
        open_page: Callable[..., object], app_url: str, width: int, height: int,
        scheme: str) -> None:
    """At 1366x768: Run and the graph's top on the first screen; a clicked box's card in
    view with the box; after a failing run started low on a long page, the error and its
    marked line in view (they were above the screen). At 800x600, where the graph follows
    the code, a 'Graph' link jumps to it."""
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?example=model_bert_like_encoder")
    graph = page.locator(".scopeviz-graph")
    expect(graph.locator("svg")).to_be_visible()
    run = page.locator(".st-key-run button")
    expect(run).to_be_visible()
    assert run.evaluate(IN_VIEW.replace("box.top >= 60", "box.top >= 0"))
    if width >= 1366:
        assert page.evaluate("""() => { for (const host of document.querySelectorAll('*')) {
            const box = host.shadowRoot && host.shadowRoot.querySelector('.scopeviz-graph');
            if (box) return box.getBoundingClientRect().top + 120 <= window.innerHeight; } }""")
    else:  # the graph follows the code, out of view: a link jumps to it
        jump = page.get_by_role("link", name="Jump to the graph")
        expect(jump).to_be_visible()
        jump.click()
        poll_until(lambda: graph.first.evaluate(IN_VIEW.replace(
            "box.bottom <= window.innerHeight", "box.top < window.innerHeight / 2")), bool,
            "the graph's top in view")
        expect(jump).to_be_hidden()
    box = page.locator(".scopeviz-graph g.node").filter(has_text="word_embeddings")
    box.click()
    card = page.locator(".sv-card")
    expect(card).to_contain_text("bert/embeddings/word_embeddings:0")
    poll_until(lambda: card.evaluate(IN_VIEW) and box.evaluate(IN_VIEW), bool,
               "the card and its box in view")
    page.screenshot(path=str(SCREENSHOTS / f"card_in_view_{width}x{height}_{scheme}.png"))
    page.mouse.wheel(0, 5000)  # low on the page, as after reading the graph
    replace_editor_text(page, "import tensorflow as tf\nx = tf.get_variable('w', [1])\n"
                              "y = tf.get_variable('w', [1])\n")
    page.mouse.wheel(0, 5000)
    editor_frame(page).locator(".ace_content").click()
    page.keyboard.press("Control+Enter")
    error = page.locator(".st-key-run_error")
    expect(error).to_contain_text("line 3")
    # At 800x600 the results follow the code: the line, and the message's first lines.
    poll_until(lambda: error.evaluate(IN_VIEW if width >= 1366 else IN_VIEW.replace(
        "box.bottom <= window.innerHeight", "box.top + 40 <= window.innerHeight")), bool,
        "the error in view")
    marked = editor_frame(page).locator(".scopeviz-error-line")
    expect(marked).to_have_count(1)
    poll_until(lambda: marked.bounding_box(), lambda line: line and 60 <= line["y"]
               and line["y"] + line["height"] <= height, "the error's line in view")
    page.screenshot(path=str(SCREENSHOTS / f"error_in_view_{width}x{height}_{scheme}.png"))
