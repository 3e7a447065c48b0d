"""The command line: argv in, text and an exit code out. The only module that prints
problems or exits: 0 success (warnings allowed), 1 content or build problems, 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
from pathlib import Path

from generator import __version__, build, scaffold
from generator.config import BuildOptions, load_config
from generator.errors import BuildFailed, OutputError, Problem, Problems


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="storysite",
        description="Build survivor stories and impact pages into a static site.",
    )
    parser.add_argument("--version", action="version", version=f"storysite {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    def site_args(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--site",
            type=Path,
            default=Path("."),
            metavar="DIR",
            help="the site folder (holding site.yaml); default: current folder",
        )
        p.add_argument(
            "--as-of",
            type=_date,
            metavar="DATE",
            help="judge consent and schedules at this date (default: today, or SOURCE_DATE_EPOCH)",
        )
        p.add_argument("--drafts", action="store_true", help="include stories with status: draft")
        p.add_argument(
            "-q",
            "--quiet",
            action="store_true",
            default=argparse.SUPPRESS,
            help="print only problems",
        )
        p.add_argument(
            "--format",
            choices=["text", "github"],
            default="text",
            help="how to print problems: text, or GitHub Actions annotations",
        )

    b = sub.add_parser(
        "build",
        help="build the site into a new release",
        description="Check the site, then build it into output/releases/<id>/ "
        "and point output/current at it.",
    )
    site_args(b)
    b.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="output folder (default: <site>/output); the site is at DIR/current",
    )
    b.add_argument("--base-url", metavar="URL", help="override base_url from site.yaml")

    c = sub.add_parser(
        "check",
        help="check every file without writing anything",
        description="Run every check a build runs and report all problems, "
        "plus which stories are withheld and why.",
    )
    site_args(c)

    n = sub.add_parser(
        "new",
        help="create a new story or milestone file",
        description="Create a file with every required field filled in.",
    )
    n.add_argument("kind", choices=["story", "milestone"])
    n.add_argument("title")
    n.add_argument("--site", type=Path, default=Path("."), metavar="DIR")
    return parser


def _print_problems(problems: list[Problem], fmt: str) -> None:
    for p in problems:
        print(p.format_github() if fmt == "github" else p.format(), file=sys.stderr)


def _summary(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity.value == "error")
    warnings = len(problems) - errors
    return f"{errors} error(s), {warnings} warning(s)"


def _cmd_build(args: argparse.Namespace, write: bool) -> int:
    options = BuildOptions(
        site_dir=args.site,
        out_dir=getattr(args, "out", None),
        base_url=getattr(args, "base_url", None),
        drafts=args.drafts,
        as_of=args.as_of,
        write=write,
    )
    if not (args.site / "site.yaml").is_file() and not args.site.is_dir():
        print(f"storysite: no such site folder: {args.site}", file=sys.stderr)
        return 2
    try:
        result = build.run(options)
    except BuildFailed as failed:
        _print_problems(failed.problems, args.format)
        print(
            f"storysite: {'build' if write else 'check'} failed: {_summary(failed.problems)}; "
            "nothing was written",
            file=sys.stderr,
        )
        return 1
    except OutputError as exc:
        print(f"storysite: {exc}", file=sys.stderr)
        return 1
    _print_problems(result.problems, args.format)
    if not write:
        for w in result.withheld:
            line = f":{w.line}" if w.line else ""
            print(f"{w.path}{line}: not published: {w.reason}")
        print(
            f"checked {result.stories} published stories, {result.pages} pages: "
            f"{_summary(result.problems)}; {len(result.withheld)} withheld"
        )
    elif not args.quiet:
        print(
            f"built {result.pages} pages ({result.files} files, {result.stories} stories) "
            f"in {result.seconds:.2f}s → {result.output} (release {result.release_id})"
        )
    return 0


def _cmd_new(args: argparse.Namespace) -> int:
    problems = Problems()
    config = load_config(args.site, problems)
    try:
        path = scaffold.new_file(args.site, args.kind, args.title, config, dt.date.today())
    except scaffold.ScaffoldError as exc:
        print(f"storysite: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"storysite: cannot write the new file: {exc.strerror}", file=sys.stderr)
        return 1
    print(f"created {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    try:
        if args.command == "build":
            return _cmd_build(args, write=True)
        if args.command == "check":
            return _cmd_build(args, write=False)
        if args.command == "new":
            return _cmd_new(args)
    except KeyboardInterrupt:
        print("storysite: interrupted; the previous release is still current", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"storysite: internal error: {exc.__class__.__name__}: {exc} "
            "(run with --debug for the traceback)",
            file=sys.stderr,
        )
        return 1
    return 2
