"""Helpers for the deploy tests: two small releases, and real servers on 127.0.0.1.

Servers are started by the tests with absolute paths (never the ``python3`` shim, whose
PID is a wrapper), on a free port, and stopped by PID; ``stop`` checks the process and
its children are gone. A tool that is missing fails the test under CI and skips it on a
developer's machine.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, SITE_YAML, story
from helpers import build_site

DOCS = REPO / "docs" / "deploying.md"


# --- two releases of one small site ----------------------------------------------------


@dataclass(frozen=True)
class Releases:
    out: Path  # the output folder holding both
    a: Path  # releases/<id> folders
    b: Path

    def files(self, release: Path) -> dict[str, bytes]:
        """{path: bytes} of what a deploy must publish (the manifest stays behind)."""
        manifest = json.loads((release / "manifest.json").read_text())
        return {f["path"]: (release / f["path"]).read_bytes() for f in manifest["files"]}

    def manifest(self, release: Path) -> dict:
        return json.loads((release / "manifest.json").read_text())


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buf, "JPEG")
    return buf.getvalue()


def build_two_releases(root: Path) -> Releases:
    """Release A: asha (with a photo), bina, chen, static hello.txt. Release B: a new site
    title (every page changes), dina added, hello.txt replaced by bye.txt; the photo and
    stylesheet unchanged. (No story is removed: removing one is a takedown, after which
    release A may no longer be deployed.)"""
    stories = root / "content" / "stories"
    stories.mkdir(parents=True)
    (root / "site.yaml").write_text(SITE_YAML)
    (root / "static").mkdir()
    (root / "static" / "hello.txt").write_bytes(b"hello\r\n")  # CRLF kept as is
    (stories / "asha.jpg").write_bytes(_jpeg())
    for name in ("asha", "bina", "chen"):
        extra = {"image": '\n  src: asha.jpg\n  alt: "A field at dawn"'} if name == "asha" else {}
        path, text = story(name, **extra)
        (root / path).write_text(text)
    out = root / "output"
    a = build_site(root, out).resolve()
    (root / "site.yaml").write_text(SITE_YAML.replace("Test Site", "Test Site Two"))
    (root / "static" / "hello.txt").unlink()
    (root / "static" / "bye.txt").write_text("bye\n")
    path, text = story("dina")
    (root / path).write_text(text)
    b = build_site(root, out).resolve()
    assert a != b
    return Releases(out, a, b)


# --- processes -------------------------------------------------------------------------


def require(tool: str, path: str | None, hint: str) -> str:
    """The tool's path; a missing tool fails under CI and skips locally."""
    if path and os.path.exists(path):
        return path
    message = f"{tool} is not installed ({hint})"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode} before listening")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise AssertionError(f"nothing listening on 127.0.0.1:{port} after {timeout}s")


def children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            # the field after the parenthesised command name: state, then parent PID
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """Stop a server we started, by its PID, and check it and its children are gone."""
    kids = children(proc.pid)
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)
    deadline = time.monotonic() + timeout
    while any(alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(proc.pid), f"server {proc.pid} is still running"
    assert not any(alive(k) for k in kids), f"children of {proc.pid} still running: {kids}"


# --- nginx -------------------------------------------------------------------------------


def docs_server_block(root: Path, port: int) -> str:
    """The nginx server block from docs/deploying.md, pointed at ``root`` and ``port``:
    the test serves exactly what the documentation tells people to use."""
    blocks = re.findall(r"```nginx\n(.*?)```", DOCS.read_text(), re.S)
    assert blocks, "docs/deploying.md has no ```nginx block"
    block = blocks[0]
    block = re.sub(r"^\s*listen\s+\[[^;]+;\n", "", block, flags=re.M)  # the IPv6 twin
    block = re.sub(r"^(\s*)listen\s+[^;]+;", rf"\1listen 127.0.0.1:{port};", block, flags=re.M)
    block = re.sub(r"^(\s*)root\s+[^;]+;", rf"\1root {root};", block, count=1, flags=re.M)
    return block


@contextlib.contextmanager
def nginx(root: Path, prefix: Path) -> Iterator[int]:
    """Debian's nginx serving ``root`` on 127.0.0.1:<port>, with its own prefix folder."""
    binary = require(
        "nginx", shutil.which("nginx") or "/usr/sbin/nginx", "apt-get install -y nginx"
    )
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    port = free_port()
    temp = "\n".join(
        f"  {kind}_temp_path {prefix}/tmp/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # as root the workers would drop to "nobody", who cannot enter pytest's 0700 folders
    user = "user root;" if os.geteuid() == 0 else ""
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {prefix}/logs/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 256; }}
http {{
  {mime}
  default_type application/octet-stream;
  access_log {prefix}/logs/access.log;
{temp}
{docs_server_block(root, port)}
}}
"""
    )
    test = subprocess.run(
        [binary, "-t", "-p", f"{prefix}/", "-e", f"{prefix}/logs/error.log", "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert test.returncode == 0, test.stderr
    proc = subprocess.Popen(
        [binary, "-p", f"{prefix}/", "-e", f"{prefix}/logs/error.log", "-c", str(conf)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, proc)
        yield port
    finally:
        stop(proc, signal.SIGQUIT)  # graceful: workers finish their requests, then exit


# --- S3 protocol (moto) ------------------------------------------------------------------


@contextlib.contextmanager
def moto_server() -> Iterator[str]:
    """moto's S3 emulator on 127.0.0.1:<port>; yields its endpoint URL."""
    binary = require(
        "moto_server",
        str(Path(sys.executable).parent / "moto_server"),
        "pip install 'moto[s3]' flask flask-cors",
    )
    port = free_port()
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, proc)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(proc)
