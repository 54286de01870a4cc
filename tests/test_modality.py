"""kg.modality.status_of: is the statement a trigger word makes asserted, hedged, negated
or adversarial?

RELATIONS.md: a triple is extracted only for a fact the article asserts as having
happened or holding now; plans, talks, rumours, conditionals and negations give
nothing, and suing / accusing is adversarial, not cooperation.

Most tests build the Doc by hand (``make_doc``, rows ``word lemma POS TAG dep head``,
heads as absolute indices) so that each states the parse it relies on; a few at the
end run the real parser end to end.
"""
from __future__ import annotations

import pytest

from kg.modality import cues, status_of
from kg.records import ADVERSARIAL, ASSERTED, HEDGED, NEGATED, STATUSES


def status(make_doc, table: str, trigger: int) -> str:
    return status_of(make_doc(table)[trigger])


# --------------------------------------------------------------------- hedged

GUCCI_MAY_OPEN = """
Gucci  Gucci  PROPN NNP nsubj 2
may    may    AUX   MD  aux   2
open   open   VERB  VB  ROOT  2
a      a      DET   DT  det   4
store  store  NOUN  NN  dobj  2
on     on     ADP   IN  prep  2
Tmall  Tmall  PROPN NNP pobj  5
.      .      PUNCT .   punct 2
"""

GUCCI_OPENED = """
Gucci  Gucci  PROPN NNP nsubj 1
opened open   VERB  VBD ROOT  1
a      a      DET   DT  det   3
store  store  NOUN  NN  dobj  1
on     on     ADP   IN  prep  1
Tmall  Tmall  PROPN NNP pobj  4
.      .      PUNCT .   punct 1
"""


def test_modal_auxiliary_hedges_the_verb(make_doc):
    assert status(make_doc, GUCCI_MAY_OPEN, 2) == HEDGED


def test_object_noun_inherits_the_modality_of_its_verb(make_doc):
    # "store" is the object of "may open": the event noun is hedged with its verb.
    assert status(make_doc, GUCCI_MAY_OPEN, 4) == HEDGED


def test_plain_past_tense_is_asserted(make_doc):
    assert status(make_doc, GUCCI_OPENED, 1) == ASSERTED
    assert status(make_doc, GUCCI_OPENED, 3) == ASSERTED


# "Walmart is in talks to invest in Flipkart", with "invest" under "talks" (acl, the
# small model's parse) or under "is" (xcomp): hedged either way.
IN_TALKS_ACL = """
Walmart   Walmart  PROPN NNP nsubj 1
is        be       AUX   VBZ ROOT  1
in        in       ADP   IN  prep  1
talks     talk     NOUN  NNS pobj  2
to        to       PART  TO  aux   5
invest    invest   VERB  VB  acl   3
in        in       ADP   IN  prep  5
Flipkart  Flipkart PROPN NNP pobj  6
.         .        PUNCT .   punct 1
"""
IN_TALKS_XCOMP = IN_TALKS_ACL.replace("VB  acl   3", "VB  xcomp 1")


@pytest.mark.parametrize("table", [IN_TALKS_ACL, IN_TALKS_XCOMP], ids=["acl", "xcomp"])
def test_in_talks_to_invest_is_hedged(make_doc, table):
    assert status(make_doc, table, 5) == HEDGED


PLANS_TO_INVEST = """
Alibaba  Alibaba PROPN NNP nsubj 1
plans    plan    VERB  VBZ ROOT  1
to       to      PART  TO  aux   3
invest   invest  VERB  VB  xcomp 1
in       in      ADP   IN  prep  3
Lazada   Lazada  PROPN NNP pobj  4
.        .       PUNCT .   punct 1
"""


def test_plan_governing_the_trigger_hedges_it(make_doc):
    assert status(make_doc, PLANS_TO_INVEST, 3) == HEDGED


REPORTEDLY_INVESTED = """
Alibaba     Alibaba    PROPN NNP nsubj  2
reportedly  reportedly ADV   RB  advmod 2
invested    invest     VERB  VBD ROOT   2
in          in         ADP   IN  prep   2
Lazada      Lazada     PROPN NNP pobj   3
.           .          PUNCT .   punct  2
"""


def test_rumour_adverb_hedges(make_doc):
    assert status(make_doc, REPORTEDLY_INVESTED, 2) == HEDGED


IF_ALIBABA_INVESTS = """
If       if      SCONJ IN  mark   2
Alibaba  Alibaba PROPN NNP nsubj  2
invests  invest  VERB  VBZ advcl  9
in       in      ADP   IN  prep   2
Lazada   Lazada  PROPN NNP pobj   3
,        ,       PUNCT ,   punct  9
prices   price   NOUN  NNS nsubj  9
will     will    AUX   MD  aux    9
quickly  quickly ADV   RB  advmod 9
fall     fall    VERB  VB  ROOT   9
.        .       PUNCT .   punct  9
"""


def test_conditional_clause_is_hedged(make_doc):
    assert status(make_doc, IF_ALIBABA_INVESTS, 2) == HEDGED


POTENTIAL_INVESTMENT = """
Alibaba     Alibaba    PROPN NNP nsubj 1
announced   announce   VERB  VBD ROOT  1
a           a          DET   DT  det   4
potential   potential  ADJ   JJ  amod  4
investment  investment NOUN  NN  dobj  1
in          in         ADP   IN  prep  4
Lazada      Lazada     PROPN NNP pobj  5
.           .          PUNCT .   punct 1
"""


def test_potential_investment_is_hedged(make_doc):
    assert status(make_doc, POTENTIAL_INVESTMENT, 4) == HEDGED


# Headline style: "Thai government to sign deal with Alibaba" is a plan.
HEADLINE_TO_SIGN = """
Thai        Thai       ADJ   JJ  amod  1
government  government NOUN  NN  nsubj 3
to          to         PART  TO  aux   3
sign        sign       VERB  VB  ROOT  3
deal        deal       NOUN  NN  dobj  3
with        with       ADP   IN  prep  3
Alibaba     Alibaba    PROPN NNP pobj  5
"""
HEADLINE_SIGNS = """
Thai        Thai       ADJ   JJ  amod  1
government  government NOUN  NN  nsubj 2
signs       sign       VERB  VBZ ROOT  2
deal        deal       NOUN  NN  dobj  2
with        with       ADP   IN  prep  2
Alibaba     Alibaba    PROPN NNP pobj  4
"""


def test_headline_bare_infinitive_is_hedged(make_doc):
    assert status(make_doc, HEADLINE_TO_SIGN, 3) == HEDGED


def test_headline_present_tense_is_asserted(make_doc):
    assert status(make_doc, HEADLINE_SIGNS, 2) == ASSERTED


NO_PLANS_TO_LIST = """
Gucci  Gucci PROPN NNP nsubj 1
has    have  VERB  VBZ ROOT  1
no     no    DET   DT  det   3
plans  plan  NOUN  NNS dobj  1
to     to    PART  TO  aux   5
list   list  VERB  VB  acl   3
on     on    ADP   IN  prep  5
Tmall  Tmall PROPN NNP pobj  6
.      .     PUNCT .   punct 1
"""


def test_no_plans_to_list_is_not_asserted(make_doc):
    # RELATIONS.md: neither a plan nor a negation is a fact. The code reads the
    # "plans" noun first (hedged); negated would be as good.
    assert status(make_doc, NO_PLANS_TO_LIST, 5) in (HEDGED, NEGATED)


# A shared modal or plan still reaches the second of two coordinated verbs.
MAY_OPEN_AND_HIRE = """
Gucci  Gucci PROPN NNP  nsubj 2
may    may   AUX   MD   aux   2
open   open  VERB  VB   ROOT  2
a      a     DET   DT   det   4
store  store NOUN  NN   dobj  2
and    and   CCONJ CC   cc    2
hire   hire  VERB  VB   conj  2
staff  staff NOUN  NN   dobj  6
.      .     PUNCT .    punct 2
"""
PLANS_TO_OPEN_AND_RUN = """
Alibaba  Alibaba PROPN NNP  nsubj 1
plans    plan    VERB  VBZ  ROOT  1
to       to      PART  TO   aux   3
open     open    VERB  VB   xcomp 1
and      and     CCONJ CC   cc    3
run      run     VERB  VB   conj  3
a        a       DET   DT   det   7
store    store   NOUN  NN   dobj  5
.        .       PUNCT .    punct 1
"""


@pytest.mark.parametrize("table, trigger", [(MAY_OPEN_AND_HIRE, 6), (PLANS_TO_OPEN_AND_RUN, 5)],
                         ids=["may-open-and-hire", "plans-to-open-and-run"])
def test_modality_is_shared_by_coordinated_verbs(make_doc, table, trigger):
    assert status(make_doc, table, trigger) == HEDGED


# Same words, but the prepositional complement of "talks": still talks, not a deal.
IN_TALKS_ABOUT_INVESTING = """
Walmart    Walmart  PROPN NNP nsubj 1
is         be       AUX   VBZ ROOT  1
in         in       ADP   IN  prep  1
talks      talk     NOUN  NNS pobj  2
about      about    ADP   IN  prep  3
investing  invest   VERB  VBG pcomp 4
in         in       ADP   IN  prep  5
Flipkart   Flipkart PROPN NNP pobj  6
.          .        PUNCT .   punct 1
"""


def test_in_talks_about_investing_is_hedged(make_doc):
    # The trigger is a pcomp under a preposition; "pcomp" is in SCOPING, so the climb
    # is meant to go through the preposition to "talks".
    assert status(make_doc, IN_TALKS_ABOUT_INVESTING, 5) == HEDGED


# ------------------------------------------------------------------- negated

DENIED_THAT = """
Alibaba   Alibaba PROPN NNP nsubj 1
denied    deny    VERB  VBD ROOT  1
that      that    SCONJ IN  mark  4
it        it      PRON  PRP nsubj 4
invested  invest  VERB  VBD ccomp 1
in        in      ADP   IN  prep  4
Lazada    Lazada  PROPN NNP pobj  5
.         .       PUNCT .   punct 1
"""
SAID_THAT = DENIED_THAT.replace("denied    deny ", "said      say  ")


def test_denial_negates_the_clause_it_governs(make_doc):
    assert status(make_doc, DENIED_THAT, 4) == NEGATED


def test_reporting_verb_keeps_the_clause_asserted(make_doc):
    assert "said" in SAID_THAT
    assert status(make_doc, SAID_THAT, 4) == ASSERTED


DID_NOT_INVEST = """
Alibaba  Alibaba PROPN NNP nsubj 3
did      do      AUX   VBD aux   3
not      not     PART  RB  neg   3
invest   invest  VERB  VB  ROOT  3
in       in      ADP   IN  prep  3
Lazada   Lazada  PROPN NNP pobj  4
.        .       PUNCT .   punct 3
"""
NEVER_INVESTED = """
Alibaba   Alibaba PROPN NNP nsubj  2
never     never   ADV   RB  neg    2
invested  invest  VERB  VBD ROOT   2
in        in      ADP   IN  prep   2
Lazada    Lazada  PROPN NNP pobj   3
.         .       PUNCT .   punct  2
"""


@pytest.mark.parametrize("table, trigger", [(DID_NOT_INVEST, 3), (NEVER_INVESTED, 2),
                                            (NEVER_INVESTED.replace("neg ", "advmod"), 2)],
                         ids=["not", "never-neg", "never-advmod"])
def test_negation_on_the_trigger(make_doc, table, trigger):
    assert status(make_doc, table, trigger) == NEGATED


DECLINED_TO_JOIN = """
Alibaba   Alibaba  PROPN NNP nsubj 1
declined  decline  VERB  VBD ROOT  1
to        to       PART  TO  aux   3
join      join     VERB  VB  xcomp 1
the       the      DET   DT  det   5
alliance  alliance NOUN  NN  dobj  3
.         .        PUNCT .   punct 1
"""


def test_declined_to_join_is_negated(make_doc):
    assert status(make_doc, DECLINED_TO_JOIN, 3) == NEGATED


# "Since Burberry's move to set up shop on Tmall, other brands have been reluctant to
# follow suit.": the reluctance is the other brands', not Burberry's.
SINCE_BURBERRYS_MOVE = """
Since      since      SCONJ IN  prep   14
Burberry   Burberry   PROPN NNP poss   3
's         's         PART  POS case   1
move       move       NOUN  NN  pobj   0
to         to         PART  TO  aux    5
set        set        VERB  VB  acl    3
up         up         ADP   RP  prt    5
shop       shop       NOUN  NN  dobj   5
on         on         ADP   IN  prep   5
Tmall      Tmall      PROPN NNP pobj   8
,          ,          PUNCT ,   punct  14
other      other      ADJ   JJ  amod   12
brands     brand      NOUN  NNS nsubj  14
have       have       AUX   VBP aux    14
been       be         AUX   VBN ROOT   14
reluctant  reluctant  ADJ   JJ  acomp  14
to         to         PART  TO  aux    17
follow     follow     VERB  VB  xcomp  15
suit       suit       NOUN  NN  dobj   17
.          .          PUNCT .   punct  14
"""


def test_move_to_set_up_shop_is_asserted(make_doc):
    # acl under an ordinary noun ("move"): the climb stops there.
    assert status(make_doc, SINCE_BURBERRYS_MOVE, 5) == ASSERTED


def test_reluctant_to_follow_is_negated(make_doc):
    assert status(make_doc, SINCE_BURBERRYS_MOVE, 17) == NEGATED


CLOSED_ITS_SHOP = """
Burberry  Burberry PROPN NNP nsubj 1
closed    close    VERB  VBD ROOT  1
its       its      PRON  PRP$ poss 4
Tmall     Tmall    PROPN NNP compound 4
shop      shop     NOUN  NN  dobj  1
.         .        PUNCT .   punct 1
"""


def test_closing_a_shop_is_an_exit_not_a_listing(make_doc):
    assert status(make_doc, CLOSED_ITS_SHOP, 4) == NEGATED
    assert status(make_doc, CLOSED_ITS_SHOP.replace("closed    close", "opened    open "), 4) \
        == ASSERTED


# ---------------------------------------------------------------- adversarial

SUED_CLAIMING = """
Kering          Kering        PROPN NNP nsubj 1
sued            sue           VERB  VBD ROOT  1
Alibaba         Alibaba       PROPN NNP dobj  1
,               ,             PUNCT ,   punct 1
claiming        claim         VERB  VBG advcl 1
it              it            PRON  PRP nsubj 6
worked          work          VERB  VBD ccomp 4
with            with          ADP   IN  prep  6
counterfeiters  counterfeiter NOUN  NNS pobj  7
.               .             PUNCT .   punct 1
"""


def test_statement_under_a_lawsuit_is_adversarial(make_doc):
    # "worked" -> ccomp "claiming" -> advcl "sued": two steps up to the cue.
    assert status(make_doc, SUED_CLAIMING, 6) == ADVERSARIAL


ACCUSED_OF_WORKING = """
Kering          Kering        PROPN NNP nsubj 1
accused         accuse        VERB  VBD ROOT  1
Alibaba         Alibaba       PROPN NNP dobj  1
of              of            ADP   IN  prep  1
working         work          VERB  VBG pcomp 3
with            with          ADP   IN  prep  4
counterfeiters  counterfeiter NOUN  NNS pobj  5
.               .             PUNCT .   punct 1
"""


def test_accused_of_is_adversarial(make_doc):
    # RELATIONS.md: "Not: X suing Y, accusing Y". The trigger is a pcomp of "of".
    assert status(make_doc, ACCUSED_OF_WORKING, 4) == ADVERSARIAL


# ---------------------------------------- cues on one verb do not leak to another

# "Kering sued Alibaba in 2015 but signed a deal with it in 2017."
SUED_BUT_SIGNED = """
Kering  Kering  PROPN NNP nsubj 1
sued    sue     VERB  VBD ROOT  1
Alibaba Alibaba PROPN NNP dobj  1
in      in      ADP   IN  prep  1
2015    2015    NUM   CD  pobj  3
but     but     CCONJ CC  cc    1
signed  sign    VERB  VBD conj  1
a       a       DET   DT  det   8
deal    deal    NOUN  NN  dobj  6
with    with    ADP   IN  prep  6
it      it      PRON  PRP pobj  9
in      in      ADP   IN  prep  6
2017    2017    NUM   CD  pobj  11
.       .       PUNCT .   punct 1
"""
# "Burberry closed its London store and opened a flagship on Tmall."
CLOSED_AND_OPENED = """
Burberry  Burberry PROPN NNP  nsubj    1
closed    close    VERB  VBD  ROOT     1
its       its      PRON  PRP$ poss     4
London    London   PROPN NNP  compound 4
store     store    NOUN  NN   dobj     1
and       and      CCONJ CC   cc       1
opened    open     VERB  VBD  conj     1
a         a        DET   DT   det      8
flagship  flagship NOUN  NN   dobj     6
on        on       ADP   IN   prep     6
Tmall     Tmall    PROPN NNP  pobj     9
.         .        PUNCT .    punct    1
"""
# "Burberry set up shop on Tmall in 2014 and launched a WeChat boutique."
SET_UP_AND_LAUNCHED = """
Burberry  Burberry PROPN NNP nsubj    1
set       set      VERB  VBD ROOT     1
up        up       ADP   RP  prt      1
shop      shop     NOUN  NN  dobj     1
on        on       ADP   IN  prep     1
Tmall     Tmall    PROPN NNP pobj     4
in        in       ADP   IN  prep     1
2014      2014     NUM   CD  pobj     6
and       and      CCONJ CC  cc       1
launched  launch   VERB  VBD conj     1
a         a        DET   DT  det      12
WeChat    WeChat   PROPN NNP compound 12
boutique  boutique NOUN  NN  dobj     9
.         .        PUNCT .   punct    1
"""


@pytest.mark.parametrize("table, trigger", [(SUED_BUT_SIGNED, 6), (CLOSED_AND_OPENED, 6),
                                            (SET_UP_AND_LAUNCHED, 9)],
                         ids=["sued-but-signed", "closed-and-opened", "set-up-and-launched"])
def test_second_conjunct_is_not_governed_by_the_first_verbs_meaning(make_doc, table, trigger):
    # A conj is a sister clause: an aux or negation may be shared ("may open and hire",
    # tested above), but the first verb's own meaning (sue, close, set) does not make
    # the second one adversarial, negated or hedged.
    assert status(make_doc, table, trigger) == ASSERTED


def test_the_first_conjunct_keeps_its_own_status(make_doc):
    # Control for the test above: the cue words themselves still count on their clause.
    assert status(make_doc, CLOSED_AND_OPENED, 4) == NEGATED  # "closed its London store"


def test_set_up_shop_is_a_listing(make_doc):
    # "set" is a hedge only as "set to" (xcomp); the noun "shop" is the object of
    # "set up", the phrase RELATIONS.md gives as a listing.
    assert status(make_doc, SET_UP_AND_LAUNCHED, 3) == ASSERTED


CLOSED_ITS_ACQUISITION = """
Alibaba      Alibaba     PROPN NNP  nsubj 1
closed       close       VERB  VBD  ROOT  1
its          its         PRON  PRP$ poss  3
acquisition  acquisition NOUN  NN   dobj  1
of           of          ADP   IN   prep  3
Lazada       Lazada      PROPN NNP  pobj  4
.            .           PUNCT .    punct 1
"""


def test_closing_an_acquisition_completes_it(make_doc):
    # Closing a deal is finishing it, unlike closing a shop: the investedIn rules say so.
    from kg.extract import load_rules

    asserts = next(r.asserts for r in load_rules() if r.id == "investedIn.investment_nominal")
    doc = make_doc(CLOSED_ITS_ACQUISITION)
    assert status_of(doc[3], asserting=asserts) == ASSERTED
    assert status_of(doc[3]) == NEGATED  # without the rule's word list, "close" is an exit


ADVERB_ACQUIRED = """
Alibaba   Alibaba   PROPN NNP nsubj  2
{adv:<9} {adv:<9} ADV   RB  advmod 2
acquired  acquire   VERB  VBD ROOT   2
Lazada    Lazada    PROPN NNP dobj   2
.         .         PUNCT .   punct  2
"""


@pytest.mark.parametrize("adverb", ["eventually", "soon"])
def test_time_adverb_on_a_past_tense_verb_is_asserted(make_doc, adverb):
    # "Alibaba eventually acquired Lazada" happened; "may eventually" is a plan (the
    # modal says so), and "reportedly acquired" a rumour (test_rumour_adverb_hedges).
    doc = make_doc(ADVERB_ACQUIRED.format(adv=adverb))
    assert (doc[1].text, doc[1].dep_, doc[2].tag_) == (adverb, "advmod", "VBD")
    assert status_of(doc[2]) == ASSERTED


# ------------------------------------------------------------------- lexicon

def test_cue_lexicon_is_lower_case_and_each_word_has_one_status():
    c = cues()
    assert set(c) <= set(STATUSES)
    owner: dict[str, str] = {}
    for st, groups in c.items():
        for group, words in groups.items():
            assert words, f"{st}.{group} is empty"
            for w in words:
                assert w == w.lower(), f"{st}.{group}: {w!r} is not lower case"
                assert owner.setdefault(w, st) == st, f"{w!r} is both {owner[w]} and {st}"


# ---------------------------------------------------------------- end to end

@pytest.mark.parametrize("text, trigger, expected", [
    ("Gucci may open a store on Tmall.", "open", HEDGED),
    ("Gucci opened a store on Tmall.", "opened", ASSERTED),
    ("Walmart is in talks to invest in Flipkart.", "invest", HEDGED),
    ("Alibaba plans to invest in Lazada.", "invest", HEDGED),
    ("Alibaba denied that it invested in Lazada.", "invested", NEGATED),
    ("Alibaba did not invest in Lazada.", "invest", NEGATED),
    ("Other brands have been reluctant to follow suit.", "follow", NEGATED),
    ("Thai government to sign deal with Alibaba", "sign", HEDGED),
    ("Alibaba signed an MOU with the Malaysian Franchise Association.", "signed", ASSERTED),
])
def test_status_with_the_real_parser(nlp, text, trigger, expected):
    doc = nlp(text)
    (tok,) = [t for t in doc if t.text == trigger]
    assert status_of(tok) == expected
