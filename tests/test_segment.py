"""Sentences, their language, and which of them are page furniture."""

from __future__ import annotations

import dataclasses

import pytest
from conftest import SEEDS

from graph.read import read_article
from graph.segment import detect_language, split_sentences
from graph.types import Article


def sentences_of(rules, text, language):
    article = Article("t.txt", text, "0" * 64, language, "", "utf-8", "text/plain")
    return [(text[s.start:s.end], s.boilerplate) for s in split_sentences(article, rules)]


def seed_boilerplate(rules, name):
    article = read_article(SEEDS / name, root=SEEDS)
    article = dataclasses.replace(article, language=detect_language(article.text)[0])
    return [article.text[s.start:s.end] for s in split_sentences(article, rules) if s.boilerplate]


@pytest.mark.parametrize("name, first", [
    ("001_2b02b5d996e006f7.txt", "Overweeg voor meer inzichten"),
    ("003_e472da36a4955f5c.txt", "Quellenliste:"),
    ("004_5e06687d31efdb21.txt", "- Die besten Bücher"),
])
def test_seed_boilerplate_starts_where_the_article_ends(rules, name, first):
    boiler = seed_boilerplate(rules, name)
    assert boiler and boiler[0].startswith(first)


def test_key_point_bullets_inside_an_article_are_not_boilerplate(rules):
    assert seed_boilerplate(rules, "000_43ff3c33451dc81b.txt") == []


def test_a_read_also_block_is_furniture_but_the_article_goes_on(rules):
    text = ("Microsoft investiert in OpenAI.\nLees ook:\n- Tesla schrapt banen\n- Uber groeit\n"
            "Het bedrijf boekte in 2024 een omzet van € 1,2 miljard.\n")
    got = sentences_of(rules, text, "nl")
    assert [s for s, b in got if b] == ["Lees ook:", "- Tesla schrapt banen", "- Uber groeit"] or \
        [s for s, b in got if b][0].startswith("Lees ook")
    assert ("Het bedrijf boekte in 2024 een omzet van € 1,2 miljard.", False) in got


def test_comment_prompt_ends_an_english_article(rules):
    text = "Tesla is cutting 10% of its workforce.\nLeave a comment below.\nTesla was founded in 2003.\n"
    got = sentences_of(rules, text, "en")
    assert got[0] == ("Tesla is cutting 10% of its workforce.", False)
    assert all(b for _, b in got[1:])


def test_a_sentence_never_spans_a_line_break(rules):
    got = sentences_of(rules, "Eine Überschrift ohne Punkt\nDer erste Satz. Der zweite Satz.\n", "de")
    assert [s for s, _ in got] == ["Eine Überschrift ohne Punkt", "Der erste Satz.", "Der zweite Satz."]


@pytest.mark.parametrize("text, language", [
    ("Der Vorstand hat heute die Zahlen für das dritte Quartal vorgelegt.", "de"),
    ("De raad van bestuur heeft vandaag de cijfers over het derde kwartaal gepresenteerd.", "nl"),
    ("The board presented the figures for the third quarter today.", "en"),
])
def test_language_is_detected_among_german_dutch_and_english(text, language):
    assert detect_language(text)[0] == language


@pytest.mark.parametrize("lang, text, expected", [
    ("de", "Dr. Anna Berg sagte am 14. Juni: Die Zahlen sind gut. Danach ging sie z. B. nach Hause.",
     ["Dr. Anna Berg sagte am 14. Juni: Die Zahlen sind gut.", "Danach ging sie z. B. nach Hause."]),
    ("de", "„Wir sind stolz.“ Als neuer CEO tritt Max Muster an. Er kam 2016. Damals war alles anders!",
     ["„Wir sind stolz.“", "Als neuer CEO tritt Max Muster an.", "Er kam 2016.", "Damals war alles anders!"]),
    ("en", "John F. Kennedy spoke to Acme Inc. The U.S. market rose 3.5% in 2016. Then it fell?",
     ["John F. Kennedy spoke to Acme Inc. The U.S. market rose 3.5% in 2016.", "Then it fell?"]),
    ("nl", "Volgens dhr. Jansen groeit het bedrijf o.a. in Duitsland. De omzet steeg met 12%.",
     ["Volgens dhr. Jansen groeit het bedrijf o.a. in Duitsland.", "De omzet steeg met 12%."]),
])
def test_sentence_boundaries_respect_abbreviations_initials_and_ordinals(rules, lang, text, expected):
    assert [s for s, _ in sentences_of(rules, text, lang)] == expected


def test_a_quoted_sentence_in_another_language_gets_its_own_language(rules):
    text = ("Der Konzern veröffentlichte eine Mitteilung auf Englisch.\n"
            "The company said that it was not planning any further layoffs in the coming year at all.\n")
    article = Article("t.txt", text, "0" * 64, "de", "", "utf-8", "text/plain")
    assert [s.language for s in split_sentences(article, rules)] == ["de", "en"]
