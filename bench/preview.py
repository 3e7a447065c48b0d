"""The preview scenario: edit one story while the tool's preview server runs, and time how
long until the server answers with the edited page.

The clock starts just before the story file is written and stops when an HTTP GET of the
story's URL returns a body containing the new text (polled every 10 ms, on 127.0.0.1
only). This is end to end: the file watcher's delay, the rebuild (storysite serve) or fast
render (``hugo server`` re-renders the changed pages a client has visited), and serving.
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
    ):
        self.name, self.cmd, self.cwd, self.log = name, cmd, cwd, log
        self.done = done  # a line the server logs when a whole rebuild has finished
        self.url = f"http://127.0.0.1:{port}{page}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float) -> float:
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
        return time.perf_counter() - started

    def _done_count(self) -> int:
        if self.done is None:
            return 0
        return self.log.read_text(errors="replace").count(self.done)

    def time_edit(
        self, story: Path, token: str, timeout: float = 300.0
    ) -> tuple[float, float | None]:
        """Append ``token`` to ``story``. Returns the seconds until the served page contains
        it, and (servers that log ``done``) until the whole rebuild has finished."""
        fetch(self.url)  # visited: Hugo's fast render re-renders pages that were viewed
        done_before = self._done_count()
        start = time.perf_counter()
        with story.open("a", encoding="utf-8") as f:
            f.write(f"\nThis story was edited for the preview benchmark ({token}).\n")
        while True:
            body = fetch(self.url)
            elapsed = time.perf_counter() - start
            if body is not None and token in body:
                break
            if elapsed > timeout:
                raise BuildError(
                    f"{self.name}: edit not served after {timeout:.0f} s (log: {self.log})"
                )
            time.sleep(POLL)
        if self.done is None:
            return elapsed, None
        while self._done_count() <= done_before:
            if time.perf_counter() - start > timeout:
                raise BuildError(f"{self.name}: rebuild not finished after {timeout:.0f} s")
            time.sleep(POLL)
        return elapsed, time.perf_counter() - start

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
