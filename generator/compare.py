"""Comparing two releases: files added, removed and changed, and the text of changed pages.

Reads releases through their manifests; writes nothing. For `storysite diff`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.release import find, read_manifest


@dataclass(frozen=True)
class ReleaseDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]
    text: dict[str, list[str]]  # changed page → unified diff of its visible text


def diff(out_dir: Path, a: str, b: str, with_text: bool = False) -> ReleaseDiff:
    """Pages and files added, removed and changed from release ``a`` to release ``b``."""
    import difflib

    path_a, path_b = find(out_dir, a), find(out_dir, b)
    files_a = {f["path"]: f["sha256"] for f in read_manifest(path_a).get("files", [])}
    files_b = {f["path"]: f["sha256"] for f in read_manifest(path_b).get("files", [])}
    added = sorted(set(files_b) - set(files_a))
    removed = sorted(set(files_a) - set(files_b))
    changed = sorted(p for p in set(files_a) & set(files_b) if files_a[p] != files_b[p])
    text: dict[str, list[str]] = {}
    if with_text:
        for page in (p for p in changed if p.endswith(".html")):
            old = _visible_text((path_a / page).read_text(errors="replace"))
            new = _visible_text((path_b / page).read_text(errors="replace"))
            text[page] = list(
                difflib.unified_diff(
                    old, new, f"{path_a.name}/{page}", f"{path_b.name}/{page}", lineterm=""
                )
            )
    return ReleaseDiff(added, removed, changed, text)


def _visible_text(html: str) -> list[str]:
    """The text a reader sees, one block per line (scripts and styles left out)."""
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.lines: list[str] = [""]
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in {"script", "style"}:
                self.skip += 1
            elif tag in {"p", "li", "h1", "h2", "h3", "h4", "tr", "div", "br", "blockquote"}:
                self.lines.append("")

        def handle_endtag(self, tag: str) -> None:
            if tag in {"script", "style"} and self.skip:
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.lines[-1] += data

    parser = _Text()
    parser.feed(html)
    return [" ".join(line.split()) for line in parser.lines if line.strip()]
