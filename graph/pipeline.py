"""One article through the extraction stages: read text in, an `Extraction` out.

A pure function of the article, the rules and the registry, so it can run in
any worker process and be cached by the article's content hash.
"""

from __future__ import annotations

import dataclasses

from .extract import discover_names, extract_claims
from .resolve import Registry, resolve_mentions
from .rules import RuleSet
from .segment import article_language, split_sentences
from .types import Article, Extraction


def extract_article(article: Article, rules: RuleSet, registry: Registry) -> Extraction:
    """Sentences, mentions, new entities and claims of one article."""
    if not article.language:
        article = dataclasses.replace(article, language=article_language(article.text, rules))
    sentences = split_sentences(article, rules)
    known, _ = resolve_mentions(article, sentences, [], registry)
    names = discover_names(article, sentences, known, rules)
    mentions, entities = resolve_mentions(article, sentences, names, registry)
    claims = extract_claims(article, sentences, mentions, rules)
    return Extraction(article, tuple(entities), tuple(mentions), tuple(claims), tuple(sentences))
