"""Execution backends for sweeps: in-process, a local process pool, and Dask distributed.

All three have one contract: ``imap_unordered(fn, items)`` yields ``fn(item)`` as results
finish, keeping at most a small window of tasks in flight so memory stays bounded. Results
never depend on the backend: seeds travel inside the tasks, and the store merges in plan order.

- ``serial``: in this process (one worker).
- ``local``: a ``ProcessPoolExecutor``. Workers are forked (on Linux) so they start in
  milliseconds with the model already imported — importing pandas, SciPy and Mesa afresh costs
  2-5 s per worker, more than many sweeps take. The pool is started before any thread of ours
  (the progress bar) exists; the only other threads then are OpenBLAS's and jemalloc's, which
  both register fork handlers. Elsewhere workers start from a ``forkserver`` (or ``spawn``).
  Workers run with ``OPENBLAS_NUM_THREADS=1`` (and OMP/MKL; threadpoolctl limits a BLAS
  already loaded) so they do not oversubscribe the cores with BLAS threads.
- ``dask``: ``distributed.Client`` on a scheduler address, or on a ``LocalCluster`` (one thread
  per worker, its HTTP server on a free port, so two clusters never collide) when none is given.
  Imported only when chosen; Dask's nanny sets the same one-thread BLAS variables in its workers
  (``distributed.nanny.pre-spawn-environ``).
"""

import ctypes
import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import AbstractContextManager
from typing import Any

from sim.errors import UserError

BACKENDS = ("local", "dask")
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
WINDOW_PER_WORKER = 2  # tasks in flight per worker: keeps every worker busy, memory bounded
PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PRELOAD = ["sim.experiments.sweep"]  # imported once in a forkserver, shared by every worker


def default_workers() -> int:
    """The number of CPUs this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def init_worker(parent: int) -> None:
    """Worker initializer: one BLAS/OpenMP thread, and die with the driver.

    A driver killed with SIGKILL cannot shut its pool down; on Linux the kernel then kills
    the workers too (``PR_SET_PDEATHSIG``) instead of leaving them waiting for work forever.
    """
    for var in THREAD_VARIABLES:
        os.environ[var] = "1"
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the driver died before the line above
            os._exit(1)
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)


class SerialBackend(AbstractContextManager):
    """Run every task in this process, in order."""

    workers = 1
    name = "serial"

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for each item."""
        for item in items:
            yield fn(item)

    def __exit__(self, *exc: object) -> None:
        return None


class LocalBackend(AbstractContextManager):
    """A pool of worker processes on this machine."""

    name = "local"

    def __init__(self, workers: int):
        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        method = "fork" if "fork" in methods else methods[0]
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            context.set_forkserver_preload(PRELOAD)
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=init_worker, initargs=(os.getpid(),)
        )
        with warnings.catch_warnings():  # see the module docstring on forking
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            self.pool.submit(os.getpid).result()  # start every worker now

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield results as workers finish them, with a bounded number in flight."""
        pending: set[Future] = set()
        source = iter(items)
        window = self.workers * WINDOW_PER_WORKER
        try:
            while True:
                while len(pending) < window and (item := next(source, None)) is not None:
                    pending.add(self.pool.submit(fn, item))
                if not pending:
                    return
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield future.result()
        except BrokenProcessPool:
            raise UserError(
                "a worker process died (out of memory or killed); finished tasks are kept, "
                "rerun with `resume=True`"
            ) from None
        finally:
            for future in pending:
                future.cancel()

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskBackend(AbstractContextManager):
    """Tasks shipped to Dask workers: a remote scheduler, or a local cluster."""

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None):
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise UserError(
                'the dask backend needs the dask extra: pip install "multivector[dask]"'
            ) from None
        self.cluster = None
        try:
            if scheduler:
                self.client = Client(scheduler, timeout="10s")
            else:
                self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1, dashboard_address=":0")
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as err:
            where = scheduler or "a local cluster"
            raise UserError(f"`scheduler`: cannot connect to {where}: {err}") from None
        self.workers = max(1, sum(self.client.nthreads().values()))

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield results as Dask workers finish them, with a bounded number in flight."""
        from distributed import as_completed

        source = iter(items)
        window = self.workers * WINDOW_PER_WORKER
        futures = as_completed()
        for _ in range(window):
            if (item := next(source, None)) is None:
                break
            futures.add(self.client.submit(fn, item, pure=False))
        for future in futures:
            result = future.result()
            future.release()
            if (item := next(source, None)) is not None:
                futures.add(self.client.submit(fn, item, pure=False))
            yield result

    def __exit__(self, *exc: object) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def open_backend(name: str, workers: int, scheduler: str | None = None) -> AbstractContextManager:
    """The backend called ``name`` with ``workers`` processes (or Dask workers on ``scheduler``)."""
    if name not in BACKENDS:
        raise UserError(f"`backend`: expected one of {', '.join(BACKENDS)}, got {name!r}")
    if workers < 1:
        raise UserError(f"`workers`: expected at least 1, got {workers}")
    if scheduler and name != "dask":
        raise UserError("`scheduler`: only used with the dask backend")
    if name == "dask":
        return DaskBackend(workers, scheduler)
    return SerialBackend() if workers == 1 else LocalBackend(workers)
