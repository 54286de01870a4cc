"""Deal attributes: amounts, stakes, durations and dates resolved against publication."""
from datetime import date
from decimal import Decimal

import pytest

from kg.attributes import deal_attributes, parse_amount, parse_duration, parse_stake, resolve_date


@pytest.mark.parametrize("text,expected", [
    ("$397 million", (Decimal("397000000"), "USD")),
    ("US$1 billion", (Decimal("1000000000"), "USD")),
    ("S$1.38 billion", (Decimal("1380000000"), "SGD")),
    ("RM50m", (Decimal("50000000"), "MYR")),
    ("€1.2bn", (Decimal("1200000000"), "EUR")),
    ("£313 million", (Decimal("313000000"), "GBP")),
    ("Rs 30 crore", (Decimal("300000000"), "INR")),
    ("350 million yuan", (Decimal("350000000"), "CNY")),
])
def test_amounts_and_currencies(text, expected):
    assert parse_amount(text) == expected


def test_a_number_without_currency_is_no_amount():
    assert parse_amount("2,83,287 shares") is None


@pytest.mark.parametrize("text,expected", [
    ("a 77% stake", Decimal("77")), ("16 percent", Decimal("16")),
    ("47.5 per cent", Decimal("47.5")), ("250%", None),
])
def test_stakes(text, expected):
    assert parse_stake(text) == expected


@pytest.mark.parametrize("text,months", [
    ("a three-year memorandum", 36), ("an 18-month pilot", 18), ("a five year deal", 60),
    ("the five-year-old startup", None), ("in 2019", None),
])
def test_durations(text, months):
    assert parse_duration(text) == months


PUBLISHED = date(2017, 6, 21)  # a Wednesday


@pytest.mark.parametrize("text,expected", [
    ("in May", date(2017, 5, 1)),
    ("in September", date(2016, 9, 1)),  # after the publication month: last year's
    ("last year", date(2016, 1, 1)),
    ("yesterday", date(2017, 6, 20)),
    ("on Monday", date(2017, 6, 19)),
    ("June 2015", date(2015, 6, 1)),
    ("March 13, 2023", date(2023, 3, 13)),
    ("in 2014", date(2014, 1, 1)),
])
def test_dates_resolve_against_publication(text, expected):
    assert resolve_date(text, PUBLISHED) == expected


def test_relative_dates_need_a_publication_date():
    assert resolve_date("last year", None) is None
    assert resolve_date("May 2017", None) == date(2017, 5, 1)


def test_attributes_follow_the_relation(nlp):
    doc = nlp("Walmart bought a 77% stake in Flipkart for $16 billion in May.")
    trigger = next(t for t in doc if t.lemma_ == "buy")
    sent = trigger.sent
    invest = deal_attributes(sent, trigger, date(2018, 8, 1), "investedIn")
    assert (invest.amount, invest.currency, invest.stake) == (Decimal("16000000000"), "USD", Decimal("77"))
    assert invest.date == date(2018, 5, 1)
    listing = deal_attributes(sent, trigger, date(2018, 8, 1), "listedOn")
    assert listing.amount is None and listing.stake is None  # money belongs to investments
