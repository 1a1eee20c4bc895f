"""Given names and family names: evidence that a capitalized span names a person.

In: nothing but the Faker package's person providers, which ship name lists
for dozens of locales inside the wheel (MIT licence). Out: `NameLists`, sets
of given names (with the gender the list gives them, for he/she) and family
names. They only support a decision: a given name before a capitalized word
makes a person, unless the span carries stronger evidence of an organization.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache

# Locales whose names are written in Latin script: the people business news in
# German, Dutch and English names come from everywhere.
LOCALES = ("en_US", "en_GB", "en_IE", "en_IN", "en_NZ", "en_NG", "de_DE", "de_AT", "de_CH", "nl_NL", "nl_BE",
           "fr_FR", "fr_CH", "it_IT", "es_ES", "es_MX", "pt_PT", "pt_BR", "sv_SE", "da_DK", "no_NO", "fi_FI",
           "pl_PL", "cs_CZ", "sk_SK", "hu_HU", "ro_RO", "hr_HR", "sl_SI", "tr_TR", "et_EE", "lt_LT", "lv_LV",
           "ga_IE", "id_ID")


# Cities business news names most often that the locales' address lists lack.
_WORLD_CITIES = ("London", "Paris", "New York", "Tokyo", "Peking", "Beijing", "Shanghai", "Hongkong", "Hong Kong",
                 "Singapur", "Singapore", "Moskau", "Moscow", "Brüssel", "Brussels", "Brussel", "Washington",
                 "San Francisco", "Silicon Valley", "Los Angeles", "Chicago", "Boston", "Seattle", "Dubai", "Mumbai",
                 "Delhi", "Sydney", "Toronto", "Madrid", "Mailand", "Milan", "Rom", "Rome", "Wien", "Vienna",
                 "Zürich", "Zurich", "Genf", "Geneva", "Stockholm", "Kopenhagen", "Copenhagen", "Oslo", "Helsinki",
                 "Warschau", "Warsaw", "Prag", "Prague", "Lissabon", "Lisbon", "Dublin", "Edinburgh", "Manchester",
                 "Frankfurt", "München", "Munich", "Köln", "Cologne", "Den Haag", "The Hague", "Antwerpen", "Antwerp",
                 "Luxemburg", "Luxembourg", "Wall Street", "Europa", "Europe", "Asien", "Asia", "Afrika", "Africa",
                 "Amerika", "America", "Nordamerika", "Südamerika", "Lateinamerika", "Latin America", "Azië",
                 # countries in dotted abbreviations, as the name finder cuts them ("U.S." -> "U.S")
                 "U.S", "U.S.A", "U.K", "E.U", "U.A.E")


@dataclass(frozen=True)
class NameLists:
    given: frozenset[str]
    male: frozenset[str]
    female: frozenset[str]
    family: frozenset[str]
    places: frozenset[str]  # countries, states and cities: capitalized, but neither people nor companies

    @property
    def towns(self) -> frozenset[str]:
        """Names of the world's towns of 15,000 people or more, and of countries, in Latin
        script and in any of their spellings (GeoNames, shipped in the geotext wheel)."""
        return load_towns()

    def gender(self, given: str) -> str | None:
        """'m' or 'f' when every list that has the name agrees, else None."""
        m, f = given in self.male, given in self.female
        return "m" if m and not f else "f" if f and not m else None


def _names(provider, attribute: str) -> set[str]:
    value = getattr(provider, attribute, ())
    names = list(value) if isinstance(value, dict) else list(value or ())
    # a few locales list compound given names ("Jean-Pierre") and initials; keep single capitalized words
    return {n for n in names if isinstance(n, str) and n[:1].isupper() and " " not in n and len(n) > 1}


@lru_cache(maxsize=1)
def load_name_lists() -> NameLists:
    """The given and family names of Faker's Latin-script locales (about 10,000 and 16,000)."""
    given: set[str] = set()
    male: set[str] = set()
    female: set[str] = set()
    family: set[str] = set()
    places: set[str] = set(_WORLD_CITIES)
    everything = ("countries", "states", "cities", "provinces", "counties")
    # and the states and provinces of other countries that write English ("Queensland", "Ontario")
    regions = ("states", "provinces")
    for locale, attributes in [(loc, everything) for loc in ("de_DE", "de_AT", "de_CH", "nl_NL", "nl_BE", "en_US",
                                                              "en_GB", "fr_FR", "it_IT", "es_ES")] \
            + [(loc, regions) for loc in ("en_AU", "en_CA", "en_IN")]:
        try:
            provider = importlib.import_module(f"faker.providers.address.{locale}").Provider
        except ImportError:
            continue
        for attribute in attributes:
            places |= _names(provider, attribute) | {p for p in getattr(provider, attribute, ()) if " " in p}
    for locale in LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        except ImportError:  # a locale a later Faker drops: the others still count
            continue
        m, f = _names(provider, "first_names_male"), _names(provider, "first_names_female")
        given |= _names(provider, "first_names") | m | f
        male |= m
        female |= f
        family |= _names(provider, "last_names")
    return NameLists(frozenset(given), frozenset(male), frozenset(female), frozenset(family),
                     frozenset(places))


# A town's name that is also a company's or a family's: never taken for a place, so a bare
# "Lincoln" or "Orange" stays a name. Towns of fewer people than this are left out as well.
_TOWN_POPULATION = 40_000


@lru_cache(maxsize=1)
def load_towns() -> frozenset[str]:
    """Town and country names from the GeoNames extract geotext ships (cities15000.txt,
    countryInfo.txt; CC BY 4.0): about 0.2 s, on first use only."""
    import os
    import unicodedata

    import geotext

    data = os.path.join(os.path.dirname(geotext.__file__), "data")

    def latin(name: str) -> bool:
        return 3 <= len(name) <= 40 and name[:1].isupper() and name.count(" ") < 4 and all(
            ch in " -.'" or ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN") for ch in name)

    names: set[str] = set()
    with open(os.path.join(data, "cities15000.txt"), encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 15 or not cols[14].isdigit() or int(cols[14]) < _TOWN_POPULATION:
                continue
            names.update(n for n in (cols[1], cols[2], *cols[3].split(",")) if latin(n))
    with open(os.path.join(data, "countryInfo.txt"), encoding="utf-8-sig") as f:
        for line in f:
            cols = line.split("\t")
            if not line.startswith("#") and len(cols) > 4 and latin(cols[4]):
                names.add(cols[4])
    return frozenset(names)
