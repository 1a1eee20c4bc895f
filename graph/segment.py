"""Split an `Article` into sentences, each with its language and whether it is page furniture.

Lines are paragraphs (or headlines) in the text formats we read, so a sentence
never spans a line break; within a line, punctuation rules find the boundaries.
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

_LIST_ITEM = re.compile(r"^\s*(?:[-–•*·▪►]|\d+[.)])\s+")
# A boundary: sentence-final punctuation, closing quotes or brackets, white space,
# then what can open a sentence (a capital, a digit, an opening quote or dash).
_BOUNDARY = re.compile(r"[.!?…]+[\"“”'’»«)\]]*(?=\s+[\"„“'«(\[–—-]*[A-ZÀ-Þ0-9])")
_GERMAN_ORDINAL = re.compile(r"(?<![\d.])\d{1,2}\.$")  # "am 14. Juni": no boundary
_INITIAL = re.compile(r"(?<![\w.])[A-Za-zÀ-ÿ]\.$")  # "John F. Kennedy", "z. B."


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


@lru_cache(maxsize=1)
def _any_language():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


LANGUAGE_NAMES = {"fr": "French", "es": "Spanish", "it": "Italian", "pt": "Portuguese", "pl": "Polish",
                  "sv": "Swedish", "da": "Danish", "no": "Norwegian", "fi": "Finnish", "tr": "Turkish",
                  "ru": "Russian", "cs": "Czech", "hu": "Hungarian", "ro": "Romanian", "zh": "Chinese",
                  "ja": "Japanese", "ar": "Arabic", "el": "Greek", "uk": "Ukrainian", "af": "Afrikaans",
                  "lb": "Luxembourgish"}


def foreign_language(text: str, rules: RuleSet) -> str | None:
    """The language of an article written in none of German, Dutch and English, else None.

    Common words of the three decide most articles at once; only an article with
    few of them goes to the language model, which must be sure.

    >>> from graph.rules import load_rules
    >>> foreign_language("Le groupe a annoncé lundi la suppression de 500 postes dans ses usines en France.", load_rules())
    'fr'
    >>> foreign_language("Der Konzern streicht 500 Stellen in seinen Werken in Frankreich.", load_rules()) is None
    True
    """
    words = max(1, len(text.split()))
    best = max(len(r.cues["stopwords"].findall(text)) for r in rules.languages.values())
    if best >= 8 and best >= words / 12:
        return None
    lang, prob = _any_language().classify(text[:5000])
    return lang if lang not in rules.languages and prob > 0.9 else None


def article_language(text: str, rules: RuleSet) -> str:
    """The language of an article: its common words when they are clear, else the language model.

    Counting a few dozen function words settles nearly every news article at
    once; py3langid (whose model takes half a second to load) decides the rest.
    """
    return common_word_language(text, rules) or detect_language(text)[0]


def common_word_language(text: str, rules: RuleSet) -> str | None:
    """The language whose common words the text uses far more than any other's, or None."""
    counts = sorted(((len(r.cues["stopwords"].findall(text)), lang) for lang, r in rules.languages.items()),
                    reverse=True)
    (best, lang), (second, _) = counts[0], counts[1]
    return lang if best >= 8 and best >= 3 * second else None


def split_sentences(article: Article, rules: RuleSet) -> list[Sentence]:
    """Sentences of the article in text order, with language and boilerplate flag.

    Within a line, a boundary is sentence-final punctuation before a capital,
    unless it ends an abbreviation of the language (lexicon macro ABBREV), an
    initial, or a German ordinal ("am 14. Juni").
    """
    text = article.text
    lang_rules = rules[article.language]
    lines = _lines(text)
    boiler = _boilerplate_lines(lines, text, rules, article.language)
    sentences: list[Sentence] = []
    for index, (start, end) in enumerate(lines):
        line = text[start:end]
        if not line.strip():
            continue
        for s, e in _split_line(line, lang_rules):
            lang = _sentence_language(line[s:e], article.language, rules)
            pieces = _pieces(line, s, e)
            for ps, pe in pieces:
                sentences.append(Sentence(start + ps, start + pe, lang, index in boiler, len(pieces) > 1))
    return sentences


# The longest sentence of the 89 real articles of the seeds and the development set has 454
# characters. Rules and the name finder take time that grows faster than a sentence's
# length, so a "sentence" of tens of thousands of characters (a table, a list run together,
# hostile input) is read in pieces of at most this many characters, cut at a space.
MAX_SENTENCE = 2000


def _pieces(line: str, s: int, e: int) -> list[tuple[int, int]]:
    if e - s <= MAX_SENTENCE:
        return [(s, e)]
    out = []
    while e - s > MAX_SENTENCE:
        cut = line.rfind(" ", s + MAX_SENTENCE // 2, s + MAX_SENTENCE)
        cut = cut if cut > s else s + MAX_SENTENCE
        out.append((s, cut))
        s = cut
        while s < e and line[s] == " ":
            s += 1
    if s < e:
        out.append((s, e))
    return out


def _split_line(line: str, lang) -> list[tuple[int, int]]:
    spans, pos = [], 0
    abbrev = lang.cues["abbrev"]
    for m in _BOUNDARY.finditer(line):
        if m.group(0) == ".":
            words = line[pos:m.end()].split()
            word = words[-1] if words else ""
            if abbrev.search(word[:-1]) or _INITIAL.search(word) or \
                    (lang.language == "de" and _GERMAN_ORDINAL.search(word)):
                continue
        spans.append((pos, m.end()))
        pos = m.end()
    spans.append((pos, len(line)))
    out = []
    for s, e in spans:
        while s < e and line[s].isspace():
            s += 1
        while e > s and line[e - 1].isspace():
            e -= 1
        if s < e:
            out.append((s, e))
    return out


def _sentence_language(sentence: str, default: str, rules: RuleSet) -> str:
    """The sentence's language: the article's, unless its common words say clearly otherwise."""
    if len(sentence) < 60:
        return default
    counts = {lang: len(r.cues["stopwords"].findall(sentence)) for lang, r in rules.languages.items()}
    best = max(sorted(counts), key=lambda lang: counts[lang])
    if best == default or counts[best] < 3 or counts[best] <= 2 * counts.get(default, 0):
        return default
    guess, prob = detect_language(sentence)  # the cheap signal says another language: confirm it
    return guess if guess == best and prob > 0.99 else default


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
