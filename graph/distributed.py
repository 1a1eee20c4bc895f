"""Executors for `kg build`: a Dask distributed cluster's, when one is named.

Extraction is a pure function of one article, so any `concurrent.futures`
executor can map it; a newsroom with a Dask cluster hands its scheduler's
address to `kg build --dask` and the same work runs there.
"""

from __future__ import annotations

from contextlib import contextmanager

from .errors import BuildError

CONNECT_TIMEOUT = "10s"


@contextmanager
def dask_executor(address: str | None):
    """A concurrent.futures executor on the Dask scheduler at `address`, or None without one.

    Raises BuildError when the scheduler cannot be reached within the timeout.
    """
    if not address:
        yield None
        return
    try:
        from dask.distributed import Client
    except ImportError:
        raise BuildError("--dask needs the dask extra: pip install 'kg-news[dask]'") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        raise BuildError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    try:
        yield client.get_executor()
    finally:
        client.close()
