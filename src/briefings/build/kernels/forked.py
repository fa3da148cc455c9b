"""Kernels forked from a warm template process, for jupyter_client (the template's side is
template.py).

A `Template` is one process, started by a scheduled run's worker, that has imported what
every briefing's kernel imports. `ForkedProvisioner` is a jupyter_client kernel
provisioner: where jupyter_client would run the kernelspec's command, it asks the
template for a child instead, so the kernel starts with its imports done. Everything
else (connection file, interrupt, shutdown, a kernel that dies) goes through
jupyter_client as for any kernel. A kernel the template cannot stand in for (another
interpreter or flags, another working folder or environment) is started as usual.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

from jupyter_client.provisioning import LocalProvisioner

from briefings.build.kernels.template import BOOTSTRAP, MESSAGE_SIZE

LAUNCHER = ["-m", "ipykernel_launcher"]  # what an ipykernel kernelspec's command runs
REPLY_TIMEOUT = 60  # seconds: the template may still be importing (papermill's kernel wait)
EXIT_REPORT_TIMEOUT = 5  # seconds from a child's end to the template's report of it


class TemplateGone(RuntimeError):
    """The template process ended, or stopped answering."""


class Template:
    """A process to fork kernels from, for kernelspec command `argv` run in `cwd` with
    the kernelspec's `env` added to this process's environment.

    It gets the environment jupyter_client would give such a kernel, parent's pid
    included: imports read it (ipykernel fixes which parent its kernels watch).
    """

    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str]) -> None:
        interpreter = _interpreter(argv)
        if interpreter is None:
            raise ValueError(f"not an ipykernel command: {argv}")
        self.interpreter = interpreter
        self.cwd = Path(cwd).resolve()
        self.env = kernel_environment({**os.environ, **env})
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        with theirs:
            self.process = subprocess.Popen(
                [*interpreter, "-c", BOOTSTRAP, str(theirs.fileno())],
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                pass_fds=[theirs.fileno()],
                start_new_session=True,  # as a kernel: a terminal's Ctrl-C is the runner's
            )
        self._channel = ours
        self._lock = threading.Lock()  # one exchange at a time on the channel
        self._exits: dict[int, int] = {}
        self._closed = False

    def alive(self) -> bool:
        """Whether the template process still runs."""
        return not self._closed and self.process.poll() is None

    def stands_in_for(self, cmd: list[str], cwd: str | Path, env: dict[str, str]) -> bool:
        """Whether a child of this template equals the kernel `cmd` would start in `cwd`
        with `env`: same interpreter and flags, working folder and environment."""
        same_place = Path(cwd).resolve() == self.cwd
        return _interpreter(cmd) == self.interpreter and same_place and env == self.env

    def fork(self, cmd: list[str], cwd: str | Path, env: dict[str, str]) -> Child:
        """A new child running kernel command `cmd` (checked by `stands_in_for`) in `cwd`
        with `env`. Raises TemplateGone if the template ended or did not answer."""
        args = cmd[len(self.interpreter) + len(LAUNCHER) :]
        request = {"args": args, "cwd": str(cwd), "env": env}
        with self._lock:
            try:
                self._channel.sendall(json.dumps(request).encode())
            except OSError as error:
                raise TemplateGone(f"the kernel template is gone ({error})") from None
            deadline = time.monotonic() + REPLY_TIMEOUT
            while True:
                message, fds = self._receive(deadline)
                if "pid" in message:
                    return Child(self, message["pid"], fds[0])

    def exit_status(self, pid: int) -> int:
        """How child `pid`, which has ended, ended (as Popen.returncode); a child whose
        template ended before reporting it was killed with its template."""
        deadline = time.monotonic() + EXIT_REPORT_TIMEOUT
        with self._lock:
            while pid not in self._exits:
                try:
                    self._receive(deadline)
                except TemplateGone:
                    return -signal.SIGKILL
            return self._exits.pop(pid)

    def close(self) -> None:
        """Stop the template (its remaining children die with it) and reap it."""
        self._closed = True
        self._channel.close()  # the template exits when its socket closes
        try:
            self.process.wait(timeout=EXIT_REPORT_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _receive(self, deadline: float) -> tuple[dict, list[int]]:
        """The next message (and descriptors) from the template, recording exit reports."""
        if self._closed:
            raise TemplateGone("the kernel template was closed")
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._channel], [], [], left)[0]:
                raise TemplateGone(f"the kernel template did not answer (pid {self.process.pid})")
            data, fds, _flags, _address = socket.recv_fds(self._channel, MESSAGE_SIZE, 1)
            if not data:
                raise TemplateGone(f"the kernel template ended (pid {self.process.pid})")
            message = json.loads(data)
            if "exited" in message:
                self._exits[message["exited"]] = message["status"]
            return message, fds


class Child:
    """A kernel process forked by a template; `pidfd` follows it even once its pid is
    reused."""

    def __init__(self, template: Template, pid: int, pidfd: int) -> None:
        self.template = template
        self.pid = pid
        self.pidfd: int | None = pidfd
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """None while it runs, else its exit status."""
        ended = self.pidfd is not None and select.select([self.pidfd], [], [], 0)[0]
        if self.returncode is None and ended:  # a pidfd is readable once its process ended
            self.returncode = self.template.exit_status(self.pid)
        return self.returncode

    def signal(self, signum: int) -> None:
        """Send `signum` to its process group (as jupyter_client does), else to it alone."""
        if self.poll() is not None:
            return
        try:
            os.killpg(self.pid, signum)  # its own group: it calls setsid() first thing
        except OSError:  # not yet its own group
            signal.pidfd_send_signal(self.pidfd, signum)

    def close(self) -> None:
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class ForkedProvisioner(LocalProvisioner):
    """LocalProvisioner that forks the kernel from `template` when it can stand in for
    the kernelspec's command, and starts it as usual otherwise."""

    template: Template | None = None
    child: Child | None = None

    @property
    def has_process(self) -> bool:
        return self.child is not None or super().has_process

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        cwd = kwargs.get("cwd") or Path.cwd()
        env = kernel_environment(kwargs.get("env", os.environ))
        template = self.template
        if template is None or not template.alive() or not template.stands_in_for(cmd, cwd, env):
            return await super().launch_kernel(cmd, **kwargs)
        self.child = template.fork(cmd, cwd, env)
        self.pid = self.pgid = self.child.pid
        self.cwd = cwd
        return self.connection_info

    async def poll(self) -> int | None:
        if self.child is None:
            return await super().poll()
        return self.child.poll()

    async def wait(self) -> int | None:
        if self.child is None:
            return await super().wait()
        while self.child.poll() is None:
            await asyncio.sleep(0.1)
        status = self.child.returncode
        self.child.close()
        self.child = None
        return status

    async def send_signal(self, signum: int) -> None:
        if self.child is None:
            await super().send_signal(signum)
        else:
            self.child.signal(signum)

    async def kill(self, restart: bool = False) -> None:
        if self.child is None:
            await super().kill(restart)
        else:
            self.child.signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        if self.child is None:
            await super().terminate(restart)
        else:
            self.child.signal(signal.SIGTERM)

    async def cleanup(self, restart: bool = False) -> None:
        if self.child is not None:
            self.child.close()
            self.child = None
        await super().cleanup(restart)


def _interpreter(argv: list[str]) -> list[str] | None:
    """The interpreter and its flags in an ipykernel kernelspec command, else None."""
    for index in range(1, len(argv) - 1):
        if argv[index : index + 2] == LAUNCHER:
            return argv[:index]
    return None


def kernel_environment(env: dict[str, str]) -> dict[str, str]:
    """`env` with what jupyter_client's launcher adds for a kernel of this process."""
    return {**env, "JPY_PARENT_PID": str(os.getpid())}
