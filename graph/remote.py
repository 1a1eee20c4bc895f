"""The graph on a SPARQL server: `kg serve` runs Oxigraph's server on it, `kg push` uploads it.

`serve` starts the Oxigraph server (the `oxigraph` package, pinned to
pyoxigraph's version) read-only, with the union of all graphs as default
graph so answers match `kg query`, on a hard-linked checkpoint of the store so
a rebuild never pulls files from under it.

`push` sends each named graph to a SPARQL 1.1 Graph Store Protocol endpoint
with PUT (replacing exactly that graph), deletes the graphs of articles that
are gone, and remembers what it sent, so the next push sends only what changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from .errors import KgError

RETRIES = 3


class RemoteError(KgError):
    exit_code = 1


def oxigraph_binary() -> str:
    path = Path(sys.executable).parent / "oxigraph"
    found = str(path) if path.exists() else shutil.which("oxigraph")
    if not found:
        raise RemoteError("the Oxigraph server is not installed (pip install oxigraph)")
    return found


def serve(graph_dir: Path, *, host: str = "127.0.0.1", port: int = 7878, on_ready=None) -> int:
    """Serve the built store read-only over the SPARQL protocol until stopped; returns the exit code.

    The address is announced only once the server answers on it; the server dies with
    this process however it ends (SIGKILL included), and its checkpoint is removed then
    or by the next build.
    """
    import signal
    import socket

    from .owners import die_with_parent, hold_lock, release_lock
    from .store import built_store, open_store

    folder = built_store(graph_dir)
    try:  # taken before anything starts: a busy port is one clear error
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.bind((host, port))
    except OSError as exc:
        raise KgError(f"--port {port}: cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    snapshot: Path | None = graph_dir / f".serve-{os.getpid()}"
    try:
        hold_lock(graph_dir)
        shutil.rmtree(snapshot, ignore_errors=True)
        open_store(folder).backup(str(snapshot))
        location = snapshot
    except OSError:
        # a folder we cannot write to: no rebuild can disturb the store there, serve it as it is
        snapshot, location = None, folder
    parent = os.getpid()
    proc = subprocess.Popen([oxigraph_binary(), "serve-read-only", "--location", str(location),
                             "--bind", f"{host}:{port}", "--union-default-graph"],
                            preexec_fn=lambda: die_with_parent(parent))  # noqa: PLW1509 - no threads here

    def stop(signum, frame):  # a service manager's SIGTERM: stop like Ctrl-C, cleaning up
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        if not _answers(host, port, proc):
            code = proc.poll()
            raise KgError(f"the SPARQL server did not start on {host}:{port}"
                          + (f" (it exited with code {code})" if code is not None else ""))
        if on_ready:
            on_ready(f"http://{host}:{port}/query")
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        proc.wait(timeout=10)
        return 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        if snapshot is not None:
            shutil.rmtree(snapshot, ignore_errors=True)
            release_lock(graph_dir)


def _answers(host: str, port: int, proc, seconds: float = 30.0) -> bool:
    """Whether the server accepts connections before `seconds` pass or it exits."""
    import socket

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


@dataclass
class PushSummary:
    sent: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[str] = field(default_factory=list)


def local_graphs(graph_dir: Path) -> dict[str, str]:
    """Named graph IRI -> version, from the build's manifest: a graph changes with its article or the code."""
    from .builder import CACHE_DIR, MANIFEST, document_sha
    from .model import CORRECTIONS_GRAPH, ONTOLOGY_GRAPH, REGISTRY_GRAPH, graph_iri
    from .store import built_store

    built_store(graph_dir)
    path = graph_dir / CACHE_DIR / MANIFEST
    if not path.exists():
        raise RemoteError(f"--graph {graph_dir}: built by an older kg; run 'kg build --out {graph_dir}' again")
    manifest = json.loads(path.read_text())
    fp = manifest["fingerprint"]
    graphs = {str(graph_iri(document_sha(key))): f"{fp}:{key}" for key in manifest["documents"]}
    # corrections change the registry graph (a rename) and make the corrections graph
    background = f"{fp}:{manifest.get('background', '')}"
    graphs[str(REGISTRY_GRAPH)] = background
    graphs[str(ONTOLOGY_GRAPH)] = fp
    if manifest.get("corrections"):
        graphs[str(CORRECTIONS_GRAPH)] = background
    return graphs


def _state_file(graph_dir: Path, endpoint: str) -> Path:
    from .builder import CACHE_DIR

    return graph_dir / CACHE_DIR / f"push-{hashlib.sha256(endpoint.encode()).hexdigest()[:16]}.json"


def push(graph_dir: Path, endpoint: str, *, auth: tuple[str, str] | None = None, everything: bool = False,
         timeout: float = 60.0, progress=None) -> PushSummary:
    """Upload the graph to a SPARQL 1.1 Graph Store Protocol endpoint, only what changed since the last push.

    Raises RemoteError naming the URL and HTTP status when the server refuses.
    """
    import httpx

    from .store import graph_ntriples, open_store

    graphs = local_graphs(graph_dir)
    state_path = _state_file(graph_dir, endpoint)
    pushed: dict[str, str] = {} if everything or not state_path.exists() else json.loads(state_path.read_text())
    to_send = sorted(g for g, v in graphs.items() if pushed.get(g) != v)
    to_delete = sorted(g for g in pushed if g not in graphs)
    summary = PushSummary(unchanged=len(graphs) - len(to_send))
    store = open_store(graph_dir / "store") if to_send else None
    total = len(to_send) + len(to_delete)
    if progress is not None:
        progress(0, total)
    with httpx.Client(auth=auth, timeout=timeout) as client:
        def request(method: str, graph: str, body: bytes | None = None):
            for attempt in range(RETRIES):
                try:
                    response = client.request(method, endpoint, params={"graph": graph}, content=body,
                                              headers={"Content-Type": "application/n-triples"} if body is not None else {})
                except httpx.TimeoutException:
                    if attempt == RETRIES - 1:
                        raise RemoteError(f"{endpoint}: no answer within {timeout:g} s") from None
                except httpx.HTTPError as exc:
                    raise RemoteError(f"{endpoint}: cannot connect ({exc})") from None
                else:
                    if response.status_code in (401, 403):
                        raise RemoteError(f"{method} {endpoint} answered HTTP {response.status_code}: credentials refused")
                    if response.status_code < 500 or attempt == RETRIES - 1:
                        return response
                time.sleep(0.5 * (attempt + 1))
            return None

        try:
            for done, graph in enumerate(to_send, 1):
                response = request("PUT", graph, graph_ntriples(store, graph))
                if response is None or response.status_code >= 300:
                    summary.failed.append(f"{graph} (HTTP {response.status_code if response else '?'})")
                else:
                    pushed[graph] = graphs[graph]
                    summary.sent.append(graph)
                if progress:
                    progress(done, total)
            for done, graph in enumerate(to_delete, len(to_send) + 1):
                response = request("DELETE", graph)
                if response is None or response.status_code not in (200, 204, 404):
                    summary.failed.append(f"{graph} (HTTP {response.status_code if response else '?'})")
                else:
                    pushed.pop(graph, None)
                    summary.deleted.append(graph)
                if progress:
                    progress(done, total)
        finally:
            # what reached the server is remembered even when a later graph failed
            tmp = state_path.with_suffix(f".tmp{os.getpid()}")
            tmp.write_text(json.dumps(pushed, sort_keys=True))
            os.replace(tmp, state_path)
    if summary.failed:
        raise RemoteError(f"{endpoint}: {len(summary.failed)} graph(s) not accepted: {', '.join(summary.failed[:3])}"
                          + (" …" if len(summary.failed) > 3 else "") + "; run kg push again to retry them")
    return summary
