"""Streamlit's per-element settings reads, answered without its settings lock once the page
script has installed the steady view (hundreds of script threads queued on that lock)."""

from __future__ import annotations

import threading

from streamlit import config
from streamlit.elements.lib import utils as element_utils
from streamlit.runtime import forward_msg_cache

from viz.ui import steady_config


def test_per_element_reads_do_not_wait_for_the_settings_lock() -> None:
    steady_config.install()
    readers = forward_msg_cache.config, element_utils.config
    assert all(isinstance(reader, steady_config.SteadyConfig) for reader in readers)
    expected = config.get_option("global.minCachedMessageSize")
    assert forward_msg_cache.config.get_option("global.minCachedMessageSize") == expected
    assert element_utils.config.get_option("global.appTest") is False  # first reads: copied
    answers: list[object] = []
    with config._config_lock:  # another thread holds Streamlit's lock the whole time
        reader = threading.Thread(target=lambda: answers.extend(
            [forward_msg_cache.config.get_option("global.minCachedMessageSize"),
             element_utils.config.get_option("global.appTest")]))
        reader.start()
        reader.join(timeout=5)
        assert not reader.is_alive() and answers == [expected, False]
    # Everything else still comes from Streamlit itself.
    assert forward_msg_cache.config.get_option("server.maxUploadSize") == \
        config.get_option("server.maxUploadSize")
    assert forward_msg_cache.config.on_config_parsed is config.on_config_parsed
