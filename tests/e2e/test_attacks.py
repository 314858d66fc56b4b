"""In a real browser, attacks: shared code from another site, the server's address, hostile
names and links a snippet controls, output floods against the server's memory."""

from __future__ import annotations

import functools
import http.server
import os
import socket
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
from browser_support import (
    CHROMIUM,
    EDITOR_FRAME,
    expect,
    replace_editor_text,
    rss_mib,
)

from viz.core.share import encode_snippet

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


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
    # The clicked box's card (drawn by the explorer's script) holds the names as text (the
    # box's name has a backslash: its click opened no card before).
    graph.locator("g.node", has=page.locator("title", has_text="kernel:0")).click()
    card = page.locator(".sv-card")
    expect(card).to_contain_text(f"{evil}.__call__")
    expect(page.locator("#injected")).to_have_count(0)
    card.get_by_role("button", name="Close").click()
    expect(card).to_have_count(0)
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
                        "raise ValueError('see https://evil.example/login or "
                        "admin@evil.example')\n")
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
