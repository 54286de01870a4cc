"""kg.mentions: which named entities a token stands for.

Canonicalisation ("Alibaba" and "Alibaba Group Holding Ltd." are one entity), acronyms
defined in the text, pronouns and descriptions resolved to a named antecedent, and the
members of a written list. Tests with the real pipeline use the test gazetteer (see
``tests/data/gazetteer/README.md``); the list tests build their Doc by hand so that
they state the parse they rely on.
"""
from __future__ import annotations

import pytest

from kg.gazetteer import Gazetteer
from kg.mentions import Mentions


def names(mentions) -> list[str]:
    return [m.entity.name for m in mentions]


def token(doc, text: str, nth: int = 0):
    return [t for t in doc if t.text == text][nth]


@pytest.fixture
def parse(nlp, gazetteer):
    def run(text: str):
        doc = nlp(text)
        return doc, Mentions(doc, gazetteer)
    return run


# ---------------------------------------------------------- canonical names

LEGAL_NAME = "Alibaba Group Holding Ltd. bought a stake in Lazada. Later, Alibaba said it was pleased."


def test_alias_and_legal_name_are_one_gazetteer_entity(parse):
    doc, m = parse(LEGAL_NAME)
    alibaba = [x for x in m.mentions if x.entity.name == "Alibaba Group"]
    assert [x.text for x in alibaba] == ["Alibaba Group Holding Ltd.", "Alibaba"]  # suffix kept
    assert {x.entity for x in alibaba} == {x.entity for x in alibaba[:1]}
    assert alibaba[0].entity.qid == "Q1359568"
    assert m.surface(alibaba[0].entity) in doc.text


def test_head_of_a_legal_name_resolves_to_the_entity(parse):
    # The subject of "bought" is the whole name; spaCy makes its last word, "Ltd.", the
    # head. Resolving that head must give Alibaba Group, not a company called "Ltd".
    doc, m = parse(LEGAL_NAME)
    (subject,) = [t for t in token(doc, "bought").children if t.dep_ == "nsubj"]
    assert subject.i <= 3  # somewhere in "Alibaba Group Holding Ltd."
    assert names(m.resolve(subject)) == ["Alibaba Group"]


def test_ner_only_names_are_canonicalised_within_the_article(make_doc):
    # No gazetteer entry: "Coupang Corp." and "Coupang" still name one entity, called by
    # the fullest name the article uses.
    doc = make_doc("""
        Coupang  Coupang PROPN NNP compound 1 B-ORG
        Corp.    Corp.   PROPN NNP nsubj    2 I-ORG
        bought   buy     VERB  VBD ROOT     2
        a        a       DET   DT  det      4
        stake    stake   NOUN  NN  dobj     2
        .        .       PUNCT .   punct    2
        Later    later   ADV   RB  advmod   8
        Coupang  Coupang PROPN NNP nsubj    8 B-ORG
        said     say     VERB  VBD ROOT     8
        so       so      ADV   RB  advmod   8
        .        .       PUNCT .   punct    8
    """)
    m = Mentions(doc, Gazetteer.from_records([]))
    assert [(x.start, x.end) for x in m.mentions] == [(0, 2), (7, 8)]
    first, second = m.mentions
    assert first.entity == second.entity
    assert (first.entity.name, first.entity.type) == ("Coupang Corp", "Organization")
    assert m.surface(second.entity) == "Coupang Corp"


def test_possessive_is_not_part_of_the_name(parse):
    doc, m = parse("Alibaba's Tmall opened a pavilion for Gucci.")
    alibaba = m.at(0)
    assert (alibaba.text, alibaba.start, alibaba.end) == ("Alibaba", 0, 1)
    assert m.at(1) is None  # "'s"
    assert names(m.in_span(0, len(doc))) == ["Alibaba Group", "Tmall", "Gucci"]


def test_agreement_words_are_not_organisations(parse):
    doc, m = parse("Alibaba signed an MOU with the Malaysian Franchise Association.")
    assert names(m.mentions) == ["Alibaba Group", "Malaysian Franchise Association"]
    assert m.resolve(token(doc, "MOU")) == []


# ------------------------------------------------------------------ acronyms

def test_acronym_defined_in_brackets_names_the_entity_later(parse):
    doc, m = parse("The Malaysian Franchise Association (MFA) signed an MOU with Alibaba. "
                   "MFA said the deal would help its members.")
    later = token(doc, "MFA", 1)
    assert later.sent.start > token(doc, "MFA", 0).sent.start
    assert names(m.resolve(later)) == ["Malaysian Franchise Association"]
    assert m.at(later.i).entity == m.at(token(doc, "Association").i).entity


def test_acronym_without_a_definition_is_not_guessed(parse):
    doc, m = parse("Alibaba signed an MOU with Lazada. MFA said it was pleased.")
    assert "Malaysian Franchise Association" not in names(m.mentions)


# ------------------------------------------------------------------ pronouns

PRONOUNS = ("Alibaba signed a deal with JD.com. It said the deal was good. "
            "The company also said it was pleased.")


def test_pronoun_refers_to_the_previous_sentences_subject(parse):
    # JD.com is nearer, but Alibaba is the subject: "It" is Alibaba.
    doc, m = parse(PRONOUNS)
    assert names(m.resolve(token(doc, "It"))) == ["Alibaba Group"]


def test_definite_description_refers_to_the_subject(parse):
    doc, m = parse(PRONOUNS)
    assert names(m.resolve(token(doc, "company"))) == ["Alibaba Group"]
    assert names(m.resolve(token(doc, "it"))) == ["Alibaba Group"]


def test_pronoun_resolution_excludes_the_other_party(parse):
    # "Alibaba ... said it" for the object of a relation whose subject is Alibaba:
    # the excluded name is skipped, the next candidate taken.
    doc, m = parse(PRONOUNS)
    assert names(m.resolve(token(doc, "It"), exclude=frozenset({"Alibaba Group"}))) == ["JD.com"]


def test_pronoun_without_a_named_antecedent_resolves_to_nothing(parse):
    doc, m = parse("It rained all week. It was cold.")
    assert m.resolve(doc[0]) == [] and m.resolve(token(doc, "It", 1)) == []


def test_indefinite_description_is_not_resolved(parse):
    doc, m = parse("Alibaba opened a lab. A company said it was late.")
    assert m.resolve(token(doc, "company")) == []


# --------------------------------------------------------------------- lists

def test_list_members_with_the_real_parser(parse):
    doc, m = parse("Gucci, Prada and Burberry opened stores on Tmall.")
    for member in ("Gucci", "Prada", "Burberry"):
        assert sorted(names(m.resolve(token(doc, member)))) == ["Burberry", "Gucci", "Prada"]
    assert names(m.resolve(token(doc, "Tmall"))) == ["Tmall"]
    assert names(m.resolve(token(doc, "Gucci"), lists=False)) == ["Gucci"]


def test_brands_such_as_a_list(parse):
    doc, m = parse("Luxury brands such as Gucci, Prada and Burberry opened stores on Tmall.")
    assert sorted(names(m.resolve(token(doc, "brands")))) == ["Burberry", "Gucci", "Prada"]


def brand_ents(rows: str) -> str:
    """Mark the test gazetteer's names in a table as single-token entities."""
    kinds = {"Gucci": "Brand", "Prada": "Brand", "Burberry": "Brand", "Tmall": "Marketplace",
             "Lazada": "Marketplace"}
    out = []
    for line in rows.strip().splitlines():
        word = line.split()[0]
        out.append(f"{line} B-{kinds[word]}" if word in kinds else line)
    return "\n".join(out)


# "Gucci, Prada, and Burberry opened stores on Tmall." (serial comma)
SERIAL_COMMA = brand_ents("""
Gucci     Gucci    PROPN NNP nsubj 6
,         ,        PUNCT ,   punct 0
Prada     Prada    PROPN NNP conj  0
,         ,        PUNCT ,   punct 2
and       and      CCONJ CC  cc    2
Burberry  Burberry PROPN NNP conj  2
opened    open     VERB  VBD ROOT  6
stores    store    NOUN  NNS dobj  6
on        on       ADP   IN  prep  6
Tmall     Tmall    PROPN NNP pobj  8
.         .        PUNCT .   punct 6
""")


def test_serial_comma_list_keeps_its_last_member(make_doc, gazetteer):
    doc = make_doc(SERIAL_COMMA)
    m = Mentions(doc, gazetteer)
    assert names(m.mentions) == ["Gucci", "Prada", "Burberry", "Tmall"]
    for i in (0, 2, 5):
        assert names(m.list_members(m.at(i))) == ["Gucci", "Prada", "Burberry"], doc[i].text


# "Gucci opened a store on Tmall, and Prada opened a store on Lazada."
TWO_CLAUSES = brand_ents("""
Gucci   Gucci  PROPN NNP nsubj 1
opened  open   VERB  VBD ROOT  1
a       a      DET   DT  det   3
store   store  NOUN  NN  dobj  1
on      on     ADP   IN  prep  1
Tmall   Tmall  PROPN NNP pobj  4
,       ,      PUNCT ,   punct 1
and     and    CCONJ CC  cc    1
Prada   Prada  PROPN NNP nsubj 9
opened  open   VERB  VBD conj  1
a       a      DET   DT  det   11
store   store  NOUN  NN  dobj  9
on      on     ADP   IN  prep  9
Lazada  Lazada PROPN NNP pobj  12
.       .      PUNCT .   punct 1
""")


def test_a_list_does_not_run_across_clauses(make_doc, gazetteer):
    # Tmall ends the first clause and Prada starts the second: no list in either direction
    # (else "Prada opened a store on Lazada" also lists Tmall on Lazada).
    doc = make_doc(TWO_CLAUSES)
    m = Mentions(doc, gazetteer)
    assert names(m.list_members(m.at(5))) == ["Tmall"]
    assert names(m.list_members(m.at(8))) == ["Prada"]
    assert names(m.resolve(doc[8])) == ["Prada"]


def test_two_clauses_with_the_real_parser(parse):
    doc, m = parse("Gucci opened a store on Tmall, and Prada opened a store on Lazada.")
    assert names(m.resolve(token(doc, "Prada"))) == ["Prada"]
    assert names(m.resolve(token(doc, "Tmall"))) == ["Tmall"]
