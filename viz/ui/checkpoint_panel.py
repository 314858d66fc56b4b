"""The "Check against a checkpoint" panel under the editor: the upload, what it says about
the files, and the files themselves, checked once, for the next run to read."""

from __future__ import annotations

import streamlit as st

from viz.core import session
from viz.core.escape import markdown_text
from viz.core.names import TF2
from viz.core.trace import Trace
from viz.core.upload import UPLOAD_LIMIT, BadUpload, checkpoint_files

state = st.session_state


def uploaded_checkpoint() -> dict[str, bytes] | None:
    """The checkpoint files uploaded in the panel (None: none); a bad upload is said in the
    panel and checks nothing."""
    uploads = state.get("checkpoint_upload") or []
    return session.check_upload(state, [(f.file_id, f.name, f.getvalue()) for f in uploads],
                                checkpoint_files, BadUpload)


def checkpoint_panel(trace: Trace | None, hosted: bool) -> None:
    """Upload a checkpoint: each run then reads it and the results show what restores."""
    uploads = state.get("checkpoint_upload")
    where = ("inside the run's sandbox, which alone can open them" if hosted
             else "by the run")
    with st.expander("Check against a checkpoint", expanded=bool(uploads),
                     icon=":material/fact_check:"):
        st.file_uploader(
            "Checkpoint files", accept_multiple_files=True, key="checkpoint_upload",
            on_change=session.request_run, args=(state,),
            help="model.ckpt-1000.index, model.ckpt-1000.data-00000-of-00001, or a zip")
        st.caption(f"Upload the checkpoint's `.index` file (enough for a TF1 checkpoint: "
                   f"keys, shapes, dtypes) and, for a TF2 checkpoint, its `.data-...` file "
                   f"too, or one zip of them: up to {UPLOAD_LIMIT // 2**20} MB in all. They "
                   f"are read {where} and deleted when it ends.")
        if state.get("mode") == TF2:
            st.caption("TF2 mode checks what `tf.train.Checkpoint(root=ckpt_root).restore()` "
                       "would do: leave your model in a variable `ckpt_root`.")
        if state.get("upload_error"):
            st.error(markdown_text(f"Not checked: {state.upload_error}"))
        elif trace is not None and trace.checkpoint_error:
            st.error(markdown_text(f"The checkpoint could not be read: "
                                   f"{trace.checkpoint_error}"))
        elif trace is not None and state.get("check_problem"):
            st.warning(markdown_text(f"Not checked: {state.check_problem}"))
        elif uploads and trace is not None and trace.checkpoint is not None:
            st.caption("Results: the graph's colours and the Checkpoint tab.")
