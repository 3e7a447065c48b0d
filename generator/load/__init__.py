"""Reading the site folder: content files → SourceDoc values, data files → SourceData.

Decodes text (UTF-8, BOM and CRLF accepted), splits front matter with
python-frontmatter's boundary rules, parses it as safe YAML with a key → line map, and
refuses files that are binary, huge, or reached through links that leave the site.
Reads files; writes nothing.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator import parallel
from generator.cache import Cache
from generator.errors import Problems
from generator.load.files import decode, listing, split
from generator.load.kept import Bodies, FileChanged, Known, unchanged
from generator.stamps import Stamp
from generator.yamldoc import KeyPath, YamlProblem, parse
from generator.yamlmemo import NotMemoised, ParseMemo

__all__ = ["Bodies", "FileChanged", "Known", "SiteSource", "SourceData", "SourceDoc"]

MEMO_AFTER = 200  # documents to read before the front matter memo is worth loading
KINDS = {"stories": "story", "milestones": "milestone", "pages": "page", "campaigns": "campaign"}


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
    stamp: Stamp | None = None  # the file's stamp when it was read

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
    # documents left unread because ``known`` says how they were, with their stamps now
    kept: Mapping[str, Stamp] = field(default_factory=dict)


def read_site(
    site_dir: Path,
    problems: Problems,
    cache: Cache | None = None,
    known: Mapping[str, Known] | None = None,
    seen: Mapping[str, Stamp] | None = None,
) -> SiteSource:
    """Read every content file, data file and static file list of a site.

    A document in ``known`` whose file still has the stamp (and, if the stamp was not
    settled, the bytes) it had is not read: its path goes to ``kept``. ``seen``: the
    files' stamps if just taken (``stamps.signature``), by absolute path."""
    root = site_dir.resolve()
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
    for rel in listing(root, "content", problems):
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
    kept = unchanged(root, todo, known, seen) if known else {}
    if kept:
        todo = [item for item in todo if item[0] not in kept]
    # Loading the memo costs as much as parsing a few hundred front matters afresh
    memo = ParseMemo(cache if cache and len(todo) > MEMO_AFTER else Cache(None))
    docs = _read_docs(root, todo, problems, memo)
    memo.save(keep_old=bool(kept))  # the kept documents' entries are still wanted
    static = tuple(listing(root, "static", problems))
    docs.sort(key=lambda d: d.path)
    return SiteSource(tuple(docs), data, static, frozenset(assets), kept)


def bodies(
    source: SiteSource, site_dir: Path | None = None, digests: Mapping[str, str] | None = None
) -> Bodies:
    """The bodies of ``source``'s documents, and of the kept ones in ``site_dir`` if
    ``digests`` (path → sha256) names them."""
    read = {doc.path: doc.body for doc in source.docs}
    root = (site_dir or Path()).resolve()
    return Bodies(root, read, digests or dict.fromkeys(read, ""))


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
    """Read and parse the documents, YAML across worker processes (CPU-bound); when
    there is a memo, those whose front matter is in it or plain (``yamlquick``) first,
    in-process: cheaper than sending them back from workers (10,000: 0.9 s here, 1.6 s
    on two workers)."""
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

    # parsing makes no cycles: YAML nodes, dicts and lists, freed as they go
    for doc, found, used in parallel.map_chunks(job, todo, collect=False):
        problems.items.extend(found)
        memo.keep(used)
        if doc is not None:
            docs.append(doc)
    return docs


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
    decoded = decode(root, rel, problems)
    if decoded is None:
        return None
    text, digest, stamp = decoded
    if not text.strip():
        problems.error(
            rel,
            None,
            None,
            "file is empty",
            "start it with front matter between two '---' lines (storysite new ...)",
        )
        return None
    parts = split(text)
    if parts == "open":
        problems.error(
            rel,
            1,
            None,
            "no front matter: the file must start with a '---' line",
            "add the fields between two '---' lines at the top of the file",
        )
        return None
    if parts == "closed":
        problems.error(
            rel,
            1,
            None,
            "front matter is not closed",
            "add a line with just '---' after the last field",
        )
        return None
    assert not isinstance(parts, str)
    fm_text, body, body_line = parts
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
    return SourceDoc(rel, kind, meta, doc.lines, body, body_line, digest, bundle, stamp)


def _read_data(root: Path, rel: str, problems: Problems) -> SourceData | None:
    decoded = decode(root, rel, problems)
    if decoded is None:
        return None
    try:
        doc = parse(decoded[0], text_keys=False)  # data may be keyed by year, say
    except YamlProblem as exc:
        problems.error(rel, exc.line, None, exc.message, exc.hint)
        return None
    return SourceData(rel, doc.data, doc.lines)
