"""Download buttons in a row that reruns on its own (a Streamlit fragment).

A download button's click reruns the script. A full rerun first drops the session's
references to its download files and, when it is cut short by the next rerun, lets
Streamlit delete them: a download the browser is still fetching is then cancelled (seen once
in twenty clicks). A fragment's rerun keeps every file of the page (Streamlit never drops
references on one), so a click can no longer cancel its own download.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class Download:
    """One button: its label, the file's bytes (or text), name and type, widget key."""

    label: str
    data: bytes | str
    file_name: str
    mime: str
    key: str
    help: str | None = None


@st.fragment
def download_row(files: list[Download]) -> None:
    """The buttons side by side, made with the page (no data is computed on the click)."""
    for column, file in zip(st.columns(len(files)), files):
        column.download_button(file.label, file.data, file_name=file.file_name,
                               mime=file.mime, key=file.key, help=file.help)
