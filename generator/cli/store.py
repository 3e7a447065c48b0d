"""The release-store commands of the CLI: releases, diff, rollback, purge, deploy, schema.

Part of ``cli``: argv in, text out; the work itself is in ``release`` and ``deploy``.
"""

from __future__ import annotations

import argparse
import json

from generator import compare, release
from generator import deploy as deploying
from generator.config import load_config
from generator.errors import Problems
from generator.model.schema import schemas


def size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def cmd_releases(args: argparse.Namespace) -> int:
    out = args.out or args.site / "output"
    infos = release.describe(out)
    if not infos:
        print(f"no releases in {out}")
        return 0
    print(f"{'':2}{'release':<28} {'pages':>6} {'size':>9}  commit")
    for info in infos:
        mark = "* " if info.is_current else "  "
        commit = (info.commit or "-")[:10]
        print(f"{mark}{info.id:<28} {info.pages:>6} {size(info.size):>9}  {commit}")
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    out = args.out or args.site / "output"
    result = compare.diff(out, args.a, args.b, args.text)
    for label, paths in (
        ("added", result.added),
        ("removed", result.removed),
        ("changed", result.changed),
    ):
        for path in paths:
            print(f"{label:8} {path}")
    for lines in result.text.values():
        for line in lines:
            print(line)
    print(
        f"{len(result.added)} added, {len(result.removed)} removed, {len(result.changed)} changed"
    )
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    out = args.out or args.site / "output"
    print(f"current is now {release.rollback(out, args.release)}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    out = args.out or args.site / "output"
    removed = release.purge(out, args.slug)
    for rid in removed:
        print(f"removed release {rid}")
    print(f"purged '{args.slug}' from {len(removed)} release(s); future rollbacks refuse it")
    return 0


def cmd_deploy(args: argparse.Namespace) -> int:
    out = args.out or args.site / "output"
    target = deploying.parse_target(args.target)
    if args.release:
        folder = release.find(out, args.release)
    elif release.current_id(out) is None:
        raise release.ReleaseError(f"no current release in {out}; run `storysite build` first")
    else:
        folder = out / release.CURRENT
    plan = deploying.deploy(
        folder,
        target,
        dry_run=args.dry_run,
        endpoint_url=args.endpoint_url,
        forget_history=args.forget_history,
    )
    for path in plan.uploads:
        print(f"upload  {path}")
    for path in plan.deletions:
        print(f"delete  {path}")
    for note in plan.notes:
        print(f"note: {note}")
    verb = "would upload" if plan.dry_run else "uploaded"
    print(
        f"{plan.target}: release {plan.release_id}: {verb} {len(plan.uploads)} file(s) "
        f"({size(plan.bytes)}), {len(plan.deletions)} deleted, {plan.unchanged} unchanged"
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    problems = Problems()
    config = load_config(args.site, problems)
    folder = args.out or args.site / "schemas"
    folder.mkdir(parents=True, exist_ok=True)
    for kind, schema in schemas(config).items():
        path = folder / f"{kind}.schema.json"
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {path}")
    return 0
