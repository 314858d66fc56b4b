"""End to end in a real browser: Playwright drives Debian's chromium against `streamlit run`."""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Callable, Iterator

import pytest
from conftest import ROOT

from viz.core.share import encode_snippet

playwright = pytest.importorskip("playwright.sync_api")
expect = playwright.expect
# The first run after the server starts may wait for the worker to import TensorFlow.
expect.set_options(timeout=90_000)

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``streamlit run app.py`` on a free port: its URL and process id. Sessions whose page
    closed are dropped after 2 s (the default is 120 s), so tests can watch memory fall."""
    port = free_port()
    log = (tmp_path_factory.mktemp("streamlit") / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.disconnectedSessionTTL", "2"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                raise RuntimeError("streamlit did not become healthy") from None
            time.sleep(0.3)
    yield url, server.pid
    server.terminate()
    server.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def app_url(app_server: tuple[str, int]) -> str:
    return app_server[0]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright.sync_playwright() as driver:
        chromium = driver.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield chromium
        chromium.close()


@pytest.fixture()
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1500, "height": 1100},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


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


def test_example_url_draws_the_scope_tree(page: object, app_url: str) -> None:
    # The server's first visitor: the page starts TensorFlow and shows its progress.
    started = time.monotonic()
    page.goto(f"{app_url}/?example=seed_3_get_variable_sharing")
    graph = page.locator(".scopeviz-graph svg")
    expect(graph).to_be_visible()
    print(f"\nfirst visit to first graph: {time.monotonic() - started:.1f} s")
    expect(graph.locator("g.node title", has_text="image_filters/conv1/weights:0")).to_have_count(1)
    svg = graph.evaluate("node => node.outerHTML")
    assert "image_filters/conv1_1" in svg
    # created and later reused: the created fill, a thick blue border and the count
    assert svg.count("reused x1") == 4 and 'stroke-width="2.5"' in svg
    assert "reuse (line 15)" in svg


def test_uniquified_variable_shows_requested_and_given(page: object, app_url: str) -> None:
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    graph = page.locator(".scopeviz-graph svg")
    expect(graph).to_be_visible()
    expect(graph).to_contain_text("nsc1/v4 -> nsc1_1/v4")
    assert "#fdb863" in graph.evaluate("node => node.outerHTML")


def test_snippet_with_an_error_shows_type_and_line(page: object, app_url: str) -> None:
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    source = ("with tf.variable_scope('a'):\n    tf.get_variable('w', [1])\n"
              "with tf.variable_scope('a'):\n    tf.get_variable('w', [1])\n")
    replace_editor_text(page, source)
    page.get_by_role("button", name="Run").click()
    alert = page.get_by_text("ValueError at line 4", exact=False).first
    expect(alert).to_be_visible()
    expect(page.get_by_text("Variable a/w already exists", exact=False).first).to_be_visible()
    # above the fold of the test's window, beside the editor
    poll_until(lambda: alert.bounding_box()["y"], lambda y: y < 600, "the error's top")
    frame = page.frame_locator(EDITOR_FRAME)
    # the line marked in the editor: its gutter cell and the line itself
    expect(frame.locator(".ace_gutter-cell.ace_error")).to_have_text("4")
    expect(frame.locator(".scopeviz-error-line")).to_have_count(1)
    expect_editor_text(page, source)
    partial = page.locator(".scopeviz-graph svg").first
    expect(partial.locator("g.node title", has_text="a/w:0")).to_have_count(1)
    stale = page.get_by_text("Last successful run (stale", exact=False)
    expect(stale).to_be_visible()
    # collapsed: the stale graph is not what the user sees as the result
    expect(page.locator(".scopeviz-graph svg").nth(1)).to_be_hidden()


def test_csv_download(page: object, app_url: str, tmp_path: Path) -> None:
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="CSV").click()
    target = tmp_path / "scopeviz.csv"
    download_info.value.save_as(target)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "name,requested,status,api,shape,dtype,trainable,line,graph"
    assert lines[4].startswith("nsc1_1/v4:0,nsc1/v4,uniquified")


def test_ctrl_enter_in_the_editor_runs_the_snippet(page: object, app_url: str) -> None:
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    replace_editor_text(page, "with tf.name_scope('ctrl'):\n    v = tf.Variable(1, name='enter')\n")
    page.keyboard.press("Control+Enter")
    graph = page.locator(".scopeviz-graph svg")
    expect(graph.locator("g.node title", has_text="ctrl/enter:0")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]snippet="))


SLOW = ("import time\ntime.sleep(3)\nwith tf.name_scope('slow'):\n"
        "    v = tf.Variable(1, name='kept')\n")


def change_a_widget_mid_run(page: object, running: str) -> None:
    """Once the page shows its ``running`` spinner (Streamlit shows it half a second into a
    run; SLOW sleeps 3 s in its worker), ticks a sidebar checkbox: a new rerun while the run
    is in flight. The sidebar must be open."""
    expect(page.get_by_text(running, exact=False)).to_be_visible()
    page.get_by_text("Show ops", exact=True).click()


def test_a_widget_changed_during_a_run_does_not_lose_the_run(page: object, app_url: str) -> None:
    """Streamlit stops the running script when a widget changes; a run in flight then must
    still land (it was lost, and a click on Run seemed to do nothing)."""
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    page.get_by_test_id("stExpandSidebarButton").click()
    replace_editor_text(page, SLOW)
    page.keyboard.press("Control+Enter")
    change_a_widget_mid_run(page, "Running in TensorFlow")
    expect(graph_nodes(page, "slow/kept:0")).to_have_count(1)


def test_a_widget_changed_during_a_comparison_does_not_lose_it(page: object,
                                                             app_url: str) -> None:
    page.goto(app_url)
    page.get_by_text("Compare two snippets", exact=True).click()
    expect(page.get_by_text("Write or paste two versions of a model")).to_be_visible()
    page.get_by_test_id("stExpandSidebarButton").click()
    replace_editor_text(page, SLOW, index=0)  # A
    page.locator(".st-key-compare").get_by_role("button", name=re.compile("^Compare")).click()
    change_a_widget_mid_run(page, "Running both snippets")
    expect(page.get_by_text("0 same, 0 renamed, 0 changed, 1 only in A, 5 only in B")
           ).to_be_visible()


def test_tab_indents_and_leaving_the_editor_runs_nothing(page: object, app_url: str) -> None:
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg g.node title", has_text="nsc1_1/v4:0")
           ).to_have_count(1)
    replace_editor_text(page, "with tf.name_scope('tabbed'):\n")
    page.keyboard.press("Control+End")
    page.keyboard.press("Tab")
    page.keyboard.insert_text("v = tf.Variable(1, name='half')")
    expect_editor_text(page, "\n    v = tf.Variable(1, name='half')", ending=True)
    page.keyboard.press("Shift+Tab")
    expect_editor_text(page, "\nv = tf.Variable(1, name='half')", ending=True)
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    page.get_by_text("Ctrl+Enter runs", exact=False).click()  # the editor loses focus
    # the editor reported its text, and the page says the results are of the older code
    expect(page.get_by_text("Edited since the last run")).to_be_visible()
    # nothing ran: the graph is still the example's, and the typed text is all there
    expect(page.locator(".scopeviz-graph svg g.node title", has_text="tabbed/half:0")
           ).to_have_count(0)
    expect(page.locator(".scopeviz-graph svg g.node title", has_text="nsc1_1/v4:0")
           ).to_have_count(1)
    expect_editor_text(page, "with tf.name_scope('tabbed'):\n    v = tf.Variable(1, name='half')")
    page.get_by_role("button", name="Run").click()
    expect(page.locator(".scopeviz-graph svg g.node title", has_text="tabbed/half:0")
           ).to_have_count(1)
    expect(page.get_by_text("Edited since the last run")).to_have_count(0)


@pytest.fixture()
def other_origin(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A second local web server: another origin, as a stranger's page would be."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(http.server.SimpleHTTPRequestHandler,
                                            directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", tmp_path
    server.shutdown()


def test_a_hidden_frame_on_another_site_cannot_run_a_shared_snippet(
        page: object, app_url: str, other_origin: tuple[str, Path], tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    link = f"{app_url}/?snippet=" + encode_snippet(
        f"open({str(marker)!r}, 'w').write('pwned')\n")
    origin, folder = other_origin
    (folder / "index.html").write_text(
        f'<p>cat pictures</p><iframe src="{link}" width="900" height="700" '
        'style="opacity:0.01;position:absolute;top:0;left:0"></iframe>', encoding="utf-8")
    page.goto(f"{origin}/index.html")
    frame = page.frame_locator("iframe")
    # The app loaded the code and waits for its own user's click...
    expect(frame.get_by_role("button", name="Run this shared snippet")).to_be_visible()
    expect(frame.get_by_text("runs on this computer", exact=False)).to_be_visible()
    assert not marker.exists()
    # ...and the app still works for the next visitor.
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg g.node title", has_text="nsc1_1/v4:0")
           ).to_have_count(1)
    assert not marker.exists()


def test_the_local_server_listens_on_this_machine_only(app_url: str) -> None:
    port = int(app_url.rsplit(":", 1)[1])
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # picks the outward interface; sends nothing
            outside = probe.getsockname()[0]
        except OSError:
            outside = "127.0.0.1"
    if outside.startswith("127."):
        pytest.skip("this machine has no address besides loopback")
    with pytest.raises(OSError):
        socket.create_connection((outside, port), timeout=2).close()


def test_hostile_names_show_as_text_and_make_no_element(page: object, app_url: str) -> None:
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    evil = "<img src=x id=injected>[x](javascript:alert(1))"
    replace_editor_text(page, f"Evil = type({evil!r}, (tf.layers.Dense,), {{}})\n"
                        "Evil(2, name='d\\\\')(tf.zeros([1, 2]))\n"
                        f"raise ValueError({evil!r} + ' ![i](http://127.0.0.1:9/i.png)')\n")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("ValueError at line 3", exact=False).first).to_be_visible()
    graph = page.locator(".scopeviz-graph svg").first
    expect(graph.locator("g.node title", has_text="kernel:0")).to_have_count(1)
    tooltips = graph.evaluate("svg => [...svg.querySelectorAll('a')].map("
                              "a => a.getAttributeNS('http://www.w3.org/1999/xlink', 'title'))")
    assert any(t.startswith("d\\/kernel:0\n") for t in tooltips), tooltips
    page.get_by_role("tab", name="Why these names").click()
    expect(page.get_by_text(f"(created by {evil}.__call__)", exact=False)).to_have_count(2)
    expect(page.locator("#injected")).to_have_count(0)
    # The editor's gutter tooltip holds the message as text too.
    frame = page.frame_locator(EDITOR_FRAME)
    frame.locator(".ace_gutter-cell.ace_error").hover()
    expect(frame.locator(".ace_tooltip")).to_contain_text("<img src=x id=injected>")
    expect(frame.locator("#injected, img[src='x']")).to_have_count(0)
    expect(page.locator("a[href^='javascript'], img[src='x'], img[src*='127.0.0.1:9']")
           ).to_have_count(0)
    expect(page.locator(".scopeviz-graph svg a[href], .scopeviz-graph svg a[*|href]")
           ).to_have_count(0)


def test_bare_urls_a_snippet_controls_are_text_not_links(page: object, app_url: str) -> None:
    """A URL, a www. host or an address in a name, an exception message, the step text or
    an ?example= value was a clickable link in the trusted page (phishing inside ScopeViz)."""
    page.goto(f"{app_url}/?example=https://evil.example/login&step=1")
    expect(page.get_by_text("there is no example named", exact=False)).to_be_visible()
    expect(page.locator(".scopeviz-graph svg")).to_have_count(0)
    replace_editor_text(page, "with tf.variable_scope('www.evil.example'):\n"
                        "    v = tf.get_variable('w', [1])\n"
                        "raise ValueError('see https://evil.example/login or admin@evil.example')\n")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("ValueError at line 3", exact=False).first).to_be_visible()
    expect(page.get_by_text("evil.example/login or admin", exact=False).first).to_be_visible()
    expect(page.get_by_text("Step 1 of", exact=False)).to_be_visible()
    expect(page.get_by_text("evil.example", exact=False).first).to_be_visible()
    page.get_by_role("tab", name="Why these names").click()
    expect(page.get_by_text("put it in variable scope www", exact=False)).to_be_visible()
    expect(page.locator("a[href*='evil'], a[href^='mailto']")).to_have_count(0)


FLOODS = [
    "for i in range(3782):\n    with tf.name_scope('n' * 100_000 + str(i)):\n        pass\n",
    "for i in range(490_009):\n    with tf.name_scope('s%d' % i):\n        pass\n",
    "raise ValueError('x' * 20_000_000)\n",
    "import os\nwhile True:\n    os.write(1, b'x' * 65536)\n",
]


def test_floods_in_two_tabs_leave_the_server_memory_flat(
        browser: object, app_server: tuple[str, int]) -> None:
    url, pid = app_server
    warm = browser.new_page()
    warm.goto(f"{url}/?example=seed_1_name_scope_vs_variable_scope")
    expect(warm.locator(".scopeviz-graph svg")).to_be_visible()
    warm.close()
    baseline = rss_mib(pid)
    samples = [baseline]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            samples.append(rss_mib(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    contexts = [browser.new_context(viewport={"width": 1366, "height": 768}) for _ in range(2)]
    for context in contexts:
        page = context.new_page()
        for flood in FLOODS:
            page.goto(f"{url}/?snippet={encode_snippet(flood)}")
            page.get_by_role("button", name="Run this shared snippet").click()
            expect(page.locator("[data-testid='stAlertContentError']").first).to_be_visible()
        expect(page.get_by_text("OutputLimit", exact=False).first).to_be_visible()
    for context in contexts:
        context.close()
    sampling.set()
    sampler.join()
    peak = max(samples)
    deadline = time.monotonic() + 60
    while rss_mib(pid) > baseline + 100 and time.monotonic() < deadline:
        time.sleep(1)
    after = rss_mib(pid)
    print(f"\nserver RSS: {baseline:.0f} MiB, peak {peak:.0f} MiB, after the tabs closed "
          f"{after:.0f} MiB")
    assert peak - baseline < 200
    assert after - baseline < 100


SCREENSHOTS = ROOT / "tests" / "screenshots"
# True once a box titled `name` is in a graph (the explorer lives in a shadow root).
DRAWN = """name => [...document.querySelectorAll('*')].some(host => host.shadowRoot && [
    ...host.shadowRoot.querySelectorAll('g.node > title')].some(t => t.textContent === name))"""
SIZES = [(1366, 768), (800, 600)]


@pytest.fixture()
def open_page(browser: object) -> Iterator[Callable[..., object]]:
    """Opens a page at a window size and colour scheme; closes them all at the end."""
    contexts = []

    def make(width: int, height: int, scheme: str = "light") -> object:
        context = browser.new_context(viewport={"width": width, "height": height},
                                      color_scheme=scheme, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(90_000)
        return page

    yield make
    for context in contexts:
        context.close()


def graph_nodes(page: object, title: str) -> object:
    return page.locator(".scopeviz-graph svg g.node", has=page.locator("title", has_text=title))


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


# Each legend entry's WCAG contrast ratio against the background it is drawn on.
CONTRASTS = """spans => spans.map(span => {
    const rgb = (text) => text.match(/[0-9.]+/g).slice(0, 3).map(Number);
    const lum = (c) => { const v = c.map(x => { x /= 255;
        return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
        return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]; };
    let node = span, bg = getComputedStyle(node).backgroundColor;
    while (bg === "rgba(0, 0, 0, 0)" && node.parentElement) {
        node = node.parentElement; bg = getComputedStyle(node).backgroundColor; }
    const a = lum(rgb(getComputedStyle(span).color)), b = lum(rgb(bg));
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05); })"""


def legend_contrasts(page: object, entries: int) -> list[float]:
    """The legend's contrast ratios once it shows at least ``entries`` entries, all readable
    (at least 4.5:1). The legend (st.html) shows once a fresh browser has loaded its code (in
    CI, after the graph) and takes the theme's colours a moment later: waited for, with the
    last ratios in the failure."""
    legend = page.locator(".scopeviz-legend span")
    expect(legend.first).to_be_visible()
    return poll_until(lambda: legend.evaluate_all(CONTRASTS),
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
    name = "tf2_small" if example.startswith("eager") else "tf2_keras3_214_variables"
    page.screenshot(path=str(SCREENSHOTS / f"{name}_{width}x{height}_{scheme}.png"))


def test_downloads_complete_twenty_of_twenty(open_page: Callable[..., object],
                                             app_url: str, tmp_path: Path) -> None:
    """Twenty quick clicks, each its whole file (a click used to rerun the page, and a
    rerun could cancel the download). In two tabs of ten: Chromium passes at most ten
    download requests a second from one frame (its throttle against abuse), and quick
    clicks come faster than that."""
    formats = ["SVG", "PNG", "DOT", "CSV", "JSON"]
    for tab in range(2):
        first: dict[str, bytes] = {}  # each tab runs the example anew (its time differs)
        page = open_page(1366, 768)
        page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
        expect(page.locator(".scopeviz-graph svg")).to_be_visible()
        for attempt in range(10):
            fmt = formats[attempt % len(formats)]
            with page.expect_download() as download_info:
                page.get_by_role("button", name=fmt, exact=True).click()
            target = tmp_path / f"{tab}-{attempt}.{fmt.lower()}"
            download_info.value.save_as(target)
            data = target.read_bytes()
            assert data == first.setdefault(fmt, data), f"{fmt} differs at click {attempt}"
        assert first["PNG"].startswith(b"\x89PNG") and b"</svg>" in first["SVG"]
        assert json.loads(first["JSON"])["variables"][3]["name"] == "nsc1_1/v4:0"


@pytest.mark.parametrize("width,height", SIZES)
def test_a_checkpoint_upload_colours_the_graph_and_its_map_downloads(
        open_page: Callable[..., object], app_url: str, checkpoints: dict[str, str],
        tmp_path: Path, width: int, height: int) -> None:
    """The refactored example checked against a checkpoint of the code before the refactor:
    four variables missing (coloured), four unused keys drawn, the map that loads it."""
    page = open_page(width, height)
    page.goto(f"{app_url}/?example=refactor_after")
    expect(page.locator(".scopeviz-graph svg")).to_be_visible()
    page.get_by_text("Check against a checkpoint").click()
    prefix = checkpoints["refactor_before"]
    page.locator('input[type="file"]').set_input_files(
        [prefix + ".index", prefix + ".data-00000-of-00001"])
    missing = page.locator(".scopeviz-graph svg g.node", has=page.locator(
        "text", has_text="missing"))
    expect(missing).to_have_count(4)
    unused = page.locator(".scopeviz-graph svg g.node", has=page.locator(
        "text", has_text="unused key"))
    expect(unused).to_have_count(4)
    assert missing.first.locator("path, polygon").first.get_attribute("fill") == "#f4a582"
    expect(page.get_by_text("missing (4)")).to_be_visible()  # the legend counts marks
    page.locator(".sv-fit").click()
    page.locator(".scopeviz-graph").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"checkpoint_{width}x{height}.png"))
    page.get_by_role("tab", name="Checkpoint").click()
    expect(page.get_by_text("1 restore, 4 missing, 0 mismatched, 4 unused keys")).to_be_visible()
    with page.expect_download(timeout=30_000) as download_info:
        page.get_by_role("button", name="assignment_map (JSON)").click()
    target = tmp_path / "assignment_map.json"
    download_info.value.save_as(target)
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "global_step": "global_step", "weights": "fc1/weights", "biases": "fc1/biases",
        "weights_1": "fc2/weights", "biases_1": "fc2/biases"}
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")


@pytest.mark.parametrize("width,height", SIZES)
def test_the_compare_view_draws_both_graphs_coloured_by_the_mapping(
        open_page: Callable[..., object], app_url: str, width: int, height: int) -> None:
    page = open_page(width, height)
    page.goto(app_url)
    page.get_by_text("Compare two snippets", exact=True).click()
    # at once, as people click: a comparison interrupted by the new editors' first reports
    # was lost (once in CI); it now lands whatever reruns the page meanwhile
    page.locator(".st-key-compare").get_by_role("button", name=re.compile("^Compare")).click()
    expect(page.get_by_text("1 same, 4 renamed, 0 changed, 0 only in A, 0 only in B")
           ).to_be_visible()
    graphs = page.locator(".scopeviz-graph svg")
    expect(graphs).to_have_count(2)
    renamed = page.locator(".scopeviz-graph svg g.node", has=page.locator(
        "text", has_text="renamed"))
    expect(renamed).to_have_count(8)  # four in A, four in B
    expect(page).to_have_url(re.compile(r"[?&]view=compare&.*a=.*&b="))
    page.locator(".st-key-compare_graphs").scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"compare_{width}x{height}.png"))
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")


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


@pytest.mark.parametrize("width,height", SIZES)
def test_the_tf2_mode_switch_and_its_link(open_page: Callable[..., object], app_url: str,
                                         width: int, height: int) -> None:
    page = open_page(width, height)
    page.goto(app_url)
    expect(page.get_by_text("TF2", exact=True)).to_be_visible()
    page.get_by_text("TF2", exact=True).click()
    # the TF1 example gives way to the first TF2 one, run in real TF2 (a Keras 3 model)
    expect(graph_nodes(page, "net/kernel:0")).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]mode=tf2"))
    page.goto(f"{app_url}/?example=eager_duplicate_names")  # an example link picks its mode
    expect(graph_nodes(page, "Variable (2):0")).to_have_count(1)
    page.get_by_role("tab", name="Variables").click()
    expect(page.get_by_text("duplicate_name").first).to_be_visible()
    expect_page(page, NO_OVERFLOW, "the page no wider than the window")


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
