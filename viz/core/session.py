"""One browser session's state: every key the app keeps, declared here, and the transitions
between states as plain functions of a mapping (``st.session_state`` in the app, a dict in the
tests), in the manner of :func:`viz.core.pending.serve`.

Streamlit owns the widgets' keys (a widget's value is read under its key); the others are the
app's. Records with names (:class:`Checked`, :class:`Comparison`, :class:`UploadCheck`) hold
what belongs together, where tuples did.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, MutableMapping

from viz.core.checkpoint import CheckReport
from viz.core.checkpoint_tf2 import NoRoot, check_run, marked_run
from viz.core.details import Details, node_details
from viz.core.diff import DiffReport
from viz.core.escape import shorten
from viz.core.exercise import EXERCISE, OWN, exercise_query, open_exercise
from viz.core.gallery import Gallery
from viz.core.names import TF1, TF2, small_count
from viz.core.share import BadShareLink, decode_snippet, encode_snippet
from viz.core.steps import Step, steps
from viz.core.trace import Trace
from viz.core.tree import tf2_as_scopes
from viz.core.view import Mark, RenderOptions, tf2_marks

State = MutableMapping[str, Any]

ONE = "One snippet"
COMPARE = "Compare two snippets"
VIEWS = (ONE, COMPARE, EXERCISE)
SIDES = ("a", "b")

# Every key of a session, with what it holds. Keys made per editor (``editor_3``,
# ``compare_editor_a_2``) are the prefixes in DYNAMIC_KEYS.
KEYS = {
    # the One-snippet page: the editor and what it asked for
    "source": "the editor's text as last reported (what Run runs)",
    "editor_text": "the text a fresh editor starts with",
    "editor_generation": "bumped to draw a fresh editor holding new text",
    "editor_seen": "the id of the editor's last report taken",
    "example": "the stem of the loaded example while its text is unchanged, else None",
    "undo_source": "the user's own text that loading an example replaced",
    "run_requested": "a run is asked for and not yet served",
    "shared_waiting": "code from a link waits for its own button (never runs unasked)",
    "link_error": "why a shared link could not be opened",
    "admitted": "this session gave the server's access code",
    "access_failures": "wrong access codes this session gave",
    "access_code": "widget: the access code being typed",
    # the One-snippet page: the run and what is drawn of it
    "trace": "the last run's Trace",
    "ran_source": "the text that run ran",
    "runs": "how many runs this session made (a failed one's error is brought into view once)",
    "last_good": "the last run without an error (shown stale under a failed one)",
    "drawn": "a TF2 run's variables under the scopes of their names, else None",
    "checked": "the checkpoint check of the last run (Checked), else None",
    "check_problem": "why the last run could not be checked",
    "finished_run": "the box of a run that outlives the rerun interrupting it",
    "upload_checked": "the uploaded files as last checked (UploadCheck)",
    "upload_error": "why the uploaded files are refused",
    "dot_cache": "DOT texts of the traces on the page (DrawnDot records)",
    "selected": "the id of the clicked box",
    "playing": "the step-through plays on by itself",
    "presenting": "the presenter view: code, graph and the step's sentence in large type",
    "played_at": "when the step-through last moved on by itself (monotonic seconds)",
    # widgets of the One-snippet page
    "view": "widget: which page",
    "mode": "widget: TF1 or TF2",
    "gallery_choice": "widget: the example picked (loaded by Load)",
    "stepping": "widget: step through the naming",
    "step": "widget: the step shown, 1-based",
    "play_speed": "widget: steps a second while playing",
    "graph_search": "widget: highlight names",
    "expand": "widget: series and folded scopes drawn open",
    "open_member": "widget: the member of a clicked series to open",
    "checkpoint_upload": "widget: the uploaded checkpoint files",
    "time_limit": "widget: this session's time limit per run",
    "name_filter": "widget: the sidebar's name filter",
    "compact_slots": "widget: optimizer slots drawn inside their variable",
    "table_filter": "widget: the Variables tab's name filter",
    # the Compare page
    "compare_a": "A's text as last reported", "compare_b": "B's text as last reported",
    "compare_text_a": "the text a fresh A editor starts with",
    "compare_text_b": "the text a fresh B editor starts with",
    "compare_gen_a": "bumped for a fresh A editor", "compare_gen_b": "bumped for a fresh B editor",
    "compare_seen_a": "the id of A's last report", "compare_seen_b": "the id of B's last report",
    "compare_mode_a": "widget: the mode A runs in", "compare_mode_b": "widget: the mode B runs in",
    "compare_requested": "a comparison is asked for and not yet served",
    "compare_waiting": "a shared pair waits for its own button",
    "compared": "the last comparison (Comparison)",
    "finished_pair": "the box of a comparison that outlives its rerun",
    # the Exercise page (viz.core.exercise)
    "exercise": "the exercise's example stem, or 'own' for the learner's snippet",
    "exercise_source": "the exercise's snippet",
    "exercise_mode": "the mode the exercise runs in",
    "exercise_trace": "the exercise's last run (what to ask; the answer key)",
    "exercise_marks": "the answers as last checked (Mark records), else None",
    "exercise_requested": "the exercise's run is asked for and not yet served",
    "exercise_checking": "the requested run is a Check: mark the answers when it lands",
    "exercise_waiting": "a linked snippet's exercise waits for its own button",
    "exercise_gen": "bumped for fresh, empty answer inputs",
    "finished_exercise": "the box of an exercise run that outlives its rerun",
    "exercise_choice": "widget: the exercise picked",
    # a live room (viz.core.room)
    "room": "the code of the room this session presents or follows, else None",
    "room_role": "'presenter' or 'follower'",
    "room_member": "this session's anonymous id in rooms",
    "room_seen": "the version of the presenter's page this follower shows",
    "room_problem": "why a room could not be joined or started, or that it ended",
    "room_join": "the code a link asked to join, not yet tried",
}
# Per editor (``editor_3``) and per answer input (``answer_2_4``: exercise 2, question 4).
DYNAMIC_KEYS = ("editor_", "compare_editor_a_", "compare_editor_b_", "answer_")


@dataclass(frozen=True)
class Checked:
    """A run checked against its checkpoint: the report, and the trace and marks the graph
    draws for it (the trace with its unused keys, the check's colours)."""

    report: CheckReport
    shown: Trace
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Comparison:
    """Two runs compared, with the texts they ran and the modes they ran in (a compared TF2
    run is drawn as scopes, so its trace no longer says)."""

    a: Trace
    b: Trace
    report: DiffReport
    source_a: str
    source_b: str
    modes: tuple[str, str]

    def trace(self, side: str) -> Trace:
        return self.a if side == "a" else self.b

    def source(self, side: str) -> str:
        return self.source_a if side == "a" else self.source_b

    def mode(self, side: str) -> str:
        return self.modes[SIDES.index(side)]


@dataclass(frozen=True)
class UploadCheck:
    """The uploaded files (by their upload ids) as checked: their contents, or why not."""

    ids: tuple[str, ...]
    files: dict[str, bytes] | None
    error: str | None


@dataclass(frozen=True)
class DrawnDot:
    """A DOT text made for one trace object and one set of options."""

    trace: Trace
    options: RenderOptions
    dot: str


@dataclass(frozen=True)
class Results:
    """What the One-snippet page shows of the last run, worked out once per rerun (the
    editor marks lines of it, the tabs show it)."""

    trace: Trace  # the run
    ran_this: bool  # the editor holds the text that ran
    base: Trace  # what is drawn: the trace, or a TF2 run's variables under their names
    shown: Trace  # base, or (checked against a checkpoint) the trace with its unused keys
    marks: tuple[Mark, ...]  # the check's colours, or a TF2 run's warnings and keys
    checked: Checked | None
    steps: list[Step]  # while stepping through the naming
    selected: Details | None  # the clicked box

    def focus_lines(self, step: int) -> list[int]:
        """The editor lines to mark: the step's while stepping, else the clicked box's (none
        once the text has changed: its lines have moved)."""
        if not self.ran_this:
            return []
        if self.steps:
            return [s.line for s in self.steps[step - 1:step] if s.line is not None]
        return self.selected.lines if self.selected is not None else []


def results(state: State) -> Results | None:
    """The last run as the page shows it; None before the first run."""
    trace = state.get("trace")
    if trace is None:
        return None
    base = state.get("drawn") or trace
    checked = state.get("checked")
    shown, marks = (checked.shown, checked.marks) if checked else (
        base, tf2_marks(trace) if trace.mode == TF2 else ())
    return Results(
        trace=trace, ran_this=state.get("ran_source") == state.get("source"), base=base,
        shown=shown, marks=marks, checked=checked,
        steps=steps(base) if state.get("stepping") else [],
        selected=node_details(shown, state["selected"], marks) if state.get("selected")
        else None)


def set_editor_text(state: State, source: str) -> None:
    """Puts new text in the editor (a fresh editor: it keeps its own text while typing)."""
    state["source"] = state["editor_text"] = source
    state["editor_generation"] = state.get("editor_generation", 0) + 1


def editor_key(state: State) -> str:
    return f"editor_{state.get('editor_generation', 0)}"


def load_example(state: State, gallery: Gallery, stem: str) -> None:
    """Loads an example and asks for its run; text the user wrote (not an unchanged example)
    stays recoverable."""
    if state.get("source") is not None and not gallery.is_example(state["source"]):
        state["undo_source"] = state["source"]
    set_editor_text(state, gallery.examples[stem].source)
    state["mode"] = gallery.mode_of(stem)
    state["example"] = state["gallery_choice"] = stem
    state["shared_waiting"] = False  # the shared code left the editor (restorable, not run)
    state["run_requested"] = True


def restore_edits(state: State) -> None:
    set_editor_text(state, state.pop("undo_source"))
    state["example"] = None


def request_run(state: State) -> None:
    state["run_requested"] = True


def run_shared(state: State) -> None:
    """The user read the shared code and chose to run it."""
    state["shared_waiting"] = False
    state["run_requested"] = True


def gate_shared(state: State) -> None:
    """The one gate for code that came in a link: while it waits for its button, no other
    request runs it (a mode switch, an upload, the time limit all ask for a run)."""
    if state.get("run_requested") and state.get("shared_waiting"):
        state["run_requested"] = False


def switch_mode(state: State, gallery: Gallery) -> None:
    """A new mode: an unchanged example gives way to the new mode's first one; the user's own
    text stays and runs again in the new mode."""
    state["mode"] = state.get("mode") or TF1  # a click on the chosen mode unchooses it
    mode = state["mode"]
    example = state.get("example")
    if example and gallery.mode_of(example) != mode \
            and gallery.examples[example].source == state["source"]:
        load_example(state, gallery, gallery.first(mode).stem)
    else:
        state["example"] = None
        state["gallery_choice"] = gallery.first(mode).stem
        state["run_requested"] = True


def take_editor_response(state: State, response: Mapping[str, Any] | None) -> None:
    """The editor reports its text when it loses focus and on Ctrl+Enter (submit); only a
    submit runs. Each report has a new id; a fresh editor reports an empty one. (Its
    "debounce" reports can carry text older than a later submit, so they are not asked for.)"""
    if not response or not response.get("id") or response["id"] == state.get("editor_seen"):
        return
    state["editor_seen"] = response["id"]
    state["source"] = response.get("text", state["source"])
    if response.get("type") == "submit" and not state.get("shared_waiting"):
        state["run_requested"] = True


def take_run(state: State, trace: Trace, source: str) -> None:
    """A finished run: it becomes what the page shows, checked against its checkpoint when it
    read one, and the last good run when it did not fail."""
    state["trace"] = trace
    state["ran_source"] = source
    state["runs"] = state.get("runs", 0) + 1
    state["checked"] = None
    state["check_problem"] = None
    # A TF2 run is drawn, stepped through and clicked as its variables under their names.
    state["drawn"] = tf2_as_scopes(trace) if trace.mode == TF2 else None
    if trace.checkpoint is not None and trace.checkpoint_error is None:
        try:
            report = check_run(trace)
            state["checked"] = Checked(report, *marked_run(trace, report))
        except NoRoot as exc:
            state["check_problem"] = str(exc)
    if trace.ok:
        state["last_good"] = trace


def share_query(state: State, gallery: Gallery, source: str) -> dict[str, str]:
    """``?example=stem`` while an example is unchanged, else ``?snippet=`` with the text;
    ``&step=k`` while stepping through the naming; ``&mode=tf2`` in TF2 mode;
    ``&present=1`` in the presenter view."""
    example = state.get("example")
    query = ({"example": example} if example and gallery.examples[example].source == source
             else {"snippet": encode_snippet(source)})
    if state.get("stepping"):
        query["step"] = str(state.get("step", 1))
    if state.get("mode") == TF2:
        query["mode"] = TF2
    if state.get("presenting"):
        query["present"] = "1"
    return query


def present(state: State, on: bool) -> None:
    """Into the presenter view (which steps through the naming) or out of it."""
    state["presenting"] = on
    state["playing"] = False
    if on:
        state["stepping"] = True


def open_link(state: State, params: Mapping[str, str], gallery: Gallery, hosted: bool) -> None:
    """A session's first page: the first example of the link's mode, or what the link brings
    (``?snippet=``, ``?example=``, ``&step=``, ``?view=compare&a=&b=``). A link can come from
    anyone, even a hidden frame on another site: on the user's own machine its code runs only
    when they click. Hosted runs are sealed, so there it runs at once."""
    state["mode"] = TF2 if params.get("mode") == TF2 else TF1
    first = gallery.first(state["mode"])
    set_editor_text(state, first.source)
    state["example"] = state["gallery_choice"] = first.stem
    state["run_requested"] = False
    if "snippet" in params:
        try:
            set_editor_text(state, decode_snippet(params["snippet"]))
            state["example"] = None
            state["run_requested"] = hosted
            state["shared_waiting"] = not hosted
        except BadShareLink as exc:
            state["link_error"] = str(exc)
    elif "example" in params:
        if params["example"] in gallery.examples:
            load_example(state, gallery, params["example"])
        else:
            state["link_error"] = (f"there is no example named "
                                   f"{shorten(params['example'], 80)!r}")
    step = small_count(params.get("step", ""))
    if step is not None:  # a workshop leader's "look at step 7"
        state["stepping"], state["step"] = True, step
    if params.get("present") == "1":
        present(state, True)
    for side in SIDES:  # a migration's two sides can run in different modes
        state[f"compare_mode_{side}"] = TF2 if params.get(f"mode_{side}", params.get("mode")) \
            == TF2 else TF1
    if params.get("view") == "compare":
        state["view"] = COMPARE
        try:
            set_pair(state, decode_snippet(params.get("a", "")),
                     decode_snippet(params.get("b", "")))
            state["compare_requested"] = hosted
            state["compare_waiting"] = not hosted
        except BadShareLink as exc:
            state["link_error"] = str(exc)
    if "exercise" in params:
        _open_linked_exercise(state, params, gallery, hosted)
    if params.get("room"):
        state["room_join"] = params["room"][:16]
    if "compare_a" not in state:  # the example pair: a refactor that renames every variable
        set_pair(state, gallery.examples["refactor_before"].source,
                 gallery.examples["refactor_after"].source)
    state.setdefault("view", ONE)


def _open_linked_exercise(state: State, params: Mapping[str, str], gallery: Gallery,
                          hosted: bool) -> None:
    """``?exercise=stem`` opens an example as an exercise; ``?exercise=own&snippet=`` a
    snippet, which (like any linked code) runs on the user's own machine only when asked."""
    state["view"] = EXERCISE
    stem = params["exercise"]
    if stem == OWN and "snippet" in params and "link_error" not in state:
        state["exercise"] = OWN  # the editor already holds the decoded snippet
        state["exercise_source"] = state["source"]
        state["exercise_mode"] = state["mode"]
        state["exercise_requested"] = hosted
        state["exercise_waiting"] = not hosted
    elif stem in gallery.examples:
        open_exercise(state, gallery, stem)
    elif stem != OWN:
        state["link_error"] = f"there is no exercise named {shorten(stem, 80)!r}"


def start_shared_exercise(state: State) -> None:
    state["exercise_waiting"] = False
    state["exercise_requested"] = True


# Steps a second while playing: a presenter's choice.
PLAY_SPEEDS = (0.5, 1.0, 2.0)


def move_step(state: State, delta: int) -> None:
    state["step"] = state.get("step", 1) + delta
    state["playing"] = False


def toggle_play(state: State, step_count: int) -> None:
    """Play plays on from the step shown (from the first when at the last); Pause stops."""
    playing = not state.get("playing", False)
    if playing and state.get("step", 1) >= step_count:
        state["step"] = 1
    state["playing"] = playing


def settle_step(state: State, step_count: int) -> int:
    """The step this rerun shows: the one asked for, within 1..step_count."""
    state["step"] = min(max(state.get("step", 1), 1), step_count)
    return state["step"]


def play_on(state: State, step_count: int) -> int:
    """One step further while playing, which stops at the last; returns the step."""
    if state.get("playing"):
        state["step"] = state.get("step", 0) + 1
        state["playing"] = state["step"] < step_count
    return settle_step(state, step_count)


def play_interval(state: State) -> float:
    """Seconds between two steps while playing."""
    speed = state.get("play_speed") or 1.0
    return 1.0 / speed if speed in PLAY_SPEEDS else 1.0


def open_scope(state: State, scope: str) -> None:
    """Draws a series member or folded scope open (it stays open for later runs that have
    it)."""
    state["expand"] = [*state.get("expand", []), scope]
    state.pop("selected", None)


def open_scopes(state: State, expand: list[str]) -> None:
    """Draws these series members and folded scopes open (what a highlight found inside)."""
    state["expand"] = expand
    state.pop("selected", None)


def clear_filter(state: State) -> None:
    state["name_filter"] = ""


def check_upload(state: State, uploads: list[tuple[str, str, bytes]],
                 check: Callable[[list[tuple[str, bytes]]], dict[str, bytes]],
                 refused: type[Exception]) -> dict[str, bytes] | None:
    """The uploaded checkpoint files ``(upload id, name, bytes)``, checked once per upload,
    failures included (every run reads them, and a hostile zip is slow to look at even when
    refused); None: none, or refused (``upload_error`` says why)."""
    ids = tuple(file_id for file_id, _, _ in uploads)
    done = state.get("upload_checked")
    if done is None or done.ids != ids:
        files, error = None, None
        if uploads:
            try:
                files = check([(name, data) for _, name, data in uploads])
            except refused as exc:
                error = str(exc)
        done = state["upload_checked"] = UploadCheck(ids, files, error)
    state["upload_error"] = done.error
    return done.files


def cached_dot(state: State, trace: Trace, options: RenderOptions,
               make: Callable[[Trace, RenderOptions], str]) -> str:
    """The trace's DOT, kept per trace and options: every widget change reruns the page, and
    a trace at its bounds (50,000 scopes) takes most of a second to lay out. Only the traces
    the page holds keep entries, eight at most (the oldest go first)."""
    checked = state.get("checked")
    live = [t for t in (state.get("trace"), state.get("last_good"), state.get("drawn"),
                        checked.shown if checked else None) if t is not None]
    entries = [e for e in state.get("dot_cache", []) if any(e.trace is t for t in live)]
    found = next((e for e in entries if e.trace is trace and e.options == options), None)
    if found is None:
        found = DrawnDot(trace, options, make(trace, options))
        entries.append(found)
    state["dot_cache"] = entries[-8:]
    return found.dot


def set_pair(state: State, a: str, b: str) -> None:
    """Puts new texts in both Compare editors (fresh editors: they keep their own text while
    typing)."""
    for side, text in zip(SIDES, (a, b)):
        state[f"compare_{side}"] = state[f"compare_text_{side}"] = text
        state[f"compare_gen_{side}"] = state.get(f"compare_gen_{side}", 0) + 1


def compare_editor_key(state: State, side: str) -> str:
    return f"compare_editor_{side}_{state.get(f'compare_gen_{side}', 0)}"


def compare_query(state: State) -> dict[str, str]:
    """``?view=compare&a=...&b=...&mode_a=tf1&mode_b=tf2``: both snippets and the mode each
    runs in travel in the link."""
    return {"view": "compare", "a": encode_snippet(state["compare_a"]),
            "b": encode_snippet(state["compare_b"]),
            "mode_a": state.get("compare_mode_a") or TF1,
            "mode_b": state.get("compare_mode_b") or TF1}


def take_compare_response(state: State, side: str, response: Mapping[str, Any] | None) -> None:
    """As in the main editor: blur and Ctrl+Enter hand the text over; Ctrl+Enter compares."""
    if not response or not response.get("id") or \
            response["id"] == state.get(f"compare_seen_{side}"):
        return
    state[f"compare_seen_{side}"] = response["id"]
    if response.get("type") in ("blur", "submit"):
        state[f"compare_{side}"] = response.get("text", state[f"compare_{side}"])
    if response.get("type") == "submit" and not state.get("compare_waiting"):
        state["compare_requested"] = True


def request_compare(state: State) -> None:
    state["compare_requested"] = True
    state["compare_waiting"] = False


def error_place(state: State) -> tuple[int | None, bool]:
    """The last run's error line (None where TF gave none) and whether it failed, for the
    One-snippet page (elsewhere: nothing to bring into view)."""
    trace = state.get("trace")
    if state.get("view") != ONE or state.get("presenting") or trace is None \
            or trace.error is None:
        return None, False
    return trace.error.line, True


def address(state: State, gallery: Gallery) -> dict[str, str]:
    """The page's query for the view shown, so a reload or a copied link opens the same (a
    follower's, the room it follows). The One-snippet page's carries the editor's text as it
    last reported it (run or not): a page whose replica stopped reconnects to another with
    its address, and the new session finds the code there."""
    if state.get("room_role") == "follower":
        return {"room": state["room"]}
    if state.get("view") == COMPARE:
        return compare_query(state)
    if state.get("view") == EXERCISE:
        return exercise_query(state)
    return share_query(state, gallery, state["source"])
