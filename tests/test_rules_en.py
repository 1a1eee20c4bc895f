"""English relation rules. The seeds hold English only in boilerplate, so every
sentence here is a fresh one, written the way English business news writes."""

import pytest

from rule_table import check_absent, check_row

ROWS = [
    ("en.rel.org_role_person", "fresh", "Nvidia CEO Jensen Huang spoke in Taipei on Monday.",
     {"membership jensen-huang nvidia ceo"}),
    ("en.rel.org_role_person", "fresh", "Anthropic's co-founder Daniela Amodei said the company would grow.",
     {"membership daniela-amodei anthropic co-founder"}),
    ("en.rel.poss_role_person", "fresh", "Tesla said its chief financial officer, Vaibhav Taneja, would stay.",
     {"membership vaibhav-taneja tesla chief-financial-officer"}),
    ("en.rel.role_person", "fresh", "Uber reported results on Tuesday. Chief executive Dara Khosrowshahi called it a strong quarter.",
     {"membership dara-khosrowshahi uber ceo"}),
    ("en.rel.person_apposition", "fresh", "That was the view of Jane Roe, the chief technology officer of Amazon, at the conference.",
     {"membership jane-roe amazon chief-technology-officer"}),
    ("en.rel.role_of_org_person", "fresh", "The founder of OpenAI, Sam Altman, testified before the Senate.",
     {"membership sam-altman openai founder"}),
    ("en.rel.as_role_at", "fresh", "CEO Jason Droege previously worked as a venture partner at Benchmark.",
     {"membership jason-droege benchmark venture-partner"}),
    ("en.rel.named_as_role", "fresh", "Uber named Jane Roe as its new chief financial officer on Friday. Roe said she was honored.",
     {"membership jane-roe uber chief-financial-officer"}),
    ("en.rel.to_lead", "fresh", "Founder Alexandr Wang left the company to lead Meta Superintelligence Labs.",
     {"membership alexandr-wang meta-superintelligence-labs head"}),
    ("en.rel.founded_org", "fresh", "CTO John Doe said the idea came early. He founded Anthropic with two colleagues.",
     {"membership john-doe anthropic founder"}),
    ("en.rel.joins", "fresh", "Chief executive Jane Roe joined Microsoft in March.",
     {"joined jane-roe microsoft"}),
    ("en.rel.leaves_for", "fresh", "CFO Jane Roe left Tesla last week for Nvidia.",
     {"joined jane-roe nvidia"}),
    ("en.rel.succeeds", "fresh", "CFO Jane Roe will leave. CFO John Doe succeeds Roe at Uber.",
     {"succeeded john-doe jane-roe"}),
    ("en.rel.successor_to", "fresh", "CFO Jane Roe will leave. Analysts like CFO John Doe, the successor to Roe, a lot.",
     {"succeeded john-doe jane-roe"}),
    ("en.rel.invests_in", "fresh", "Microsoft invested $10 billion in OpenAI, taking a 49% stake.",
     {"investment.amount microsoft openai 10000000000 USD", "investment.stake microsoft openai 49"}),
    ("en.rel.stake_in", "fresh", "Amazon took a 20% stake in Anthropic for $4 billion.",
     {"investment.stake amazon anthropic 20", "investment.amount amazon anthropic 4000000000 USD"}),
    ("en.rel.investment_in", "fresh", "Google's $2 billion investment in Anthropic drew scrutiny.",
     {"investment.amount google anthropic 2000000000 USD"}),
    ("en.rel.no_voting_rights", "fresh", "Microsoft will have no voting rights in OpenAI, the filing said.",
     {"investment.votingRights microsoft openai false"}),
    ("en.rel.raised", "fresh", "Anthropic raised $3.5 billion from investors including Google and Amazon, at a valuation of $61.5 billion.",
     {"fundingRound.amount anthropic amazon,google 3500000000 USD", "fundingRound.valuation anthropic amazon,google 61500000000 USD"}),
    ("en.rel.acquire", "fresh", "Alphabet could be forced to acquire Anthropic.",
     {"acquired alphabet anthropic"}),
    ("en.rel.cuts_workforce", "fresh", "Tesla is cutting 10% of its workforce, or about 14,000 employees.",
     {"workforceReduction.share tesla 10", "workforceReduction.employees tesla 14000"}),
    ("en.rel.cuts_jobs", "fresh", "Microsoft laid off 10,000 employees in January.",
     {"workforceReduction.employees microsoft 10000"}),
    ("en.rel.affected_contractors", "fresh", "Amazon is cutting 5% of its workforce, affecting 200 full-time employees and 500 contractors.",
     {"workforceReduction.contractors amazon 500", "workforceReduction.employees amazon 200"}),
    ("en.rel.affected_employees", "fresh", "Uber cuts 8% of its staff, roughly 2,500 people.",
     {"workforceReduction.employees uber 2500"}),
    ("en.rel.customers_include", "fresh", "Nvidia's customers include Tesla and Uber.",
     {"customerOf tesla nvidia", "customerOf uber nvidia"}),
    ("en.rel.customers_such_as", "fresh", "Large customers such as Microsoft have long relied on Nvidia.",
     {"customerOf microsoft nvidia"}),
    ("en.rel.reduce_reliance", "fresh", "OpenAI and Google have reduced their reliance on Nvidia.",
     {"reducedRelianceOn openai nvidia", "reducedRelianceOn google nvidia"}),
    ("en.rel.cut_ties", "fresh", "OpenAI cut ties with Scale AI after the deal.",
     {"cutTiesWith openai scale-ai"}),
    ("en.rel.competes_with", "fresh", "Meta competes with OpenAI and Google for talent.",
     {"competesWith meta openai", "competesWith meta google"}),
    ("en.rel.rivals_such_as", "fresh", "Meta is spending heavily while rivals such as OpenAI and Anthropic move fast.",
     {"competesWith meta openai", "competesWith meta anthropic"}),
    ("en.rel.unit_of", "fresh", "Researchers at the Meta Superintelligence Labs of Meta published a paper.",
     {"subOrganizationOf meta-superintelligence-labs meta"}),
    ("en.rel.org_unit", "fresh", "Meta's Superintelligence Labs hired ten researchers.",
     {"subOrganizationOf meta-superintelligence-labs meta"}),
    ("en.rel.founded_in", "fresh", "Scale AI was founded in 2016 by two students.",
     {"founded scale-ai 2016"}),
    ("en.rel.revenue", "fresh", "Anthropic is growing. The company reported revenue of $1.2 billion in 2024.",
     {"revenue anthropic 2024 1200000000 USD"}),
    ("en.rel.employees_followed", "fresh", "Several employees of Scale AI joined Meta after the deal.",
     {"employeesMovedTo scale-ai meta"}),
    ("en.rel.according_to", "fresh", "The talks have stalled, according to Reuters.",
     {"cites reuters"}),
    ("en.rel.reported", "fresh", "Bloomberg reported the deal first.",
     {"cites bloomberg"}),
    ("en.rel.dateline", "fresh", "LONDON (Market Wire) - Shares of Tesla rose on Monday.",
     {"publisher market-wire"}),
]

MUST_NOT = [
    ("Meta lost 4.3% of its best talent to other AI labs last year.", "investment"),
    ("The deal is not only a financial coup but also a strategic move for Meta.", "investment"),
    ("Scale matters in AI, and Meta knows it.", "customerOf"),
]


@pytest.mark.parametrize("rule, source, text, expected", ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_english_rule_reads_its_sentence(extract_text, rule, source, text, expected):
    check_row(extract_text, "en", rule, text, expected)


@pytest.mark.parametrize("text, forbidden", MUST_NOT)
def test_english_rules_do_not_misread(extract_text, text, forbidden):
    check_absent(extract_text, "en", text, forbidden)
