"""The browser tests' fixtures: the app served by ``streamlit run`` (one server per test
module, so each module starts with a fresh server) and Debian's chromium driven by
Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from typing import Callable, Iterator

import pytest
from browser_support import CHROMIUM, playwright
from support import ROOT, free_port

FAILURES = ROOT / ".failures"  # a failed browser test's pages, as they were (not committed)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[object]:
    """Keeps each phase's report on the test, so its page fixtures know it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def failed(request: pytest.FixtureRequest) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is not None and report.failed


def keep_failure(request: pytest.FixtureRequest, pages: list[object]) -> None:
    """A failed test's pages as screenshots in .failures/: what the browser showed when an
    expectation ran out of time says more than the locator's message."""
    if not failed(request):
        return
    FAILURES.mkdir(exist_ok=True)
    for number, shown in enumerate(pages):
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
        try:
            shown.screenshot(path=str(FAILURES / f"{name}-{number}.png"), timeout=10_000)
        except playwright.Error:
            pass  # the page itself is gone: the failure's message is all there is


@pytest.fixture(scope="module")
def app_server(request: pytest.FixtureRequest,
               tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """``streamlit run app.py`` on a free port: its URL and process id. Sessions whose page
    closed are dropped after 2 s (the default is 120 s), so tests can watch memory fall. A
    module's ``APP_ENV`` (a dict) is added to the server's environment."""
    port = free_port()
    log = (tmp_path_factory.mktemp("streamlit") / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.disconnectedSessionTTL", "2"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, **getattr(request.module, "APP_ENV", {})})
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
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1500, "height": 1100},
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    keep_failure(request, [page])
    context.close()


@pytest.fixture()
def open_page(browser: object,
              request: pytest.FixtureRequest) -> Iterator[Callable[..., object]]:
    """Opens a page at a window size and colour scheme; closes them all at the end."""
    contexts = []

    def make(width: int, height: int, scheme: str = "light", zoom: float = 1.0) -> object:
        """A window of ``width`` x ``height`` screen pixels; ``zoom`` is the browser's zoom
        (at 125% the page lays out in 1/1.25 as many CSS pixels, each drawn larger)."""
        context = browser.new_context(
            viewport={"width": round(width / zoom), "height": round(height / zoom)},
            device_scale_factor=zoom, color_scheme=scheme, accept_downloads=True)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(90_000)
        return page

    yield make
    keep_failure(request, [shown for context in contexts for shown in context.pages])
    for context in contexts:
        context.close()
