"""kg: a provenance-first knowledge graph of news.

Articles go in; people, organizations and roles come out as RDF, each
relationship carrying the exact sentences that state it.
"""

__version__ = "0.1.0"

# The public API (graph/api.py), loaded on first use: `import graph` stays cheap for `kg --help`.
__all__ = ["EntityInfo", "KnowledgeGraph", "__version__", "build", "open"]


def __getattr__(name: str):
    if name in ("build", "open", "KnowledgeGraph", "EntityInfo"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")
