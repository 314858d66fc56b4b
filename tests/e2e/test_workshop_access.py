"""In a real browser, a workshop server with an access code: the code comes first, a wrong one
runs nothing, the right one opens the page the link named."""

from __future__ import annotations

import os
from typing import Callable

import pytest
from browser_support import CHROMIUM, expect, expect_script

APP_ENV = {"SCOPEVIZ_ACCESS_CODE": "tiger-42"}

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


def test_a_wrong_access_code_runs_nothing(open_page: Callable[..., object],
                                          app_url: str) -> None:
    page = open_page(1366, 768)
    page.goto(f"{app_url}/?example=seed_1_name_scope_vs_variable_scope")
    code = page.get_by_label("Access code", exact=True)
    expect(code).to_be_visible()
    code.fill("tiger-41")
    page.get_by_role("button", name="Enter").click()
    expect(page.get_by_text("That is not this server's access code.")).to_be_visible()
    expect_script(page, "notRunning")
    expect(page.locator(".scopeviz-graph")).to_have_count(0)
    expect(page.get_by_role("button", name="Run")).to_have_count(0)
    code.fill("tiger-42")
    page.get_by_role("button", name="Enter").click()
    graph = page.locator(".scopeviz-graph svg g.node title", has_text="nsc1_1/v4:0")
    expect(graph).to_have_count(1)
