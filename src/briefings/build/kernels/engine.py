"""Papermill's nbclient engine, on a kernel the build started itself (see pool.py).

Papermill hands `km=` on to nbclient, which then leaves the kernel and its client
running afterwards, as for any kernel it did not start. This engine has nbclient stop
its client and shut the kernel down as it does for its own, so each kernel serves one
notebook and a long-running scheduler leaks no heartbeat threads or sockets.
"""

from __future__ import annotations

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger

STARTED_KERNEL_ENGINE = "briefings-started-kernel"


class StartedKernelEngine(NBClientEngine):
    """NBClientEngine for a started kernel manager given as `km`."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        """Execute the notebook on `kwargs['km']`, then shut that kernel down."""
        kwargs.pop("input_path", None)
        client = PapermillNotebookClient(
            nb_man,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        )
        return client.execute(cleanup_kc=True)


papermill_engines.register(STARTED_KERNEL_ENGINE, StartedKernelEngine)
