"""Parallel map over chunks of work, in forked processes (rendering is CPU-bound).

Forked workers inherit the parent's values (routes, plan, templates) without pickling
them; only each chunk's results travel back. Results come back in input order, so
output never depends on scheduling. Small jobs run in-process: forking costs more
than it saves below a few hundred items.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from typing import Any

MIN_PARALLEL = 200  # below this many items, one process is faster

_job: Callable[[Sequence[Any]], list[Any]] | None = None
_items: Sequence[Any] = ()
_collect = True


def jobs() -> int:
    """Worker count: STORYSITE_JOBS, else the number of CPUs this process may use."""
    env = os.environ.get("STORYSITE_JOBS", "").strip()
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        # the C library Python itself runs on (find_library would start a process)
        return ctypes.CDLL(None).malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc: nothing to call
        return None


_TRIM = _malloc_trim()


def return_free_memory() -> None:
    """Hand the heap's free pages back to the system before forking.

    glibc keeps what Python frees (the Markdown bodies once rendered, the files' text
    once parsed) for later use, and it counts as the build's memory for as long as the
    build runs: 55 MB at 10,000 stories when the page workers start."""
    if _TRIM is not None:
        _TRIM(0)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _job is not None
    # A worker makes much short-lived garbage (Markdown trees, template frames) and sees
    # the parent's objects as frozen, so its collector is cheap: on here unless the job
    # said otherwise, whatever the parent chose (build.run turns it off for its long walks)
    if _collect:
        gc.enable()
    else:
        gc.disable()
    return _job(_items[bounds[0] : bounds[1]])


def chunk_bounds(
    count: int, chunks: int, weights: Sequence[float] | None = None
) -> list[tuple[int, int]]:
    """``chunks`` consecutive (start, end) ranges covering ``count`` items, none empty:
    of equal length, or of about equal total weight."""
    if weights is None:
        size = -(-count // chunks)
        return [(i, min(i + size, count)) for i in range(0, count, size)]
    total = float(sum(weights)) or 1.0
    bounds, start, running, cut = [], 0, 0.0, 1
    for i, weight in enumerate(weights):
        running += weight
        if i + 1 < count and running >= total * cut / chunks:
            bounds.append((start, i + 1))
            start = i + 1
            while running >= total * cut / chunks:
                cut += 1
    bounds.append((start, count))
    return bounds


def map_chunks(
    job: Callable[[Sequence[Any]], list[Any]],
    items: Sequence[Any],
    collect: bool = True,
    weight: Callable[[Any], float] | None = None,
) -> list[Any]:
    """``job`` over ``items`` in chunks; the concatenated results, in input order.

    ``collect=False``: the workers keep the collector off, for a job that makes no
    cyclic garbage but keeps what it makes (parsed documents): there, each collection
    walks everything kept so far, and reading 10,000 documents took twice the CPU.
    ``weight``: an item's expected cost; chunks are then cut to equal total weight,
    not equal length (else a chunk of short items ends early and its worker waits)."""
    global _job, _items, _collect
    workers = jobs()
    if (
        workers == 1
        or len(items) < MIN_PARALLEL
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        return job(items)
    # Several chunks per worker so a slow chunk does not leave the other core idle
    weights = [weight(item) for item in items] if weight is not None else None
    bounds = chunk_bounds(len(items), workers * 4, weights)
    _job, _items, _collect = job, items, collect
    return_free_memory()
    # Frozen objects are never visited by the workers' garbage collector, which would
    # otherwise write to (and so copy) every page of the parent's memory they share
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            parts = pool.map(_run_chunk, bounds, chunksize=1)
    finally:
        _job, _items, _collect = None, (), True
        gc.unfreeze()
    return [result for part in parts for result in part]


class Background:
    """One function run in a forked process while the caller goes on; ``result()`` waits.

    For a stage that shares no state with what runs meanwhile (the search index while
    pages are fingerprinted and linked). Without fork, or with one job, it runs inline.
    """

    @staticmethod
    def forks() -> bool:
        """Whether ``fn`` will run in another process (else inline, at once)."""
        return jobs() > 1 and "fork" in multiprocessing.get_all_start_methods()

    def __init__(self, fn: Callable[[], Any]):
        self._pool = None
        self._inline: Any = None
        self._pending: Any = None
        if not self.forks():
            self._inline = (fn(),)
            return
        global _job
        _job = lambda _items: [fn()]  # noqa: E731  (inherited by the fork, never pickled)
        return_free_memory()
        gc.freeze()  # as in map_chunks: else its collector copies all the parent's memory
        try:
            self._pool = multiprocessing.get_context("fork").Pool(1)
            self._pending = self._pool.apply_async(_run_chunk, ((0, 0),))
        finally:
            _job = None
            gc.unfreeze()

    def done(self) -> bool:
        """Whether ``result()`` would return at once."""
        return self._inline is not None or self._pending.ready()

    def result(self) -> Any:
        """The function's value (waits for it the first time)."""
        if self._inline is not None:
            return self._inline[0]
        assert self._pool is not None
        try:
            self._inline = (self._pending.get()[0],)
            return self._inline[0]
        finally:
            self._pool.close()
            self._pool.join()


class Forked:
    """``fn`` run in a forked process that ends as soon as ``fn`` returns; ``wait()``
    reaps it. For work with no result (cache writes) that can run beside the build.

    Not a ``Background``: a pool's process lives until its result is taken, and while
    it lives each page of memory the parent writes to is copied (the kernel keeps the
    page as it was for the other process): held for a whole build, that cost 1.8 s of
    system time at 10,000 stories, and memory. Without fork, ``fn`` runs at once.
    """

    def __init__(self, fn: Callable[[], None]):
        self.pid: int | None = None
        if not Background.forks():
            fn()
            return
        gc.freeze()  # as in map_chunks: the child's collector would copy every page
        try:
            pid = os.fork()
            if pid == 0:  # the child: never returns into the caller's code
                code = 1
                try:
                    gc.disable()
                    fn()
                    code = 0
                finally:
                    os._exit(code)
        finally:
            gc.unfreeze()
        self.pid = pid

    def wait(self) -> bool:
        """Wait for the process to end; whether ``fn`` completed."""
        if self.pid is None:
            return True
        _, status = os.waitpid(self.pid, 0)
        self.pid = None
        return os.waitstatus_to_exitcode(status) == 0
