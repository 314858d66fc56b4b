"""In a real browser: running examples and snippets, errors with their lines, the editor's keys, a
run or comparison that a widget change interrupts, downloads."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from browser_support import (
    CHROMIUM,
    EDITOR_FRAME,
    expect,
    expect_editor_text,
    graph_nodes,
    poll_until,
    replace_editor_text,
)

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]


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
