"""In a real browser, what a user sees: screenshots at 1366x768 and 800x600 in both themes
(small snippet and 200+ variable models), the legend's contrast, a layout that does not jump."""

from __future__ import annotations

import os
import re
import threading
from typing import Callable

import pytest
from browser_support import (
    CHROMIUM,
    DRAWN,
    NO_OVERFLOW,
    SCREENSHOTS,
    SIZES,
    TEXT_CONTRASTS,
    editor_frame,
    expect,
    expect_page,
    expect_script,
    poll_until,
)

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


def legend_contrasts(page: object, entries: int) -> list[float]:
    """The legend's contrast ratios once it shows at least ``entries`` entries, all readable
    (at least 4.5:1). The legend (st.html) shows once a fresh browser has loaded its code (in
    CI, after the graph) and takes the theme's colours a moment later: waited for, with the
    last ratios in the failure."""
    legend = page.locator(".scopeviz-legend span")
    expect(legend.first).to_be_visible()
    return poll_until(lambda: legend.evaluate_all(TEXT_CONTRASTS),
                      lambda ratios: len(ratios) >= entries and min(ratios) >= 4.5,
                      "the legend's contrast ratios")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("example", ["seed_3_get_variable_sharing", "model_bert_like_encoder"])
def test_screenshots_and_legend_contrast(open_page: Callable[..., object], app_url: str,
                                          width: int, height: int, scheme: str,
                                          example: str) -> None:
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?example={example}")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    assert len(legend_contrasts(page, 5)) == 5
    expect(editor_frame(page).locator(".ace_line").first).to_be_visible()  # in the picture
    name = "seed_3" if example.startswith("seed") else "bert_204_variables"
    page.screenshot(path=str(SCREENSHOTS / f"{name}_{width}x{height}_{scheme}.png"))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width,height", SIZES)
@pytest.mark.parametrize("example,box", [
    ("eager_duplicate_names", "Variable (2):0"),
    ("model_keras3_transformer", "(not in the checkpoint)/embedding_1/embeddings:0")])
def test_tf2_screenshots_and_legend_contrast(open_page: Callable[..., object], app_url: str,
                                             width: int, height: int, scheme: str,
                                             example: str, box: str) -> None:
    """TF2 mode, a small snippet and a 214-variable Keras 3 model: drawn, legend readable,
    nothing wider than the window."""
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?example={example}")
    page.wait_for_function(DRAWN, arg=box, timeout=120_000)
    legend_contrasts(page, 2)
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")
    expect(editor_frame(page).locator(".ace_line").first).to_be_visible()  # in the picture
    name = "tf2_small" if example.startswith("eager") else "tf2_keras3_214_variables"
    page.screenshot(path=str(SCREENSHOTS / f"{name}_{width}x{height}_{scheme}.png"))


@pytest.mark.parametrize("width,height", SIZES)
def test_run_and_compare_stay_where_they_appeared(
        open_page: Callable[..., object], app_url: str, width: int, height: int) -> None:
    """Each element's code loads lazily, seconds apart on a busy machine, and the editor's
    frame is empty until it has drawn itself: Run and Compare sit where nothing above them
    changes height meanwhile, in view, so a click aimed at one lands on it. The code of the
    elements that came late on a busy machine (styles, the segmented controls, the example
    picker) is held back until Run has appeared; text's code cannot be, as a button's label
    is drawn by it."""
    page = open_page(width, height)
    held: list[object] = []
    released = threading.Event()

    def hold(route: object) -> None:
        if released.is_set():
            route.continue_()
        else:
            held.append(route)

    page.route(re.compile(r"/static/js/(Html|ButtonGroup|Selectbox)\."), hold)
    page.goto(app_url, wait_until="commit")  # the held code would hold the load event
    for view, key, editors in (("One snippet", "run", 1), ("Compare two snippets", "compare", 2)):
        if view != "One snippet":  # the page opens on it
            page.get_by_text(view, exact=True).click()
        button = page.locator(f".st-key-{key}").get_by_role("button", name=key.capitalize())
        expect(button).to_be_in_viewport()
        first = button.bounding_box()
        if not released.is_set():
            assert held, "the late elements' code was asked for before Run appeared"
            released.set()
            for route in held:
                route.continue_()
        for index in range(editors):
            expect(editor_frame(page, index).locator(".ace_content")).to_be_visible()
        expect_script(page, "notRunning")
        assert abs(button.bounding_box()["y"] - first["y"]) < 1, view
