"""The kernels builds run on: one fresh kernel per build, forked from a warm template in a
scheduled run.

Every build executes its notebook on a kernel of its own, started for it and shut down
after it, so nothing one briefing's notebook does can reach another's. A scheduled run's
`KernelPool` keeps one kernel started ahead of need while the current build runs, and
hands it to the next build; a kernel is never handed out twice.

The pool's kernels are forked from a template process (forked.py,
template.py) that has imported ipykernel, the package, pandas and matplotlib but
never runs a kernel or notebook code itself: each child resets what a fresh process
would have (session, random state, working folder, environment, arguments) and starts
the kernel, so it pays neither the interpreter's start nor the imports. jupyter_client
drives it through a kernel provisioner, as any kernel. A template that dies is replaced;
after TEMPLATE_DEATHS_ALLOWED deaths the pool starts its kernels as a single build does
and runs the imports in them (WARM_UP), silently and outside the history.

A single build starts a cold kernel in the background once its inputs pass the checks,
while it loads papermill (`started_early`). Pooled or not, a kernel gets the same
kernelspec, working folder (the notebook's), environment, command-line options and
private socket folder, and the notebook's namespace, execution counts and outputs are
those of a cold kernel (tested byte for byte).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import shutil
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.sharedctypes import Synchronized
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imports jupyter_client, which a single build loads later, in parallel
    from briefings.build.kernels.forked import Template

log = logging.getLogger(__name__)

# What every briefing's first cells import (the package's notebook API pulls in pandas,
# matplotlib and IPython.display). `del` leaves the namespace as a cold kernel's.
WARM_UP = "import briefings.report.notebook\ndel briefings"
# The kernel's own log (e.g. "KeyboardInterrupt caught" when jupyter_client interrupts it
# before shutdown) is noise here: failures come back as errors. History in memory, as
# nbclient starts its own kernels.
KERNEL_ARGUMENTS = ["--IPKernelApp.log_level=CRITICAL", "--HistoryManager.hist_file=:memory:"]
START_TIMEOUT = 60  # seconds, papermill's default for a kernel to answer
# A template that keeps dying (it imports the package: a broken install) is given up on,
# and the pool's kernels start as a single build's, then warmed.
TEMPLATE_DEATHS_ALLOWED = 2


@dataclass
class Kernel:
    """A started kernel (an AsyncKernelManager, as nbclient uses) and its socket folder."""

    name: str
    manager: object
    sockets: Path

    def shutdown(self) -> None:
        """Stop the kernel if it still runs and remove its sockets (safe to call twice)."""
        from jupyter_core.utils import run_sync

        run_sync(self.stop)()

    async def stop(self) -> None:
        """`shutdown`, awaitable."""
        from jupyter_core.utils import ensure_async

        try:
            if self.manager.has_kernel:
                await self.manager.shutdown_kernel(now=True)
        finally:
            await ensure_async(self.manager.cleanup_resources())
            shutil.rmtree(self.sockets, ignore_errors=True)


def kernel_name() -> str:
    """The in-venv `briefings` kernel when registered (make does), else this Python's."""
    from jupyter_client.kernelspec import KernelSpecManager

    return "briefings" if "briefings" in KernelSpecManager().find_kernel_specs() else "python3"


def start_kernel(
    cwd: Path, *, name: str | None = None, warm: bool = False, template: Template | None = None
) -> Kernel:
    """Start kernel `name` (default `kernel_name()`) in `cwd`, forked from `template` when
    given and able to stand in for it; with `warm`, wait until it has run WARM_UP."""
    return asyncio.run(_start(name or kernel_name(), cwd, warm, template))


async def _start(name: str, cwd: Path, warm: bool, template: Template | None) -> Kernel:
    from jupyter_client.manager import AsyncKernelManager  # imported with kernel_name()
    from traitlets.config import Config

    # Unix sockets rather than TCP on localhost, in a folder of this kernel's own that only
    # this user can enter: left to itself, jupyter_client names them kernel-ipc-1, -2, …
    # in the working folder, and two builds started at once pick the same names.
    sockets = Path(tempfile.mkdtemp(prefix="briefings-kernel-"))
    transport = {"transport": "ipc", "ip": str(sockets / "kernel")}
    manager = AsyncKernelManager(kernel_name=name, config=Config({"KernelManager": transport}))
    if template is not None:
        from briefings.build.kernels.forked import ForkedProvisioner

        manager.kernel_id = str(uuid.uuid4())
        manager.provisioner = ForkedProvisioner(
            kernel_id=manager.kernel_id, kernel_spec=manager.kernel_spec, parent=manager
        )
        manager.provisioner.template = template
    kernel = Kernel(name, manager, sockets)
    try:
        await manager.start_kernel(extra_arguments=KERNEL_ARGUMENTS, cwd=str(cwd))
        if warm:
            await _run_silently(manager, WARM_UP)
    except BaseException:
        await kernel.stop()
        raise
    return kernel


async def _run_silently(manager, code: str) -> None:
    """Run `code` without output, history or an execution count; raise if it fails."""
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=START_TIMEOUT)
        reply = await client.execute(code, silent=True, store_history=False, reply=True)
    finally:
        client.stop_channels()
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"warming a kernel failed: {reply['content'].get('evalue')}")


class KernelPool:
    """Starts kernels ahead of need for the builds of one run, one at a time.

    `take` hands out the kernel started ahead (waiting for it if it is still starting)
    and starts the next one in the background, as long as `unclaimed` (shared by the
    run's pools) says builds are left that no kernel was started for. A kernel that died
    or failed to start while waiting is replaced by a new one. With `warm`, kernels are
    forked from a template process (forkedkernels.Template), replaced if it dies; without
    one, each is started cold and runs WARM_UP.
    """

    def __init__(self, cwd: Path, unclaimed: Synchronized | _Count, *, warm: bool = True) -> None:
        self.warm = warm
        # Found here, on the caller's thread: finding it imports IPython, which two threads
        # must not import at once (the build imports it too).
        self.name = kernel_name()
        # Absolute now: papermill changes this process's working folder while a notebook
        # runs, which is when the next kernel starts.
        self.cwd = Path(cwd).resolve()
        self._unclaimed = unclaimed
        self._next: tuple[threading.Thread, list] | None = None
        self.template: Template | None = None
        self._template_deaths = 0
        if warm:
            self.template = self._new_template()
        self._start_next()

    def take(self) -> Kernel:
        """A fresh kernel for one build, the caller's to shut down."""
        kernel = self._collect()
        if kernel is None:
            self._claim()
            kernel = start_kernel(self.cwd, name=self.name, template=self._live_template())
        self._start_next()
        return kernel

    def close(self) -> None:
        """Shut down the kernel started ahead, if any, and the template."""
        kernel = self._collect()
        if kernel is not None:
            kernel.shutdown()
        if self.template is not None:
            self.template.close()
            self.template = None

    def _new_template(self) -> Template | None:
        from jupyter_client.kernelspec import KernelSpecManager

        from briefings.build.kernels.forked import Template

        spec = KernelSpecManager().get_kernel_spec(self.name)
        try:
            return Template(spec.argv, self.cwd, spec.env)
        except (OSError, ValueError) as error:
            log.warning("kernels start without a template: %s", error)
            return None

    def _live_template(self) -> Template | None:
        """The template, replaced first if it died; None if there is none (any more)."""
        template = self.template
        if template is None or template.alive():
            return template
        self._template_deaths += 1
        status = template.process.returncode
        template.close()
        if self._template_deaths > TEMPLATE_DEATHS_ALLOWED:
            log.warning(
                "the kernel template died %d times (last exit status %s); "
                "kernels start without one from now on",
                self._template_deaths,
                status,
            )
            self.template = None
        else:
            log.warning("the kernel template died (exit status %s); starting a new one", status)
            self.template = self._new_template()
        return self.template

    def _claim(self) -> bool:
        with self._unclaimed.get_lock():
            self._unclaimed.value -= 1
            return self._unclaimed.value >= 0

    def _start_next(self) -> None:
        if not self._claim():
            with self._unclaimed.get_lock():
                self._unclaimed.value += 1  # give back: nobody needs it
            return
        result: list = []

        def start() -> None:
            try:
                template = self._live_template() if self.warm else None
                warm = self.warm and template is None
                kernel = start_kernel(self.cwd, name=self.name, warm=warm, template=template)
                result.append(kernel)
            except Exception as error:  # replaced by a new start in take()
                result.append(error)

        thread = threading.Thread(target=start, name="briefings-kernel-ahead", daemon=True)
        thread.start()
        self._next = (thread, result)

    def _collect(self) -> Kernel | None:
        """The kernel started ahead if it is alive, else None (a dead one is cleaned up)."""
        if self._next is None:
            return None
        thread, result = self._next
        self._next = None
        thread.join()
        kernel = result[0] if result else None
        if not isinstance(kernel, Kernel):
            return None
        from jupyter_core.utils import run_sync

        if run_sync(kernel.manager.is_alive)():
            return kernel
        kernel.shutdown()
        return None


_pool: KernelPool | None = None


def open_pool(cwd: Path, unclaimed: Synchronized | None = None) -> None:
    """Start this process's pool (a scheduler's worker initializer); closed at exit.

    Without `unclaimed` it never runs out: a server's build process always has a kernel
    started ahead for the next order.
    """
    from multiprocessing.util import Finalize

    pool = _open(KernelPool(cwd, unclaimed if unclaimed is not None else _Count(sys.maxsize)))
    # A worker process ends through multiprocessing, which runs these finalizers (not atexit).
    Finalize(pool, pool.close, exitpriority=10)


def _open(pool: KernelPool) -> KernelPool:
    global _pool
    _pool = pool
    return pool


@contextmanager
def started_early(cwd: Path) -> Iterator[None]:
    """For a single build: start its kernel in the background while the build loads
    papermill (no imports run in it: a cold kernel, only sooner). Inside a scheduled run's
    pool, nothing to do. An unused kernel is shut down on leaving."""
    if _pool is not None:
        yield
        return
    _open(KernelPool(cwd, _Count(1), warm=False))
    try:
        yield
    finally:
        close_pool()


def close_pool() -> None:
    """Shut down this process's pool, if open."""
    global _pool
    if _pool is not None:
        _pool.close()
        _pool = None


class _Count:
    """A count of unclaimed builds for one process alone: a shared one's lock would start
    multiprocessing's resource tracker, a process of 12 MB, for a single build."""

    def __init__(self, value: int) -> None:
        self.value = value
        self._lock = threading.Lock()

    def get_lock(self) -> threading.Lock:
        return self._lock


def unclaimed_counter(builds: int) -> Synchronized:
    """The count of builds no kernel has been started for, shared by a run's processes."""
    return multiprocessing.get_context("spawn").Value("i", builds)


def take_kernel(cwd: Path) -> Kernel:
    """A fresh kernel for one build in `cwd`: from this process's pool when one is open
    for that folder, else started now."""
    if _pool is not None and _pool.cwd == Path(cwd).resolve():
        return _pool.take()
    return start_kernel(cwd)
