#!/usr/bin/env python3
"""Benchmark storysite against Hugo and Pelican on the same corpus.

    python3 bench/run.py --sizes 1000 10000 --runs 3 [--tools storysite hugo pelican]
                         [--scenarios cold unchanged ...] [--write-docs]

For each size it makes (or reuses) a corpus with ../shared/bench/make_corpus.py, gives
each tool a working copy, builds once per tool unmeasured (warm file cache, checks that
the tool works), then runs every scenario N times with the tools alternating (A B C A B C
…) so that a noisy machine slows all of them alike. It prints median and min-max of wall
time and peak memory, pages per second, and ratios per pair of runs; --write-docs rewrites
docs/benchmarks.md. The peers come from bench/requirements.txt, installed into
bench/.venv (never into the project's .venv). Uses only the standard library.

The "preview" scenario runs last: `storysite serve` and `hugo server` both started, then
one story's words edited N times, alternately, each timed until the server returns the
new text on the story's page and on its listing page (see bench/preview.py).
"""

import argparse
import datetime
import hashlib
import json
import math
import os
import shlex
import shutil
import subprocess
import sys
import time
from dataclasses import asdict
from pathlib import Path

from measure import BuildError, Sample, count_pages, run_build
from preview import Server, free_port
from report import PREVIEW_ROWS, SCENARIO_TITLES, Results, machine, print_report, write_docs
from tools import BENCH, DISCARD, REPO, Tool, ensure_peer_venv, make_tools, storysite_snapshot

SCENARIOS = [s for s in SCENARIO_TITLES if s not in PREVIEW_ROWS]  # measured with preview
TOOLS = ["storysite", "hugo", "pelican"]
ADDED_TEXT = "Benchmark story {n}"
FAILURES: list[str] = []  # builds that failed: that tool is skipped for the rest of a size


def default_runs(size: int) -> int:
    return 5 if size <= 1000 else 3 if size <= 10_000 else 1


def ensure_corpus(script: Path, root: Path, size: int, images: int, python: str) -> Path:
    """The corpus for ``size`` stories, made once and kept while make_corpus.py is unchanged."""
    digest = hashlib.sha256(script.read_bytes()).hexdigest()[:12]
    corpus = root / f"corpus-{size}-img{images}"
    stamp = corpus / ".made-by"
    if stamp.is_file() and stamp.read_text() == digest:
        return corpus
    shutil.rmtree(corpus, ignore_errors=True)
    print(f"making the {size:,}-story corpus in {corpus} …", flush=True)
    subprocess.run(
        [python, str(script), str(corpus), "--stories", str(size), "--images", str(images)],
        check=True,
    )
    stamp.write_text(digest)
    return corpus


def story_file(site: Path, slug: str) -> Path:
    flat = site / "content" / "stories" / f"{slug}.md"
    return flat if flat.exists() else site / "content" / "stories" / slug / "index.md"


class Scenarios:
    """What each scenario changes before a measured build; ``n`` numbers the run."""

    def __init__(self, corpus: Path, size: int):
        self.edited = f"story-{size // 2:06d}"
        template = next(p for p in sorted((corpus / "content" / "stories").glob("*.md")))
        self.template_story = template.read_text(encoding="utf-8")

    def before(self, scenario: str, tool: Tool, n: int) -> None:
        if scenario == "cold":
            tool.clean()
        elif scenario == "edit-story":
            path = story_file(tool.site, self.edited)
            with path.open("a", encoding="utf-8") as f:
                f.write(f"\nThis story was edited for benchmark run {n}.\n")
        elif scenario == "edit-template":
            tool.edit_template(n)
        elif scenario == "add-story":
            lines = self.template_story.splitlines(keepends=True)
            lines = [
                f'title: "{ADDED_TEXT.format(n=n)}"\n' if line.startswith("title:") else line
                for line in lines
            ]
            target = tool.site / "content" / "stories" / f"bench-added-{n:03d}.md"
            target.write_text("".join(lines), encoding="utf-8")
        elif scenario != "unchanged":
            raise ValueError(scenario)


def measure(tool: Tool, log: Path, timeout: float) -> Sample:
    seconds, peak = run_build(tool.build_cmd(), tool.site, log, tool.env(), timeout)
    return Sample(seconds, peak, count_pages(tool.html_root()))


def bench_size(args, size: int, results: Results) -> None:
    runs = args.runs or default_runs(size)
    # The last size's outputs, deleted now and then QUIET seconds; within a size nothing
    # is deleted until it is done (see tools.Discard)
    DISCARD.empty()
    py = args.storysite.parent / "python"  # has Pillow, for --images
    python = str(py) if py.exists() else sys.executable
    corpus = ensure_corpus(args.corpus_script, args.work, size, args.images, python)
    work = args.work / f"work-{size}"
    tools = make_tools(args.tools, work, args.storysite)
    for tool in tools:
        tool.prepare(corpus)
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    failed: set[str] = set()
    for tool in tools:
        for i in range(args.warmup):
            tool.clean()
            try:
                s = measure(tool, logs / f"warmup-{tool.name}-{i}.log", args.timeout)
            except BuildError as err:
                failed.add(tool.name)
                FAILURES.append(f"{size:,} stories, warm-up, {tool.name}: {err}")
                print(f"FAILED: {err}", file=sys.stderr, flush=True)
                break
            print(
                f"{size:>7,} warm-up       {tool.name:<9} {s.seconds:7.2f} s "
                f"{s.peak_mib:6.0f} MiB {s.pages:6,} pages",
                flush=True,
            )
    scenarios = Scenarios(corpus, size)
    by_scenario = results.setdefault(size, {})
    for scenario in args.scenarios:
        if scenario == "preview":
            row = by_scenario.setdefault(scenario, {})
            alive = [t for t in tools if t.name not in failed]
            try:
                rows = [row] + [by_scenario.setdefault(r, {}) for r in PREVIEW_ROWS]
                bench_preview(args, size, alive, scenarios.edited, rows, logs, runs)
            except BuildError as err:
                FAILURES.append(f"{size:,} stories, preview: {err}")
                print(f"FAILED: {err}", file=sys.stderr, flush=True)
            continue
        row = by_scenario.setdefault(scenario, {t.name: [] for t in tools})
        for n in range(runs):
            for tool in tools:
                if tool.name in failed:
                    continue
                scenarios.before(scenario, tool, n)
                try:
                    s = measure(tool, logs / f"{scenario}-{tool.name}-{n}.log", args.timeout)
                except BuildError as err:  # the others go on; the report says what failed
                    failed.add(tool.name)
                    FAILURES.append(f"{size:,} stories, {scenario}, {tool.name}: {err}")
                    print(f"FAILED: {err}", file=sys.stderr, flush=True)
                    continue
                row[tool.name].append(s)
                print(
                    f"{size:>7,} {scenario:<13} {tool.name:<9} {s.seconds:7.2f} s "
                    f"{s.peak_mib:6.0f} MiB {s.pages:6,} pages  (run {n + 1}/{runs})",
                    flush=True,
                )


def bench_preview(args, size, tools, edited, rows, logs, runs) -> None:
    servers = []
    try:
        for tool in tools:
            port = free_port()
            cmd = tool.serve_cmd(port)
            if cmd is None:
                continue
            server = Server(
                tool.name,
                cmd,
                tool.site,
                f"/stories/{edited}/",
                logs / f"preview-{tool.name}.log",
                port,
                tool.rebuilt_marker,
                page_only=tool.preview_page_only,
            )
            servers.append((tool, server, story_file(tool.site, edited).read_text("utf-8")))
            took = server.start(args.timeout, edited)
            print(
                f"{size:>7,} preview       {tool.name:<9} server up in {took:.1f} s; "
                f"its listing: {server.listing}",
                flush=True,
            )
        for n in range(runs):
            for tool, server, original in servers:
                token = f"preview-edit-{n}-{time.time_ns()}"
                figures = server.time_edit(story_file(tool.site, edited), original, token)
                for row, seconds in zip(rows, figures, strict=True):
                    if seconds is not None:
                        row.setdefault(tool.name, []).append(Sample(seconds, math.nan, 0))
                page, listing, whole = figures
                more = "" if whole is None else f", {whole:7.3f} s until all is rebuilt"
                print(
                    f"{size:>7,} preview       {tool.name:<9} {page:7.3f} s until the edit is "
                    f"served, {listing:7.3f} s on its listing too{more}  (run {n + 1}/{runs})",
                    flush=True,
                )
        for tool, server, _ in servers:
            if server.page_only:
                print(
                    f"{size:>7,} preview       {tool.name:<9} listing page still without the "
                    f"edit when the page had it: {server.stale_listings} of {runs} edits",
                    flush=True,
                )
    finally:
        for _, server, _ in servers:
            server.stop()


def versions(args) -> dict[str, str]:
    probe = make_tools(args.tools, args.work / "probe", args.storysite)
    found = {"Python (harness)": sys.version.split()[0]}
    py = args.storysite.parent / "python"
    if py.exists():
        found["Python (storysite)"] = subprocess.run(
            [
                str(py),
                "-c",
                "import platform, markdown, jinja2; print(platform.python_version(),"
                " '· Python-Markdown', markdown.__version__, '· Jinja2', jinja2.__version__)",
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
    for tool in probe:
        found[tool.name] = tool.version()
        if tool.name == "storysite" and args.commit:
            found[tool.name] += f", commit {args.commit[:12]} (installed from `git archive`)"
        elif tool.name == "storysite":
            found[tool.name] += f", {args.storysite} (as installed there)"
    if "pelican" in args.tools:
        found["Python (Pelican)"] = subprocess.run(
            [
                str(BENCH / ".venv" / "bin" / "python"),
                "-c",
                "import platform, markdown; print(platform.python_version(),"
                " '· Python-Markdown', markdown.__version__)",
            ],
            capture_output=True,
            text=True,
        ).stdout.strip()
    return found


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000], metavar="N")
    ap.add_argument(
        "--runs",
        type=int,
        help="runs per scenario and tool (default: 5 at 1,000 stories, 3 at 10,000, 1 above)",
    )
    ap.add_argument("--tools", nargs="+", choices=TOOLS, default=TOOLS)
    ap.add_argument("--scenarios", nargs="+", choices=SCENARIOS, default=SCENARIOS)
    ap.add_argument("--warmup", type=int, default=1, help="unmeasured builds per tool first")
    ap.add_argument("--images", type=int, default=0, help="stories with a photo (Pillow)")
    ap.add_argument("--write-docs", action="store_true", help="rewrite docs/benchmarks.md")
    ap.add_argument("--docs", type=Path, default=REPO / "docs" / "benchmarks.md")
    ap.add_argument(
        "--json",
        type=Path,
        default=BENCH / "work" / "results.json",
        help="where to keep the raw samples",
    )
    ap.add_argument(
        "--work",
        type=Path,
        default=BENCH / "work",  # no dot folder: storysite serve ignores paths with "/."
        help="corpora, working copies, outputs and logs",
    )
    ap.add_argument(
        "--storysite",
        type=Path,
        help="a storysite executable to measure "
        "(e.g. .venv/bin/storysite for the work tree; default: the commit "
        "--rev, installed into its own venv under --work)",
    )
    ap.add_argument("--rev", default="HEAD", help="the commit to measure (default: HEAD)")
    ap.add_argument(
        "--corpus-script", type=Path, default=REPO.parent / "shared" / "bench" / "make_corpus.py"
    )
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per build")
    args = ap.parse_args(argv)
    args.tools = [t for t in TOOLS if t in args.tools]  # fixed order: A B C A B C
    args.work = args.work.resolve()
    args.commit = None
    if args.storysite is not None:
        args.storysite = args.storysite.absolute()
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.corpus_script.is_file():
        sys.exit(f"no corpus script at {args.corpus_script} (--corpus-script)")
    args.work.mkdir(parents=True, exist_ok=True)
    if args.storysite is None:
        args.storysite, args.commit = storysite_snapshot(args.work, args.rev)
    if not args.storysite.exists() and "storysite" in args.tools:
        sys.exit(f"no storysite at {args.storysite} (--storysite)")
    if set(args.tools) & {"hugo", "pelican"}:
        ensure_peer_venv()
    started = time.monotonic()
    load_before = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
    results: Results = {}
    try:
        for size in args.sizes:
            bench_size(args, size, results)
    finally:
        DISCARD.empty(quiet=False)
        raw = {
            size: {
                sc: {t: [asdict(s) for s in ss] for t, ss in row.items()} for sc, row in by.items()
            }
            for size, by in results.items()
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(raw, indent=1))
    print_report(results)
    for failure in FAILURES:
        print(f"\nFAILED: {failure}", file=sys.stderr)
    if args.write_docs:
        command = "python3 bench/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])
        meta = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "duration": f"{(time.monotonic() - started) / 60:.0f} min",
            "command": command,
            "machine": machine(),
            "versions": versions(args),
            "load_before": load_before,
            "load_after": "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg()),
            "failures": FAILURES,
        }
        write_docs(args.docs, results, meta)
        print(f"\nwrote {args.docs}")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
