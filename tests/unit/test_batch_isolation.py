"""One image's scan runs in a child process: whatever the child does (hang, eat memory, crash), the worker gets a
reason back and nothing of the child is left running."""

import ctypes
import faulthandler
import os
import subprocess
import threading
import time
from pathlib import Path

import psutil

from iotbaseline.batch.isolation import ProcessLimits, run_isolated, stop_running
from iotbaseline.errors import InputError

MIB = 1024 * 1024
LIMITS = ProcessLimits(seconds=30)


def square(number: int) -> int:
    return number * number


def refuse(path: str) -> int:
    raise InputError(f"{path}: not a regular file")


def bug(_: object) -> int:
    raise ValueError("a bug of ours")


def allocate(size: int) -> int:
    return len(bytearray(size))


def segfault(_: object) -> int:
    faulthandler.disable()  # pytest's, inherited by the fork: its dump would only clutter the output
    return len(ctypes.string_at(0))


def exit_quietly(_: object) -> int:
    os._exit(3)


def unpicklable(_: object) -> object:
    return lambda: None


def hang_with_a_grandchild(pid_file: Path) -> int:
    """Like an extraction worker: a process in a session of its own, then no answer."""
    grandchild = subprocess.Popen(["sleep", "120"], start_new_session=True)
    pid_file.write_text(str(grandchild.pid))
    time.sleep(120)
    return 0


def gone(pid: int) -> bool:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def test_the_result_comes_back_with_the_time_it_took() -> None:
    result = run_isolated(square, 7, LIMITS)

    assert (result.value, result.failure) == (49, None)
    assert 0 < result.seconds < 30


def test_an_error_a_user_can_act_on_is_the_reason() -> None:
    result = run_isolated(refuse, "/dev/zero", LIMITS)

    assert (result.value, result.failure) == (None, "/dev/zero: not a regular file")


def test_a_bug_is_an_internal_error_with_its_traceback_in_the_log(tmp_path: Path) -> None:
    log = tmp_path / "fw.bin" / "error.log"

    result = run_isolated(bug, None, LIMITS, error_log=log)

    assert result.failure == f"internal error (ValueError: a bug of ours); details in {log}"
    assert "Traceback" in log.read_text() and "def bug" not in result.failure


def test_a_scan_past_its_time_is_stopped_with_everything_it_started(tmp_path: Path) -> None:
    pid_file = tmp_path / "grandchild.pid"

    started = time.monotonic()
    result = run_isolated(hang_with_a_grandchild, pid_file, ProcessLimits(seconds=2))

    assert result.failure == "stopped after 2 s (the time limit per image)"
    assert time.monotonic() - started < 20
    assert gone(int(pid_file.read_text()))


def test_a_scan_past_its_memory_limit_fails_with_the_limit_named() -> None:
    limit = psutil.Process().memory_info().vms + 256 * MIB  # the fork starts with this process's address space

    result = run_isolated(allocate, 1024 * MIB, ProcessLimits(seconds=30, memory_bytes=limit))

    assert result.failure == f"out of memory: the scan needed more than {limit // MIB} MiB (the memory limit per image)"
    assert run_isolated(allocate, 64 * MIB, ProcessLimits(seconds=30, memory_bytes=limit)).value == 64 * MIB


def test_a_crash_of_the_interpreter_is_a_failure_not_a_lost_worker() -> None:
    assert run_isolated(segfault, None, LIMITS).failure == "the scan process crashed (SIGSEGV)"
    assert run_isolated(exit_quietly, None, LIMITS).failure == "the scan process ended without a result (exit code 3)"


def test_a_result_that_cannot_be_sent_back_is_an_internal_error() -> None:
    failure = run_isolated(unpicklable, None, LIMITS).failure

    assert failure is not None and failure.startswith("internal error (")


def test_stopping_the_running_tasks_ends_them_at_once() -> None:
    results = []
    worker = threading.Thread(target=lambda: results.append(run_isolated(time.sleep, 60, LIMITS)))
    worker.start()
    time.sleep(1)

    stop_running()
    worker.join(timeout=20)

    assert not worker.is_alive()
    assert results[0].failure == "killed (SIGKILL): out of memory, or stopped from outside"
