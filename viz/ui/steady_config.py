"""Streamlit's settings that cannot change while the server runs, read once per process.

Streamlit reads its settings through ``streamlit.config.get_option``, which takes one global
lock, and it does so for every element a script sends (``global.minCachedMessageSize``, to
decide whether the element is cached; ``global.appTest``). With hundreds of sessions running
their scripts at once, every script thread queues on that lock, and each hand-over waits for
the GIL: py-spy on a server of 700 participants found 84% of the script threads' samples
there, with the two cores half idle and clicks waiting tens of seconds (bench/README.md, "A
room through the real app"). The modules that read these options per element are given a
view of Streamlit's config that answers them from a copy taken at their first read; every
other option goes to Streamlit as before.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

from streamlit import config
from streamlit.elements.lib import utils as element_utils
from streamlit.runtime import forward_msg_cache
from streamlit.runtime.scriptrunner import script_runner
from streamlit.runtime.scriptrunner_utils import script_run_context

# Options fixed once the server has started (set on its command line or in config.toml).
STEADY = frozenset({"global.minCachedMessageSize", "global.appTest",
                    "browser.gatherUsageStats", "runner.postScriptGC",
                    "runner.parallelMaxWorkers"})
READERS: tuple[ModuleType, ...] = (forward_msg_cache, element_utils, script_runner,
                                   script_run_context)


class SteadyConfig:
    """``streamlit.config`` with the :data:`STEADY` options answered from a copy."""

    def __init__(self) -> None:
        self._copy: dict[str, Any] = {}
        self._lock = threading.Lock()

    def get_option(self, key: str) -> Any:
        try:
            return self._copy[key]
        except KeyError:
            value = config.get_option(key)
            if key in STEADY:
                with self._lock:
                    self._copy.setdefault(key, value)
            return value

    def __getattr__(self, name: str) -> Any:
        return getattr(config, name)


def install() -> None:
    """Gives the per-element readers the steady view (once per process; not under
    Streamlit's AppTest, which sets ``global.appTest`` for each of its runs only)."""
    if not isinstance(forward_msg_cache.config, SteadyConfig) and \
            not config.get_option("global.appTest"):
        steady = SteadyConfig()
        for module in READERS:
            module.config = steady
