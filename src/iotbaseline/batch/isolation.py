"""One task in a child process of its own, under a time limit and an address-space limit.

An image that hangs the scan, eats memory or crashes the interpreter costs its own result, never the worker that
runs the batch's other images. The child is forked from the worker, which has imported the scan already, so it
starts at once. It leads its own process group (a Ctrl-C at the terminal reaches only the batch's main process,
which decides) and dies with the worker (`PR_SET_PDEATHSIG`).
"""

import multiprocessing
import os
import resource
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Generic, TypeVar, cast

from iotbaseline.errors import IotBaselineError
from iotbaseline.processes import allow_children, die_with_parent, kill_tree

A = TypeVar("A")
R = TypeVar("R")

MIB = 1024 * 1024
_EXIT_GRACE = 10.0
"""Seconds a child that sent its result may take to exit before it is killed."""
_running: set[int | None] = set()
"""The children running now (`stop_running`)."""


@dataclass(frozen=True)
class ProcessLimits:
    seconds: float
    memory_bytes: int | None = None
    """Address space of each process of the task (RLIMIT_AS, inherited by what it starts); None: no limit."""


@dataclass(frozen=True)
class Isolated(Generic[R]):
    value: R | None
    failure: str | None
    """Why there is no value: the task's own error message, a limit, a crash."""
    seconds: float


def run_isolated(
    task: Callable[[A], R], argument: A, limits: ProcessLimits, error_log: Path | None = None
) -> Isolated[R]:
    """`task(argument)` in a forked child; only its result crosses back (pickled). An `IotBaselineError` it
    raises is the failure's reason; another exception is a bug of ours, its traceback written to `error_log`."""
    allow_children()
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(
        target=_child, args=(task, argument, limits, sender, error_log, os.getpid()), name="iotbaseline-task"
    )
    started = time.monotonic()
    child.start()
    sender.close()
    _running.add(child.pid)
    try:
        message = _receive(receiver, started + limits.seconds)
        if message is None:
            kill_tree(child.pid)
        child.join(_EXIT_GRACE)
        if child.is_alive():
            kill_tree(child.pid)
            child.join()
    finally:
        receiver.close()
        _running.discard(child.pid)
    seconds = time.monotonic() - started
    if message is None:
        return Isolated(None, f"stopped after {limits.seconds:g} s (the time limit per image)", seconds)
    kind, payload = message
    if kind == "value":
        return Isolated(cast(R, payload), None, seconds)
    if kind == "failure":
        return Isolated(None, str(payload), seconds)
    return Isolated(None, _ending(child.exitcode), seconds)


def stop_running() -> None:
    """Kills every task this process runs isolated (on a Dask worker, when the batch is stopped: Dask cannot
    stop a running task, but the task ends as soon as its child does)."""
    for pid in list(_running):
        kill_tree(pid)


def _receive(receiver: Connection, deadline: float) -> tuple[str, object] | None:
    """The child's message: ("value", result) or ("failure", reason); ("ended", None) if it ended without one;
    None at the deadline."""
    if not receiver.poll(max(0.0, deadline - time.monotonic())):
        return None
    try:
        message: tuple[str, object] = receiver.recv()
    except (EOFError, OSError):
        return ("ended", None)
    return message


def _child(
    task: Callable[[A], R],
    argument: A,
    limits: ProcessLimits,
    sender: Connection,
    error_log: Path | None,
    parent: int,
) -> None:
    die_with_parent(parent)
    os.setpgid(0, 0)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash must not drop a core file in the output
    if limits.memory_bytes is not None:
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    message: tuple[str, object]
    try:
        message = ("value", task(argument))
    except MemoryError:
        message = ("failure", _out_of_memory(limits))
    except IotBaselineError as error:
        message = ("failure", str(error))
    except Exception as error:  # a bug of ours: the image fails, the batch goes on
        message = ("failure", _internal_error(error, error_log))
    try:
        sender.send(message)
    except MemoryError:
        sender.send(("failure", _out_of_memory(limits)))
    except Exception as error:  # an unpicklable result is a bug of ours too
        sender.send(("failure", _internal_error(error, error_log)))
    sender.close()


def _ending(exit_code: int | None) -> str:
    if exit_code is not None and exit_code < 0:
        name = signal.Signals(-exit_code).name
        if -exit_code == signal.SIGKILL:
            return f"killed ({name}): out of memory, or stopped from outside"
        return f"the scan process crashed ({name})"
    return f"the scan process ended without a result (exit code {exit_code})"


def _out_of_memory(limits: ProcessLimits) -> str:
    if limits.memory_bytes is None:
        return "out of memory"
    return f"out of memory: the scan needed more than {limits.memory_bytes // MIB} MiB (the memory limit per image)"


def _internal_error(error: Exception, error_log: Path | None) -> str:
    reason = f"internal error ({type(error).__name__}: {error})"
    if error_log is None:
        return reason
    try:
        error_log.parent.mkdir(parents=True, exist_ok=True)
        error_log.write_text(traceback.format_exc(), encoding="utf-8")
    except OSError:
        return reason
    return f"{reason}; details in {error_log}"
