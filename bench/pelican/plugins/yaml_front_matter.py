"""Pelican reader for the benchmark corpus: YAML front matter, storysite-style .md links.

Pelican's own Markdown reader takes ``key: value`` lines, not YAML, so this reader splits
the front matter off and parses it with PyYAML (libyaml, as storysite does), maps
``country`` to Pelican's category and ``injustice`` + ``tags`` to its tags, and rewrites a
relative link ``[text](other.md)`` to Pelican's ``{filename}/stories/other.md`` form so
that Pelican resolves it to the page's URL. The body is then rendered by Python-Markdown
with Pelican's MARKDOWN settings, like any Pelican site.
"""

import datetime
import posixpath
import re
from pathlib import Path

import yaml
from markdown import Markdown
from pelican import signals
from pelican.readers import MarkdownReader
from pelican.utils import SafeDatetime

FRONT = re.compile(r"\A---[ \t]*\n(.*?)\n---[ \t]*\n", re.S)
MD_LINK = re.compile(r"\]\((?![a-z]+:|/|#|\{)([^)\s]+\.md)\)")
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def as_datetime(value):
    if isinstance(value, datetime.datetime):
        return SafeDatetime(*value.timetuple()[:6])
    if isinstance(value, datetime.date):
        return SafeDatetime(value.year, value.month, value.day)
    if isinstance(value, int):  # milestones: a year alone
        return SafeDatetime(value, 1, 1)
    return SafeDatetime.fromisoformat(str(value))


class YamlMarkdownReader(MarkdownReader):
    file_extensions = ["md"]

    def read(self, source_path):
        self._source_path = source_path
        text = Path(source_path).read_text(encoding="utf-8")
        match = FRONT.match(text)
        meta = yaml.load(match.group(1), Loader=LOADER) if match else {}
        body = text[match.end() :] if match else text
        root = Path(self.settings["PATH"]).resolve()
        here = Path(source_path).resolve().parent.relative_to(root).as_posix()

        def link(m):
            return "]({filename}/" + posixpath.normpath(posixpath.join(here, m.group(1))) + ")"

        settings = dict(self.settings["MARKDOWN"])
        settings["extensions"] = [
            e for e in settings.get("extensions", []) if e != "markdown.extensions.meta"
        ]
        self._md = Markdown(**settings)
        content = self._md.convert(MD_LINK.sub(link, body))

        path = Path(source_path)
        metadata = {
            "slug": path.parent.name if path.stem == "index" else path.stem,
            "title": meta.get("title", path.stem),
            "date": as_datetime(meta["date"]) if "date" in meta else None,
        }
        if metadata["date"] is None:
            del metadata["date"]
        if "country" in meta:
            metadata["category"] = self.process_metadata("category", str(meta["country"]))
        terms = [*meta.get("injustice", []), *meta.get("tags", [])]
        if terms:
            metadata["tags"] = self.process_metadata("tags", ", ".join(terms))
        for key in ("summary", "survivor", "quote", "content_warning", "metrics", "kind"):
            if key in meta:
                metadata[key] = meta[key]
        return content, metadata


def add_reader(readers):
    readers.reader_classes["md"] = YamlMarkdownReader


def register():
    signals.readers_init.connect(add_reader)
