"""One article through the extraction stages: read text in, an `Extraction` out.

A pure function of the article, the rules and the registry, so it can run in
any worker process and be cached by the article's content hash.
"""

from __future__ import annotations

import dataclasses

from .anaphora import resolve_anaphora
from .errors import ForeignLanguage
from .extract import extract_claims
from .names import discover_names
from .resolve import Registry, resolve_mentions
from .rules import RuleSet
from .segment import (
    LANGUAGE_NAMES,
    MAX_SENTENCE,
    article_language,
    foreign_language,
    split_sentences,
)
from .types import Article, Extraction


def extract_article(article: Article, rules: RuleSet, registry: Registry) -> Extraction:
    """Sentences, mentions, new entities and claims of one article.

    Raises ForeignLanguage for an article in none of German, Dutch and English.
    """
    if not article.language:
        foreign = foreign_language(article.text, rules)
        if foreign is not None:
            raise ForeignLanguage(article.path, foreign, LANGUAGE_NAMES.get(foreign, foreign))
        article = dataclasses.replace(article, language=article_language(article.text, rules))
    sentences = split_sentences(article, rules)
    known, _ = resolve_mentions(article, sentences, [], registry)
    names = discover_names(article, sentences, known, rules)
    heads = frozenset(rules[article.language].words.get("ORGHEAD", ()))
    mentions, entities = resolve_mentions(article, sentences, names, registry, heads)
    mentions = sorted(mentions + resolve_anaphora(article, sentences, mentions, rules), key=lambda m: m.start)
    outlets = frozenset(k for k, e in registry.entities.items() if e.outlet)
    claims = extract_claims(article, sentences, mentions, rules, known_outlets=outlets)
    cut = sum(1 for s in sentences if s.cut)
    warnings = ((f"{article.path}: {cut} pieces of sentences longer than {MAX_SENTENCE:,} characters "
                 "read apart (a fact across a cut is not read)"),) if cut else ()
    return Extraction(article, tuple(entities), tuple(mentions), tuple(claims), tuple(sentences), warnings)
