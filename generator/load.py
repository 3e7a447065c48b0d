"""Reading the site folder: content files → SourceDoc values, data files → SourceData.

Decodes text (UTF-8, BOM and CRLF accepted), splits front matter with
python-frontmatter's boundary rules, parses it as safe YAML with a key → line map, and
refuses files that are binary, huge, or reached through links that leave the site.
Reads files; writes nothing.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frontmatter

from generator import parallel
from generator.cache import Cache
from generator.errors import Problems
from generator.yamldoc import KeyPath, YamlProblem, parse
from generator.yamlmemo import NotMemoised, ParseMemo

KINDS = {"stories": "story", "milestones": "milestone", "pages": "page", "campaigns": "campaign"}
MAX_BYTES = 2 * 1024 * 1024  # a story is a few KB; anything this big is a mistake
_BOUNDARY = frontmatter.YAMLHandler.FM_BOUNDARY


@dataclass(frozen=True)
class SourceDoc:
    """One Markdown file with front matter, as read; not yet validated."""

    path: str  # site-relative POSIX path, e.g. content/stories/hellen.md
    kind: str  # story | milestone | page | campaign
    meta: Mapping[str, Any]
    lines: Mapping[KeyPath, int]  # key path → line in the file
    body: str
    body_line: int  # file line where the body starts
    sha256: str
    bundle: bool  # content/stories/<slug>/index.md, with its images beside it

    @property
    def stem(self) -> str:
        """The slug the file name gives (folder name for bundles). Strings, not pathlib,
        here and in ``folder``: a Path cost more than the rest of reading a document."""
        if self.bundle:
            return posixpath.basename(posixpath.dirname(self.path))
        return posixpath.splitext(posixpath.basename(self.path))[0]

    @property
    def folder(self) -> str:
        return posixpath.dirname(self.path) or "."


@dataclass(frozen=True)
class SourceData:
    """One YAML file under content/data/."""

    path: str
    data: Any
    lines: Mapping[KeyPath, int]


@dataclass(frozen=True)
class SiteSource:
    docs: tuple[SourceDoc, ...]
    data: Mapping[str, SourceData]  # by file stem, e.g. "gifts"
    static: tuple[str, ...]  # site-relative paths of files under static/
    assets: frozenset[str]  # site-relative paths of non-Markdown files under content/


def read_site(site_dir: Path, problems: Problems, cache: Cache | None = None) -> SiteSource:
    """Read every content file, data file and static file list of a site."""
    root = site_dir.resolve()
    memo = ParseMemo(cache or Cache(None))
    todo: list[tuple[str, str, bool]] = []  # (path, kind, bundle) of each document
    docs: list[SourceDoc] = []
    data: dict[str, SourceData] = {}
    assets: set[str] = set()
    content = root / "content"
    if not content.is_dir():
        problems.error(
            "content",
            None,
            None,
            "no content folder",
            "create content/stories/ and put one Markdown file per story in it",
        )
    for rel in _files(root, "content", problems):
        parts = rel.split("/")
        if rel.endswith(".md") and len(parts) >= 3 and parts[1] in KINDS:
            bundle = parts[1] == "stories" and len(parts) == 4 and parts[3] == "index.md"
            if len(parts) == 3 or bundle:
                todo.append((rel, KINDS[parts[1]], bundle))
                continue
            if parts[1] == "stories" and len(parts) == 4:
                problems.error(
                    rel,
                    None,
                    None,
                    "a story folder holds index.md and its images only",
                    "rename the file to index.md or move it to content/stories/",
                )
                continue
        if len(parts) == 3 and parts[1] == "data" and rel.endswith((".yaml", ".yml")):
            item = _read_data(root, rel, problems)
            if item is not None:
                data[Path(rel).stem] = item
            continue
        if rel.endswith(".md"):
            problems.warning(
                rel,
                None,
                None,
                "Markdown file outside stories/, milestones/, pages/ and campaigns/ is ignored",
            )
            continue
        assets.add(rel)
    docs = _read_docs(root, todo, problems, memo)
    memo.save()
    static = tuple(_files(root, "static", problems))
    docs.sort(key=lambda d: d.path)
    return SiteSource(tuple(docs), data, static, frozenset(assets))


def bodies(source: SiteSource) -> dict[str, str]:
    """Each document's Markdown body, by path: for ``render`` only. The validated
    documents do not hold their bodies, so a build lets them go once rendered (50 MB
    at 10,000 stories, a tenth of its peak memory)."""
    return {doc.path: doc.body for doc in source.docs}


def read_doc(site_dir: Path, rel: str, problems: Problems) -> SourceDoc | None:
    """One content document on its own (the preview's quick path); None if not one."""
    parts = rel.split("/")
    if len(parts) < 3 or parts[0] != "content" or parts[1] not in KINDS:
        return None
    bundle = parts[1] == "stories" and len(parts) == 4 and parts[3] == "index.md"
    if not rel.endswith(".md") or not (len(parts) == 3 or bundle):
        return None
    return _read_doc(
        site_dir.resolve(), rel, KINDS[parts[1]], bundle, problems, ParseMemo(Cache(None))
    )


def _read_docs(
    root: Path, todo: list[tuple[str, str, bool]], problems: Problems, memo: ParseMemo
) -> list[SourceDoc]:
    """Read and parse the documents, YAML across worker processes (CPU-bound); those
    whose front matter is in the memo first, in-process: cheaper than sending them back
    from workers (10,000: 0.9 s here, 1.6 s on two workers)."""
    docs: list[SourceDoc] = []
    if memo.old:
        misses = []
        for item in todo:
            try:
                doc = _read_doc(root, *item, problems, memo, memo_only=True)
            except NotMemoised:
                misses.append(item)
                continue
            if doc is not None:
                docs.append(doc)
        todo = misses

    def job(chunk: Sequence[tuple[str, str, bool]]) -> list[Any]:
        results = []
        for rel, kind, bundle in chunk:
            local = Problems()
            memo.last = None
            doc = _read_doc(root, rel, kind, bundle, local, memo)
            results.append((doc, local.items, memo.last))
        return results

    for doc, found, used in parallel.map_chunks(job, todo):
        problems.items.extend(found)
        memo.keep(used)
        if doc is not None:
            docs.append(doc)
    return docs


def _files(root: Path, top: str, problems: Problems) -> list[str]:
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


def _decode(root: Path, rel: str, problems: Problems) -> tuple[str, str] | None:
    """Read a text file → (text with LF line ends, sha256 of the bytes); None if unusable."""
    try:
        with open(os.path.join(root, rel), "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
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
    return text, hashlib.sha256(raw).hexdigest()


def _read_doc(
    root: Path,
    rel: str,
    kind: str,
    bundle: bool,
    problems: Problems,
    memo: ParseMemo,
    memo_only: bool = False,
) -> SourceDoc | None:
    """One document; with ``memo_only``, NotMemoised (and no problems recorded) when
    its front matter would have to be parsed."""
    decoded = _decode(root, rel, problems)
    if decoded is None:
        return None
    text, digest = decoded
    if not text.strip():
        problems.error(
            rel,
            None,
            None,
            "file is empty",
            "start it with front matter between two '---' lines (storysite new ...)",
        )
        return None
    first = text.split("\n", 1)[0]
    if not _BOUNDARY.fullmatch(first):
        problems.error(
            rel,
            1,
            None,
            "no front matter: the file must start with a '---' line",
            "add the fields between two '---' lines at the top of the file",
        )
        return None
    parts = _BOUNDARY.split(text, 2)
    if len(parts) < 3:
        problems.error(
            rel,
            1,
            None,
            "front matter is not closed",
            "add a line with just '---' after the last field",
        )
        return None
    _, fm_text, body = parts
    body_line = text[: len(text) - len(body)].count("\n") + 1
    if body.startswith("\n"):
        body = body[1:]
        body_line += 1
    try:
        doc = memo.parse(fm_text, memo_only)
    except YamlProblem as exc:
        problems.error(rel, exc.line or 1, None, exc.message, exc.hint)
        return None
    if doc.data is None:
        meta: dict[str, Any] = {}
    elif isinstance(doc.data, dict):
        meta = doc.data
    else:
        problems.error(rel, 2, None, "front matter must be fields (key: value), one per line")
        return None
    # fm_text keeps the newline that ends the opening '---', so its lines are file lines
    return SourceDoc(rel, kind, meta, doc.lines, body, body_line, digest, bundle)


def _read_data(root: Path, rel: str, problems: Problems) -> SourceData | None:
    decoded = _decode(root, rel, problems)
    if decoded is None:
        return None
    try:
        doc = parse(decoded[0], text_keys=False)  # data may be keyed by year, say
    except YamlProblem as exc:
        problems.error(rel, exc.line, None, exc.message, exc.hint)
        return None
    return SourceData(rel, doc.data, doc.lines)


def signature(site_dir: Path, theme_dir: Path, code_dir: Path | None = None) -> str:
    """A cheap fingerprint of every input file: path, size and modification time.

    Used to skip a build outright when nothing changed (as make and ninja do); a file
    touched without changing only costs a normal incremental build.
    """
    h = hashlib.sha256()
    root = site_dir.resolve()
    folders = [root / "content", root / "static", root / "templates", theme_dir.resolve()]
    if code_dir is not None:  # the generator itself: an upgrade or a local edit
        folders.append(code_dir.resolve())
    try:
        st = os.stat(root / "site.yaml")
        h.update(f"site.yaml\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    except OSError:
        h.update(b"site.yaml\0missing\n")
    for folder in dict.fromkeys(folders):  # the repo's templates/ may be the theme too
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames.sort()
            for name in sorted(filenames):
                path = os.path.join(dirpath, name)
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                h.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ino}\n".encode())
    return h.hexdigest()
