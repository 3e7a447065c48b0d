"""Run one build and measure it: wall time and the peak memory of that build alone.

Peak memory is the larger of two figures, both for this run only:

- ``os.wait4`` on the build's own process: the kernel's largest resident set of that
  process (or of any one child it waited for). ``getrusage(RUSAGE_CHILDREN)`` would keep
  the largest of every child so far, so a small build after a big one would report the
  big one's peak.
- While the build has child processes (storysite forks render workers), the sum of their
  proportional set sizes (PSS: shared copy-on-write pages split between the sharers),
  sampled every 250 ms. A single-process build (Hugo, Pelican) is not sampled at all: its
  ``wait4`` figure is exact and sampling would only cost it CPU. Reading ``smaps_rollup``
  walks a process's page tables in the kernel: at 50 ms the harness took 6-10 s of CPU
  during one 10k cold build, from the two cores the build runs on; at 1 s, 0.6-0.9 s,
  and the peak was the same (511-514 MiB against 513-558 MiB).
"""

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_mib: float
    pages: int


class BuildError(RuntimeError):
    pass


def run_build(
    cmd: list[str], cwd: Path, log: Path, env: dict | None = None, timeout: float = 3600.0
) -> tuple[float, float]:
    """Run ``cmd``; return (wall seconds, peak RSS in MiB). Output goes to ``log``."""
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        sampler = TreeSampler(proc.pid)
        sampler.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # blocks until the build ends
        finally:
            killer.cancel()
            sampler.done.set()
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        tail = log.read_text(errors="replace").splitlines()[-25:]
        raise BuildError(
            f"{' '.join(cmd)} exited {proc.returncode} (log: {log})\n" + "\n".join(tail)
        )
    sampler.join()
    return seconds, max(usage.ru_maxrss, sampler.peak_kib) / 1024  # KiB on Linux


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found += [int(c) for c in f.read().split()]
    except OSError:  # the process or thread has just ended
        pass
    return found


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
    except OSError:
        return 0


class TreeSampler(threading.Thread):
    """Largest sum of PSS over a process and its descendants, while it has any."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval = pid, interval
        self.done = threading.Event()
        self.peak_kib = 0

    def run(self) -> None:
        while not self.done.wait(self.interval):
            tree, frontier = [self.pid], _children(self.pid)
            if not frontier:
                continue
            while frontier:
                tree += frontier
                frontier = [c for p in frontier for c in _children(p)]
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(p) for p in tree))


def count_pages(root: Path) -> int:
    """HTML pages under ``root``; Hugo's ``page/1/`` redirect stubs are not pages."""
    n = 0
    for folder, _dirs, files in os.walk(root):
        if folder.endswith(os.sep + os.path.join("page", "1")):
            continue
        n += sum(1 for f in files if f.endswith(".html"))
    return n


@dataclass(frozen=True)
class Summary:
    median: float
    low: float
    high: float

    def fmt(self, digits: int = 2) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


def summarise(values: list[float]) -> Summary:
    return Summary(statistics.median(values), min(values), max(values))


def paired_ratio(num: list[float], den: list[float]) -> Summary | None:
    """Ratio per pair of runs (run i of one tool over run i of the other), summarised."""
    pairs = [a / b for a, b in zip(num, den, strict=False) if b > 0]
    return summarise(pairs) if pairs else None
