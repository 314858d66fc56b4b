"""The Checkpoint tab (with an uploaded checkpoint): what restores, what is missing and why,
and the assignment map to download."""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from viz.core.checkpoint import rename_summary, report_rows
from viz.core.checkpoint import to_dict as checkpoint_dict
from viz.core.escape import markdown_text
from viz.core.names import TF2
from viz.core.session import Checked
from viz.core.trace import Trace
from viz.ui.downloads import Download, download_row


def checkpoint_tab(trace: Trace, checked: Checked) -> None:
    report = checked.report
    kind = "TF2 object-based" if report.object_based else "TF1 name-based"
    st.markdown(markdown_text(
        f"{len(trace.checkpoint or [])} keys ({kind}): {len(report.restores)} restore, "
        f"{len(report.missing)} missing, {len(report.mismatched)} mismatched, "
        f"{len(report.unused)} unused keys."))
    summary = rename_summary(report)
    if summary:
        st.markdown(markdown_text(summary))
    for note in report.notes:
        st.caption(markdown_text(note))
    # The check, the variable and the reason first: they fit the results column at 1366 px.
    st.dataframe(pd.DataFrame(report_rows(report)), hide_index=True, width="stretch",
                 column_order=("check", "variable", "reason", "line", "key", "shape",
                               "key shape"),
                 column_config={"reason": st.column_config.TextColumn(width="large"),
                                "check": st.column_config.TextColumn(width="small"),
                                "variable": st.column_config.TextColumn(width="medium"),
                                "key": st.column_config.TextColumn(width="medium"),
                                "line": st.column_config.NumberColumn(width="small")})
    download_row([
        Download("assignment_map (JSON)", json.dumps(report.assignment_map, indent=2)
                 + "\n", "assignment_map.json", "application/json",
                 "download_assignment_map",
                 "the dict for tf.train.init_from_checkpoint(ckpt, assignment_map): every "
                 "key that restores or fits a missing variable" if trace.mode != TF2 else
                 "checkpoint key -> this snippet's variable (its attribute path from "
                 "ckpt_root), for every key that restores or fits a missing variable; "
                 "load one whose path differs with tf.train.load_variable(prefix, key)"),
        Download("Full check (JSON)", json.dumps(checkpoint_dict(report, trace), indent=2)
                 + "\n", "checkpoint_check.json", "application/json", "download_check")])
