"""Command line (``scopeviz`` once installed, ``python -m viz`` in a clone):
``python -m viz app [--hosted] [--port N]`` and
``python -m viz trace PATH [--format ...] [-o FILE]`` and
``python -m viz check-checkpoint SNIPPET CKPT_PREFIX [--mode tf1|tf2] [--format text|json]
[-o FILE]`` and
``python -m viz diff A.py B.py [--mode tf1|tf2] [--mode-b tf1|tf2] [--format text|json]
[-o FILE]``.

Exit status of ``trace``: 0 when the snippet ran, 1 when it raised (the report is still
written). Of ``check-checkpoint``: 0 when every variable would restore, 1 when anything is
missing or mismatched (or the snippet raised). Of ``diff``: 0 when both make the same
variable names, 1 when they differ (or one raised). All: 2 for a usage error, with a
one-line message on stderr. ``app`` serves the Streamlit app until stopped (Ctrl+C).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from importlib.util import find_spec
from pathlib import Path
from typing import Any, NoReturn

from viz.backend.drawing import export
from viz.backend.execute import DotNotFound, DrawingFailed
from viz.backend.executor import Executor
from viz.backend.policy import LIMITS
from viz.core.checkpoint import resolve_prefix
from viz.core.checkpoint import to_dict as checkpoint_dict
from viz.core.checkpoint import to_text as checkpoint_text
from viz.core.checkpoint_tf2 import NoRoot, check_run
from viz.core.diff import compared, diff
from viz.core.diff import to_dict as diff_dict
from viz.core.diff import to_text as diff_text
from viz.core.export import FORMATS
from viz.core.view import RenderOptions


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Usage errors are one line on stderr and exit status 2."""
        print(f"viz: error: {message}", file=sys.stderr)
        sys.exit(2)


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = _Parser(prog=prog, description="See how TensorFlow 1 names variables.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    app = commands.add_parser("app", help="serve the app in the browser (streamlit run app.py)")
    app.add_argument("--hosted", action="store_true",
                     help="seal every run, for a server others use (see SECURITY.md)")
    app.add_argument("--port", type=int, default=8501, help="port (default %(default)s)")
    trace = commands.add_parser("trace", help="run a snippet and report its scopes and variables")
    trace.add_argument("path", help="the snippet's file, or - for stdin")
    trace.add_argument("--format", choices=FORMATS, default="text", help="output format")
    trace.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    trace.add_argument("--timeout", type=float, default=LIMITS.timeout_s,
                       help="seconds before the run is stopped (default %(default)s)")
    trace.add_argument("--hosted", action="store_true",
                       help="run in the kernel sandbox used by shared servers (see SECURITY.md)")
    trace.add_argument("--mode", choices=("tf1", "tf2"), default="tf1",
                       help="tf1: `import tensorflow` is compat.v1 in graph mode (default); "
                            "tf2: real TF2, eager, with Keras 3 (a line `# scopeviz: "
                            "legacy-keras` in the first five picks tf-keras)")
    trace.add_argument("--rankdir", choices=("LR", "TB", "RL", "BT"), default="LR",
                       help="graph layout direction for dot/svg/png")
    trace.add_argument("--show-ops", action="store_true", help="draw ops in their name scopes")
    trace.add_argument("--no-collapse", action="store_true",
                       help="draw every member of a numbered series (tower_0 ... tower_7)")
    trace.add_argument("--separate-slots", action="store_true",
                       help="draw optimizer slots (w/Adam, w/Adam_1) as their own boxes "
                            "instead of a line in their variable's box")
    trace.add_argument("--expand", action="append", default=[], metavar="SCOPE",
                       help="draw this scope open although a series or --max-depth would "
                            "fold it (e.g. encoder/layer_3); may be repeated")
    trace.add_argument("--max-depth", type=int, metavar="N",
                       help="fold scopes nested deeper than N into one node")
    trace.add_argument("--filter", default="", metavar="TEXT",
                       help="draw only variables whose name contains TEXT, with their scopes")
    check = commands.add_parser(
        "check-checkpoint", help="run a snippet and line its variables up with a checkpoint")
    check.add_argument("path", help="the snippet's file, or - for stdin")
    check.add_argument("checkpoint", metavar="CKPT_PREFIX",
                       help="the checkpoint's prefix (model.ckpt-1000), its .index file or "
                            "its folder")
    check.add_argument("--format", choices=("text", "json"), default="text",
                       help="output format")
    check.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    check.add_argument("--timeout", type=float, default=LIMITS.timeout_s,
                       help="seconds before the run is stopped (default %(default)s)")
    check.add_argument("--hosted", action="store_true",
                       help="run (and read the checkpoint) in the kernel sandbox")
    check.add_argument("--mode", choices=("tf1", "tf2"), default="tf1",
                       help="tf1: a Saver's restore by variable name (default); tf2: "
                            "tf.train.Checkpoint's restore through the snippet's ckpt_root "
                            "(by attribute path; a TF1 checkpoint by name)")
    compare = commands.add_parser("diff", help="run two snippets and map their variables")
    compare.add_argument("a", metavar="A.py", help="the first snippet (- for stdin)")
    compare.add_argument("b", metavar="B.py", help="the second snippet")
    compare.add_argument("--format", choices=("text", "json"), default="text",
                         help="output format")
    compare.add_argument("-o", "--output", metavar="FILE",
                         help="write to FILE instead of stdout")
    compare.add_argument("--timeout", type=float, default=LIMITS.timeout_s,
                         help="seconds before each run is stopped (default %(default)s)")
    compare.add_argument("--hosted", action="store_true",
                         help="run both in the kernel sandbox used by shared servers")
    compare.add_argument("--mode", choices=("tf1", "tf2"), default="tf1",
                         help="the mode both run in (default %(default)s); two TF2 runs that "
                              "both leave a ckpt_root are compared by attribute path, other "
                              "TF2 runs by variable name")
    compare.add_argument("--mode-b", choices=("tf1", "tf2"),
                         help="B's mode when it differs from A's: --mode tf1 --mode-b tf2 "
                              "compares a TF1 model with its TF2 migration, by name")
    return parser


def _diff(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    if args.a == "-" and args.b == "-":
        parser.error("only one of A and B can be read from stdin")
    (source_a, file_a), (source_b, file_b) = (_read_snippet(parser, p) for p in (args.a, args.b))
    with Executor(hosted=args.hosted) as executor:
        a = executor.run(source_a, filename=file_a, timeout=args.timeout, mode=args.mode)
        b = executor.run(source_b, filename=file_b, timeout=args.timeout,
                         mode=args.mode_b or args.mode)
    a, b = compared(a, b)
    report = diff(a, b)
    if args.format == "json":
        data = json.dumps(diff_dict(report, a, b), indent=2) + "\n"
    else:
        data = diff_text(report, a, b)
    _write(data.encode("utf-8"), args.output)
    return 0 if report.identical and a.ok and b.ok else 1


def _read_snippet(parser: argparse.ArgumentParser, path_arg: str) -> tuple[str, str]:
    """The snippet's text and the name its errors refer to; a usage error when unreadable."""
    if path_arg == "-":
        return sys.stdin.read(), "<stdin>"
    path = Path(path_arg)
    try:
        return path.read_text(encoding="utf-8"), str(path)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        parser.error(f"cannot read {path_arg}: {reason}")


def _write(data: bytes, output: str | None) -> None:
    if output:
        Path(output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def _check_checkpoint(parser: argparse.ArgumentParser, args: argparse.Namespace) -> int:
    try:
        prefix = resolve_prefix(args.checkpoint)
    except ValueError as exc:
        parser.error(str(exc))
    source, filename = _read_snippet(parser, args.path)
    with Executor(hosted=args.hosted) as executor:
        trace = executor.run(source, filename=filename, timeout=args.timeout,
                             checkpoint=prefix, mode=args.mode)
    if trace.checkpoint_error is not None:
        print(f"viz: error: cannot read the checkpoint {prefix}: {trace.checkpoint_error}",
              file=sys.stderr)
        return 2
    try:
        report = check_run(trace)
    except NoRoot as exc:
        print(f"viz: error: {exc}", file=sys.stderr)
        return 2
    if args.format == "json":
        data = json.dumps(checkpoint_dict(report, trace), indent=2) + "\n"
    else:
        data = checkpoint_text(report, trace, prefix)
    _write(data.encode("utf-8"), args.output)
    return 0 if report.ok and trace.ok else 1


def streamlit_flags(config: dict[str, Any], prefix: str = "") -> list[str]:
    """Streamlit's settings as ``streamlit run`` flags (``--runner.postScriptGC=false``):
    an installed app has no ``.streamlit/config.toml`` beside where it is started."""
    flags = []
    for name, value in config.items():
        if isinstance(value, dict):
            flags += streamlit_flags(value, f"{prefix}{name}.")
        else:
            text = str(value).lower() if isinstance(value, bool) else str(value)
            flags.append(f"--{prefix}{name}={text}")
    return flags


def _app(args: argparse.Namespace) -> int:
    """Serves the page script of :mod:`viz.ui.main` with the app's settings, in this
    process, as ``streamlit run app.py`` does in a clone."""
    from streamlit.web import cli as streamlit_cli

    script = Path(find_spec("viz.ui.main").origin)
    config = tomllib.loads((script.parent / "config.toml").read_text(encoding="utf-8"))
    if args.hosted:
        os.environ["SCOPEVIZ_HOSTED"] = "1"
    streamlit_cli.main(["run", str(script), *streamlit_flags(config),
                        f"--server.port={args.port}"], standalone_mode=False)
    return 0


def scopeviz() -> int:
    """The installed ``scopeviz`` command."""
    return main(prog="scopeviz")


def main(argv: list[str] | None = None, prog: str = "python -m viz") -> int:
    """Runs the command line; returns the exit status."""
    parser = _parser(prog)
    args = parser.parse_args(argv)
    if args.command == "app":
        return _app(args)
    if args.command == "check-checkpoint":
        return _check_checkpoint(parser, args)
    if args.command == "diff":
        return _diff(parser, args)
    source, filename = _read_snippet(parser, args.path)
    with Executor(hosted=args.hosted) as executor:
        trace = executor.run(source, filename=filename, timeout=args.timeout, mode=args.mode)
    try:
        options = RenderOptions(rankdir=args.rankdir, show_ops=args.show_ops,
                                collapse_series=not args.no_collapse,
                                compact_slots=not args.separate_slots,
                                expand=frozenset(args.expand),
                                max_depth=args.max_depth, name_filter=args.filter)
        data = export(trace, args.format, options)
    except DotNotFound as exc:
        print(f"viz: error: {exc}", file=sys.stderr)
        return 2
    except DrawingFailed as exc:
        print(f"viz: error: the graph could not be drawn ({exc}); --filter or --max-depth "
              "draw a part of it, and --format text, json and csv need no drawing",
              file=sys.stderr)
        return 2
    _write(data, args.output)
    return 0 if trace.ok else 1
