"""The live room on the page: Start a room, the presenter's bar (the code, the join link,
how many follow, the room's answers in an exercise), a follower's bar (Try it myself), and
the once-a-second poll that keeps a follower's page on the presenter's. What a room is and
how a session joins, follows and leaves is :mod:`viz.core.room`; this module wires it."""

from __future__ import annotations

import time

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from viz.core import room
from viz.core.escape import markdown_text
from viz.core.exercise import Mark, Question
from viz.core.gallery import Gallery
from viz.core.room import FOLLOWER, PRESENTER, UNAVAILABLE, RoomServiceUnavailable
from viz.ui import server

POLL_S = 1.0  # a follower's page asks for the presenter's this often
state = st.session_state


def join_link(code: str) -> str:
    return f"{(st.context.url or '').split('?')[0]}?room={code}"


def start_button(actions: DeltaGenerator) -> None:
    """Start a room, beside the page's other actions (not while in one)."""
    if state.get("room") is None:
        actions.button("Start a room", key="start_room", icon=":material/groups:",
                       on_click=lambda: room.start_room(state, server.room_store(),
                                                        time.time()),
                       help="attendees who open the room's link follow this page: its "
                            "snippet, mode and step")


def join_from_link(gallery: Gallery) -> None:
    """The room a link asked for, joined before any widget is drawn (joining sets the
    view, the mode and the step the widgets show). Wrong codes are counted per address."""
    if state.get("room_join"):
        client = st.context.ip_address or state.get("room_member") or "unknown"
        room.join_room(state, server.room_store(), client, gallery, time.time())


def room_bar(gallery: Gallery, compact: bool = False) -> None:
    """At the top of a page: the presenter's or the follower's bar, or why a room could not
    be joined. ``compact``: one line (the presenter view)."""
    store = server.room_store()
    if state.get("room_problem"):
        st.warning(markdown_text(state.room_problem))
    if state.get("room_role") == PRESENTER:
        with st.container(key="room_bar", horizontal=True, vertical_alignment="center"):
            st.markdown(f"**Room {state.room}**")
            if not compact:
                st.code(join_link(state.room), language=None)
            presenter_status()
            st.button("End the room", key="end_room", icon=":material/stop_circle:",
                      on_click=room.leave_room, args=(state, store))
    elif state.get("room_role") == FOLLOWER:
        with st.container(key="room_bar", horizontal=True, vertical_alignment="center"):
            follower_poll(gallery)
            st.button("Try it myself", key="try_myself", icon=":material/edit:",
                      on_click=room.leave_room, args=(state, store),
                      help="leaves the room; the editor keeps a copy to change and run")


def publish() -> None:
    """A presenter's page as this run left it (after every run; the status each second
    says when the room service is unavailable)."""
    try:
        publish_page()
    except RoomServiceUnavailable:
        pass


def publish_page() -> None:
    """The presenter's page to the room (also its heartbeat); the room's end when it went
    quiet. Raises :class:`RoomServiceUnavailable`."""
    if state.get("room_role") != PRESENTER:
        return
    store = server.room_store()
    if not store.publish(state.room, state.room_member, room.snapshot_of(state), time.time()):
        room.leave_room(state, store, "The room ended: it was quiet too long.")


@st.fragment(run_every=POLL_S)
def presenter_status() -> None:
    """How many follow, refreshed each second (which also tells followers the presenter is
    still there), or that the room service is unavailable (the room waits for it)."""
    try:
        publish_page()
        summary = server.room_store().summary(state.get("room") or "", time.time())
    except RoomServiceUnavailable:
        st.markdown(f":orange[{UNAVAILABLE}]")
        return
    if summary is None:
        st.rerun()  # the room ended: the whole page says so
    st.markdown(f"{summary.followers} following")


def room_answers(found: list[Question]) -> None:
    """A presenter's exercise: the room's answers per question as they come in (how many
    were right, the most common wrong answer), refreshed each second; no names. Only a
    presenter's page gets the once-a-second fragment: on every other page a timer that
    draws nothing would still rerun each second, and Streamlit's front end can drop the
    elements after a fragment whose rerun crosses a full one (the score went missing)."""
    if state.get("room_role") == PRESENTER:
        room_answer_counts(found)


@st.fragment(run_every=POLL_S)
def room_answer_counts(found: list[Question]) -> None:
    try:
        summary = server.room_store().summary(state.get("room") or "", time.time())
    except RoomServiceUnavailable:
        return  # the room's bar says so
    if summary is None or summary.exercise != room.exercise_key(state.get("exercise"),
                                                                state.get("exercise_source")):
        return
    with st.container(border=True, key="room_answers"):
        st.markdown("**The room's answers**")
        if not summary.checked:
            st.caption("No answers checked in the room yet.")
            return
        rows = [f"{summary.checked} checked their answers."]
        lines = {q.number: q.line for q in found}
        for count in summary.questions:
            row = (f"Q{count.number}, line {lines.get(count.number, '?')}: {count.right} of "
                   f"{count.answered} right")
            if count.common_wrong:
                row += (f"; most common wrong answer {count.common_wrong} "
                        f"({count.common_wrong_count})")
            rows.append(row)
        st.markdown("  \n".join(markdown_text(row) for row in rows))


@st.fragment(run_every=POLL_S)
def follower_poll(gallery: Gallery) -> None:
    """Each second: the presenter's page, taken in (and the whole page redrawn) when it
    changed; the room's end, said once."""
    store = server.room_store()
    code = state.get("room") or ""
    try:
        snapshot = store.follow(code, state.get("room_member") or "", time.time())
    except RoomServiceUnavailable:
        st.markdown(f"**Room {code}**: :orange[{UNAVAILABLE}]")
        return
    if snapshot is None:
        room.leave_room(state, store, "The room ended: its presenter left. Your page keeps "
                                      "what it showed last.")
        st.rerun()
    if snapshot.version != state.get("room_seen"):
        room.take_snapshot(state, snapshot, gallery)
        st.rerun()
    st.markdown(f"**Following room {code}**: the presenter's snippet, mode and step")


def share_answers(marks: list[Mark]) -> None:
    """A follower's checked answers, counted for the presenter (no name goes with them)."""
    if state.get("room_role") == FOLLOWER:
        try:
            server.room_store().answer(state.room, state.room_member,
                                       room.exercise_key(state.exercise,
                                                         state.exercise_source), marks)
        except RoomServiceUnavailable:
            pass  # the marks stay on this page; the room's bar says the service is away
