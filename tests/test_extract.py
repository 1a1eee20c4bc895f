"""How a sentence states a claim: hedges, negation, the conditional, current or former roles."""

from __future__ import annotations

from claims import facts


def claims_with(extraction, fact):
    return [c for c in extraction.claims if fact in facts(c)]


def facts_starting(extraction, prefix):
    return [f for c in extraction.claims for f in facts(c) if f.startswith(prefix)]


def test_a_hedge_marks_the_evidence(extract_text):
    ex = extract_text("Berichten zufolge haben sowohl OpenAI als auch Google begonnen, ihre Abhängigkeit von Nvidia zu reduzieren.", "de")
    (claim,) = claims_with(ex, "reducedRelianceOn openai nvidia")
    assert claim.evidence.hedged and not claim.evidence.negated


def test_a_negation_marks_the_evidence(extract_text):
    ex = extract_text("Microsoft investierte 2 Milliarden Euro in OpenAI nicht, wie zunächst gemeldet.", "de")
    (claim,) = claims_with(ex, "investment microsoft openai")
    assert claim.evidence.negated


def test_not_only_is_no_negation(extract_text):
    ex = extract_text("Microsoft investiert 2 Milliarden Euro in OpenAI, nicht nur aus strategischen Gründen.", "de")
    (claim,) = claims_with(ex, "investment microsoft openai")
    assert not claim.evidence.negated


def test_the_conditional_marks_the_evidence(extract_text):
    ex = extract_text("Sollte OpenAI Kunden verlieren, könnte Microsoft gezwungen sein, das gesamte Unternehmen zu übernehmen.", "de")
    (claim,) = claims_with(ex, "acquired microsoft openai")
    assert claim.evidence.conditional


def test_a_negation_the_rule_reads_is_the_fact_not_a_negated_one(extract_text):
    ex = extract_text("Allerdings wird Amazon keine Stimmrechte an Anthropic haben.", "de")
    (claim,) = claims_with(ex, "investment.votingRights amazon anthropic false")
    assert not claim.evidence.negated


def test_leaving_a_post_makes_the_role_former(extract_text):
    ex = extract_text("Anthropic gab bekannt, dass seine Finanzchefin Petra Kluge ihr Amt niederlegt.", "de")
    (claim,) = claims_with(ex, "membership petra-kluge anthropic chief-financial-officer")
    assert claim.arg("current") is False


def test_a_new_role_is_current_and_a_founder_has_no_status(extract_text):
    ex = extract_text("Der neue CEO von Uber, Jan Berg, ist auch Gründer von Tesla, sagte Gründer Jan Berg.", "de")
    (ceo,) = claims_with(ex, "membership jan-berg uber ceo")
    assert ceo.arg("current") is True


def test_an_earlier_post_is_former(extract_text):
    ex = extract_text("Topman Jan Jansen werkte eerder als voormalige directeur bij Microsoft.", "nl")
    (claim,) = claims_with(ex, "membership jan-jansen microsoft director")
    assert claim.arg("current") is False


def test_leaving_in_a_clause_of_time_is_not_said_of_the_new_appointee(extract_text):
    ex = extract_text("Kilbride Shipping said it has named Ruth Haldane to take over as chief executive "
                      "when the current CEO retires.", "en")
    (claim,) = claims_with(ex, "membership ruth-haldane kilbride-shipping ceo")
    assert claim.arg("current") is True


def test_outgoing_after_succeed_is_said_of_the_predecessor(extract_text):
    ex = extract_text("Kilbride Shipping appointed Colm Ardley to succeed outgoing finance chief Oliver Pennard.", "en")
    (new,) = claims_with(ex, "membership colm-ardley kilbride-shipping chief-financial-officer")
    (old,) = claims_with(ex, "membership oliver-pennard kilbride-shipping chief-financial-officer")
    assert new.arg("current") is True and old.arg("current") is False


def test_a_role_without_a_company_takes_the_company_of_the_context_with_lower_confidence(extract_text):
    ex = extract_text("Uber meldete Zahlen. Finanzchef Hans Becker sprach von einem guten Quartal.", "de")
    (claim,) = claims_with(ex, "membership hans-becker uber chief-financial-officer")
    assert claim.evidence.confidence < 0.9


def test_every_quote_is_the_sentence_at_its_offsets(extract_text):
    text = "Titel\nScale AI-Gründer Alexandr Wang wechselte zu Meta. Meta investiert 14,3 Milliarden US-Dollar in Scale AI."
    ex = extract_text(text, "de")
    assert ex.claims
    for claim in ex.claims:
        e = claim.evidence
        assert ex.article.text[e.start:e.end] == e.quote


def test_a_bare_title_opening_a_paragraph_belongs_to_the_articles_company(extract_text):
    text = ("Die Kroll Logistik GmbH legt Zahlen vor. Kroll Logistik wächst.\n"
            "Auch die Brandt Daten GmbH beobachtet den Markt.\n"
            "Finanzchefin Eva Vos sagte, das Geschäft laufe gut.\n")
    ex = extract_text(text, "de")
    assert "membership eva-vos kroll-logistik chief-financial-officer" in {f for c in ex.claims for f in facts(c)}


def test_a_bare_title_inside_a_paragraph_belongs_to_the_company_just_named(extract_text):
    ex = extract_text("Tesla baut ab. Uber meldete Zahlen. Finanzchef Hans Becker sprach von einem guten Quartal.", "de")
    assert "membership hans-becker uber chief-financial-officer" in {f for c in ex.claims for f in facts(c)}


def test_a_takeover_said_with_a_verb_stays_asserted_beside_a_minority_stake(extract_text):
    from graph.types import assertable

    ex = extract_text("Der Autobauer Velorix hält 30 Prozent an dem Zulieferer Prenzlow. "
                      "Nun übernimmt Velorix den Zulieferer Prenzlow vollständig.", "de")
    takeovers = claims_with(ex, "acquired velorix prenzlow")
    assert takeovers and all(assertable(c.evidence.confidence, hedged=c.evidence.hedged, negated=c.evidence.negated,
                                        conditional=c.evidence.conditional) for c in takeovers)


def test_a_list_ends_with_a_conjunction(rules):
    import re

    from graph.rules import CLOSE, OPEN, slot_pattern

    orgs = re.compile(slot_pattern(rules["en"], "ORGS"))
    o = lambda n: f"{OPEN}O{n}{CLOSE}"  # noqa: E731
    assert orgs.fullmatch(f"{o(0)}, {o(1)} and {o(2)}")
    assert orgs.fullmatch(o(0))
    assert not orgs.fullmatch(f"{o(0)}, {o(1)}")  # "Beta Bakeries, Roe said": an apposition, no list


# Readings of a sentence the rules also see (extract.reduced_sentences)

def test_a_subject_after_the_verb_is_read_as_the_subject(extract_text):
    ex = extract_text("Nach acht Jahren verlässt Sabine Roth den Maschinenbauer Korvane.", "de")
    assert claims_with(ex, "left sabine-roth korvane")
    ex = extract_text("Als Leadinvestor steigt der Fonds Holtkamp Ventures bei dem Kölner Startup Brandara ein.", "de")
    assert claims_with(ex, "investment holtkamp-ventures brandara")
    ex = extract_text("Na acht jaar verlaat Femke Bos het Utrechtse Brandara.", "nl")
    assert claims_with(ex, "left femke-bos brandara")


def test_a_name_after_a_preposition_is_no_subject_of_the_verb_after_it(extract_text):
    # "Nach Brandara, dem Rivalen von Holtkamp, kauft Korvane …": Brandara buys nothing
    ex = extract_text("Nach Brandara Systems, dem Rivalen von Holtkamp, kauft nun Korvane Capital das Werk in Ulm.", "de")
    assert not facts_starting(ex, "acquired brandara-systems")


def test_an_apposition_after_the_subject_does_not_hide_its_verb(extract_text):
    ex = extract_text("Der Versicherer Korvane, der seit 2019 zu Brandara gehört, übernimmt den Konkurrenten Holtkamp.", "de")
    assert claims_with(ex, "acquired korvane holtkamp")
    ex = extract_text("De huidige financieel directeur, Pieter Kees de Ruiter, verlaat Brandara per 1 maart.", "nl")
    assert claims_with(ex, "left pieter-kees-de-ruiter brandara")


def test_an_apposition_after_a_name_that_is_no_subject_stays(extract_text):
    ex = extract_text("Volgens Brandara, de grootste bakker van Brabant, neemt Holtkamp Systems de fabriek over.", "nl")
    assert not facts_starting(ex, "acquired brandara")


def test_a_post_without_a_title_takes_its_tense_from_the_verb(extract_text):
    ex = extract_text("Before joining the bank, Jane Roeburn worked at Halloway Capital for ten years.", "en")
    (claim,) = [c for c in ex.claims if c.kind == "membership"]
    assert claim.arg("current") is False
    ex = extract_text("Sven Trenkwald (Trenkwald Rechtsanwälte) vertritt die Gläubiger.", "de")
    (claim,) = [c for c in ex.claims if c.kind == "membership"]
    assert claim.arg("current") is True


def test_what_is_planned_or_announced_is_future(extract_text):
    ex = extract_text("Halvora Systems will lay off 300 workers in Ohio.", "en")
    cuts = [c for c in ex.claims if c.kind == "workforceReduction"]
    assert cuts and all(c.evidence.future for c in cuts)
    # a comma between digits ends no clause: the verb at the end still counts
    ex = extract_text("Der Kölner Konzern Brandara will den Rivalen Velmora für 2,4 Milliarden Euro übernehmen.", "de")
    (claim,) = claims_with(ex, "acquired brandara velmora")
    assert claim.evidence.future
    ex = extract_text("Jan de Vries wordt opgevolgd door Piet Jansen.", "nl")
    (claim,) = claims_with(ex, "succeeded piet-jansen jan-de-vries")
    assert claim.evidence.future
    # a passive of the present is not
    ex = extract_text("Velmora Groep wordt geleid door Piet Jansen.", "nl")
    assert not any(c.evidence.future for c in ex.claims)


def test_the_old_chief_is_a_former_one(extract_text):
    ex = extract_text("De oude topman van Velmora Groep, Piet Jansen, is benoemd tot topman van Brandara.", "nl")
    (old,) = [c for c in ex.claims if c.kind == "membership" and c.arg("organization").key == "org/velmora-groep"]
    assert old.arg("current") is False


def test_the_person_a_replacing_verb_governs_held_the_post_before(extract_text):
    ex = extract_text("Jane Roeburn replaces chief executive Mark Ellison at Halloway Capital.", "en")
    (old,) = [c for c in ex.claims if c.kind == "membership" and c.arg("member").key == "person/mark-ellison"]
    assert old.arg("current") is False
    ex = extract_text("Die Velmora AG hat einen neuen Chef. Markus Feld löste im Mai den langjährigen "
                      "Vorstandschef Uwe Leitner ab.", "de")
    leitner = [c for c in ex.claims if c.kind == "membership" and c.arg("member").key == "person/uwe-leitner"]
    assert leitner and all(c.arg("current") is False for c in leitner)


def test_a_word_of_replacing_elsewhere_in_the_sentence_says_nothing_of_the_post(extract_text):
    for text, lang in (("Velmora Holdings will replace its ageing fleet, chief executive Tom Hale said.", "en"),
                       ("Velmora ersetzt die alten Anlagen, sagte Vorstandschef Tobias Renner.", "de"),
                       ("Het besluit volgt op kritiek van topman Kees Dijkman van Tekla Groep.", "nl"),
                       ("Halvora Systems will report results in May, chief executive Jane Roe said.", "en"),
                       ("Jane Roe has served on the board of Velmora Holdings since 2015.", "en"),
                       ("In het oude hoofdkantoor sprak topman Kees Dijkman van Tekla Groep met het personeel.", "nl")):
        posts = [c for c in extract_text(text, lang).claims if c.kind == "membership"]
        assert posts and all(c.arg("current") is True for c in posts), text


def test_a_form_of_address_does_not_hide_the_person_from_the_rules(extract_text):
    ex = extract_text("Velmora Holdings' chairman, Dr Jane Roeburn, said the offer represented fair value.", "en")
    assert "membership jane-roeburn velmora-holdings chair" in {f for c in ex.claims for f in facts(c)}
