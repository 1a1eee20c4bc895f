"""kg: a provenance-first knowledge graph of news.

Articles go in; people, organizations and roles come out as RDF, each
relationship carrying the exact sentences that state it.
"""

__version__ = "0.1.0"

# The public API (graph/api.py), loaded on first use: `import graph` stays cheap for `kg --help`.
__all__ = ["EntityInfo", "KgError", "KnowledgeGraph", "NoGraphError", "QueryError", "QueryTimeout", "StoreError",
           "__version__", "build", "open"]
_FROM = {"build": "api", "open": "api", "KnowledgeGraph": "api", "EntityInfo": "api",
         "KgError": "errors", "NoGraphError": "errors", "StoreError": "errors",
         "QueryError": "errors", "QueryTimeout": "errors"}


def __getattr__(name: str):
    if name in _FROM:
        from importlib import import_module

        return getattr(import_module(f"{__name__}.{_FROM[name]}"), name)
    raise AttributeError(f"module 'graph' has no attribute {name!r}")


def __dir__() -> list[str]:  # what tab completion offers: the public names
    return sorted(set(globals()) | set(__all__))
