"""The command line: argv in, text and an exit code out. The only module that prints
problems or exits: 0 success (warnings allowed), 1 content or build problems, 2 usage.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
import threading
from pathlib import Path

from generator import __version__, build, release, scaffold
from generator.cli import store
from generator.config import BuildOptions, load_config
from generator.deploy import DeployError
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
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="also print time spent in each stage"
    )
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

    def out_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("--site", type=Path, default=Path("."), metavar="DIR")
        p.add_argument(
            "--out", type=Path, metavar="DIR", help="output folder (default: <site>/output)"
        )

    sv = sub.add_parser(
        "serve",
        help="preview the site with drafts, rebuilding and reloading as you save",
        description="Build drafts into a private preview folder (<out>/.preview), serve it "
        "on 127.0.0.1, and rebuild and reload open pages whenever a file changes.",
    )
    out_args(sv)
    sv.add_argument("--port", type=int, default=8000, help="default: 8000 (0 picks a free one)")

    r = sub.add_parser(
        "releases",
        help="list the releases in the output folder",
        description="List retained releases: id, pages, size, commit; * marks current.",
    )
    out_args(r)
    d = sub.add_parser(
        "diff",
        help="show pages added, removed and changed between releases",
        description="Compare two releases by their manifests.",
    )
    out_args(d)
    d.add_argument("a", metavar="A", help="older release id (a unique prefix is enough)")
    d.add_argument("b", metavar="B", help="newer release id")
    d.add_argument("--text", action="store_true", help="show a diff of each changed page's text")
    rb = sub.add_parser(
        "rollback",
        help="make an earlier release current",
        description="Switch output/current to an earlier release (default: the one before "
        "current). Refuses a release that still shows a withdrawn story.",
    )
    out_args(rb)
    rb.add_argument("release", nargs="?", metavar="ID")
    pg = sub.add_parser(
        "purge",
        help="remove a withdrawn story from every retained release",
        description="Delete every retained release that still shows the story "
        "(withdraw it and build first).",
    )
    out_args(pg)
    pg.add_argument("slug", metavar="SLUG")
    dp = sub.add_parser(
        "deploy",
        help="publish a release to a web server folder, a git branch or S3",
        description="Publish the current release (or --release ID) to TARGET: dir:/path, "
        "git:REMOTE#BRANCH or s3://bucket/prefix. See docs/deploying.md.",
    )
    out_args(dp)
    dp.add_argument("target", metavar="TARGET")
    dp.add_argument(
        "--release", metavar="ID", help="deploy this release instead of the current one"
    )
    dp.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    dp.add_argument(
        "--endpoint-url", metavar="URL", help="S3-compatible endpoint (R2, Spaces, MinIO)"
    )
    dp.add_argument(
        "--forget-history",
        action="store_true",
        help="after a takedown: the git branch keeps only this release; dir keeps no older trees",
    )
    sc = sub.add_parser(
        "schema",
        help="write JSON Schemas of the front matter",
        description="Write one JSON Schema per kind of file (story, milestone, page, "
        "campaign, gifts) for editors' autocomplete and validation.",
    )
    sc.add_argument("--site", type=Path, default=Path("."), metavar="DIR")
    sc.add_argument("--out", type=Path, metavar="DIR", help="default: <site>/schemas")
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
    elif result.up_to_date and not args.quiet:
        print(
            f"up to date: nothing changed since release {result.release_id} "
            f"({result.pages} pages) — checked in {result.seconds:.2f}s"
        )
    elif not args.quiet:
        print(
            f"built {result.pages} pages ({result.pages_rendered} rendered, the rest unchanged; "
            f"{result.files} files, {result.stories} stories) in {result.seconds:.2f}s "
            f"→ {result.output} (release {result.release_id})"
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


def _cmd_serve(args: argparse.Namespace) -> int:
    from generator import serve

    options = BuildOptions(site_dir=args.site, out_dir=args.out, drafts=True)
    try:
        serve.serve(options, port=args.port, say=lambda text: print(text, flush=True))
    except KeyboardInterrupt:
        print("preview stopped", flush=True)
        return 0
    except OSError as exc:
        print(f"storysite: cannot serve on port {args.port}: {exc.strerror}", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s")
    if args.verbose:  # our own details only, not every library's
        logging.getLogger("storysite").setLevel(logging.DEBUG)
    try:
        if args.command == "build":
            return _cmd_build(args, write=True)
        if args.command == "check":
            return _cmd_build(args, write=False)
        if args.command == "new":
            return _cmd_new(args)
        if args.command == "serve":
            return _cmd_serve(args)
        commands = {
            "releases": store.cmd_releases,
            "diff": store.cmd_diff,
            "rollback": store.cmd_rollback,
            "purge": store.cmd_purge,
            "schema": store.cmd_schema,
            "deploy": store.cmd_deploy,
        }
        return commands[args.command](args)
    except release.ReleaseError as exc:
        print(f"storysite: {exc}", file=sys.stderr)
        return 1
    except DeployError as exc:
        print(f"storysite: {exc}", file=sys.stderr)
        return 1
    except OutputError as exc:
        print(f"storysite: {exc}", file=sys.stderr)
        return 1
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


def run() -> None:
    """The ``storysite`` command: ``main``, then an exit that skips tearing down the heap.

    A build at 10,000 stories leaves millions of objects, and freeing them one by one
    on the way out cost 0.25-0.3 s of a 4 s one-story rebuild; the OS takes the memory
    back at once. Only when no other thread is still running (the normal exit would wait
    for it) and after flushing what was printed, which ``os._exit`` would drop.
    """
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: the normal exit would have failed to flush too
        code = code or 1
    os._exit(code)
