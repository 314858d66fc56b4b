"""A browser's part of Streamlit's protocol, without a browser: one websocket per simulated
user, the same protobuf messages the page sends (a script run with the page's address, a
button's click, a fragment's timed rerun) and the page's elements as they arrive.

Enough for the benchmarks to be many users at once; it draws nothing, so it measures the
server (its script runs, its messages), not a browser. A page asks for timed fragment reruns
itself (``st.fragment(run_every=...)`` sends ``auto_rerun``): so does this client.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import Callable

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg


@dataclass
class Seen:
    """A text that arrived (a Markdown element's body) and when (monotonic seconds)."""

    text: str
    at: float


@dataclass
class Client:
    """One simulated page: ``query`` is its address's query (``room=ABC123``)."""

    url: str
    query: str
    texts: list[Seen] = field(default_factory=list)
    alerts: list[Seen] = field(default_factory=list)  # st.error, st.warning...: their bodies
    graphs: list[float] = field(default_factory=list)  # when each graph explorer arrived
    buttons: dict[str, str] = field(default_factory=dict)  # label -> widget id
    exceptions: list[str] = field(default_factory=list)
    runs_finished: int = 0
    on_text: Callable[[str, float], None] | None = None
    _socket: object = None
    _page_hash: str = ""
    _fragments: dict[str, asyncio.Task] = field(default_factory=dict)
    _reader: asyncio.Task | None = None
    _finished: asyncio.Event = field(default_factory=asyncio.Event)

    async def open(self) -> None:
        """Connects and runs the page, as opening its address does."""
        address = re.sub(r"^http", "ws", self.url) + "/_stcore/stream"
        self._socket = await websockets.connect(address, subprotocols=["streamlit"],
                                                max_size=None, open_timeout=120)
        self._reader = asyncio.create_task(self._read())
        await self.rerun()

    async def rerun(self, clicked: str | None = None, fragment: str = "") -> None:
        """A script run: the whole page, with ``clicked`` (a button's label) pressed, or one
        fragment's timed rerun."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.page_script_hash = self._page_hash
        if clicked is not None:
            widget = state.widget_states.widgets.add()
            widget.id = self.buttons[clicked]
            widget.trigger_value = True
        if fragment:
            state.fragment_id = fragment
            state.is_auto_rerun = True
        else:
            self._finished.clear()
        await self._socket.send(message.SerializeToString())

    async def finished(self, timeout: float) -> None:
        """Waits for the whole page's run to finish."""
        await asyncio.wait_for(self._finished.wait(), timeout)

    def latest(self, pattern: str) -> re.Match[str] | None:
        """The last text that arrived matching ``pattern``."""
        for seen in reversed(self.texts):
            found = re.search(pattern, seen.text)
            if found:
                return found
        return None

    async def close(self) -> None:
        for task in [*self._fragments.values(), self._reader]:
            if task is not None:
                task.cancel()
        if self._socket is not None:
            await self._socket.close()

    async def _tick(self, fragment: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            await self.rerun(fragment=fragment)

    async def _read(self) -> None:
        async for data in self._socket:
            message = ForwardMsg()
            message.ParseFromString(data)
            self._take(message, time.monotonic())

    def _take(self, message: ForwardMsg, now: float) -> None:
        kind = message.WhichOneof("type")
        if kind == "navigation" and message.navigation.app_pages:
            self._page_hash = message.navigation.app_pages[0].page_script_hash
        elif kind == "page_info_changed":
            self.query = message.page_info_changed.query_string
        elif kind == "auto_rerun":
            fragment = message.auto_rerun.fragment_id
            if fragment not in self._fragments:
                self._fragments[fragment] = asyncio.create_task(
                    self._tick(fragment, message.auto_rerun.interval))
        elif kind == "stop_auto_rerun":
            for fragment in message.stop_auto_rerun.fragment_ids:
                task = self._fragments.pop(fragment, None)
                if task is not None:
                    task.cancel()
        elif kind == "script_finished" and message.script_finished in (0, 1):
            # FINISHED_SUCCESSFULLY (0) or FINISHED_WITH_COMPILE_ERROR (1): a whole run;
            # a fragment's run finishes as FINISHED_FRAGMENT_RUN_SUCCESSFULLY (3).
            self.runs_finished += 1
            self._finished.set()
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element, now)

    def _element(self, element: object, now: float) -> None:
        kind = element.WhichOneof("type")
        if kind == "markdown":
            self.texts.append(Seen(element.markdown.body, now))
            if self.on_text is not None:
                self.on_text(element.markdown.body, now)
        elif kind == "alert":
            self.alerts.append(Seen(element.alert.body, now))
        elif kind == "bidi_component" and element.bidi_component.component_name.endswith(
                "scopeviz_graph"):
            self.graphs.append(now)
        elif kind == "button":
            self.buttons[element.button.label] = element.button.id
        elif kind == "exception":
            self.exceptions.append(f"{element.exception.type}: {element.exception.message}")
