"""Download buttons in a row; a click downloads the file and reruns nothing.

A download button's click used to rerun the script. A rerun drops the session's references
to its download files and, when it is cut short by the next rerun, lets Streamlit delete
them: a download the browser was still fetching was then cancelled (1 in 100); under load a
click also gave no download at all within 15 s (CI), its cause not pinned down. With
``on_click="ignore"`` the browser fetches the file the page already holds and the server
does nothing, so a click cannot race a rerun. A drawing (SVG, PNG) is made on the click
instead, by Streamlit's deferred download (a callable, run on its own thread): drawn with
every run, they took twice the graph's own drawing time of each run.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import streamlit as st


@dataclass(frozen=True)
class Download:
    """One button: its label, the file's bytes (or text, or what makes them on the click),
    name and type, widget key."""

    label: str
    data: bytes | str | Callable[[], bytes | str]
    file_name: str
    mime: str
    key: str
    help: str | None = None


def download_row(files: list[Download]) -> None:
    """The buttons side by side, made with the page (no data is computed on the click)."""
    for column, file in zip(st.columns(len(files)), files):
        column.download_button(file.label, file.data, file_name=file.file_name,
                               mime=file.mime, key=file.key, help=file.help,
                               on_click="ignore")
