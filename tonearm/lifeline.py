"""Worker processes that end with the server, however it ends.

A pool worker forked from multiprocessing's forkserver outlives a server killed with SIGKILL
(OOM killer, `kill -9`, a crashed container runtime): it waits on its call queue, whose write
end it holds itself, and it holds the forkserver's "alive" pipe too, so the forkserver and the
resource tracker stay as well. Each worker therefore watches the server through a pidfd (no
pid-reuse race, no polling) and leaves the moment the server is gone.
"""

from __future__ import annotations

import os
import select
import threading


def _watch(pidfd: int) -> None:
    select.select([pidfd], [], [])  # a pidfd becomes readable when its process exits
    os._exit(0)  # nothing left to report to: skip cleanup that could wait on the dead server


def exit_with(server_pid: int) -> None:
    """In a worker process: exit as soon as `server_pid` does. Use as a pool initializer."""
    try:
        pidfd = os.pidfd_open(server_pid)
    except ProcessLookupError:  # gone before this worker started
        os._exit(0)
    threading.Thread(target=_watch, args=(pidfd,), name="lifeline", daemon=True).start()
