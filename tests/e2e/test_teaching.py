"""In a real browser, the app as a workshop uses it: the presenter view (large type, nothing
below the fold at 125%, arrow keys, full screen with code, graph and sentence, WCAG AA in both
themes) and the predict-the-names exercise."""

from __future__ import annotations

import os
import re
from typing import Callable

import pytest
from browser_support import (
    CHROMIUM,
    ONE_MISS,
    SCREENSHOTS,
    TEXT_CONTRASTS,
    answer_and_check,
    expect,
    expect_page,
    poll_until,
)

from viz.core.share import encode_snippet

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]

SEED_1 = "seed_1_name_scope_vs_variable_scope"

# The presenter's graph labels: each text's size on screen in CSS px (its font size through
# every transform: the SVG's points, the explorer's zoom), and its contrast against the fill
# of the shape it sits in (white where none: the explorer's background).
GRAPH_LABELS = """() => {
    const rgb = (text) => {
        if (!text || text === "none") return [255, 255, 255];
        if (text.startsWith("#")) return [1, 3, 5].map(i => parseInt(text.slice(i, i + 2), 16));
        return text.match(/[0-9.]+/g).slice(0, 3).map(Number); };
    const lum = (c) => { const v = c.map(x => { x /= 255;
        return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
    for (const host of document.querySelectorAll('*')) {
        const box = host.shadowRoot && host.shadowRoot.querySelector('.sv-present .scopeviz-graph');
        if (!box || !box.querySelector('svg text')) continue;
        return [...box.querySelectorAll('g.node text, g.cluster text')].map(text => {
            const group = text.closest('g.node, g.cluster');
            const shape = group.querySelector('polygon, path, ellipse');
            const a = lum(rgb(text.getAttribute('fill') || '#000000'));
            const b = lum(rgb(shape && shape.getAttribute('fill')));
            return {px: parseFloat(text.getAttribute('font-size')) * text.getScreenCTM().a,
                    contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
        });
    }
    return []; }"""

# Where the presenter's parts end, in CSS px, and the window's height.
BOTTOMS = """() => {
    const inShadow = (selector) => { for (const host of document.querySelectorAll('*')) {
        const found = host.shadowRoot && host.shadowRoot.querySelector(selector);
        if (found) return found; } return null; };
    const bottom = (element) => element ? element.getBoundingClientRect().bottom : null;
    const sentence = document.querySelector('.st-key-present_sentence');
    const focus = inShadow('.scopeviz-graph g.sv-focus'), graph = inShadow('.scopeviz-graph');
    const mark = inShadow('.cv-mark'), code = inShadow('.cv-box');
    const inside = (inner, outer) => { if (!inner || !outer) return false;
        const i = inner.getBoundingClientRect(), o = outer.getBoundingClientRect();
        return i.width > 0 && i.top >= o.top - 1 && i.bottom <= o.bottom + 1; };
    return {window: window.innerHeight, sentence: bottom(sentence), code: bottom(code),
            graph: bottom(graph),
            next: bottom(document.querySelector('.st-key-present_next')),
            boxInView: inside(focus, graph), lineInView: inside(mark, code)}; }"""


def open_presenter(page: object, app_url: str, example: str, step: int) -> None:
    page.goto(f"{app_url}/?example={example}&present=1&step={step}")
    expect(page.get_by_text(re.compile(rf"Step {step} of \d+, line"))).to_be_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_presenter_view_is_large_and_readable_at_1920x1080(
        open_page: Callable[..., object], app_url: str, scheme: str) -> None:
    page = open_page(1920, 1080, scheme)
    open_presenter(page, app_url, SEED_1, 7)
    code_px = page.locator(".cv-text").first.evaluate(
        "node => parseFloat(getComputedStyle(node).fontSize)")
    assert code_px >= 20
    labels = poll_until(lambda: page.evaluate(GRAPH_LABELS), lambda found: len(found) >= 8,
                        "the presenter's graph labels")
    assert min(label["px"] for label in labels) >= 16
    assert min(label["contrast"] for label in labels) >= 4.5
    # The code, the sentence and the bar's words against the page's theme: WCAG AA (a
    # disabled button, Next at the last step, is exempt).
    texts = page.locator(".cv-text, .cv-number, .st-key-present_sentence p, "
                         ".st-key-present_bar button:enabled p, "
                         ".st-key-present_bar [data-testid=stMarkdown] p")
    poll_until(lambda: texts.evaluate_all(TEXT_CONTRASTS),
               lambda ratios: len(ratios) > 30 and min(ratios) >= 4.5,
               "the presenter's text contrast")
    expect(page.locator(".cv-mark .cv-text")).to_have_text("    v4 = tf.Variable([1], name='v4')")
    page.screenshot(path=str(SCREENSHOTS / f"presenter_1920x1080_{scheme}.png"))


@pytest.mark.parametrize("example,step,scheme", [
    ("model_bert_like_encoder", 40, "light"), ("model_bert_like_encoder", 40, "dark"),
    ("existing_variable_without_reuse", 1, "light")])
def test_at_1366x768_and_125_percent_nothing_needed_is_below_the_fold(
        open_page: Callable[..., object], app_url: str, example: str, step: int,
        scheme: str) -> None:
    """A 204-variable model, deep in its naming, and a run TF stopped with its long
    ValueError (on a busy server the model's run may time out: an error line then too):
    the step's line and box in view, and the bar, both panels, the error's one line and the
    (three-line) sentence above the window's bottom edge."""
    page = open_page(1366, 768, scheme, zoom=1.25)
    open_presenter(page, app_url, example, step)
    poll_until(lambda: page.evaluate(BOTTOMS),
               lambda seen: seen["boxInView"] and seen["lineInView"] and all(
                   seen[part] is not None and seen[part] <= seen["window"]
                   for part in ("sentence", "code", "graph", "next")),
               "the presenter's parts above the fold")
    if example == "existing_variable_without_reuse":
        error = page.locator(".st-key-present_error p")
        expect(error).to_contain_text("Variable conv/kernel already exists, disallowed")
        assert error.evaluate("p => p.getBoundingClientRect().height < 2 * "
                              "parseFloat(getComputedStyle(p).lineHeight)")
    name = "_error" if example == "existing_variable_without_reuse" else ""
    page.screenshot(path=str(SCREENSHOTS / f"presenter_1366x768_125pct{name}_{scheme}.png"))


def test_arrow_keys_step_and_full_screen_keeps_code_graph_and_sentence(
        open_page: Callable[..., object], app_url: str) -> None:
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example={SEED_1}")
    page.get_by_role("button", name="Present").click()
    expect(page.get_by_text(re.compile(r"Step 1 of 7, line"))).to_be_visible()
    page.keyboard.press("ArrowRight")
    expect(page.get_by_text(re.compile(r"Step 2 of 7, line 13"))).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]step=2&present=1|[?&]present=1.*step=2"))
    expect(page.locator(".cv-mark .cv-number")).to_have_text("13")
    page.get_by_role("button", name="Full screen").click()
    expect_page(page, "() => document.fullscreenElement === document.documentElement",
                "the whole page in full screen")
    for part in (page.locator(".cv-box"), page.locator(".scopeviz-graph"),
                 page.locator(".st-key-present_sentence")):
        expect(part).to_be_in_viewport()
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Exit").click()
    expect(page.get_by_role("button", name="Present")).to_be_visible()
    expect(page).not_to_have_url(re.compile("present=1"))


def test_play_reaches_the_last_step_in_the_presenter_view(
        open_page: Callable[..., object], app_url: str) -> None:
    page = open_page(1920, 1080)
    open_presenter(page, app_url, SEED_1, 1)
    page.get_by_role("button", name="Play").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(page.get_by_text(re.compile(r"Step 7 of 7, line 23"))).to_be_visible()
    expect(page.get_by_role("button", name="Play")).to_be_visible()  # stopped at the last
    poll_until(lambda: page.evaluate(BOTTOMS), lambda seen: seen["boxInView"]
               and seen["lineInView"], "the last step's line and box in view")


@pytest.mark.parametrize("width,height,scheme", [(1366, 768, "light"), (1366, 768, "dark"),
                                                 (800, 600, "light")])
def test_an_exercise_with_one_wrong_answer_scores_3_of_4_and_says_why(
        open_page: Callable[..., object], app_url: str, width: int, height: int,
        scheme: str) -> None:
    page = open_page(width, height, scheme)
    page.goto(f"{app_url}/?exercise={SEED_1}")
    answer_and_check(page, ONE_MISS)
    expect(page.get_by_text("3 of 4 right")).to_be_visible()
    expect(page.get_by_text("TF names it vsc1/v3:0. v3 is vsc1/v3 and not nsc1/vsc1/v3 "
                            "because tf.get_variable ignores name scopes",
                            exact=False)).to_be_visible()
    expect(page.get_by_text("Right", exact=True)).to_have_count(3)
    page.screenshot(path=str(SCREENSHOTS / f"exercise_{width}x{height}_{scheme}.png"))


def test_markup_in_the_presenters_code_stays_text(open_page: Callable[..., object],
                                                  app_url: str) -> None:
    """The code panel is the room's screen: a snippet's markup must not become an element."""
    hostile = ('x = tf.Variable(1, name="v")  # <img src=x onerror="document.title=1">\n'
               '<script>document.title = 2</script> = None\n')
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?snippet={encode_snippet(hostile)}&present=1")
    page.get_by_role("button", name="Run this shared snippet").click()
    expect(page.locator(".cv-text").nth(1)).to_have_text(
        "<script>document.title = 2</script> = None")
    expect(page.locator(".cv-text").first).to_contain_text('<img src=x onerror=')
    assert page.locator(".cv-box img, .cv-box script").count() == 0
    assert page.title() == "ScopeViz"
