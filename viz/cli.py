"""Command line: ``python -m viz trace PATH [--format ...] [-o FILE]``.

Exit status: 0 when the snippet ran, 1 when it raised (the report is still written), 2 for a
usage error, with a one-line message on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn

from viz.backend.execute import DotNotFound, DrawingFailed
from viz.backend.executor import DEFAULT_TIMEOUT_S, Executor
from viz.export import FORMATS, export
from viz.view import RenderOptions


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """Usage errors are one line on stderr and exit status 2."""
        print(f"viz: error: {message}", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m viz", description="See how TensorFlow 1 names variables.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    trace = commands.add_parser("trace", help="run a snippet and report its scopes and variables")
    trace.add_argument("path", help="the snippet's file, or - for stdin")
    trace.add_argument("--format", choices=FORMATS, default="text", help="output format")
    trace.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    trace.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_S,
                       help="seconds before the run is stopped (default %(default)s)")
    trace.add_argument("--hosted", action="store_true",
                       help="run in the kernel sandbox used by shared servers (see SECURITY.md)")
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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs the command line; returns the exit status."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.path == "-":
        source, filename = sys.stdin.read(), "<stdin>"
    else:
        path = Path(args.path)
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            parser.error(f"cannot read {args.path}: {reason}")
        filename = str(path)
    with Executor(hosted=args.hosted) as executor:
        trace = executor.run(source, filename=filename, timeout=args.timeout)
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
    if args.output:
        Path(args.output).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0 if trace.ok else 1
