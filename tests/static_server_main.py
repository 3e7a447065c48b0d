"""Run as a script by servers.static_server: serve a folder on 127.0.0.1, sending the
headers the site's own _headers file gives for every path ("/*"), as Netlify or
Cloudflare Pages would, so browser tests see the site's real Content-Security-Policy."""

import functools
import http.server
import sys


def rules(folder: str) -> list[tuple[str, str]]:
    try:
        with open(folder + "/_headers", encoding="utf-8") as fh:
            text = fh.read()
    except OSError:
        return []
    for block in text.split("\n\n"):
        lines = block.strip().splitlines()
        if lines and lines[0].endswith("/*") and lines[0].count("/") == 1:
            return [tuple(line.strip().split(": ", 1)) for line in lines[1:]]  # type: ignore[misc]
    return []


class Handler(http.server.SimpleHTTPRequestHandler):
    extra: list[tuple[str, str]] = []

    def end_headers(self) -> None:
        for name, value in self.extra:
            self.send_header(name, value)
        super().end_headers()

    def log_message(self, *args: object) -> None:
        pass


if __name__ == "__main__":
    folder, port = sys.argv[1], int(sys.argv[2])
    Handler.extra = rules(folder)
    handler = functools.partial(Handler, directory=folder)
    http.server.ThreadingHTTPServer(("127.0.0.1", port), handler).serve_forever()
