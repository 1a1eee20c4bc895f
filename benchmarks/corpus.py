"""A deterministic benchmark corpus: N articles in German, Dutch and English.

    python benchmarks/corpus.py N OUT_DIR [--seed S]

Each article is made from sentence templates filled with fresh, seeded-random
people, companies, roles, amounts and years, so every article states facts
that are known: they are written beside the articles to `OUT_DIR/../truth.tsv`
(document <TAB> fact, in the format of tests/claims.py). It is a load test,
not a quality test; the corpus is generated on demand and never committed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

GIVEN = ["Anna", "Lukas", "Sophie", "Jan", "Eva", "Pieter", "Emma", "Noah", "Lena", "Milan", "Clara", "Jonas",
         "Sara", "Daan", "Julia", "Finn", "Marie", "Ruben", "Laura", "Tim", "Nina", "Bram", "Hannah", "Felix"]
FAMILY = ["Berger", "Jansen", "Vos", "Keller", "Brandt", "Visser", "Wagner", "Smit", "Hofmann", "Bakker", "Krause",
          "Dekker", "Lang", "Mulder", "Winter", "Peters", "Fischer", "Hendriks", "Roth", "Meijer", "Kraus", "Bos"]
SYLLABLES = ["vel", "tor", "an", "mir", "ka", "lo", "ren", "sa", "dex", "qui", "bar", "nor", "fi", "zen", "ta", "lux",
             "ve", "ro", "mo", "pix", "al", "co", "dri", "ne"]
BUSINESS = {"de": ["Logistik", "Analytics", "Systeme", "Robotik", "Energie", "Daten"],
            "nl": ["Logistiek", "Analytics", "Systemen", "Robotica", "Energie", "Data"],
            "en": ["Logistics", "Analytics", "Systems", "Robotics", "Energy", "Data"]}
LEGAL = {"de": "GmbH", "nl": "B.V.", "en": "Inc."}
ROLES = {  # role id -> words per language (as the rules know them)
    "ceo": {"de": "CEO", "nl": "topman", "en": "chief executive"},
    "chief-financial-officer": {"de": "Finanzchef", "nl": "financieel directeur", "en": "chief financial officer"},
    "chief-technology-officer": {"de": "Technikchef", "nl": "technisch directeur", "en": "chief technology officer"},
    "founder": {"de": "Gründer", "nl": "oprichter", "en": "founder"},
}
SCALE = {"de": "Millionen Euro", "nl": "miljoen euro", "en": "million euros"}


def name(rng, used: set[str]) -> str:
    while True:
        # family names from a list, or made of syllables: enough for any corpus size
        family = rng.choice(FAMILY) if rng.random() < 0.3 else \
            "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize() + rng.choice(["er", "s", "man", "ink", "berg"])
        full = f"{rng.choice(GIVEN)} {family}"
        if full not in used:
            used.add(full)
            return full


def company(rng, lang: str, used: set[str]) -> str:
    while True:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()
        full = f"{stem} {rng.choice(BUSINESS[lang])}"
        if full not in used:
            used.add(full)
            return full


def slug(text: str) -> str:
    import re
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def article(rng, lang: str, used_people: set[str], used_companies: set[str]) -> tuple[str, list[str]]:
    org, rival, investor = (company(rng, lang, used_companies) for _ in range(3))
    person, newcomer = name(rng, used_people), name(rng, used_people)
    role = rng.choice(["ceo", "chief-financial-officer", "chief-technology-officer"])
    word, legal = ROLES[role][lang], LEGAL[lang]
    amount, year, share, jobs = rng.randint(2, 900), rng.randint(1990, 2022), rng.randint(3, 30), rng.randint(20, 900)
    o, r, i, p, n = slug(org), slug(rival), slug(investor), slug(person), slug(newcomer)
    facts = [f"membership {p} {o} {role}", f"investment.amount {i} {o} {amount}000000 EUR",
             f"workforceReduction.share {o} {share}", f"workforceReduction.employees {o} {jobs}",
             f"founded {o} {year}", f"competesWith {o} {r}", f"joined {n} {o}"]
    if lang == "de":
        text = [f"{org} ordnet sich neu",
                f"Die {org} {legal} mit Sitz in Hamburg hat am Montag neue Zahlen vorgelegt. "
                f"Auch die {rival} {legal} und die {investor} {legal} beobachten den Markt genau.",
                f"{word} {person} sagte, das Geschäft entwickle sich besser als erwartet.",
                f"{investor} investiert {amount} {SCALE[lang]} in {org}.",
                f"{org} reduziert die Belegschaft um {share} %, was rund {jobs} Stellen betrifft.",
                f"{org} wurde {year} gegründet. {org} steht im harten Wettbewerb mit {rival}.",
                f"Die Managerin und Technikchefin {newcomer} wechselte im Frühjahr zu {org}."]
        if role == "ceo":
            facts[0] = f"membership {p} {o} ceo"
    elif lang == "nl":
        text = [f"{org} herschikt",
                f"Het bedrijf {org} {legal} uit Utrecht presenteerde maandag nieuwe cijfers. "
                f"Ook {rival} {legal} en {investor} {legal} volgen de markt op de voet.",
                f"{word.capitalize()} {person} zei dat de zaken beter gaan dan verwacht.",
                f"{investor} investeert {amount} {SCALE[lang]} in {org}.",
                f"{org} schrapt {share}% van zijn personeel, ongeveer {jobs} werknemers.",
                f"{org} werd in {year} opgericht. {org} moet concurreren met {rival}.",
                f"Technisch directeur {newcomer} stapt over naar {org}."]
    else:
        text = [f"{org} reorganizes",
                f"{org} {legal}, based in Boston, presented new figures on Monday. "
                f"{rival} {legal} and {investor} {legal} are watching the market closely.",
                f"{word.capitalize()} {person} said business was better than expected.",
                f"{investor} invested {amount} {SCALE[lang]} in {org}.",
                f"{org} is cutting {share}% of its workforce, about {jobs} employees.",
                f"{org} was founded in {year}. {org} competes with {rival}.",
                f"Chief technology officer {newcomer} joined {org} in March."]
    return "\n".join(text) + "\n", facts


def generate(n: int, out: Path, *, seed: int = 1) -> Path:
    """Write n articles to `out` and their facts to `out/../truth.tsv`; returns the truth file."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    used_people: set[str] = set()
    used_companies: set[str] = set()
    truth = []
    for k in range(n):
        lang = ("de", "nl", "en")[k % 3]
        text, facts = article(rng, lang, used_people, used_companies)
        path = f"{k // 1000:03d}/{k:06d}.txt"
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
        truth.extend(f"{path}\t{f}" for f in facts)
    truth_file = out.parent / "truth.tsv"
    truth_file.write_text("\n".join(truth) + "\n", encoding="utf-8")
    return truth_file


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(generate(args.n, args.out, seed=args.seed))
