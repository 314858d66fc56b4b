"""The Variables tab: every variable of the run in a table to filter (TF2: its three names
and its Keras layers)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from viz.core.escape import markdown_text
from viz.core.names import STATUSES, TF2
from viz.core.tables import layer_rows, rows, slot_notes, status_counts, tf2_rows
from viz.core.trace import Trace

VARIABLE_COLUMNS = ("name", "status", "shape", "line", "slot", "requested", "api", "dtype",
                    "trainable", "graph")


def tf2_tables(run: Trace) -> None:
    """TF2 mode: every variable's three names, where it was made and its warnings; every
    Keras layer and why it is numbered."""
    if run.root_error:
        st.warning(markdown_text(f"No checkpoint keys: {run.root_error}"))
    st.dataframe(pd.DataFrame(tf2_rows(run)), hide_index=True, width="stretch",
                 column_config={"name": st.column_config.TextColumn(width="medium"),
                                "path": st.column_config.TextColumn(width="medium"),
                                "line": st.column_config.NumberColumn(width="small")})
    if run.layers:
        st.markdown("**Keras layers**, in the order they were made")
        st.dataframe(pd.DataFrame(layer_rows(run)), hide_index=True, width="stretch",
                     column_config={"why": st.column_config.TextColumn(width="large")})


def variables_tab(trace: Trace, base: Trace) -> None:
    """The tab's body: ``base`` is what the graph draws (its counts head the table)."""
    if trace.mode == TF2:
        tf2_tables(trace)
        return
    table = pd.DataFrame(rows(trace))
    left, right = st.columns([2, 1])
    needle = left.text_input("Filter names", key="table_filter", persist_state="session")
    statuses = right.multiselect("Status", list(STATUSES), default=list(STATUSES))
    metrics = st.columns(3)
    for column, (status, count) in zip(metrics, status_counts(base).items()):
        column.metric(status, count)
    if not table.empty:
        table["shape"] = table["shape"].astype(str)
        keep = table["status"].isin(statuses)
        if needle:
            keep &= table["name"].str.contains(needle, case=False, regex=False)
        table = table[keep]
    if not table.empty:
        notes = slot_notes(trace)
        table["slot"] = [notes.get(name, "") for name in table["name"]]
    # What people read first comes first and fits the results column at 1366 px (name,
    # status, shape, line); the rest scrolls.
    st.dataframe(table, hide_index=True, width="stretch", column_order=VARIABLE_COLUMNS,
                 column_config={
                     "name": st.column_config.TextColumn(width="medium"),
                     "status": st.column_config.TextColumn(width="small"),
                     "shape": st.column_config.TextColumn(width="small"),
                     "line": st.column_config.NumberColumn(width="small"),
                     "slot": st.column_config.TextColumn(
                         width="medium", help="an optimizer's or moving average's variable "
                         "for another: whose, and what it holds"),
                     "requested": st.column_config.TextColumn(width="medium"),
                     "dtype": st.column_config.TextColumn(width="small"),
                     "trainable": st.column_config.CheckboxColumn(width="small"),
                     "graph": st.column_config.NumberColumn(width="small")})
