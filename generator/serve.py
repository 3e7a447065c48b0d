"""The preview server: build drafts into a private folder, serve it on 127.0.0.1,
rebuild when a file changes, and reload open pages.

Builds go to ``<output>/.preview/``, never to the release store. A watchdog observer
collects changes; a rebuild runs the normal (incremental) pipeline with drafts on.
When an edit changes only a document's words, every page that shows it (its own page,
listings, related boxes, home page, feed) is first rendered in memory from the last
build's values (``quick_pages``) and served while the full rebuild runs: the
editor sees the edit everywhere at once, and the search index and files follow.
Open pages listen on a server-sent events stream: they reload after a good build,
and show an overlay naming file, line and message after a bad one, while the last
good preview stays served. Only this module and ``cli`` print.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator import build, theme
from generator.config import BuildOptions
from generator.errors import BuildFailed, OutputError
from generator.quick import Session, quick_pages

log = logging.getLogger("storysite.serve")
PREVIEW_DIR = ".preview"
EVENTS = "/__storysite/events"
STATUS = "/__storysite/status"

# Injected into HTML responses only (never into built files): reload on a good build,
# an overlay with every problem on a bad one
CLIENT = """<script id="storysite-live">(function(){
function overlay(p){var o=document.getElementById('storysite-overlay');
if(!p||!p.length){if(o)o.remove();return;}
if(!o){o=document.createElement('div');o.id='storysite-overlay';o.setAttribute('role','alert');
o.style.cssText='position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.94);'+
'color:#fff;font:16px/1.5 system-ui,sans-serif;padding:2rem';document.body.appendChild(o);}
o.innerHTML='<h2 style="margin-top:0;color:#ffb4a8">The preview could not be rebuilt</h2>'+
'<p>The last good version is still shown underneath. Fix these and save:</p><ol></ol>';
var ol=o.querySelector('ol');p.forEach(function(x){var li=document.createElement('li');
li.style.cssText='margin:.75rem 0;font-family:ui-monospace,monospace';
li.textContent=x;ol.appendChild(li);});}
var es=new EventSource('%(events)s');
es.addEventListener('reload',function(){location.reload();});
es.addEventListener('problems',function(e){overlay(JSON.parse(e.data));});
})();</script>"""


@dataclass
class PreviewState:
    """What the last build said: its problems (empty when it succeeded), a version number."""

    version: int = 0
    problems: tuple[str, ...] = ()


class Preview:
    """Builds, watches and notifies; the HTTP handler reads from it."""

    def __init__(self, options: BuildOptions, say: Callable[[str], None] = print):
        self.options = replace(
            options,
            drafts=True,
            write=True,
            out_dir=options.output / PREVIEW_DIR,
            keep_session=True,
            keep_releases=1,  # a private preview has nothing to roll back to
        )
        self.say = say
        self.state = PreviewState()
        self.session: Session | None = None
        # Pages rendered by the quick path, served before the files of the last build
        # until the full rebuild that follows replaces them (release-relative paths)
        self.overlay: dict[str, bytes] = {}
        self.changed = threading.Condition()
        self._pending: set[str] = set()
        self._lock = threading.Lock()
        self._queued = threading.Event()  # wakes the loop as soon as a file changes

    @property
    def root(self) -> Path:
        return self.options.output / "current"

    def quick(self, changed: set[str]) -> bool:
        """Show at once every page an edit of a document's words changes."""
        if self.session is None or self.state.problems:
            return False
        # Editors save through temporary files that are gone again by now; a document
        # that is gone was deleted, which only the full build handles
        site = self.options.site_dir
        names = {_short(p, site) for p in changed}
        names = {n for n in names if n in self.session.meta or (site / n).is_file()}
        if len(names) != 1:
            return False
        started = time.perf_counter()
        rel = next(iter(names))
        try:
            pages = quick_pages(self.session, rel)
        except Exception:  # an optimisation never stops the preview: the rebuild follows
            log.debug("quick pages failed for %s", rel, exc_info=True)
            return False
        if not pages:
            return False
        self.overlay = pages
        self._publish(())
        names = list(pages)  # the document's own page first
        shown = f"/{names[0]}" + (f" and {len(names) - 1} more" if len(names) > 1 else "")
        self.say(
            f"quick: {shown} shown in {(time.perf_counter() - started) * 1000:.0f} ms;"
            " rebuilding search and files"
        )
        return True

    def rebuild(self, reason: str = "start") -> None:
        started = time.perf_counter()
        try:
            try:
                result = build.run(self.options)
            finally:
                self.overlay = {}  # the build's files (or the last good ones) take over
        except BuildFailed as failed:
            lines = tuple(p.format() for p in failed.problems)
            self._publish(lines)
            self.say(
                f"rebuild failed ({reason}): {len(lines)} problem(s); the last good "
                "preview is still served"
            )
            for line in lines:
                self.say("  " + line.replace("\n", "\n  "))
            return
        except OutputError as exc:
            self._publish((f"{self.options.output}: {exc}",))
            self.say(f"rebuild failed ({reason}): {exc}")
            return
        self.session = result.session
        self._publish(())
        self.say(
            f"rebuilt ({reason}): {result.pages_rendered} of {result.pages} pages written "
            f"in {time.perf_counter() - started:.2f}s"
        )

    def _publish(self, problems: tuple[str, ...]) -> None:
        with self.changed:
            self.state = PreviewState(self.state.version + 1, problems)
            self.changed.notify_all()

    def queue(self, path: str) -> None:
        with self._lock:
            self._pending.add(path)
        self._queued.set()

    def take(self) -> set[str]:
        with self._lock:
            self._queued.clear()
            pending, self._pending = self._pending, set()
        return pending

    def wait(self, timeout: float) -> bool:
        """Until a change is queued (True) or ``timeout`` seconds pass."""
        return self._queued.wait(timeout)


class _Watcher(FileSystemEventHandler):
    def __init__(self, preview: Preview, ignore: Path):
        self.preview = preview
        self.ignore = str(ignore.resolve())

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory or event.event_type in {"opened", "closed_no_write"}:
            return
        for path in (event.src_path, getattr(event, "dest_path", "")):
            text = path.decode() if isinstance(path, bytes) else str(path)
            if text and not text.startswith(self.ignore) and "/." not in text:
                self.preview.queue(text)


def _handler(preview: Preview) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any):
            super().__init__(*args, directory=str(preview.root.resolve()), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s " + format, self.address_string(), *args)

        def do_GET(self) -> None:
            if self.path == EVENTS:
                return self._events()
            if self.path == STATUS:
                body = json.dumps(list(preview.state.problems)).encode()
                return self._send(HTTPStatus.OK, "application/json", body)
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                if not self.path.split("?")[0].endswith("/"):
                    return super().do_GET()  # the standard redirect to add the slash
                path = path / "index.html"
            quick = preview.overlay.get(_inside(path, preview.root))
            if quick is not None:
                return self._html(quick, HTTPStatus.OK)
            if path.suffix == ".html" and path.is_file():
                return self._html(path.read_bytes(), HTTPStatus.OK)
            if not path.exists():
                missing = preview.root / "404.html"
                if missing.is_file():
                    return self._html(missing.read_bytes(), HTTPStatus.NOT_FOUND)
            return super().do_GET()

        def _html(self, data: bytes, status: HTTPStatus) -> None:
            script = (CLIENT % {"events": EVENTS}).encode()
            data = (
                data.replace(b"</body>", script + b"</body>", 1)
                if b"</body>" in data
                else data + script
            )
            self._send(status, "text/html; charset=utf-8", data)

        def _send(self, status: HTTPStatus, ctype: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            seen = preview.state.version
            try:
                self._event("problems", json.dumps(list(preview.state.problems)))
                while True:
                    with preview.changed:
                        preview.changed.wait_for(
                            lambda last=seen: preview.state.version != last, 15
                        )
                        state = preview.state
                    if state.version == seen:
                        self.wfile.write(b": keep-alive\n\n")  # notices closed tabs
                        self.wfile.flush()
                        continue
                    seen = state.version
                    if state.problems:
                        self._event("problems", json.dumps(list(state.problems)))
                    else:
                        self._event("reload", "{}")
            except (BrokenPipeError, ConnectionResetError):
                return

        def _event(self, name: str, data: str) -> None:
            self.wfile.write(f"event: {name}\ndata: {data}\n\n".encode())
            self.wfile.flush()

    return Handler


def serve(
    options: BuildOptions,
    host: str = "127.0.0.1",
    port: int = 8000,
    ready: Callable[[str], None] | None = None,
    say: Callable[[str], None] = print,
) -> None:
    """Build, serve and watch until interrupted."""
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise OutputError("the preview serves drafts: it listens on 127.0.0.1 only")
    preview = Preview(options, say)
    preview.rebuild()
    server = ThreadingHTTPServer((host, port), _handler(preview))
    server.daemon_threads = True
    url = f"http://{host}:{server.server_address[1]}/"
    observer = Observer()
    watcher = _Watcher(preview, options.output)
    observer.schedule(watcher, str(options.site_dir.resolve()), recursive=True)
    builtin = theme.builtin_dir().resolve()
    if not builtin.is_relative_to(options.site_dir.resolve()):
        observer.schedule(watcher, str(builtin), recursive=True)
    observer.start()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    say(f"previewing {options.site_dir} (drafts included) at {url} — Ctrl-C to stop")
    if ready is not None:
        ready(url)
    try:
        while True:
            preview.wait(0.5)
            changed = preview.take()
            if not changed:
                continue
            time.sleep(0.03)  # editors save several files at once: gather them
            changed |= preview.take()
            names = sorted(_short(p, options.site_dir) for p in changed)
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
            preview.quick(changed)
            preview.rebuild(f"changed {shown}")
    finally:
        observer.stop()
        server.shutdown()
        observer.join(timeout=2)


def _short(path: str, site: Path) -> str:
    try:
        return Path(path).resolve().relative_to(site.resolve()).as_posix()
    except ValueError:
        return html.escape(Path(path).name)


def _inside(path: Path, root: Path) -> str:
    """``path`` relative to the served folder, '' if outside it."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""
