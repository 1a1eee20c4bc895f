"""Split an `Article` into sentences, each with its language and whether it is page furniture.

Lines are paragraphs (or headlines) in the text formats we read, so a sentence
never spans a line break; within a line, syntok finds the boundaries.
Boilerplate starts at a line that a `boilerplate.jsonl` cue matches: scope
"rest" makes everything from there on boilerplate (comment prompts, job ads,
source lists), scope "block" only that line and the list that follows it
("Lees ook:"). A list directly above a "rest" cue belongs to it: related links.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .rules import RuleSet
from .types import Article, Sentence

# syntok keeps a sentence that ends inside closing quotes together with the next one
_QUOTE_END = re.compile(r"(?<=[.!?][“”\"»«])\s+(?=[A-ZÄÖÜ„“\"])")
_LIST_ITEM = re.compile(r"^\s*(?:[-–•*·▪►]|\d+[.)])\s+")
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=1)
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    ident.set_languages(["de", "nl", "en"])
    return ident


def detect_language(text: str) -> tuple[str, float]:
    """Language of a text among de, nl, en, with a probability.

    >>> detect_language("Der Vorstand hat heute die Zahlen vorgelegt.")[0]
    'de'
    """
    lang, prob = _identifier().classify(text)
    return lang, float(prob)


def split_sentences(article: Article, rules: RuleSet) -> list[Sentence]:
    """Sentences of the article in text order, with language and boilerplate flag."""
    import syntok.segmenter as segmenter

    text = article.text
    lines = _lines(text)
    boiler = _boilerplate_lines(lines, text, rules, article.language)
    sentences: list[Sentence] = []
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if not line.strip():
            continue
        spans = []
        for paragraph in segmenter.analyze(line):
            for sent in paragraph:
                if not sent:
                    continue
                s = sent[0].offset
                last = sent[-1]
                spans.append((s, last.offset + len(last.value)))
        if not spans:
            continue
        spans = [piece for s, e in spans for piece in _split_after_quotes(line, s, e)]
        # syntok drops leading list markers and spaces: keep the sentence tight on its words
        for s, e in spans:
            lang = article.language
            chunk = line[s:e]
            if len(chunk) >= 60:
                guess, prob = detect_language(chunk)
                if guess != lang and prob > 0.995:
                    lang = guess
            sentences.append(Sentence(start + s, start + e, lang, index in boiler))
    return sentences


def _split_after_quotes(line: str, start: int, end: int) -> list[tuple[int, int]]:
    out, pos = [], start
    for m in _QUOTE_END.finditer(line, start, end):
        out.append((pos, m.start()))
        pos = m.end()
    out.append((pos, end))
    return out


def _lines(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _boilerplate_lines(lines, text: str, rules: RuleSet, language: str) -> set[int]:
    boiler: set[int] = set()
    cues = [r for lang in dict.fromkeys((language, "en")) for r in rules[lang].boilerplate]
    rest_from = None
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if not line.strip():
            continue
        for rule in cues:
            if rule.regex.search(line):
                if rule.scope == "rest":
                    rest_from = index
                else:
                    boiler.add(index)
                    j = index + 1
                    while j < len(lines) and (not text[lines[j][0]:lines[j][1]].strip()
                                              or _LIST_ITEM.match(text[lines[j][0]:lines[j][1]])):
                        boiler.add(j)
                        j += 1
                break
        if rest_from is not None:
            break
    if rest_from is not None:
        first = rest_from
        j = rest_from - 1
        # a list of links right above the cue belongs to the furniture
        while j >= 0:
            line = text[lines[j][0]:lines[j][1]]
            if not line.strip():
                j -= 1
                continue
            if _LIST_ITEM.match(line):
                first = j
                j -= 1
                continue
            break
        boiler.update(range(first, len(lines)))
    return boiler
