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
# How far, per letter, a proper-name reading must beat a common-noun one: loanwords
# ("Investment", "Catering") score both about the same.
NAME_MARGIN = 0.1


@lru_cache(maxsize=1)
def _german_tagger():
    from HanTa import HanoverTagger

    return HanoverTagger.HanoverTagger("morphmodel_ger.pgz")


@lru_cache(maxsize=1 << 16)
def german_word_class(word: str) -> Literal["name", "common", "unknown"]:
    """"name" when the model reads the capitalized word as a proper name, "common" when it knows
    it as a common word, "unknown" when it can say neither (a name it has never seen, mostly)."""
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
    # short words score low per letter though the model knows them ("Amt", "Trotz")
    return "common" if best / length >= KNOWN_WORD or best >= KNOWN_SHORT_WORD else "unknown"
