"""What every long run shares: a lock that keeps a second run off its files, and workers that die with it.

A run that writes a checkpoint or a log holds ``<file>.lock`` while it writes: a second run on the
same output stops at once, saying who holds it, instead of training beside the first through the
same temporary names. The lock file is opened without following a symbolic link (one planted there
would otherwise have the run truncate and write the file it points to). Worker processes a run
starts watch their parent and exit when it is gone: killed with SIGKILL, a run cannot stop them
itself, and they would hold memory and CPU for minutes. On Linux the kernel itself kills such a
worker when its parent ends (``prctl(PR_SET_PDEATHSIG)``), which needs no CPU time in the worker;
a thread that polls the parent's id backs it up elsewhere (and on Linux, should the signal be
lost to a parent that outlives the thread which started the worker).
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import signal
import sys
import stat
import threading
import time
from pathlib import Path

__all__ = ["hold_lock", "exit_with_parent"]


@contextlib.contextmanager
def hold_lock(path, what: str, kind: str = "run"):
    """Hold the lock file ``path`` for the ``kind`` writing ``what`` (a FileExistsError if another holds
    it, a ValueError if ``path`` is a symbolic link or not a plain file); the operating system
    drops it with the process, so a killed run never leaves a stale lock."""
    path = Path(path)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as e:
        if e.errno == errno.ELOOP or path.is_symlink():
            raise ValueError(f"{path} is a symlink; a lock file must be a plain file: remove "
                             "it and run again") from None
        raise
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{path} is not a plain file; a lock file must be one: remove it")
        try:
            import fcntl
        except ImportError:  # not POSIX: no lock
            yield path
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            who = os.pread(fd, 200, 0).decode(errors="replace").strip() or "another process"
            raise FileExistsError(f"{what} is being written by another {kind} ({who}); wait for "
                                  f"it to finish, or give this one another output ({path} is "
                                  "its lock)") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        try:
            yield path
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


_WATCHING: set = set()


def exit_with_parent(parent_pid: int, poll: float = 0.5) -> bool:
    """In a worker process started by ``parent_pid``, exit as soon as that process is gone.

    Called at the start of each unit of work (once per process is enough; later calls return at
    once); a process that is not a child of ``parent_pid`` (a Dask worker on another machine, or
    the run's own process with one job) is left alone, unless it is an orphan (its parent is now
    init) and ``parent_pid`` is gone: a worker whose run was killed while it was still starting
    (importing torch can take seconds) exits before its first unit. True if this process is now
    watched.
    """
    pid = os.getpid()
    if pid in _WATCHING:
        return True
    if pid == parent_pid:
        return False
    if os.getppid() != parent_pid:
        if os.getppid() == 1 and not _alive(parent_pid):  # orphaned before its first unit began
            os._exit(1)
        return False

    _kill_me_with_parent()
    if os.getppid() != parent_pid:  # the parent ended before the kernel was asked to tell
        os._exit(1)

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(poll)
        os._exit(1)  # no one is left to record this work: a resumed run redoes it

    _WATCHING.add(pid)  # a forked child has another pid, so it starts its own watch
    threading.Thread(target=watch, name="naskit-exit-with-parent", daemon=True).start()
    return True


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # there, owned by another user
        pass
    return True


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _kill_me_with_parent() -> bool:
    """Ask Linux to SIGKILL this process when the thread that started it ends; False elsewhere."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False
