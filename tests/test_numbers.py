"""Numbers, money and dates read the way each language writes them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from graph.extract import parse_quantity


@pytest.mark.parametrize("lang, text, kind, value, unit, approx", [
    ("de", "14,3 Milliarden US-Dollar", "MONEY", "14300000000", "USD", False),
    ("de", "etwa 14,3 Milliarden US-Dollar", "MONEY", "14300000000", "USD", True),
    ("de", "1 Milliarde US-Dollar", "MONEY", "1000000000", "USD", False),
    ("de", "rund 870 Millionen US-Dollar", "MONEY", "870000000", "USD", True),
    ("de", "1.500 Euro", "MONEY", "1500", "EUR", False),
    ("nl", "$ 14,3 miljard", "MONEY", "14300000000", "USD", False),
    ("nl", "€ 2,5 mld.", "MONEY", "2500000000", "EUR", False),
    ("en", "$14.3 billion", "MONEY", "14300000000", "USD", False),
    ("en", "about $1,500 million", "MONEY", "1500000000", "USD", True),
    ("en", "$8.5bn", "MONEY", "8500000000", "USD", False),
    ("en", "$10m", "MONEY", "10000000", "USD", False),
    ("de", "fast 50 Prozent", "PERCENT", "50", "percent", True),
    ("de", "49%", "PERCENT", "49", "percent", False),
    ("de", "14 %", "PERCENT", "14", "percent", False),
    ("nl", "7,5%", "PERCENT", "7.5", "percent", False),
    ("en", "7.5 percent", "PERCENT", "7.5", "percent", False),
    ("de", "14.000", "NUMBER", "14000", "count", False),
    ("en", "14,000", "NUMBER", "14000", "count", False),
])
def test_quantities_are_normalized_per_locale(rules, lang, text, kind, value, unit, approx):
    q = parse_quantity(text, kind, rules[lang])
    assert (q.value, q.unit, q.approximate) == (Decimal(value), unit, approx)


def test_an_amount_without_currency_is_no_money(rules):
    assert parse_quantity("14,3 Milliarden", "MONEY", rules["de"]) is None


def test_month_and_year_become_a_year_month(extract_text):
    ex = extract_text("In juni 2025 heeft Meta zijn positie versterkt door $ 14,3 miljard te investeren om een belang van 49% in schaal AI te verwerven.", "nl")
    dates = [v.iso() for c in ex.claims for k, v in c.args if k == "date"]
    assert dates == ["2025-06"]


def test_a_scale_written_onto_the_number_is_read_in_a_sentence(extract_text):
    ex = extract_text("Brandara Group will buy a 9.9 per cent stake in Korvane Inc for $10m.", "en")
    amounts = [v for c in ex.claims for k, v in c.args if k == "amount"]
    assert [a.value for a in amounts] == [Decimal("10000000")]
