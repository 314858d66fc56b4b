"""What the browser tests share besides fixtures: where chromium is, and waits on the page's
conditions (never fixed times)."""

from __future__ import annotations

import re
import time
from typing import Callable

import pytest
from support import ROOT

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
# The first run after the server starts may wait for the worker to import TensorFlow.
expect.set_options(timeout=90_000)

CHROMIUM = "/usr/bin/chromium"


EDITOR_FRAME = 'iframe[title="code_editor.code_editor"]'


def editor_frame(page: object, index: int = 0) -> object:
    """The code editor's frame: the only one, or in the Compare view 0 for A and 1 for B."""
    return page.locator(EDITOR_FRAME).nth(index).content_frame


def editor_text(page: object, index: int = 0) -> str:
    """What the Ace editor holds."""
    return editor_frame(page, index).locator(".ace_editor").evaluate(
        "node => node.env.editor.getValue()")


def poll_until(read: Callable[[], object], ok: Callable[[object], bool], what: str,
               timeout: float = 60.0) -> object:
    """``expect``'s retrying for a value read from the page: polls ``read()`` every 50 ms
    until ``ok`` holds and returns the value; fails with the last value after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: still {value!r} after {timeout:.0f} s")
        time.sleep(0.05)


def expect_editor_text(page: object, text: str, index: int = 0, ending: bool = False) -> None:
    """Waits until the editor holds ``text`` (or, with ``ending``, ends with it)."""
    poll_until(lambda: editor_text(page, index),
               (lambda value: value.endswith(text)) if ending else (lambda value: value == text),
               f"the editor's text {'ending with' if ending else 'being'} {text!r}")


def expect_page(page: object, script: str, what: str, arg: object = None) -> None:
    """Waits until a script about the page returns true (a layout, a size, a contrast)."""
    poll_until(lambda: page.evaluate(script, arg), bool, what)


NO_OVERFLOW = "() => document.documentElement.scrollWidth <= window.innerWidth"


def replace_editor_text(page: object, text: str, index: int = 0) -> None:
    """Clicks into the editor, selects everything and types over it as a paste does (the
    editor's auto-indent does not apply to pasted text)."""
    editor_frame(page, index).locator(".ace_content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)
    expect_editor_text(page, text, index)


def expect_script(page: object, script_state: str) -> None:
    """Waits until the app's script is in this state ("running", "notRunning"), as the page
    says it (the status widget that also shows it is hidden in the minimal toolbar)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state",
                                                          script_state)


SCREENSHOTS = ROOT / "tests" / "screenshots"


# True once a box titled `name` is in a graph (the explorer lives in a shadow root).
DRAWN = """name => [...document.querySelectorAll('*')].some(host => host.shadowRoot && [
    ...host.shadowRoot.querySelectorAll('g.node > title')].some(t => t.textContent === name))"""


SIZES = [(1366, 768), (800, 600)]


# Each element's WCAG contrast ratio: its text colour against what is behind it, the
# translucent backgrounds up to the first opaque one laid over each other (white if none),
# as the browser paints them (for evaluate_all on elements holding text). An element the page
# replaced meanwhile (a rerun redraws the editor's tokens) has no style: it counts as readable,
# and the caller's next poll reads what replaced it.
TEXT_CONTRASTS = """elements => elements.map(element => {
    if (!element.isConnected) return 21;
    const parse = (text) => { const n = text.match(/[0-9.]+/g).map(Number);
        return [n[0], n[1], n[2], n.length > 3 ? n[3] : 1]; };
    const over = (top, below) => below.map((v, i) => top[i] * top[3] + v * (1 - top[3]));
    const lum = (c) => { const v = c.slice(0, 3).map(x => { x /= 255;
        return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
    const layers = [];
    for (let node = element; node; node = node.parentElement || node.getRootNode().host) {
        const colour = parse(getComputedStyle(node).backgroundColor);
        if (colour[3] > 0) layers.push(colour);
        if (colour[3] >= 1) break; }
    let bg = [255, 255, 255];
    for (const layer of layers.reverse()) bg = over(layer, bg);
    const a = lum(over(parse(getComputedStyle(element).color), bg)), b = lum(bg);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); })"""


# Every element on the page (shadow roots included) that holds text of its own and is shown;
# not the graph's SVG labels (their fill is not a CSS colour: GRAPH_LABELS in
# test_teaching.py checks them) and not icon glyphs (non-text: 3:1, see low_contrast_texts).
SHOWN_TEXTS = """() => { const found = []; const walk = (root) => {
    for (const element of root.querySelectorAll('*')) {
        if (element.shadowRoot) walk(element.shadowRoot);
        if (element.closest('svg')) continue;
        if (![...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const box = element.getBoundingClientRect(), style = getComputedStyle(element);
        if (!box.width || !box.height || style.visibility === 'hidden') continue;
        found.push(element); } };
    walk(document); return found; }"""


def low_contrast_texts(page: object) -> list[tuple[float, str]]:
    """Each text on the page, and each token in the code editors, below WCAG AA (4.5:1;
    icons, drawn with the Material Symbols font, below 3:1), with its ratio."""
    texts = page.evaluate_handle(SHOWN_TEXTS)
    measured = page.evaluate(
        f"""([elements]) => {{ const ratios = ({TEXT_CONTRASTS})(elements);
            return elements.map((element, i) => [ratios[i], element.textContent.trim()
                .slice(0, 40), getComputedStyle(element).fontFamily.includes('Material')]); }}""",
        [texts])
    for index in range(page.locator(EDITOR_FRAME).count()):
        tokens = editor_frame(page, index).locator(".ace_line span, .ace_gutter-cell")
        ratios = tokens.evaluate_all(TEXT_CONTRASTS)
        measured += [[ratio, text, False] for ratio, text in zip(
            ratios, tokens.evaluate_all("els => els.map(e => e.className)"))]
    return [(round(ratio, 2), text) for ratio, text, icon in measured
            if ratio < (3 if icon else 4.5)]


# Seed 1's exercise answered with one miss (v3 is vsc1/v3:0: get_variable ignores name scopes).
ONE_MISS = ["nsc1/v1:0", "nsc1/vsc1/v2", "nsc1/vsc1/v3:0", "nsc1_1/v4:0"]


def answer_and_check(page: object, answers: list[str]) -> None:
    """Types the answers into the exercise's inputs, once they are all there, and checks."""
    fields = page.locator('[class*="st-key-answer_"] input')
    expect(fields).to_have_count(len(answers))
    for field, answer in zip(fields.all(), answers):
        field.fill(answer)
    page.get_by_role("button", name="Check").click()


def graph_nodes(page: object, title: str) -> object:
    return page.locator(".scopeviz-graph svg g.node", has=page.locator("title", has_text=title))


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def start_room(page: object) -> str:
    """Presses Start a room; returns the room's code once the bar shows it."""
    page.get_by_role("button", name="Start a room").click()
    badge = page.get_by_text(re.compile(r"^Room [A-Z0-9]{6}$"))
    expect(badge).to_be_visible()
    return badge.text_content().split()[1]
