"""The preview scenario: edit one story's words while the tool's preview server runs, and
time how long until the server answers with them.

The edit puts a new token into the story's summary (front matter, shown on its card in
every listing) and into its text. The clock starts just before the file is written and
stops when HTTP GETs return bodies containing the token (polled every 10 ms, on 127.0.0.1
only): first the story's page (row "preview"), then also the listing page that shows
its card (row "preview-full"). Both pages are visited before the edit, so ``hugo server``
would re-render both if it could; but its fast render re-renders the edited page only
(the listing keeps the old summary until a full re-render), so its "preview-full" figure
is its page figure, as the benchmark issue's goal states. This is end to end: the file
watcher's delay, the rebuild, and serving. For storysite, "preview-files" also waits
until its server logs that the whole rebuild (search index, files on disk) has finished;
Hugo writes no files in server mode.
Pelican is not measured here: its ``--autoreload`` is a full build, which the edit-story
row already shows.
"""

import http.client
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from measure import BuildError

POLL = 0.01


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return None  # down, or cut off mid-answer while the server rebuilds


def edit_words(story: Path, original: str, token: str) -> None:
    """``original`` (the story file as it was) with ``token`` in its summary and text."""
    lines = original.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    summary = lines[at][len("summary:") :].strip().strip('"')
    lines[at] = f'summary: "{token} {summary}"\n'
    text = "".join(lines) + f"\nThis story was edited for the preview benchmark ({token}).\n"
    story.write_text(text, encoding="utf-8")


def listing_of(base: str, slug: str, limit: int = 5000) -> str:
    """The path of the stories listing page that shows ``slug``'s card, by walking the
    server's own pages (/stories/, /stories/page/2/, …)."""
    for n in range(1, limit):
        path = "/stories/" if n == 1 else f"/stories/page/{n}/"
        body = fetch(base + path)
        if body is None:
            break
        if f"{slug}/" in body:
            return path
    raise BuildError(f"no stories listing page at {base} links to {slug}")


class Server:
    """A preview server process, started and stopped around the preview runs."""

    def __init__(
        self,
        name: str,
        cmd: list[str],
        cwd: Path,
        page: str,
        log: Path,
        port: int,
        done: str | None = None,
        page_only: bool = False,
    ):
        self.name, self.cmd, self.cwd, self.log = name, cmd, cwd, log
        self.page_only = page_only  # see Tool.preview_page_only
        self.done = done  # a line the server logs when a whole rebuild has finished
        self.base = f"http://127.0.0.1:{port}"
        self.url = self.base + page
        self.listing = ""  # set by start(): the listing page with the story's card
        self.stale_listings = 0  # page_only: edits whose listing page was still old
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float, slug: str) -> float:
        """Start; wait until the story page is served. Returns the seconds that took."""
        started = time.perf_counter()
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=self.cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        while fetch(self.url) is None:
            if self.proc.poll() is not None or time.perf_counter() - started > timeout:
                self.stop()
                tail = self.log.read_text(errors="replace").splitlines()[-25:]
                raise BuildError(
                    f"{self.name} preview server did not serve {self.url}\n" + "\n".join(tail)
                )
            time.sleep(0.1)
        took = time.perf_counter() - started
        self.listing = self.base + listing_of(self.base, slug)
        return took

    def _done_count(self) -> int:
        if self.done is None:
            return 0
        return self.log.read_text(errors="replace").count(self.done)

    def _wait(self, url: str, token: str, start: float, timeout: float) -> float:
        while True:
            body = fetch(url)
            elapsed = time.perf_counter() - start
            if body is not None and token in body:
                return elapsed
            if elapsed > timeout:
                raise BuildError(f"{self.name}: {url} without the edit after {timeout:.0f} s")
            time.sleep(POLL)

    def time_edit(
        self, story: Path, original: str, token: str, timeout: float = 300.0
    ) -> tuple[float, float, float | None]:
        """Put ``token`` into the story. Returns the seconds until its page is served with
        it, until its listing page is too, and (servers that log ``done``) until the whole
        rebuild has finished."""
        fetch(self.url)  # visited: Hugo's fast render re-renders pages that were viewed
        fetch(self.listing)
        done_before = self._done_count()
        start = time.perf_counter()
        edit_words(story, original, token)
        page = self._wait(self.url, token, start, timeout)
        if self.page_only:
            listing = page
            body = fetch(self.listing) or ""
            self.stale_listings += token not in body
        else:
            listing = max(page, self._wait(self.listing, token, start, timeout))
        if self.done is None:
            return page, listing, None
        while self._done_count() <= done_before:
            if time.perf_counter() - start > timeout:
                raise BuildError(f"{self.name}: rebuild not finished after {timeout:.0f} s")
            time.sleep(POLL)
        return page, listing, time.perf_counter() - start

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
