"""Tiny helpers that build Article / Entity / Triple records by hand for tests.

``corpus()`` is a small, fully known set of articles and facts that the RDF, query and
network tests share; its contents are described next to it so tests can state what they
expect from the facts, not from a previous run.
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from kg.records import ASSERTED, Article, DealAttributes, Entity, Triple

ALIBABA = Entity("Alibaba Group", "Company", qid="Q1359568", aliases=("Alibaba",))
TMALL = Entity("Tmall", "Marketplace", qid="Q2070405")
PAKISTAN = Entity("Government of Pakistan", "GovernmentBody")
LAZADA = Entity("Lazada", "Company")
NIKE = Entity("Nike", "Brand", qid="Q483915")
LOREAL = Entity("L'Oréal", "Brand", aliases=("L'Oreal",))
JD = Entity("JD.com", "Company", aliases=("JD",))
JD_MALL = Entity("JD Mall", "Marketplace")
AMAZON = Entity("Amazon", "Company")


def article(article_id: str, *, url: str | None = "", title: str | None = None,
            published: date | None = None, text: str = "") -> Article:
    """An article; ``url=""`` means a URL made from the id, ``None`` means no URL."""
    if url == "":
        url = f"https://news.example.com/{article_id}"
    return Article(article_id, text or f"Text of {article_id}.", url=url,
                   title=title if title is not None else f"Headline {article_id}",
                   published=published)


def fact(subject: Entity, relation: str, obj: Entity, article_id: str, *,
         sentence: str | None = None, start: int = 0, end: int | None = None,
         confidence: float = 0.9, rule: str = "test.rule", status: str = ASSERTED,
         subject_text: str | None = None, object_text: str | None = None,
         **deal) -> Triple:
    """A fact; deal attributes (date, amount, currency, stake, duration_months) as keywords."""
    sentence = sentence or f"{subject.name} {relation} {obj.name}."
    return Triple(subject, relation, obj, article_id=article_id, sentence=sentence,
                  start=start, end=end if end is not None else start + len(sentence),
                  confidence=confidence, rule=rule, status=status,
                  subject_text=subject.name if subject_text is None else subject_text,
                  object_text=obj.name if object_text is None else object_text,
                  attributes=DealAttributes(**deal))


def corpus() -> tuple[list[Article], list[Triple]]:
    """Four articles and their facts.

    - a1 (2024-01-10): Alibaba (written "Alibaba") signedMOU Government of Pakistan;
      Alibaba Group operates Tmall; Nike listedOn Tmall.
    - a2 (2024-02-05): Government of Pakistan signedMOU Alibaba Group (reversed, same MOU);
      Alibaba Group investedIn Lazada, USD 1,000,000,000 for 83 %, deal date 2024-01-20.
    - a3 (2024-03-01): Nike fightsCounterfeitWith Alibaba Group; L'Oréal listedOn Tmall;
      JD.com signedMOU Nike is only *hedged*; JD.com operates JD Mall; Nike listedOn JD Mall.
    - a4 (no date, no URL): Amazon investedIn Nike is *negated*; JD.com investedIn Lazada
      (no amount), 0.7 confidence.
    """
    articles = [
        article("a1", title="Alibaba and Pakistan sign MOU", published=date(2024, 1, 10)),
        article("a2", title="Alibaba invests in Lazada", published=date(2024, 2, 5)),
        article("a3", title="Brands team up against fakes", published=date(2024, 3, 1)),
        article("a4", url=None, title="Amazon denies Nike stake", published=None),
    ]
    triples = [
        fact(ALIBABA, "signedMOU", PAKISTAN, "a1", start=0, confidence=0.95,
             sentence="Alibaba signed an MOU with the Government of Pakistan.",
             subject_text="Alibaba", duration_months=24),
        fact(ALIBABA, "operates", TMALL, "a1", start=60, confidence=0.8,
             sentence="Alibaba Group runs Tmall."),
        fact(NIKE, "listedOn", TMALL, "a1", start=90, confidence=0.85,
             sentence="Nike opened a flagship store on Tmall."),
        fact(PAKISTAN, "signedMOU", ALIBABA, "a2", start=0, confidence=0.9,
             sentence="Pakistan's government and Alibaba Group signed a memorandum."),
        fact(ALIBABA, "investedIn", LAZADA, "a2", start=70, confidence=0.92,
             sentence="Alibaba Group invested $1 billion in Lazada for an 83% stake.",
             date=date(2024, 1, 20), amount=Decimal("1000000000"), currency="USD",
             stake=Decimal("83")),
        fact(NIKE, "fightsCounterfeitWith", ALIBABA, "a3", start=0, confidence=0.88,
             sentence="Nike and Alibaba Group joined forces against counterfeits."),
        fact(LOREAL, "listedOn", TMALL, "a3", start=65, confidence=0.75,
             sentence="L'Oreal opened a store on Tmall.", subject_text="L'Oreal"),
        fact(JD, "signedMOU", NIKE, "a3", start=100, confidence=0.6, status="hedged",
             sentence="JD.com may sign an MOU with Nike."),
        fact(JD, "operates", JD_MALL, "a3", start=140, confidence=0.9,
             sentence="JD.com operates JD Mall."),
        fact(NIKE, "listedOn", JD_MALL, "a3", start=170, confidence=0.7,
             sentence="Nike sells on JD Mall."),
        fact(AMAZON, "investedIn", NIKE, "a4", start=0, confidence=0.8, status="negated",
             sentence="Amazon did not invest in Nike."),
        fact(JD, "investedIn", LAZADA, "a4", start=40, confidence=0.7,
             sentence="JD.com invested in Lazada."),
    ]
    return articles, triples
