"""Table-driven tests of tricky sentences: RELATIONS.md's resolved cases and hard negatives.

Each case is a short text (our own words), the facts it must yield and the facts it must
not. They run through the real pipeline (model + the project's gazetteers), so a rule or
modality change that breaks a case in the contract fails here.
"""
from __future__ import annotations

import pytest

from kg.extract import extract
from kg.gazetteer import normalise
from kg.records import ASSERTED, STATUSES, SYMMETRIC, Article

# (id, text, required facts, forbidden facts); names as the gazetteer or the text give them.
CASES = [
    # --- signedMOU ---------------------------------------------------------------------
    ("mou-active", "Alibaba Group signed a memorandum of understanding with Italy's Ministry of "
     "Economic Development on Friday.",
     [("Alibaba Group", "signedMOU", "Ministry of Economic Development (Italy)")], []),
    ("mou-country-party", "In May, Alibaba signed a similar three-year MOU with France.",
     [("Alibaba Group", "signedMOU", "France")], []),
    ("mou-coordinated-subjects", "Jumia and Realme signed a memorandum of understanding on Monday.",
     [("Jumia", "signedMOU", "Realme")], []),
    ("mou-between", "The memorandum of understanding between the Malaysian Franchise Association "
     "and Shopee was signed in Kuala Lumpur.",
     [("Malaysian Franchise Association", "signedMOU", "Shopee")], []),
    ("mou-signed-with-two", "The Shanghai Municipal Government signed a strategic cooperation "
     "agreement with Alibaba Group and Ant Group.",
     [("Shanghai Municipal Government", "signedMOU", "Alibaba Group"),
      ("Shanghai Municipal Government", "signedMOU", "Ant Group")], []),
    ("mou-future", "The Thai agriculture ministry will sign an MOU with Shopee on July 15.",
     [], [("Shopee", "signedMOU", "*")]),
    ("mou-plan", "Lazada plans to sign a memorandum of understanding with the Philippine "
     "trade ministry.", [], [("Lazada", "signedMOU", "*")]),
    ("mou-negated", "Flipkart has not signed any agreement with the Karnataka government.",
     [], [("Flipkart", "signedMOU", "*")]),
    # --- listedOn ------------------------------------------------------------------------
    ("listed-open-store", "Burberry opened an official flagship store on Tmall in 2014.",
     [("Burberry", "listedOn", "Tmall")], []),
    ("listed-include-list", "French brands listed on Tmall include Lacoste, Clarins and L'Oreal.",
     [("Lacoste", "listedOn", "Tmall"), ("Clarins", "listedOn", "Tmall"),
      ("L'Oréal", "listedOn", "Tmall")], []),
    ("listed-hedge", "Gucci and Prada may someday open their own official shops on Tmall.",
     [], [("Gucci", "listedOn", "Tmall"), ("Prada", "listedOn", "Tmall")]),
    ("listed-plan", "Loewe plans to open a store on JD.com next year.",
     [], [("Loewe", "listedOn", "JD.com")]),
    ("listed-exit", "Coach closed its Tmall shop last year.",
     [], [("Coach", "listedOn", "Tmall")]),
    ("listed-exit-with-earlier-opening", "Nike, which had sold its shoes on Amazon since 2017, "
     "said it would stop selling there.",
     [("Nike", "listedOn", "Amazon")], []),
    ("listed-stock-exchange", "Jumia listed its shares on the New York Stock Exchange in April.",
     [], [("Jumia", "listedOn", "*")]),
    ("listed-counterfeit-victim", "A US firm was sued for selling fake Apple chargers on Amazon.",
     [], [("Apple", "listedOn", "Amazon")]),
    ("listed-negation", "Gucci doesn't operate an official store on Tmall.",
     [], [("Gucci", "listedOn", "Tmall")]),
    ("listed-platform-sells", "Mercado Libre has started selling the jewelry brand Pandora.",
     [("Pandora", "listedOn", "Mercado Libre")], []),
    # --- investedIn ----------------------------------------------------------------------
    ("invest-active", "JD.com has invested $397 million in Farfetch.",
     [("JD.com", "investedIn", "Farfetch")], []),
    ("invest-acquire-passive", "Myntra was acquired by Flipkart in 2014.",
     [("Flipkart", "investedIn", "Myntra")], []),
    ("invest-stake", "Walmart bought a 77% stake in Flipkart for $16 billion.",
     [("Walmart", "investedIn", "Flipkart")], []),
    ("invest-raise-from", "Nykaa has raised $14 million from TPG Growth.",
     [("TPG Growth", "investedIn", "Nykaa")], []),
    ("invest-backers", "Lazada's backers include Tesco and Kinnevik.",
     [("Tesco", "investedIn", "Lazada"), ("Kinnevik", "investedIn", "Lazada")], []),
    ("invest-talks", "Walmart is reportedly in talks to buy a stake in Flipkart.",
     [], [("Walmart", "investedIn", "Flipkart")]),
    ("invest-may", "Tencent may take a 16 percent stake in JD.com.",
     [], [("Tencent", "investedIn", "JD.com")]),
    ("invest-denied", "Alibaba denied that it had invested in Yoox Net-a-Porter.",
     [], [("Alibaba Group", "investedIn", "*")]),
    ("invest-agreed-not-closed", "Google and Temasek have agreed to invest $350 million in "
     "Tokopedia.", [], [("Google", "investedIn", "Tokopedia")]),
    ("invest-coreference", "Farfetch said on Thursday that JD.com has invested $397 million in "
     "the company.", [("JD.com", "investedIn", "Farfetch")], []),
    # --- fightsCounterfeitWith -------------------------------------------------------------
    ("fcw-deal-against-fakes", "Last year, Alibaba signed a deal with LVMH to fight fakes on its "
     "sites.", [("Alibaba Group", "fightsCounterfeitWith", "LVMH")], []),
    ("fcw-joint-lawsuit", "Amazon and Nite Ize filed a lawsuit against sellers of counterfeit "
     "goods.", [("Amazon", "fightsCounterfeitWith", "Nite Ize")], []),
    ("fcw-adversarial", "Kering sued Alibaba over counterfeit goods sold on Taobao.",
     [], [("Kering", "fightsCounterfeitWith", "Alibaba Group")]),
    ("fcw-alliance-members", "Alibaba launched an anti-counterfeiting alliance. Louis Vuitton, "
     "Samsung and Swarovski are members of the alliance.",
     [("Alibaba Group", "fightsCounterfeitWith", "Louis Vuitton"),
      ("Alibaba Group", "fightsCounterfeitWith", "Samsung"),
      ("Alibaba Group", "fightsCounterfeitWith", "Swarovski")],
     [("Louis Vuitton", "fightsCounterfeitWith", "Samsung")]),
    # --- operates --------------------------------------------------------------------------
    ("operates-possessive", "Alibaba's Tmall controls half of online retail sales.",
     [("Alibaba Group", "operates", "Tmall")], []),
    ("operates-hyphen", "Alibaba-owned Tmall launched its Luxury Pavilion in 2017.",
     [("Alibaba Group", "operates", "Tmall")], []),
    ("operates-unit", "Shopee, a unit of Sea Ltd., grew quickly.",
     [("Sea Limited", "operates", "Shopee")], []),
    ("operates-not-brand", "LVMH's Tag Heuer opened a store on Tmall.",
     [("TAG Heuer", "listedOn", "Tmall")], [("LVMH", "operates", "*")]),
]


@pytest.fixture(scope="module")
def project_pipeline():
    from kg.nlp import DEFAULT_MODEL, load_pipeline

    return load_pipeline(DEFAULT_MODEL)  # the project's own gazetteers


def _facts(pipeline, text: str, statuses=frozenset({ASSERTED})):
    nlp, gazetteer = pipeline
    article = Article("case", text)
    return list(extract(nlp(text), article, gazetteer, statuses=statuses))


def _match(triple, s: str, r: str, o: str) -> bool:
    def same(entity, text_name, wanted):
        return wanted == "*" or normalise(wanted) in (normalise(entity.name), normalise(text_name))

    if triple.relation != r:
        return False
    if same(triple.subject, triple.subject_text, s) and same(triple.object, triple.object_text, o):
        return True
    return r in SYMMETRIC and same(triple.subject, triple.subject_text, o) and \
        same(triple.object, triple.object_text, s)


@pytest.mark.parametrize("case_id,text,required,forbidden", CASES, ids=[c[0] for c in CASES])
def test_case(project_pipeline, case_id, text, required, forbidden):
    facts = _facts(project_pipeline, text)
    found = [(t.subject.name, t.relation, t.object.name) for t in facts]
    for fact in required:
        assert any(_match(t, *fact) for t in facts), f"missing {fact}; found {found}"
    for fact in forbidden:
        assert not any(_match(t, *fact) for t in facts), f"should not extract {fact}; found {found}"


def test_hedged_facts_are_kept_with_their_status(project_pipeline):
    text = "Walmart is reportedly in talks to buy a stake in Flipkart."
    facts = _facts(project_pipeline, text, statuses=frozenset(STATUSES))
    statuses = {t.status for t in facts if _match(t, "Walmart", "investedIn", "Flipkart")}
    assert statuses == {"hedged"}


def test_offsets_point_at_the_sentence(project_pipeline):
    text = "Jumia is growing. JD.com has invested $397 million in Farfetch. Shares rose."
    (fact,) = [t for t in _facts(project_pipeline, text) if t.relation == "investedIn"]
    assert text[fact.start:fact.end].strip() == fact.sentence == "JD.com has invested $397 million in Farfetch."
    assert fact.attributes.amount == 397_000_000 and fact.attributes.currency == "USD"
