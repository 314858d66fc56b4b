"""Several replicas, as deploy/cluster.sh serves a large room: two app replicas (hosted mode),
Debian's redis-server and HAProxy on loopback, driven in Debian's Chromium. Browsers land on
different replicas and stay there, a room started on one is followed on the other within 2 s,
a stopped replica loses only its sessions (the page comes back on the other with its code),
and a stopped Redis pauses rooms while single-user use goes on."""

from __future__ import annotations

import os
import re
import subprocess
import time
from pathlib import Path
from typing import Callable, Iterator

import pytest
from browser_support import (
    CHROMIUM,
    SCREENSHOTS,
    expect,
    expect_editor_text,
    replace_editor_text,
    start_room,
)
from support import ROOT, free_port

pytestmark = [pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Debian chromium missing")]

SEED_1 = "seed_1_name_scope_vs_variable_scope"
FOLLOW_S = 2.0  # the promise: a follower shows the presenter's change within 2 s
SERVED_BY = re.compile(r"served by replica (\d)")


class Cluster:
    """deploy/cluster.sh with this test module's ports and folder."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port(3)
        self.env = {**os.environ, "SCOPEVIZ_CLUSTER_PORT": str(self.port),
                    "SCOPEVIZ_CLUSTER_REDIS_PORT": str(free_port()),
                    "SCOPEVIZ_CLUSTER_DIR": str(folder)}
        self.url = f"http://127.0.0.1:{self.port}"

    def sh(self, *args: str) -> str:
        done = subprocess.run([str(ROOT / "deploy" / "cluster.sh"), *args], env=self.env,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr
        return done.stdout


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    cluster = Cluster(tmp_path_factory.mktemp("cluster"))
    try:
        assert "2 replicas" in cluster.sh("up", "2")
        yield cluster
    finally:
        cluster.sh("down")


@pytest.fixture(autouse=True)
def whole_cluster(cluster: Cluster) -> None:
    """Each test starts with every part running (a test before may have stopped one)."""
    for part in ("redis", "replica1", "replica2"):
        cluster.sh("start", part)


def replica(page: object) -> str:
    footer = page.locator(".st-key-served_by")
    expect(footer).to_have_text(SERVED_BY)
    return SERVED_BY.search(footer.text_content()).group(1)


def open_on_another_replica(open_page: Callable[..., object], url: str, than: str,
                            path: str = "/") -> object:
    """A fresh browser (no cookie) until HAProxy's round robin gives one another replica
    (the next fresh one does, unless a health check's reconnection came between)."""
    for _ in range(4):
        page = open_page(1366, 768)
        page.goto(url + path)
        if replica(page) != than:
            return page
    raise AssertionError(f"every fresh browser landed on replica {than}")


def test_two_browsers_land_on_two_replicas_and_each_stays_on_its_own(
        open_page: Callable[..., object], cluster: Cluster) -> None:
    first = open_page(1366, 768)
    first.goto(cluster.url)
    one = replica(first)
    second = open_on_another_replica(open_page, cluster.url, one)
    two = replica(second)
    assert {one, two} == {"1", "2"}
    for page, served in ((first, one), (second, two)):  # the cookie pins a browser
        page.reload()
        expect(page.locator(".st-key-served_by")).to_have_text(f"served by replica {served}")


def test_a_room_started_on_one_replica_is_followed_on_the_other_within_2_s(
        open_page: Callable[..., object], cluster: Cluster) -> None:
    presenter = open_page(1366, 768)
    presenter.goto(f"{cluster.url}/?example={SEED_1}&step=1")
    expect(presenter.get_by_text(re.compile(r"Step 1 of 7, line"))).to_be_visible()
    code = start_room(presenter)
    attendee = open_on_another_replica(open_page, cluster.url, replica(presenter),
                                       f"/?room={code}")
    expect(attendee.get_by_text(f"Following room {code}")).to_be_visible()
    expect(attendee.get_by_text(re.compile(r"Step 1 of 7, line"))).to_be_visible()
    expect(presenter.get_by_text("1 following")).to_be_visible()
    lags = []
    for step in (2, 3, 4):
        presenter.get_by_role("button", name="Next").click()
        shown = re.compile(rf"Step {step} of 7, line")
        expect(presenter.get_by_text(shown)).to_be_visible()
        changed = time.monotonic()
        expect(attendee.get_by_text(shown)).to_be_visible(timeout=FOLLOW_S * 1000)
        lags.append(time.monotonic() - changed)
    assert max(lags) <= FOLLOW_S, lags


def test_a_stopped_replica_loses_only_its_sessions_and_the_page_keeps_its_code(
        open_page: Callable[..., object], cluster: Cluster) -> None:
    """The page reconnects to the other replica (a new session there) and keeps the code the
    editor last reported, run or not: the address carries it."""
    doomed = open_page(1366, 768)
    doomed.goto(cluster.url)
    lost = replica(doomed)
    other = open_on_another_replica(open_page, cluster.url, lost)
    kept = replica(other)
    replace_editor_text(doomed,
                        'with tf.variable_scope("ran"):\n    w = tf.get_variable("w", [1])\n')
    doomed.get_by_role("button", name="Run").click()
    expect(doomed.locator(".scopeviz-graph svg g.node title", has_text="ran/w:0")
           ).to_have_count(1)
    edited = 'with tf.variable_scope("edited"):\n    w = tf.get_variable("w", [1])\n'
    replace_editor_text(doomed, edited)
    doomed.get_by_text("Ctrl+Enter runs", exact=False).click()  # the editor reports it
    expect(doomed.get_by_text("Edited since the last run")).to_be_visible()
    with doomed.expect_websocket(timeout=60_000):  # the page's reconnection
        cluster.sh("stop", f"replica{lost}")
    expect_editor_text(doomed, edited)
    doomed.get_by_role("button", name="Run").click()
    expect(doomed.locator(".st-key-served_by")).to_have_text(f"served by replica {kept}")
    expect(doomed.locator(".scopeviz-graph svg g.node title", has_text="edited/w:0")
           ).to_have_count(1)
    expect_editor_text(doomed, edited)
    # The other replica's session did not notice: it runs as before.
    other.get_by_role("button", name="Run").click()
    expect(other.locator(".scopeviz-graph svg g.node")).not_to_have_count(0)
    expect(other.locator(".st-key-served_by")).to_have_text(f"served by replica {kept}")


def test_a_stopped_redis_pauses_rooms_while_runs_go_on_and_rooms_start_again(
        open_page: Callable[..., object], cluster: Cluster) -> None:
    presenter = open_page(1366, 768)
    presenter.goto(f"{cluster.url}/?example={SEED_1}")
    code = start_room(presenter)
    attendee = open_on_another_replica(open_page, cluster.url, replica(presenter),
                                       f"/?room={code}")
    expect(attendee.get_by_text(f"Following room {code}")).to_be_visible()
    cluster.sh("stop", "redis")
    for page in (presenter, attendee):  # both bars say so within their next poll
        expect(page.get_by_text("room service unavailable", exact=False)).to_be_visible()
    presenter.screenshot(path=str(SCREENSHOTS / "room_service_unavailable_1366x768.png"))
    loner = open_page(1366, 768)
    loner.goto(f"{cluster.url}/?example=auto_reuse")  # single-user use goes on
    expect(loner.locator(".scopeviz-graph svg g.node")).not_to_have_count(0)
    loner.get_by_role("button", name="Start a room").click()
    expect(loner.get_by_text("room service unavailable", exact=False)).to_be_visible()
    cluster.sh("start", "redis")
    start_room(loner)  # a new room starts once Redis is back
