"""kg: a provenance-first knowledge graph of news.

Articles go in; people, organizations and roles come out as RDF, each
relationship carrying the exact sentences that state it.
"""

__version__ = "0.1.0"
