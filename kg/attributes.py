"""Deal attributes a sentence states: date, amount and currency, stake, duration.

Dates are resolved against the article's publication date ("in May", "last year",
"yesterday", "on Thursday"); a period resolves to its first day. Without a
publication date only dates that carry their year are kept.

>>> from datetime import date
>>> parse_amount("$397 million")
(Decimal('397000000'), 'USD')
>>> parse_amount("RM50m")
(Decimal('50000000'), 'MYR')
>>> resolve_date("in May", date(2014, 9, 20))
datetime.date(2014, 5, 1)
>>> resolve_date("last year", date(2017, 6, 21))
datetime.date(2016, 1, 1)
>>> parse_duration("a three-year memorandum")
36
"""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from kg.records import DealAttributes

CURRENCIES = [  # longest symbols first
    ("US$", "USD"), ("S$", "SGD"), ("HK$", "HKD"), ("A$", "AUD"), ("C$", "CAD"), ("NZ$", "NZD"),
    ("R$", "BRL"), ("RMB", "CNY"), ("CNY", "CNY"), ("USD", "USD"), ("EUR", "EUR"), ("GBP", "GBP"),
    ("INR", "INR"), ("Rs.", "INR"), ("Rs", "INR"), ("₹", "INR"), ("RM", "MYR"), ("Rp", "IDR"),
    ("IDR", "IDR"), ("yuan", "CNY"), ("¥", "JPY"), ("€", "EUR"), ("£", "GBP"), ("$", "USD"),
    ("₩", "KRW"), ("won", "KRW"), ("euros", "EUR"), ("euro", "EUR"), ("dollars", "USD"),
    ("pounds", "GBP"), ("rupees", "INR"), ("ringgit", "MYR"), ("baht", "THB"), ("peso", "MXN"),
]
SCALES = {"thousand": 10**3, "k": 10**3, "million": 10**6, "m": 10**6, "mn": 10**6, "mln": 10**6,
          "billion": 10**9, "bn": 10**9, "b": 10**9, "trillion": 10**12, "tn": 10**12,
          "crore": 10**7, "crores": 10**7, "lakh": 10**5, "lakhs": 10**5}
MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december"], 1)}
MONTHS.update({m[:3]: i for m, i in list(MONTHS.items())})
MONTHS["sept"] = 9
WEEKDAYS = {d: i for i, d in enumerate(
    ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
                "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20}

_AMOUNT = re.compile(
    r"(?P<cur1>US\$|S\$|HK\$|A\$|C\$|NZ\$|R\$|RMB|CNY|USD|EUR|GBP|INR|Rs\.?|RM|Rp|IDR|[$€£¥₹₩])?\s?"
    r"(?P<num>\d+(?:[.,]\d+)*)\s?"
    r"(?P<scale>thousand|million|billion|trillion|crores?|lakhs?|mln|mn|bn|tn|[kmb])?\b\s?"
    r"(?P<cur2>yuan|euros?|dollars|pounds|rupees|ringgit|baht|won|pesos?)?", re.IGNORECASE)


def parse_amount(text: str) -> tuple[Decimal, str] | None:
    """The first money amount in ``text`` with its ISO 4217 currency, if it has one."""
    for match in _AMOUNT.finditer(text):
        cur = match.group("cur1") or match.group("cur2")
        if not cur:
            continue
        code = next((c for sym, c in CURRENCIES if sym.lower() == cur.lower().rstrip(".")
                     or sym.lower() == cur.lower()), None)
        if code is None:
            continue
        raw = match.group("num").replace(",", "")
        try:
            value = Decimal(raw)
        except InvalidOperation:
            continue
        scale = (match.group("scale") or "").lower()
        if scale == "b" and code == "INR":
            scale = ""
        value *= SCALES.get(scale, 1)
        return value.quantize(Decimal(1)) if value == value.to_integral() else value, code
    return None


def parse_stake(text: str) -> Decimal | None:
    """"a 77% stake", "16 percent", "47.5 per cent" -> the percentage."""
    match = re.search(r"(\d+(?:\.\d+)?)\s?(?:%|per ?cent|pct)", text, re.IGNORECASE)
    if match:
        value = Decimal(match.group(1))
        return value if 0 <= value <= 100 else None
    return None


def parse_duration(text: str) -> int | None:
    """"three-year", "5-year", "18-month" -> months."""
    match = re.search(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty)"
                      r"[- ](year|month)s?(?![- ]old)(?:[- ]long)?\b", text, re.IGNORECASE)
    if not match:
        return None
    n = match.group(1).lower()
    count = int(n) if n.isdigit() else NUMBER_WORDS[n]
    return count * (12 if match.group(2).lower() == "year" else 1)


def resolve_date(text: str, published: date | None) -> date | None:
    """A date expression resolved to a calendar date (a period's first day)."""
    t = text.lower().strip()
    year_m = re.search(r"\b(19|20)\d{2}\b", t)
    year = int(year_m.group(0)) if year_m else None
    month = next((MONTHS[w] for w in re.findall(r"[a-z]+", t) if w in MONTHS), None)
    day_m = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\b", re.sub(r"\b(19|20)\d{2}\b", "", t))
    day = int(day_m.group(1)) if day_m and month else 1
    try:
        if month and year:
            return date(year, month, min(day, 28) if day > 28 else day)
        if year and not month:
            return date(year, 1, 1)
        if published is None:
            return None
        if "yesterday" in t:
            return published - timedelta(days=1)
        if "today" in t or "this week" in t:
            return published
        if "last year" in t or "a year ago" in t:
            return date(published.year - 1, 1, 1)
        if "this year" in t:
            return date(published.year, 1, 1)
        if "last month" in t:
            first = published.replace(day=1) - timedelta(days=1)
            return first.replace(day=1)
        if month:
            y = published.year if month <= published.month else published.year - 1
            return date(y, month, day)
        for name, wd in WEEKDAYS.items():
            if name in t:
                delta = (published.weekday() - wd) % 7
                return published - timedelta(days=delta)
    except ValueError:
        return None
    return None


#: Which attributes each relation can carry: money and stakes belong to investments,
#: durations to agreements; every fact can have a date.
ATTRIBUTES = {"investedIn": {"amount", "stake"}, "signedMOU": {"duration"},
              "fightsCounterfeitWith": {"duration"}}


def deal_attributes(sent, trigger, published: date | None, relation: str = "investedIn") -> DealAttributes:
    """What the trigger's sentence says about the deal, nearest mention first.

    >>> parse_duration("the five-year-old startup") is None
    True
    """
    wanted = ATTRIBUTES.get(relation, set())
    def nearest(labels):
        ents = [e for e in sent.ents if e.label_ in labels]
        return sorted(ents, key=lambda e: abs(e.start - trigger.i))

    amount = currency = stake = None
    for ent in nearest(("MONEY",) if "amount" in wanted else ()):
        parsed = parse_amount(ent.text)
        if parsed:
            amount, currency = parsed
            break
    for ent in nearest(("PERCENT",) if "stake" in wanted else ()):
        window = sent.doc[ent.end: min(ent.end + 3, sent.end)].text.lower()
        if "stake" in window or "share" in window or "interest" in window:
            stake = parse_stake(ent.text)
            break
    when = None
    for ent in nearest(("DATE",)):
        when = resolve_date(ent.text, published)
        if when:
            break
    duration = parse_duration(sent.text) if "duration" in wanted else None
    return DealAttributes(date=when, amount=amount, currency=currency, stake=stake,
                          duration_months=duration)
