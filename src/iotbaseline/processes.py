"""Process housekeeping shared by the pool workers and the per-image children: dying with the parent, and
stopping a whole tree of processes (the extraction worker leads a process group of its own)."""

import ctypes
import multiprocessing
import os
import signal

import psutil

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent: int) -> None:
    """SIGKILL this process when `parent` ends, however it ends (kill -9 included); so nothing keeps running
    for a batch that is gone."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above
        os._exit(1)


def allow_children() -> None:
    """Dask starts its workers as daemon processes, and multiprocessing refuses children to a daemon because it
    could not wait for them at exit. Ours are always waited for: by the task that started them."""
    current = multiprocessing.current_process()
    if current.daemon:
        current.daemon = False


def kill_tree(pid: int | None) -> None:
    """SIGKILL the process, everything it started, and the process groups they lead (never our own)."""
    if pid is None:
        return
    try:
        root = psutil.Process(pid)
        members = [root, *root.children(recursive=True)]
    except psutil.Error:
        return
    own_group = os.getpgid(0)
    for member in members:
        try:
            if os.getpgid(member.pid) == member.pid != own_group:
                os.killpg(member.pid, signal.SIGKILL)
            member.kill()
        except (psutil.Error, ProcessLookupError, PermissionError):
            continue
