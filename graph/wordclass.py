"""Whether a capitalized German word is a proper name or a common noun.

German capitalizes every noun, so capitalization alone cannot tell
"Fresenius" (a company) from "Stellenabbau" (a job cut). The Hannover Tagger
(HanTa, LGPL-3.0) ships a morphological model of German in its wheel that
scores how one word, without context, splits into known morphemes: high for
"Stellenabbau" (a common noun, "NN"), a proper-name reading ("NE") for
"Fresenius", and only poor readings for a name it has never seen ("Lumarion").
Dutch and English write common nouns in lower case and do not need it.

Speed: the model loads in about 0.2 s, on first use only; one word takes about
0.6 ms and is cached, and only words no other cue decides are asked.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

# Log-probability per letter above which the model knows the word as a common
# word: "Batterien" -1.7, "Dialysetochter" -1.6; unseen names score lower
# ("Drosselhof" -2.3, "Lumarion" -3.9).
KNOWN_WORD = -2.15
# Or a total log-probability above which a short word is known: "Amt" -9.1, "Trotz" -11.8;
# unseen names score lower ("Wendel" -13.6, "Kontora" -21.3).
KNOWN_SHORT_WORD = -12.0
# Or, for a word whose best reading is no noun at all (an adverb, an adjective, a pronoun),
# a log-probability per letter above this: "Nur" -3.7, "Übrig" -3.2; names the model has not
# seen read best as nouns ("Brandara" NE, "Korvane" NN).
KNOWN_OTHER_WORD = -3.8
# How far, per letter, a proper-name reading must beat a common-noun one: loanwords
# ("Investment", "Catering") score both about the same.
NAME_MARGIN = 0.1


@lru_cache(maxsize=1)
def _german_tagger():
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


@lru_cache(maxsize=1 << 16)
def german_word_class(word: str, *, inside: bool = False) -> Literal["name", "common", "unknown"]:
    """"name" when the model reads the capitalized word as a proper name, "common" when it knows
    it as a common word, "unknown" when it can say neither (a name it has never seen, mostly).

    `inside`: the word stands inside a sentence, where German capitalizes nouns and names
    only; a word that reads best as a verb or an adverb is then a name spelled like one
    ("Roche", "Bose"), not a common word.
    """
    found = _word_class(word, inside)
    if found != "common" and "ss" in word:
        # the model learned German before the 1996 spelling reform: "Einfluss" it knows as "Einfluß"
        if _word_class(word.replace("ss", "ß"), inside) == "common":
            return "common"
    return found


def _word_class(word: str, inside: bool) -> Literal["name", "common", "unknown"]:
    readings = _german_tagger().tag_word(word)
    if not readings:
        return "unknown"
    length = max(len(word), 1)
    best_tag, best = readings[0]
    if best_tag == "NE":
        noun = next((score for tag, score in readings if tag == "NN"), None)
        if noun is None or (best - noun) / length >= NAME_MARGIN:
            return "name"
        return "unknown"
    if not best_tag.startswith(("NN", "NE")):
        if inside:
            return "unknown"
        if best / length >= KNOWN_OTHER_WORD:
            return "common"  # an adverb, adjective or pronoun opening a sentence: "Später", "Kaum", "Jeder"
    # short words score low per letter though the model knows them ("Amt", "Trotz")
    return "common" if best / length >= KNOWN_WORD or best >= KNOWN_SHORT_WORD else "unknown"


@lru_cache(maxsize=1)
def _english_tagger():
    # English only: the Dutch model takes 1.3 s and about 800 MB to load (the English one 0.1 s, 36 MB)
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_en.pgz")


# The English model scores a word it knows above this ("initially" -10.6, "current" -9.4) and
# one it has never seen far below (about -33: "brackwater", "korvane").
KNOWN_EN_WORD = -20.0
# the English model's tags for nouns and names, which a company's name may read as
_NOUN_TAGS = ("NN", "NP")


@lru_cache(maxsize=1 << 14)
def is_function_word(word: str) -> bool:
    """Whether an English word, in lower case, reads best as no noun at all (an adverb, adjective,
    determiner, preposition or verb) and is well known as such: "initially", "current". Only asked
    of a capitalized word that opens a sentence and nothing else names."""
    readings = _english_tagger().tag_word(word.lower())
    if not readings:
        return False
    tag, score = readings[0]
    return not tag.startswith(_NOUN_TAGS) and score >= KNOWN_EN_WORD


@lru_cache(maxsize=1 << 14)
def is_english_word(word: str) -> bool:
    """Whether the English model knows a word, in lower case, as a common word of any class:
    "corporate", "supervision" (not a name it has never seen: "velmora")."""
    readings = _english_tagger().tag_word(word.lower())
    return bool(readings) and readings[0][1] >= KNOWN_EN_WORD
