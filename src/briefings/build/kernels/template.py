"""The template process a scheduled run forks its kernels from (the worker's side is
forked.py).

`forkedkernels.Template` starts it with the interpreter, flags, working folder and
environment of the kernel it stands in for. It imports what every briefing's kernel
imports (ipykernel, and the package's notebook API with pandas and matplotlib) and then
only waits on its socket: it starts no kernel, event loop, zmq context or thread, and
never runs notebook code. Each request forks a child that resets what a fresh process
would have and becomes an IPython kernel on the connection file jupyter_client wrote.
The template reaps its children and reports how each ended; it exits when the socket
closes (its worker closed it, or died), and its children die with it.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import select
import socket
import sys
import threading

# Run as `python -c BOOTSTRAP FD`: like ipykernel_launcher, keep the working folder off
# sys.path while the imports run (ipykernel puts '' back when the kernel starts).
BOOTSTRAP = "import sys; del sys.path[0]; from briefings.build.kernels.template import main; main()"
INLINE = "module://matplotlib_inline.backend_inline"
MESSAGE_SIZE = 1 << 20  # a request carries the kernel's environment: a few kB
# What a kernel imports as it starts (IPKernelApp; the debugger alone takes 0.13 s) and
# as the briefing's cells run (the chart's SVG writer): a cold kernel imports the same.
KERNEL_IMPORTS = (
    "ipykernel.kernelapp",
    "ipykernel.debugger",
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.extensions.storemagic",
    "sqlite3",
    "tornado.platform.asyncio",
    "briefings.report.notebook",
    "matplotlib.backends.backend_svg",
    "xml.dom.minidom",
)


def main() -> None:
    """Serve fork requests on the socket whose descriptor is the first argument; in a
    forked child, become the requested kernel."""
    channel = socket.socket(fileno=int(sys.argv[1]))
    template = os.getpid()
    _import_what_kernels_import()
    request = _serve(channel)
    if request is not None:
        _become_kernel(request, template)


def _import_what_kernels_import() -> None:
    # ipykernel points matplotlib at the inline backend before any cell can import it
    # (IPKernelApp.init_gui_pylab); matplotlib reads the choice when imported, so here.
    # The backend module itself is not imported: it hooks into the kernel's shell when it
    # is, which the child's does on first use, as a cold kernel's.
    if not os.environ.get("MPLBACKEND"):
        os.environ["MPLBACKEND"] = INLINE
    for module in KERNEL_IMPORTS:
        importlib.import_module(module)
    from briefings.report import markup, typst_markup

    markup.compile_all("briefing/sections")  # each kernel would compile them again
    typst_markup.compile_all()
    if threading.active_count() != 1:  # a fork copies no other thread: none may exist
        raise RuntimeError("an import started a thread; kernels cannot be forked from here")
    # What is loaded now lives as long as any kernel: keep it out of the children's
    # garbage collections (fewer pages copied, less time collecting).
    gc.collect()
    gc.freeze()


def _serve(channel: socket.socket) -> dict | None:
    """Fork a child per request and report its exit; return the request in a child, or
    None in the template once the socket has closed."""
    children: dict[int, int] = {}  # pidfd -> pid
    while True:
        ready, _, _ = select.select([channel, *children], [], [])
        for fd in ready:
            if fd is channel:
                try:
                    data = channel.recv(MESSAGE_SIZE)
                except ConnectionResetError:  # closed with an exit report of ours unread
                    data = b""
                if not data:
                    return None
                request = json.loads(data)
                pid = os.fork()
                if pid == 0:
                    channel.close()
                    for pidfd in children:
                        os.close(pidfd)
                    return request
                pidfd = os.pidfd_open(pid)
                children[pidfd] = pid
                _send(channel, {"pid": pid}, [pidfd])
            else:
                pid = children.pop(fd)
                os.close(fd)
                _, status = os.waitpid(pid, 0)
                _send(channel, {"exited": pid, "status": os.waitstatus_to_exitcode(status)})


def _send(channel: socket.socket, message: dict, fds: list[int] = ()) -> None:
    # A worker that is gone gets no reply: the next receive returns nothing and ends this.
    with contextlib.suppress(OSError):
        socket.send_fds(channel, [json.dumps(message).encode()], list(fds))


def _become_kernel(request: dict, template: int) -> None:
    """In a forked child: reset what a fresh kernel process would have, then run the kernel.

    As jupyter_client starts a kernel: in a session and process group of its own (signals
    go to the group), standard output and error inherited, standard input not read.
    """
    from briefings.build.kernels.lifetime import die_with_parent

    die_with_parent(template)
    os.setsid()
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])  # ipykernel sets MPLBACKEND again, as in a cold kernel
    # `random` reseeds itself after a fork; numpy's global generator does not.
    import numpy.random

    numpy.random.seed()
    import ipykernel_launcher
    from ipykernel import kernelapp

    sys.argv = [ipykernel_launcher.__file__, *request["args"]]
    kernelapp.launch_new_instance()
