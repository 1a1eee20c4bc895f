"""Names to entities: registry aliases, new names, family names within one article."""

from __future__ import annotations

from claims import facts
from graph.resolve import slug


def keys(extraction):
    return [(m.text, m.entity) for m in extraction.mentions]


def test_registry_aliases_in_other_languages_and_cases_resolve(extract_text):
    ex = extract_text("Schaal AI's klanten en Openai werken samen met SCALE AI en Meta Platforms Inc.", "nl")
    assert ("Schaal AI's", "org/scale-ai") in keys(ex)
    assert ("Openai", "org/openai") in keys(ex)
    assert ("SCALE AI", "org/scale-ai") in keys(ex)
    assert any(e == "org/meta" and t.startswith("Meta Platforms") for t, e in keys(ex))


def test_plain_capitalized_aliases_only_match_capitalized(extract_text):
    ex = extract_text("The scale of the deal surprised analysts at Meta.", "en")
    assert [e for _, e in keys(ex)] == ["org/meta"]


def test_family_name_resolves_to_the_person_the_article_names(extract_text):
    ex = extract_text("Finanzchefin Petra Kluge verlässt Tesla. Kluge wechselt zu Uber.", "de")
    assert ("Kluge", "person/petra-kluge") in keys(ex)


def test_family_name_shared_by_two_people_stays_unresolved(extract_text):
    ex = extract_text("Finanzchefin Petra Kluge und Technikchef Max Kluge verlassen Tesla. Kluge wechselt zu Uber.", "de")
    assert "Kluge" not in [t for t, _ in keys(ex)]


def test_family_name_without_a_full_name_in_the_article_is_not_resolved(extract_text):
    # "Wang" alone must not become the Wang of another article
    ex = extract_text("Wang wechselt zu Meta.", "de")
    assert [e for _, e in keys(ex)] == ["org/meta"]


def test_namesakes_with_different_given_names_are_different_entities(extract_text):
    a = extract_text("Finanzchefin Petra Kluge verlässt Tesla.", "de")
    b = extract_text("Technikchef Max Kluge verlässt Uber.", "de")
    assert {e.key for e in a.entities} == {"person/petra-kluge"}
    assert {e.key for e in b.entities} == {"person/max-kluge"}


def test_new_name_that_the_registry_knows_is_not_a_new_entity(extract_text):
    ex = extract_text("Gründer Mark Zuckerberg sprach über Meta.", "de")
    assert ex.entities == ()
    assert ("Mark Zuckerberg", "person/mark-zuckerberg") in keys(ex)


def test_slugs_are_stable_ascii():
    assert slug("Jérôme Ça-va") == "jerome-ca-va"


def test_a_sentence_opener_is_not_part_of_a_new_company_name(extract_text):
    de = extract_text("Die Kroll Logistik GmbH hat am Montag Zahlen vorgelegt.", "de")
    nl = extract_text("Ook Velvel Data B.V. volgt de markt.", "nl")
    en = extract_text("Meanwhile Brightwave Systems Inc. kept quiet.", "en")
    assert [e.label for e in de.entities + nl.entities + en.entities] == ["Kroll Logistik", "Velvel Data", "Brightwave Systems"]


def test_an_abbreviation_in_capitals_only_matches_in_capitals(extract_text):
    # "sec" is a unit of time, "SEC" the American securities regulator
    ex = extract_text("Kilbride Shipping says its new cranes unload a container every 40 sec on average.", "en")
    assert "org/sec" not in {e for _, e in keys(ex)}
    ex = extract_text("The SEC fined Kilbride Shipping for misleading investors.", "en")
    assert "org/sec" in {e for _, e in keys(ex)}


def test_a_company_compound_is_a_mention_of_the_company(extract_text):
    ex = extract_text("Bei der Übernahme des Tamberg-Konzerns durch die Velorix AG flossen Millionen.", "de")
    assert "acquired velorix tamberg" in {f for c in ex.claims for f in facts(c)}


def test_a_former_head_compound_names_the_company(extract_text):
    ex = extract_text("Die Ermittlungen richten sich gegen Ex-Tamberg-Chef Klaus Esser. Tamberg war ein Konzern.", "de")
    assert "membership klaus-esser tamberg head" in {f for c in ex.claims for f in facts(c)}


def test_a_legal_form_after_the_name_belongs_to_the_mention(extract_text):
    ex = extract_text("The Halvora Co. has named Jane Roe as its new chief executive.", "en")
    assert "membership jane-roe halvora ceo" in {f for c in ex.claims for f in facts(c)}


def test_a_group_beside_its_unit_stays_two_companies_but_a_generic_head_is_the_same(extract_text):
    ex = extract_text("Zum Baukonzern Auberger gehören die Töchter Auberger Tiefbau und Hessbach Fertighaus.", "de")
    assert {"org/auberger", "org/auberger-tiefbau"} <= {e for _, e in keys(ex)}
    ex = extract_text("Der Investor Invoke Capital kauft Kiwora. Invoke hält nun 60 Prozent.", "de")
    assert [e for t, e in keys(ex) if t == "Invoke"] == ["org/invoke-capital"]


def test_an_abbreviation_in_brackets_is_the_company_even_when_found_as_a_name(extract_text):
    ex = extract_text("Brandara Airways and Velmora Air Lines (VAL) announced a partnership on Wednesday. "
                      "VAL will place its code on Brandara Airways flights.", "en")
    assert {m.entity for m in ex.mentions if m.text == "VAL"} == {"org/velmora-air-lines"}
    assert not any(e.key == "org/val" for e in ex.entities)


def test_a_company_with_its_abbreviation_in_brackets_is_still_the_object(extract_text):
    ex = extract_text("Bank-verzekeraar Halvora neemt United Velmora Bank (UVB) over, de op drie na grootste bank "
                      "van Bulgarije.", "nl")
    assert any("acquired halvora united-velmora-bank" in facts(c) for c in ex.claims)
