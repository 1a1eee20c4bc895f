from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def rules():
    from graph.rules import load_rules

    return load_rules()


@pytest.fixture(scope="session")
def registry():
    from graph.resolve import load_registry

    return load_registry()


@pytest.fixture(scope="session")
def extract_text(rules, registry):
    """Extract claims from a short text as if it were an article in `language`."""
    from graph.pipeline import extract_article
    from graph.read import normalize_text
    from graph.types import Article

    def run(text: str, language: str):
        text = normalize_text(text)
        article = Article("test.txt", text, "0" * 64, language, text.split("\n")[0], "utf-8", "text/plain")
        return extract_article(article, rules, registry)

    return run


@pytest.fixture(scope="session")
def built_seeds(tmp_path_factory):
    """The seeds built once into a temporary output folder."""
    from graph.builder import build_graph

    out = tmp_path_factory.mktemp("seeds-out")
    summary = build_graph(SEEDS, out)
    return out, summary


def copy_seeds(dest: Path) -> Path:
    shutil.copytree(SEEDS, dest)
    return dest
