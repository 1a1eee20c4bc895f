"""Time kg viz on synthetic graphs: write time and time until the page is usable in Chromium.

    python benchmarks/viz.py [100 1000 5000]

Graphs are made of random relationships between N entities (seeded), each
with one source sentence, and rendered with the same code kg viz uses.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def synthetic(n: int, seed: int = 1):
    from graph.trace import Node, Relationship, Source

    rng = random.Random(seed)
    people = [f"https://kg.example.org/id/person/p{i}" for i in range(n // 3)]
    orgs = [f"https://kg.example.org/id/org/o{i}" for i in range(n - len(people))]
    labels = {iri: f"Person {i}" for i, iri in enumerate(people)}
    labels.update({iri: f"Company {i}" for i, iri in enumerate(orgs)})
    kinds = {iri: "person" for iri in people}
    rels = []
    for i in range(int(n * 1.3)):
        src = Source(f"a{i % 500}.txt", f"Article {i % 500}", rng.choice(["de", "nl", "en"]), 0, 40,
                     "Person 1, the CEO of Company 2, said so.", "… Person 1, the CEO of Company 2, said so. …",
                     "en.rel.person_apposition", 0.9, False, False, False, False, [])
        if i < len(people):
            subj, pred, obj, q = people[i], Node("https://kg.example.org/role/ceo", "CEO"), rng.choice(orgs), {"role": "CEO"}
        else:
            subj, obj = rng.sample(orgs, 2)
            pred, q = Node("https://kg.example.org/ontology#customerOf", "customer of"), {}
        rels.append(Relationship(f"https://kg.example.org/statement/{i}", Node(subj, labels[subj]), pred,
                                 {"iri": obj, "label": labels[obj]}, q, 1, [src]))
    return rels, labels, kinds


def main(sizes: list[int]) -> None:
    from browser import open_page, start_browser
    from graph.viz import render_html

    driver = start_browser()
    print(f"{'nodes':>6} {'edges':>6} {'physics':>7} {'write s':>8} {'usable s':>9} {'MB':>6}")
    try:
        for n in sizes:
            rels, labels, kinds = synthetic(n)
            started = time.perf_counter()
            html, nodes, edges, physics = render_html(rels, labels, kinds, documents=500, title=f"{n} nodes")
            path = Path(tempfile.mkdtemp()) / "graph.html"
            path.write_text(html, encoding="utf-8")
            write = time.perf_counter() - started
            usable = open_page(driver, path, timeout=300)
            if physics:  # usable once the layout has settled
                t0 = time.monotonic()
                while time.monotonic() - t0 < 120 and driver.execute_script(
                        "return kg.network.physics.options.enabled"):
                    time.sleep(0.05)
                usable += time.monotonic() - t0
            print(f"{nodes:>6} {edges:>6} {str(physics):>7} {write:>8.2f} {usable:>9.2f} {len(html) / 1e6:>6.1f}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [100, 1000, 5000])
