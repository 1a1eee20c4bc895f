"""The same graph whatever runs the extraction: one process, two, or a Dask cluster; and however built."""

from __future__ import annotations

import shutil
import socket

import pyoxigraph as ox
import pytest
from conftest import SEEDS

from graph.builder import build_graph
from graph.errors import BuildError


def store_quads(folder):
    store = ox.Store.read_only(str(folder))
    return sorted(str(q) for q in store)


def test_one_and_two_workers_and_a_dask_cluster_give_identical_output(tmp_path):
    from dask.distributed import LocalCluster

    base = build_graph(SEEDS, tmp_path / "one", workers=1)
    build_graph(SEEDS, tmp_path / "two", workers=2)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        from graph.distributed import dask_executor

        with dask_executor(cluster.scheduler_address) as executor:
            dask_summary = build_graph(SEEDS, tmp_path / "dask", executor=executor)
    assert dask_summary.statements == base.statements
    reference = (tmp_path / "one" / "graph.trig").read_bytes()
    for name in ("two", "dask"):
        assert (tmp_path / name / "graph.trig").read_bytes() == reference, name
        assert (tmp_path / name / "graph.html").read_bytes() == (tmp_path / "one" / "graph.html").read_bytes()
        assert store_quads(tmp_path / name / "store") == store_quads(tmp_path / "one" / "store")


def test_an_unreachable_dask_scheduler_is_a_clean_error():
    from graph.distributed import dask_executor

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(BuildError, match=rf"^--dask tcp://127.0.0.1:{port}: cannot reach the scheduler"):
        with dask_executor(f"tcp://127.0.0.1:{port}"):
            pass


def test_an_incremental_build_equals_a_fresh_build_of_the_same_articles(tmp_path):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    out = tmp_path / "out"
    build_graph(seeds, out)
    changed = seeds / "002_fb7b9d9538adbfa3.txt"
    changed.write_text(changed.read_text(encoding="utf-8").replace("Tesla und Uber", "Tesla, Uber und Nvidia"),
                       encoding="utf-8")
    (seeds / "001_2b02b5d996e006f7.txt").unlink()
    (seeds / "new.txt").write_text("Nvidia-Gründer Jensen Huang wechselt zu Tesla.\n", encoding="utf-8")
    incremental = build_graph(seeds, out)
    assert incremental.reused == 3
    fresh = build_graph(seeds, tmp_path / "fresh")
    assert (out / "graph.trig").read_bytes() == (tmp_path / "fresh" / "graph.trig").read_bytes()
    assert store_quads(out / "store") == store_quads(tmp_path / "fresh" / "store")
    assert (incremental.statements, incremental.entities, incremental.quads) == \
        (fresh.statements, fresh.entities, fresh.quads)


def test_a_moved_article_carries_its_new_path(tmp_path):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    out = tmp_path / "out"
    build_graph(seeds, out)
    (seeds / "archive").mkdir()
    (seeds / "003_e472da36a4955f5c.txt").rename(seeds / "archive" / "003.txt")
    build_graph(seeds, out)
    store = ox.Store.read_only(str(out / "store"))
    paths = {r["p"].value for r in store.query(
        "SELECT ?p WHERE { GRAPH ?g { ?d <https://kg.example.org/ontology#path> ?p } }")}
    assert "archive/003.txt" in paths and "003_e472da36a4955f5c.txt" not in paths
    fresh = tmp_path / "fresh"
    build_graph(seeds, fresh)
    assert (out / "graph.trig").read_bytes() == (fresh / "graph.trig").read_bytes()
    assert store_quads(out / "store") == store_quads(fresh / "store")


def test_each_worker_gets_a_run_of_articles_of_as_few_languages_as_the_load_allows():
    from graph.builder import _by_language
    from graph.types import Article

    def article(i: int, text: str) -> Article:
        return Article(f"{i}.txt", text, f"{i:064d}", "", "", "utf-8", "text/plain")

    de = [article(i, "Der Vorstand und die Bank haben nicht entschieden. " * 20) for i in range(6)]
    nl = [article(i + 10, "De raad en het bedrijf hebben een besluit niet genomen. " * 20) for i in range(6)]
    shares = _by_language(de + nl[:3] + nl[3:], 2)
    assert len(shares) == 2 and sorted(a.path for s in shares for a in s) == sorted(a.path for a in de + nl)
    assert [{a.path for a in s} for s in shares] == [{a.path for a in de}, {a.path for a in nl}]
