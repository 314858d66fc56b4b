"""In a real browser, the larger features: downloads, the checkpoint check, the Compare page,
the TF2 mode switch."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Callable

import pytest
from browser_support import (
    CHROMIUM,
    NO_OVERFLOW,
    SCREENSHOTS,
    SIZES,
    expect,
    expect_page,
    graph_nodes,
)

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


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
