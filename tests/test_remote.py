"""kg serve and kg push against a real Oxigraph server on loopback."""

from __future__ import annotations

import http.server
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from conftest import SEEDS

from graph.cli import main
from graph.remote import oxigraph_binary

GRAPHS = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"


def kg(*args, env=None):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, env=env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def server_graphs(base: str) -> dict[str, int]:
    response = httpx.post(f"{base}/query", data={"query": GRAPHS}, headers={"Accept": "application/sparql-results+json"})
    response.raise_for_status()
    return {b["g"]["value"]: int(b["n"]["value"]) for b in response.json()["results"]["bindings"]}


def local_graphs(out: Path) -> dict[str, int]:
    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / "store"))
    return {r["g"].value: int(r["n"].value) for r in store.query(GRAPHS)}


@pytest.fixture
def writable_server(tmp_path):
    port = free_port()
    proc = subprocess.Popen([oxigraph_binary(), "serve", "--location", str(tmp_path / "server"),
                             "--bind", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(port)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def test_kg_serve_answers_sparql_over_http(tmp_path, built_seeds):
    out, _ = built_seeds
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--graph", str(out), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port)
        url = f"http://127.0.0.1:{port}/query"
        result = kg("query", "roles", "--endpoint", url, "--format", "csv")
        assert result.exit_code == 0, result.output
        assert "Jason Droege,interim CEO,Scale AI" in result.stdout
        assert result.stdout == kg("query", "roles", "--graph", str(out), "--format", "csv").stdout
        refused = httpx.post(url.replace("/query", "/update"), data={"update": "CLEAR ALL"})
        assert refused.status_code >= 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert not list(out.glob(".serve-*"))


def test_push_twice_leaves_the_servers_graphs_equal_to_the_local_ones(tmp_path, writable_server):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    out = tmp_path / "out"
    assert kg("build", "--seeds", str(seeds), "--out", str(out)).exit_code == 0
    first = kg("push", "--endpoint", f"{writable_server}/store", "--graph", str(out))
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == f"Pushed to {writable_server}/store: 7 graphs sent, 0 deleted, 0 unchanged"
    assert server_graphs(writable_server) == local_graphs(out)

    changed = seeds / "000_43ff3c33451dc81b.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nNvidia-Gründer Jensen Huang lobte den Schritt.\n",
                       encoding="utf-8")
    (seeds / "004_5e06687d31efdb21.txt").unlink()
    assert kg("build", "--seeds", str(seeds), "--out", str(out)).exit_code == 0
    second = kg("push", "--endpoint", f"{writable_server}/store", "--graph", str(out))
    assert second.exit_code == 0, second.output
    # the changed article is a new graph (named by its content) and its old graph goes with the removed one
    assert second.stdout.strip() == f"Pushed to {writable_server}/store: 1 graphs sent, 2 deleted, 5 unchanged"
    assert server_graphs(writable_server) == local_graphs(out)

    # an analyst's correction: the graph of the article it changes and the corrections graph go out
    corrected = kg("correct", "reject", "Wang", "head of AI", "Meta", "--why", "test", "--by", "ana",
                   "--seeds", str(seeds), "--graph", str(out))
    assert corrected.exit_code == 0, corrected.output
    third = kg("push", "--endpoint", f"{writable_server}/store", "--graph", str(out))
    assert third.exit_code == 0, third.output
    assert third.stdout.strip() == f"Pushed to {writable_server}/store: 3 graphs sent, 0 deleted, 4 unchanged"
    assert "https://kg.example.org/graph/corrections" in server_graphs(writable_server)
    assert server_graphs(writable_server) == local_graphs(out)


def test_push_to_a_server_that_is_down_is_one_line(built_seeds):
    out, _ = built_seeds
    url = f"http://127.0.0.1:{free_port()}/store"
    result = kg("push", "--endpoint", url, "--graph", str(out), "--all")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {url}: cannot connect") and len(result.stderr.splitlines()) == 1


class _Refusing(http.server.BaseHTTPRequestHandler):
    seen_auth: list = []

    def do_PUT(self):
        self.seen_auth.append(self.headers.get("Authorization"))
        self.send_response(401)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_refused_credentials_name_the_url_and_status_and_come_from_the_environment(built_seeds):
    out, _ = built_seeds
    server = http.server.HTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/store"
    try:
        result = kg("push", "--endpoint", url, "--graph", str(out), "--all",
                    env={"KG_PUSH_USER": "alice", "KG_PUSH_PASSWORD": "s3cret"})
    finally:
        server.shutdown()
    assert result.exit_code == 1
    assert result.stderr == f"Error: PUT {url} answered HTTP 401: credentials refused\n"
    assert _Refusing.seen_auth and _Refusing.seen_auth[0].startswith("Basic ")


def _refuses(port: int, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(0.1)
        except OSError:
            return True
    return False


def test_a_killed_kg_serve_takes_its_server_with_it_and_the_next_build_removes_its_checkpoint(tmp_path):
    import signal

    from graph.builder import build_graph

    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    out = tmp_path / "out"
    build_graph(seeds, out)
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--graph", str(out), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(port)
        assert list(out.glob(".serve-*"))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert _refuses(port), "the Oxigraph server outlived kg serve"
    finally:
        if proc.poll() is None:
            proc.kill()
    build_graph(seeds, out)
    assert not list(out.glob(".serve-*")) and not list(out.glob(".lock-*"))


def test_kg_serve_on_a_busy_port_says_so_before_announcing_an_address(built_seeds):
    out, _ = built_seeds
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        proc = subprocess.run([sys.executable, "-m", "graph.cli", "serve", "--graph", str(out), "--port", str(port)],
                              capture_output=True, text=True, check=False, timeout=60)
    assert proc.returncode != 0
    assert f"--port {port}: cannot listen" in proc.stderr and "Serving" not in proc.stderr
    assert not list(out.glob(".serve-*"))


def test_kg_serve_serves_a_graph_in_a_folder_it_cannot_write_to(tmp_path, built_seeds):
    # a read-only bind mount: root ignores file modes, not a read-only file system
    out, _ = built_seeds
    source = shutil.copytree(out, tmp_path / "src", ignore=shutil.ignore_patterns(".cache"))
    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "--bind", str(source), str(ro)], capture_output=True, check=False).returncode:
        pytest.skip("cannot bind-mount here")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(ro)], capture_output=True, check=False).returncode:
            pytest.skip("cannot remount read-only here")
        port = free_port()
        proc = subprocess.Popen([sys.executable, "-m", "graph.cli", "serve", "--graph", str(ro), "--port", str(port)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(port)
            result = kg("query", "roles", "--endpoint", f"http://127.0.0.1:{port}/query", "--format", "csv")
            assert result.exit_code == 0 and "Jason Droege" in result.stdout
        finally:
            proc.terminate()
            _, err = proc.communicate(timeout=10)
        assert "internal error" not in err
    finally:
        subprocess.run(["umount", str(ro)], capture_output=True, check=False)
