"""The site's files as text: listed (inside the site, no folder links), read (size,
binary and encoding checks, BOM and CRLF accepted), and split at the front matter's
'---' lines, by python-frontmatter's boundary rule. Reads files; writes nothing.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import frontmatter

from generator.errors import Problems
from generator.stamps import Stamp, stamp_of

MAX_BYTES = 2 * 1024 * 1024  # a story is a few KB; anything this big is a mistake
_BOUNDARY = frontmatter.YAMLHandler.FM_BOUNDARY


def listing(root: Path, top: str, problems: Problems) -> list[str]:
    """Site-relative paths of the regular files under ``top``, sorted, staying inside the site."""
    base = root / top
    if base.is_symlink():
        # os.walk follows a link it is given to start from: static -> / would publish the
        # build machine's files, so the top folder is refused like any other folder link
        problems.error(
            top,
            None,
            None,
            "folder links are not followed",
            f"make {top}/ a real folder inside the site instead of a link",
        )
        return []
    if not base.is_dir():
        return []
    found: list[str] = []
    # Strings and scandir entries, not pathlib: this runs for every file of the site
    # before every build, and each Path costs more than the directory entry it names
    prefix = len(str(root)) + 1
    stack = [str(base)]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:  # stories in it would be left out without a word
            problems.error(
                folder[prefix:].replace(os.sep, "/") or top,
                None,
                None,
                f"cannot read this folder: {exc.strerror}",
                "give the user running the build permission to read it",
            )
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            if name.startswith(".") or (name.endswith("~") and not entry.is_dir()):
                continue
            rel = entry.path[prefix:].replace(os.sep, "/")
            if entry.is_dir(follow_symlinks=False):
                subfolders.append(entry.path)
            elif entry.is_symlink() and entry.is_dir():
                problems.error(
                    rel,
                    None,
                    None,
                    "folder links are not followed",
                    "move the folder into the site instead of linking to it",
                )
            elif entry.is_symlink() and not _file_inside(Path(entry.path).resolve(), root):
                problems.error(
                    rel,
                    None,
                    None,
                    "link points outside the site folder",
                    "copy the file into the site instead of linking to it",
                )
            else:
                found.append(rel)
        stack.extend(reversed(subfolders))  # a folder's files, then its folders, as os.walk
    return found


def _file_inside(target: Path, root: Path) -> bool:
    return target.is_relative_to(root) and target.is_file()


def decode(root: Path, rel: str, problems: Problems) -> tuple[str, str, Stamp] | None:
    """Read a text file → (text with LF line ends, sha256 of the bytes, the file's stamp
    before reading); None if unusable."""
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            st = os.fstat(fh.fileno())
            size = st.st_size
            if size > MAX_BYTES:
                problems.error(
                    rel,
                    None,
                    None,
                    f"file is too large ({size // 1024} KB; limit {MAX_BYTES // 1024} KB)",
                    "split it, or move big data out of content/",
                )
                return None
            raw = fh.read()
    except OSError as exc:
        problems.error(rel, None, None, f"cannot read file: {exc.strerror}")
        return None
    if b"\x00" in raw:
        problems.error(
            rel,
            None,
            None,
            "binary file where text was expected",
            "content files must be Markdown or YAML text",
        )
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.error(
            rel,
            line,
            None,
            "text is not UTF-8",
            "save the file with UTF-8 encoding (most editors: 'Save with encoding')",
        )
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, hashlib.sha256(raw).hexdigest(), stamp_of(st)


def split(text: str) -> tuple[str, str, int] | str:
    """(front matter, body, line the body starts on), or "open" / "closed": the front
    matter's first or last '---' line is missing."""
    if not _BOUNDARY.fullmatch(text.split("\n", 1)[0]):
        return "open"
    parts = _BOUNDARY.split(text, 2)
    if len(parts) < 3:
        return "closed"
    _, fm_text, body = parts
    body_line = text[: len(text) - len(body)].count("\n") + 1
    if body.startswith("\n"):
        body = body[1:]
        body_line += 1
    return fm_text, body, body_line
