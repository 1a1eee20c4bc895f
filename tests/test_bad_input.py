"""Unusual text is not misread: long name lists, number tables, all-caps headlines, a fourth language,
and long adversarial input stays within a generous time bound."""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
import textwrap

from click.testing import CliRunner
from conftest import SEEDS

from claims import facts
from graph.cli import main
from graph.types import assertable

SYLLABLES = ["hal", "vo", "ra", "bres", "tel", "mann", "kor", "va", "ne", "lum", "ar", "ion", "sen", "tra", "fo",
             "wen", "del", "stein", "quell", "werk", "ost", "feld", "dros", "sel", "hof", "pren", "zlow"]


def invented_names(n: int, seed: str) -> list[str]:
    rnd = random.Random(seed)
    return sorted({"".join(rnd.choice(SYLLABLES) for _ in range(rnd.randint(2, 3))).capitalize()
                   for _ in range(n * 2)})[:n]


def asserted_facts(extraction):
    return {f for c in extraction.claims
            if assertable(c.evidence.confidence, hedged=c.evidence.hedged, negated=c.evidence.negated,
                          conditional=c.evidence.conditional) for f in facts(c)}


def test_a_list_of_five_hundred_capitalized_names_states_no_relationship(extract_text):
    for lang, intro in (("de", "Teilnehmer der Messe waren"), ("nl", "Deelnemers aan de beurs waren"),
                        ("en", "Exhibitors at the fair included")):
        names = invented_names(500, lang)
        ex = extract_text(f"{intro} {', '.join(names[:-1])} und {names[-1]}.", lang)
        assert asserted_facts(ex) == set()


def test_a_table_of_numbers_names_nothing_and_states_nothing(extract_text):
    rows = "\n".join(f"{2015 + i} | {1000 + 37 * i:,}.{i} | {i * 3.5:.1f} % | {120 - i}" for i in range(40))
    ex = extract_text("Kennzahlen\n" + rows + "\n", "de")
    assert ex.entities == () and ex.claims == ()


def test_an_all_caps_headline_names_no_person(extract_text):
    ex = extract_text("VELORIX ÜBERNIMMT BRESTELMANN FÜR ZWEI MILLIARDEN EURO\n"
                      "Der Autozulieferer Velorix kauft den Konkurrenten Brestelmann.\n", "de")
    assert not any(e.kind.value == "person" for e in ex.entities)
    assert "acquired velorix brestelmann" in asserted_facts(ex)


def test_an_article_in_a_fourth_language_is_skipped_with_a_warning_naming_it(tmp_path):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    (seeds / "francais.txt").write_text(textwrap.dedent("""\
        Le constructeur automobile Velorix rachète son concurrent Brestelmann.
        Selon le directeur général, l'opération sera finalisée au printemps prochain et créera
        le premier groupe européen du secteur, avec plus de vingt mille salariés dans dix pays.
        """), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning: ")]
    assert any(w.startswith("Warning: francais.txt: written in French (fr)") and "skipped" in w for w in warnings)
    assert "5 documents" in result.stdout


ADVERSARIAL = r"""
import sys, time
from graph.pipeline import extract_article
from graph.read import normalize_text
from graph.resolve import load_registry
from graph.rules import load_rules
from graph.types import Article
rules, registry = load_rules(), load_registry()
words = {
    "de": "übernimmt kauft Anteil Prozent an Chef von der Konzern Tochter verklagt Stellen streicht und Gruppe AG",
    "nl": "neemt over koopt belang procent in topman van het concern dochter daagt banen schrapt en Groep N.V.",
    "en": "acquires buys stake percent in chief executive of the group unit sues jobs cuts and Holdings Inc.",
}
budget = float(sys.argv[1])
for lang, vocabulary in words.items():
    vocab = vocabulary.split()
    pieces = []
    for i in range(7000):  # about 100,000 characters: one sentence, no full stop
        pieces.append("Velorix" if i % 3 == 0 else ("1234" if i % 7 == 0 else vocab[i % len(vocab)]))
    for text in (" ".join(pieces), " ".join(["Halvora Brestelmann Korvane"] * 4000), "1 " * 50000):
        text = normalize_text(text)
        start = time.perf_counter()
        extract_article(Article("x.txt", text, "0" * 64, lang, text[:80], "utf-8", "text/plain"), rules, registry)
        took = time.perf_counter() - start
        if took > budget:
            sys.exit(f"{lang}: {len(text)} characters took {took:.1f} s")
print("ok")
"""


def test_long_adversarial_input_is_read_within_a_generous_bound():
    # a 100,000-character sentence of the rules' own keywords, of capitalized words, of digits;
    # a catastrophically backtracking rule takes minutes, a linear one well under the bound
    proc = subprocess.run([sys.executable, "-c", ADVERSARIAL, "60"], capture_output=True, text=True, check=False, timeout=900)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr[-2000:]


def test_only_regular_files_are_read_a_fifo_or_a_device_is_skipped_with_a_warning(tmp_path):
    # a FIFO named like an article hung the build; a link to /dev/zero filled memory
    import os

    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    os.mkfifo(seeds / "x.txt")
    os.symlink("/dev/zero", seeds / "zero.txt")
    proc = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--seeds", str(seeds),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "x.txt: not a regular file (a named pipe); skipped" in proc.stderr
    assert "zero.txt: not a regular file (a character device); skipped" in proc.stderr
    assert "5 documents" in proc.stdout


def test_a_sentence_of_400000_characters_is_read_in_pieces_with_a_warning(tmp_path):
    # it took 51 s when rules ran over it whole: time grew with the square of its length
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    words = invented_names(40, "long") + ["übernimmt", "die", "und", "Chef", "sagte", "Prozent", "an", "der", "AG"]
    rnd = random.Random("long line")
    line = " ".join(rnd.choice(words) for _ in range(60_000))[:400_000]
    (seeds / "long.txt").write_text("Eine Meldung über viele Firmen\n\n" + line + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "graph.cli", "build", "--seeds", str(seeds),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "long.txt:" in proc.stderr and "pieces of sentences longer than 2,000 characters" in proc.stderr


def test_html_articles_need_nothing_the_project_does_not_declare():
    # one fresh install lacked lxml_html_clean (trafilatura needs it, without declaring it)
    # and every HTML article aborted the build
    import tomllib

    from conftest import ROOT

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower().replace("-", "_")
                for d in project["dependencies"]}
    assert {"lxml_html_clean", "trafilatura", "hanta", "faker", "ahocorasick_rs"} <= declared


def test_a_corrections_file_named_but_missing_stops_the_build_before_anything_changes(tmp_path):
    seeds = shutil.copytree(SEEDS, tmp_path / "seeds")
    result = CliRunner().invoke(main, ["build", "--seeds", str(seeds), "--out", str(tmp_path / "out"),
                                       "--corrections", str(tmp_path / "typo.jsonl")])
    assert result.exit_code == 2
    assert result.output.strip() == f"Error: --corrections {tmp_path / 'typo.jsonl'}: no such file"
    assert not (tmp_path / "out").exists()
