"""Who owns a temporary item in an output folder, and cleaning up after owners that died.

A build writes `.build-PID/`, `.store-old-PID/` and `NAME.tmpPID` items, and `kg serve`
a `.serve-PID/` checkpoint. A process killed with SIGKILL cannot remove them. A
process id alone cannot tell a dead owner from a live one (ids are reused), so each
process holds an exclusive `flock` on `.lock-PID` in the folder for as long as it
lives; the kernel releases it however the process ends. An item whose lock can be
taken has no living owner and is removed by the next build.

Child processes (extraction workers, the Oxigraph server) are bound to their parent
with the parent-death signal, so they die with it even when it is killed.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
import signal
from pathlib import Path

_ITEM = re.compile(r"^\.(?:build|store-old|serve|write-test)-(\d+)$|\.tmp(\d+)$")
_held: dict[str, int] = {}  # folder -> descriptor of this process's lock (kept open)


def hold_lock(folder: Path) -> None:
    """Mark this process as the living owner of the items with its id in `folder`."""
    key = str(folder.resolve())
    if key in _held:
        return
    fd = os.open(folder / f".lock-{os.getpid()}", os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    _held[key] = fd


def remove_orphans(folder: Path, *, also: tuple[Path, ...] = ()) -> list[str]:
    """Remove the temporary items in `folder` (and the folders in `also`) whose owner is dead."""
    removed = []
    dead: dict[int, bool] = {}
    for place in (folder, *also):
        try:
            entries = list(os.scandir(place))
        except OSError:
            continue
        for entry in entries:
            m = _ITEM.search(entry.name)
            if not m:
                continue
            pid = int(m.group(1) or m.group(2))
            if pid not in dead:
                dead[pid] = not _alive(folder, pid)
            if dead[pid]:
                if entry.is_dir(follow_symlinks=False):
                    shutil.rmtree(entry.path, ignore_errors=True)
                else:
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        continue
                removed.append(entry.name)
    # the locks of owners that are gone, with or without items left
    try:
        locks = [e.name for e in os.scandir(folder) if e.name.startswith(".lock-")]
    except OSError:
        locks = []
    for name in locks:
        pid = name.removeprefix(".lock-")
        if pid.isdigit() and (dead.get(int(pid)) or int(pid) not in dead and not _alive(folder, int(pid))):
            try:
                os.unlink(folder / name)
            except OSError:
                pass
    return removed


def release_lock(folder: Path) -> None:
    """This process owns nothing in `folder` any more: drop its lock and the lock's file."""
    fd = _held.pop(str(folder.resolve()), None)
    if fd is None:
        return
    try:
        os.unlink(folder / f".lock-{os.getpid()}")
    except OSError:
        pass
    os.close(fd)


def _alive(folder: Path, pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        fd = os.open(folder / f".lock-{pid}", os.O_RDWR)
    except FileNotFoundError:
        return False  # no lock: written by a process that never took one, or already cleaned
    except OSError:
        return True  # cannot tell: leave it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return True
    finally:
        os.close(fd)
    return False


def die_with_parent(parent: int) -> None:
    """In a child process of `parent`: be killed when it dies (Linux), even by SIGKILL."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's own clean-up still runs
        return
    if os.getppid() != parent:  # the parent died before the signal was set
        os._exit(1)
