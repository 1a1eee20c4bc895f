"""New names: bare company names, German common nouns, sentence openers, terms spelled out."""

from __future__ import annotations

from claims import facts
from graph.types import assertable
from graph.wordclass import german_word_class


def names(extraction):
    return {(e.label, e.kind.value) for e in extraction.entities}


def labels(extraction):
    return {e.label for e in extraction.entities}


def asserted(extraction):
    return {f for c in extraction.claims
            if assertable(c.evidence.confidence, hedged=c.evidence.hedged, negated=c.evidence.negated,
                          conditional=c.evidence.conditional)
            for f in facts(c)}


def test_the_german_word_model_tells_names_from_common_nouns():
    assert german_word_class("Stellenabbau") == "common"
    assert german_word_class("Amt") == "common"  # short words score low per letter, yet are known
    assert german_word_class("Investment") == "common"  # a loanword is no name
    assert german_word_class("Lumarion") != "common"  # a name the model never saw


def test_a_bare_capitalized_name_inside_a_german_sentence_is_a_company(extract_text):
    ex = extract_text("Der Umbau bei Velorix kostet nach Angaben der Gewerkschaft 300 Stellen.", "de")
    assert ("Velorix", "organization") in names(ex)
    assert not {n for n, _ in names(ex)} & {"Umbau", "Angaben", "Gewerkschaft", "Stellen"}


def test_a_german_sentence_may_open_with_a_company_before_its_verb(extract_text):
    ex = extract_text("Velorix hat den Zulieferer Prenzlow übernommen.", "de")
    assert "acquired velorix prenzlow" in {f for c in ex.claims for f in facts(c)}


def test_a_german_name_only_the_word_model_guessed_makes_a_candidate(extract_text):
    # German capitalizes every noun: a bare word is a name by a guess, not enough to assert an edge
    ex = extract_text("Velorix hat den Zulieferer Prenzlow übernommen.", "de")
    assert "acquired velorix prenzlow" not in asserted(ex)
    # a legal form, a description's name, an English bare name are enough
    ex = extract_text("Die Velorix AG hat den Zulieferer Prenzlow GmbH übernommen.", "de")
    assert "acquired velorix prenzlow" in asserted(ex)
    ex = extract_text("The deal was agreed on Monday. Under it, Velorix bought its supplier Prenzlow.", "en")
    assert "acquired velorix prenzlow" in asserted(ex)


def test_a_family_name_opening_a_sentence_is_no_company(extract_text):
    ex = extract_text("Schneider wechselt zu Prenzlow.", "de")
    assert ("Schneider", "organization") not in names(ex)


def test_a_term_spelled_out_before_its_common_abbreviation_is_no_company(extract_text):
    ex = extract_text("Het Rotterdamse bedrijf Brandara investeert fors in de sector Artificial Intelligence (AI).", "nl")
    assert "Artificial Intelligence" not in {n for n, _ in names(ex)}


def test_a_place_name_can_end_a_company_name(extract_text):
    ex = extract_text("Die Aktionäre von Kabelnetz Deutschland haben das Angebot angenommen.", "de")
    assert ("Kabelnetz Deutschland", "organization") in names(ex)


def test_an_owner_before_a_given_name_is_a_person(extract_text):
    ex = extract_text("Die Pläne von Norbalin-Eigentümer Karl Haubmann stießen auf Widerstand.", "de")
    assert ("Karl Haubmann", "person") in names(ex)
    assert "membership karl-haubmann norbalin owner" in asserted(ex)


def test_a_sentence_about_a_company_it_only_describes_gives_no_other_company_from_context(extract_text):
    ex = extract_text("Kiwora wurde 2016 von zwei Studenten gegründet. Das Unternehmen erzielte 2023 einen Umsatz "
                      "von 870 Millionen Euro, vor allem durch Aufträge von Autobauern, darunter auch Gradner.", "de")
    assert not any(f.startswith(("revenue gradner", "customerOf gradner gradner")) for f in asserted(ex))


def test_a_title_in_a_conditional_clause_still_holds(extract_text):
    ex = extract_text("Gegen den Plan könnte Velorix-Chef Max Berghoff noch Einspruch erheben.", "de")
    assert "membership max-berghoff velorix head" in asserted(ex)


def test_a_dutch_sentence_may_open_with_a_company_of_several_words(extract_text):
    ex = extract_text("Kwint Snelbezorging is de andere aandeelhouder van Brandara.", "nl")
    assert ("Kwint Snelbezorging", "organization") in names(ex)


def test_two_abbreviations_side_by_side_are_two_companies(extract_text):
    ex = extract_text("Mocht KVX het bedrijf BRN in handen krijgen, dan verandert er veel.", "nl")
    assert {("KVX", "organization"), ("BRN", "organization")} <= names(ex)
    ex = extract_text("Mocht KVX BRN in handen krijgen, dan verandert er veel.", "nl")
    assert {("KVX", "organization"), ("BRN", "organization")} <= names(ex)


def test_a_person_then_the_company_he_founded_are_two_names(extract_text):
    ex = extract_text("In 1999 richtte Jeroen Bakker Kwint Software op.", "nl")
    assert {("Jeroen Bakker", "person"), ("Kwint Software", "organization")} <= names(ex)


def test_a_dutch_place_adjective_is_not_part_of_the_name(extract_text):
    ex = extract_text("Het Duitse Tekla Systems neemt branchegenoot Hallema over.", "nl")
    assert "acquired tekla-systems hallema" in asserted(ex)


def test_a_description_after_a_possessive_is_not_the_company_before_it(extract_text):
    ex = extract_text("Het farmabedrijf Orvitec groeit. Orvitec breidt ook zijn belang in het biotechbedrijf uit.", "nl")
    descriptions = [m for m in ex.mentions if m.rule.endswith(".anaphor.description") and "biotech" in m.text]
    assert all(m.entity != "org/orvitec" for m in descriptions)


def test_a_description_in_the_clause_of_a_name_is_another_company(extract_text):
    ex = extract_text("Das Kölner Startup Brandara sammelt 20 Millionen Euro ein. Außerdem beteiligt sich "
                      "der Wagniskapitalgeber Holtkamp Ventures neu an dem Startup.", "de")
    description = [m for m in ex.mentions if m.text == "dem Startup"]
    assert [m.entity for m in description] == ["org/brandara"]
    assert "investment holtkamp-ventures brandara" in asserted(ex)


def test_a_description_may_refer_to_the_possessor_in_its_clause(extract_text):
    ex = extract_text("Tamsin Holt, Korvane Systems' chief executive, will leave the company in June.", "en")
    assert [m.entity for m in ex.mentions if m.text == "the company"] == ["org/korvane-systems"]


def test_a_second_given_name_the_lists_lack_keeps_the_family_particle(extract_text):
    ex = extract_text("De huidige financieel directeur, Pieter Kees de Ruiter, verlaat Brandara per 1 maart.", "nl")
    assert ("Pieter Kees de Ruiter", "person") in names(ex)
    assert "left pieter-kees-de-ruiter brandara" in asserted(ex)
    # "van" is also "of": a name before it stays a name
    ex = extract_text("Volgens Bart Voorn van Brandara groeit de markt.", "nl")
    assert ("Bart Voorn", "person") in names(ex)


def test_a_negation_in_a_clause_after_that_is_not_the_main_clauses(extract_text):
    ex = extract_text("Halvora-topman Joost Verbeek zei onlangs dat Halvora niet actief zocht naar een koper.", "nl")
    assert "membership joost-verbeek halvora ceo" in asserted(ex)


def test_a_family_particle_may_open_a_company_name(extract_text):
    ex = extract_text("Advocatenkantoor Van Rooij & Partners vertegenwoordigt de gedupeerden.", "nl")
    assert ("Van Rooij & Partners", "organization") in names(ex)
    ex = extract_text("Van Dam Transport heeft 40 chauffeurs ontslagen.", "nl")
    assert ("Van Dam Transport", "organization") in names(ex)


def test_an_article_before_a_name_is_not_part_of_it(extract_text):
    ex = extract_text("Der Finanz Kurier berichtete zuerst über den Deal.", "de")
    assert not {n for n, _ in names(ex) if n.startswith("Der ")}
    ex = extract_text("De Orlanda Labs van chemieconcern Orlanda zoeken onderzoekers.", "nl")
    assert ("Orlanda Labs", "unit") in {(e.label, e.kind.value) for e in ex.entities} \
        or ("Orlanda Labs", "organization") in names(ex)


def test_a_town_as_family_name_still_names_a_person(extract_text):
    ex = extract_text("Volgens Marieke Hoogland, directeur van Brinkstaal, komt de order uit Duitsland.", "nl")
    assert ("Marieke Hoogland", "person") in names(ex)


def test_a_common_abbreviation_before_a_unit_word_is_no_company(extract_text):
    ex = extract_text("De ICT-tak van Orlanda wordt verkocht.", "nl")
    assert not {n for n, _ in names(ex) if "ICT" in n}


def test_a_capital_inside_one_word_marks_a_company(extract_text):
    ex = extract_text("SkyLattice has agreed to buy Kilbride Hotels.", "en")
    assert ("SkyLattice", "organization") in names(ex)
    ex = extract_text("Ruth McAllister joined Kilbride Hotels in 2019.", "en")
    assert ("Ruth McAllister", "person") in names(ex)


def test_a_country_in_dotted_capitals_is_no_company(extract_text):
    ex = extract_text("Prenwick will acquire smaller U.S. rival Denholm Logistics for 8 billion dollars.", "en")
    assert not {n for n, _ in names(ex) if n.startswith("U.S")}
    assert "acquired prenwick denholm-logistics" in asserted(ex)


def test_a_post_after_the_name_keeps_a_person_where_the_verb_suggests_a_company(extract_text):
    # "übernahm ⟨N⟩" takes a company, unless a post follows the name
    ex = extract_text("Zum 1. März übernahm Sabine Roth als Vorstandschefin das Ruder bei Kiwora.", "de")
    assert ("Sabine Roth", "person") in names(ex)


def test_a_german_title_before_a_name_is_not_part_of_it(extract_text):
    ex = extract_text("Ministerpräsident Jörg Almer sowie Finanzminister Danyal Bayaz, der im Velorix-Aufsichtsrat "
                      "sitzt, waren dafür.", "de")
    assert ("Danyal Bayaz", "person") in names(ex)
    assert not {n for n, _ in names(ex) if n.startswith("Finanzminister")}
    ex = extract_text("Ernst Prost sitzt im Aufsichtsrat der Velorix AG.", "de")  # a given name that is also a noun
    assert ("Ernst Prost", "person") in names(ex)


def test_a_places_genitive_is_no_company(extract_text):
    ex = extract_text("Der Finanzinvestor Korvane Capital übernimmt Deutschlands größten Fahrradhersteller Brandara.", "de")
    assert "Deutschlands" not in labels(ex)


def test_which_after_a_preposition_does_not_make_a_person_a_company(extract_text):
    ex = extract_text("This follows the exit of George Halvorsen, which was announced late last year.", "en")
    assert ("George Halvorsen", "person") in names(ex)


def test_a_title_modifier_opening_a_sentence_is_no_company(extract_text):
    ex = extract_text("Current finance chief Gervais Lemaire will go on to lead the group's European operations.", "en")
    assert ("Gervais Lemaire", "person") in names(ex)
    assert "Current" not in labels(ex)


def test_a_middle_initial_stays_inside_the_name(extract_text):
    ex = extract_text("Nachdem der bisherige Finanzchef Sebastian C. Wendler den CEO-Posten übernommen hatte, "
                      "blieb ein Posten frei.", "de")
    assert ("Sebastian C. Wendler", "person") in names(ex)


def test_a_common_noun_after_a_name_that_follows_a_description_is_cut(extract_text):
    ex = extract_text("Die Erben des Medienmoguls Leo Kirchhof Schadenersatz von der Bank forderten.", "de")
    assert ("Leo Kirchhof", "person") in names(ex)


def test_a_name_that_says_something_of_it_is_a_company(extract_text):
    ex = extract_text("Camera pioneer Ashford Lumen said on Monday it would cut 400 more jobs.", "en")
    assert ("Ashford Lumen", "organization") in names(ex)
    # people say "it" of things too: a given name keeps the person
    ex = extract_text("Michael Ostrander said on Monday it was a good year.", "en")
    assert ("Michael Ostrander", "person") in names(ex)


def test_a_town_named_by_nothing_but_capitals_is_no_company(extract_text):
    ex = extract_text("Brandara Group employs 400 people at its plant near Rochester and another 200 in Surat.", "en")
    assert not labels(ex) & {"Rochester", "Surat"}
    ex = extract_text("Der Zulieferer Brandara beschäftigt in Nürnberg rund 400 Menschen.", "de")
    assert "Nürnberg" not in labels(ex)


def test_an_adverb_opening_a_sentence_is_no_company(extract_text):
    ex = extract_text("Initially, the airline partners will place their codes on each other's flights.", "en")
    assert "Initially" not in labels(ex)
    ex = extract_text("Brandara hat neue Investoren gefunden. Später stieg auch Korvane Capital ein. "
                      "Kaum ein Anleger hatte damit gerechnet.", "de")
    assert not labels(ex) & {"Später", "Kaum"}


def test_a_dutch_financial_chief_is_the_cfo(extract_text):
    ex = extract_text("Het softwarebedrijf Brandara zoekt een opvolger. De huidige financiële topman, "
                      "Pieter de Ruiter, verlaat Brandara per 1 maart.", "nl")
    assert any("membership pieter-de-ruiter brandara chief-financial-officer" in facts(c) for c in ex.claims)


def test_a_frame_noun_may_open_a_company_name(extract_text):
    # "Allianz" is also German for alliance: before a name ending in a head word it is part of the name
    ex = extract_text("Der Versicherer Korvane kauft die Mehrheit an der Allianz Logistik Holding.", "de")
    assert ("Allianz Logistik Holding", "organization") in names(ex)
    ex = extract_text("Die Allianz der Autobauer Korvane und Brandara AG bröckelt.", "de")
    assert not any(name.startswith("Allianz") for name, _ in names(ex))


def test_a_currency_may_be_part_of_a_company_name(extract_text):
    ex = extract_text("Discount chain Dollar Harbor said it would buy rival Family Dollar Outlets for $2 billion.", "en")
    assert {("Dollar Harbor", "organization"), ("Family Dollar Outlets", "organization")} <= names(ex)
    ex = extract_text("The Dollar fell against the Euro on Monday.", "en")
    assert not names(ex)


def test_a_german_town_adjective_is_not_part_of_the_name(extract_text):
    ex = extract_text("Der Kölner Versicherer Brandara übernimmt die Düsseldorfer Velora.", "de")
    assert {("Brandara", "organization"), ("Velora", "organization")} <= names(ex)
    # a name that needs its adjective keeps it
    ex = extract_text("Die Hamburger Sparkasse AG erhöht die Zinsen.", "de")
    assert ("Hamburger Sparkasse", "organization") in names(ex)
    # a title ending in -er is no town's adjective
    ex = extract_text("Finanzminister Thomas Ostrowski sitzt im Aufsichtsrat von Brandara.", "de")
    assert ("Thomas Ostrowski", "person") in names(ex)


def test_a_region_of_a_place_is_no_company(extract_text):
    ex = extract_text("Brandara Group sells its pumps across North America and in Ontario County.", "en")
    assert not labels(ex) & {"North America", "Ontario County"}
    ex = extract_text("Het Helmondse bedrijf Velora bouwt een fabriek in Noord-Brabant en verkoopt in Oost-Europa.", "nl")
    assert not labels(ex) & {"Noord-Brabant", "Oost-Europa"}


def test_a_text_cut_inside_a_word_ends_on_no_name(extract_text):
    # an excerpt stops mid-word after a length: the capitalized piece at its end is no company
    german = ("Die Brandara AG baut in diesem Jahr 200 Stellen ab. Betroffen sind vor allem die Werke im Süden, "
              "wo der Zulieferer seit Monaten weniger Aufträge erhält. Der Betriebsrat kritisierte die Pläne scharf "
              "und kündigte Widerstand an. ") * 5
    ex = extract_text(german + "\nDer Vorstand um Chef Tobias Renner verweist dabei auf die schwache Nachfrage aus der Autoindus", "de")
    assert "Brandara" in labels(ex) and "Autoindus" not in labels(ex)
    english = ("Velora Holdings said on Tuesday it would cut 300 jobs after a weak year in its packaging unit. "
               "The company has struggled since demand from food makers fell, and its shares have lost a third "
               "of their value this year. ") * 5
    ex = extract_text(english + "\nThe cuts will fall mostly on its plants in the north, chief executive Mark Ellery told Fin", "en")
    assert "Velora Holdings" in labels(ex) and "Fin" not in labels(ex)
    # a headline alone, and a credit closing a long text, end on whole names
    ex = extract_text("Kestrel Advisors hires Jane Roeburn from Halloway Bank", "en")
    assert "Halloway Bank" in labels(ex)
    ex = extract_text(english + "\nReporting by Tom Hale and Anna Brennet in London; editing by Mark Ellery", "en")
    assert ("Mark Ellery", "person") in names(ex)


def test_the_german_word_model_knows_words_in_the_reformed_spelling():
    # the model learned German before 1996: "Einfluss" it knows as "Einfluß"
    assert german_word_class("Einfluss") == "common"
    assert german_word_class("Zuschuss") == "common"
    assert german_word_class("Lumarion") != "common"


def test_a_known_company_and_a_head_word_after_it_are_one_name(extract_text):
    # the registry knows the company; the arm named after it is a name of its own
    ex = extract_text("The round was led by OpenAI Ventures and Brandara Capital.", "en")
    assert "OpenAI Ventures" in labels(ex) and "Ventures" not in labels(ex)
    ex = extract_text("Researchers at Meta Research published the model.", "en")
    assert ("Meta Research", "unit") in names(ex)
    # a head that names the company itself is no company of its own
    ex = extract_text("Analysts at Google Group said the deal made sense.", "en")
    assert "Group" not in labels(ex)


def test_a_dutch_adjective_before_a_head_word_alone_is_part_of_the_name(extract_text):
    ex = extract_text("Velmora krijgt steun van de Europese Commissie en van Deutsche Brandara.", "nl")
    assert {"Europese Commissie", "Deutsche Brandara"} <= labels(ex)
    # before a name of its own, the adjective describes it
    ex = extract_text("Het Duitse Brandara Systems koopt het Brabantse Velmora.", "nl")
    assert {"Brandara Systems", "Velmora"} <= labels(ex)


def test_a_name_listed_beside_bare_names_is_a_company_too(extract_text):
    ex = extract_text("Zu den Kunden des Startups zählen Brandara, Velmora, Quentix und Lumarion.", "de")
    assert {"Brandara", "Velmora", "Quentix", "Lumarion"} <= labels(ex)
    # German writes only nouns and names in capitals inside a sentence: a word that reads
    # best as a verb is a name there
    ex = extract_text("Zu den Partnern zählen Brandara, Velmora, Roche und Quentix.", "de")
    assert "Roche" in labels(ex)
    # a place in the list stays a place
    ex = extract_text("The cuts fall on its offices in Brandara, Velmora, Queensland and Ontario.", "en")
    assert not labels(ex) & {"Queensland", "Ontario"}


def test_a_middle_initial_after_a_title_stays_in_the_name(extract_text):
    ex = extract_text("Angeklagt sind die früheren Vorstände Gerhard K. Velmorin und Tobias Renner.", "de")
    assert ("Gerhard K. Velmorin", "person") in names(ex)


def test_a_head_word_before_a_name_describes_it(extract_text):
    # "Verlag" heads names ("Velmora Verlag") and describes them: before a name, it describes
    ex = extract_text("Der Kölner Verlag Brandara übernimmt die Velmora AG.", "de")
    assert "acquired brandara velmora" in asserted(ex)
    ex = extract_text("Die Tageszeitung Velmora Post gehört zu Brandara.", "de")
    assert "Velmora Post" in labels(ex)


def test_a_name_in_quotation_marks_is_read_like_any_name(extract_text):
    ex = extract_text("Der Verlag Brandara übernimmt die angeschlagene „Velmora Rundschau“.", "de")
    assert "acquired brandara velmora-rundschau" in asserted(ex)


def test_a_common_noun_before_a_title_is_no_company(extract_text):
    ex = extract_text("„Die Dividenden helfen uns“, sagte Stadtwerke-Chef Tobias Renner.", "de")
    assert "Stadtwerke" not in labels(ex)
    # a name before the title is the company, also when it is written in parts
    ex = extract_text("„Die Dividenden helfen uns“, sagte Brandara-Chef Tobias Renner.", "de")
    assert "Brandara" in labels(ex)
    ex = extract_text("Ermittelt wird gegen den Neue-Velmora-Bank-Chef Tobias Renner.", "de")
    assert any("Velmora" in label for label in labels(ex))


def test_a_dutch_federation_of_members_is_one_name(extract_text):
    ex = extract_text("Jan Kwint, beoogd voorzitter van het Verbond van Brouwers, wordt vicevoorzitter van Tekla Groep.", "nl")
    assert "Verbond van Brouwers" in labels(ex)


def test_a_described_holding_is_no_part_of_the_name(extract_text):
    ex = extract_text("Die Medien-Holding Velmora ist hoch verschuldet, die Brandara Holding nicht.", "de")
    assert {"Velmora", "Brandara Holding"} <= labels(ex)


def test_a_title_of_rank_before_a_given_name_is_no_part_of_the_name(extract_text):
    ex = extract_text("The fund, chaired by Crown Prince Hamid bin Tarek, bought a stake in Velmora Holdings.", "en")
    assert ("Hamid bin Tarek", "person") in names(ex)
    ex = extract_text("Shares of Crown Resorts fell on Monday.", "en")
    assert "Crown Resorts" in labels(ex)


def test_a_department_after_a_title_is_no_company(extract_text):
    ex = extract_text("The move was announced by its Director of Corporate Communications, Mr Tom Hale.", "en")
    assert "Corporate Communications" not in labels(ex)
    # a director of a company sits on its board
    ex = extract_text("She is a director of Charter Communications and of Velmora Holdings.", "en")
    assert "Charter Communications" in labels(ex)



def test_a_rank_inside_an_organization_name_stays(extract_text):
    ex = extract_text("The Prince Albert Foundation gave money to Velmora Holdings.", "en")
    assert "Prince Albert Foundation" in labels(ex)


def test_a_long_text_ending_on_a_whole_name_keeps_it(extract_text):
    body = ("Die Brandara AG baut in diesem Jahr 200 Stellen ab. Betroffen sind vor allem die Werke im Süden, "
            "wo der Zulieferer seit Monaten weniger Aufträge erhält. Der Betriebsrat kritisierte die Pläne scharf "
            "und kündigte Widerstand an. ") * 5
    ex = extract_text(body + "\nVerhandelt wird über einen Einstieg beim Finanzinvestor Quentix Capital", "de")
    assert "Quentix Capital" in labels(ex)
