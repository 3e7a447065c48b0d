"""The takedown ledger: hashes of the story slugs taken down from an output folder
(never the slugs themselves), so that rollback and deploy can refuse a release that
still shows one."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from generator.release.manifest import read_manifest

LEDGER = "withdrawn.json"


def _slug_hash(slug: str) -> str:
    return hashlib.sha256(f"storysite-slug:{slug}".encode()).hexdigest()


def withdrawn_hashes(out_dir: Path) -> set[str]:
    """Hashes of every story slug taken down from this output folder (never the slugs)."""
    try:
        data = json.loads((out_dir / LEDGER).read_text())
    except (OSError, ValueError):
        return set()
    return set(data.get("withdrawn", [])) if isinstance(data, dict) else set()


def record_takedowns(out_dir: Path, gone: Sequence[str], published: Sequence[str]) -> None:
    """Remember taken-down stories so rollback can refuse releases that still show them.
    A story published again (consent renewed) leaves the ledger."""
    hashes = (withdrawn_hashes(out_dir) | {_slug_hash(s) for s in gone}) - {
        _slug_hash(s) for s in published
    }
    tmp = out_dir / f".{LEDGER}.tmp"
    tmp.write_text(json.dumps({"withdrawn": sorted(hashes)}, indent=1) + "\n")
    os.replace(tmp, out_dir / LEDGER)


def shows_withdrawn(out_dir: Path, release: Path) -> list[str]:
    """Slugs of taken-down stories that ``release`` still publishes."""
    ledger = withdrawn_hashes(out_dir)
    return sorted(s for s in read_manifest(release).get("stories", []) if _slug_hash(s) in ledger)
