"""Relation extraction: parsed article in, :class:`~kg.records.Triple` records out.

The rules are data (``kg/patterns/relations.json``); this module is the generic
runner. A rule names trigger words and, for each side of the relation, the
grammatical *roles* to read it from: ``agent`` (who does it, through passives,
relative clauses, control verbs and coordination), ``patient`` (what it is done
to), ``prep:with`` (the object of a preposition on the trigger or its object),
``poss`` ("Alibaba's investment"), ``platform`` (a marketplace named inside the
object phrase, "its Tmall flagship store"), ``members`` (the items a list names),
and a few more, each a small function below. Every candidate then gets a
modality (:mod:`kg.modality`) and only asserted ones are kept unless asked.

>>> from kg.extract import load_rules
>>> sorted({r.relation for r in load_rules()})
['fightsCounterfeitWith', 'investedIn', 'listedOn', 'operates', 'signedMOU']
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path

from kg.attributes import deal_attributes
from kg.confidence import rule_confidence
from kg.gazetteer import Gazetteer
from kg.mentions import Mention, Mentions
from kg.modality import status_of, word_forms
from kg.records import ASSERTED, SYMMETRIC, Article, Entity, Triple

PATTERNS = Path(__file__).parent / "patterns"
#: Parts of a company one can buy ("the rest of X", "the remainder of X").
PART_NOUNS = {"rest", "remainder", "remaining", "part", "portion", "half", "bulk", "all", "parts",
              "assets", "business", "operations", "unit"}
#: Nouns whose infinitive is done by whoever has them ("talks to buy", "a deal to invest").
EVENT_NOUNS = {"talk", "talks", "negotiation", "negotiations", "discussion", "discussions",
               "deal", "agreement", "plan", "plans", "bid", "offer", "pact", "effort", "move",
               "decision", "option", "right", "intention", "attempt", "proposal"}
PARTNERSHIP_NOUNS = {"partnership", "collaboration", "cooperation", "conjunction", "tandem",
                     "concert", "alliance", "association", "coordination", "cooperation"}
PARTY_TYPES = ("Company", "Brand", "Marketplace", "GovernmentBody", "Country", "Person",
               "Organization")


@dataclass(frozen=True)
class Rule:
    """One extraction pattern, read from ``relations.json``."""

    id: str
    relation: str
    lemmas: frozenset[str]
    pos: frozenset[str]
    subject: tuple[str, ...]
    object: tuple[str, ...] = ()
    object_nouns: str | None = None  # lexicon the trigger's object noun must be in
    object_nouns_exclude: str | None = None
    context: str | None = None  # lexicon a word of the sentence must be in
    without_context: str | None = None
    subject_types: frozenset[str] = frozenset(PARTY_TYPES)
    object_types: frozenset[str] = frozenset(PARTY_TYPES)
    requires: tuple[str, ...] = ()  # extra conditions, by name
    swap: bool = False  # the roles read object first ("X raised money from Y")
    hedges: frozenset[str] = frozenset()  # governing words that make this relation a plan
    context_window: int = 0  # earlier sentences that may supply the context word
    asserts: frozenset[str] = frozenset()  # governing words that complete, not cancel, the fact
    confidence: float = 0.8
    description: str = ""


@lru_cache(maxsize=1)
def lexicons() -> dict[str, frozenset[str]]:
    data = json.loads((PATTERNS / "lexicons.json").read_text(encoding="utf-8"))
    return {k: frozenset(v) for k, v in data.items() if not k.startswith("_")}


@lru_cache(maxsize=1)
def load_rules(path: str | None = None) -> tuple[Rule, ...]:
    """The extraction rules, from ``kg/patterns/relations.json`` (or ``path``)."""
    raw = json.loads(Path(path or PATTERNS / "relations.json").read_text(encoding="utf-8"))
    rules = []
    for r in raw["rules"]:
        rules.append(Rule(
            id=r["id"], relation=r["relation"], lemmas=frozenset(r["lemmas"]),
            pos=frozenset(r.get("pos", ["VERB"])), subject=tuple(r["subject"]),
            object=tuple(r.get("object", ())), object_nouns=r.get("object_nouns"),
            object_nouns_exclude=r.get("object_nouns_exclude"),
            context=r.get("context"), without_context=r.get("without_context"),
            subject_types=frozenset(r.get("subject_types", PARTY_TYPES)),
            object_types=frozenset(r.get("object_types", PARTY_TYPES)),
            requires=tuple(r.get("requires", ())), swap=bool(r.get("swap")),
            hedges=frozenset(r.get("hedges", ())), context_window=int(r.get("context_window", 0)),
            asserts=frozenset(r.get("asserts", ())),
            confidence=float(r.get("confidence", 0.8)), description=r.get("description", "")))
    for rule in rules:
        _check_rule(rule)
    return tuple(rules)


ROLES = {"agent", "patient", "prep", "poss", "compound", "platform", "self", "nsubj_prep",
         "nsubj_poss", "nsubj_members", "dobj_members", "sentence_list", "sentence_platform",
         "members_of", "called_name", "as_on", "preceding_name", "stake_in", "copula_attr",
         "round_owner", "head", "hyphen_prefix", "modified", "organiser"}
REQUIREMENTS = {"jointly", "group", "joint_verb", "intransitive", "platform_head", "not_commercial",
                "named_patient", "round_head", "nsubj_brands", "nsubj_investors", "attr_investor",
                "members", "hyphen", "program_object"}


def _check_rule(rule: Rule) -> None:
    """A rule that names an unknown role, requirement, lexicon or relation fails at load
    time, with the rule's id, rather than silently never firing."""
    from kg.errors import InputError
    from kg.records import ENTITY_TYPES, RELATIONS

    problems = []
    if rule.relation not in RELATIONS:
        problems.append(f"relation {rule.relation!r}")
    problems += [f"role {r!r}" for r in rule.subject + rule.object if r.partition(":")[0] not in ROLES]
    problems += [f"requirement {r!r}" for r in rule.requires if r not in REQUIREMENTS]
    lex = lexicons()
    problems += [f"lexicon {x!r}" for x in (rule.object_nouns, rule.object_nouns_exclude, rule.context,
                                            rule.without_context) if x is not None and x not in lex]
    problems += [f"type {t!r}" for t in rule.subject_types | rule.object_types if t not in ENTITY_TYPES]
    if not 0 < rule.confidence <= 1:
        problems.append(f"confidence {rule.confidence}")
    if problems:
        raise InputError(f"rule {rule.id}: unknown {', '.join(problems)}; fix kg/patterns/relations.json")


# ---------------------------------------------------------------- grammar helpers
def _children(tok, *deps: str):
    return [c for c in tok.children if c.dep_ in deps]


def _is_passive(verb) -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children) or (
        verb.tag_ == "VBN" and verb.dep_ in ("acl", "amod"))


def _object_nouns(trigger) -> list:
    """The thing a verb acts on: direct object, passive subject, or the noun it modifies."""
    if trigger.pos_ in ("NOUN", "PROPN"):
        return [trigger]
    found = _children(trigger, "dobj", "attr", "oprd")
    if _is_passive(trigger):
        found += _children(trigger, "nsubjpass")
    # "set up shop", "took control of": the particle's object
    for prt in _children(trigger, "prt", "prep"):
        if prt.lower_ in ("up",):
            found += _children(prt, "pobj")
    return found


def _possessors(tok) -> list:
    """"Alibaba's Tmall": possessive children, also when the parser calls them nmod."""
    return [c for c in tok.children if c.dep_ == "poss" or (
        c.dep_ in ("nmod", "compound") and any(g.dep_ == "case" for g in c.children))]


def _agent_tokens(trigger, depth: int = 0) -> list:
    """Who does what the trigger says, following the grammar of English clauses."""
    if depth > 6:
        return []
    if trigger.pos_ in ("NOUN", "PROPN"):
        poss = _possessors(trigger)
        if poss:
            return poss
        for prep in _children(trigger, "prep"):
            if prep.lower_ in ("by", "from"):
                return _children(prep, "pobj")
        if trigger.dep_ in ("dobj", "attr") and trigger.head.pos_ in ("VERB", "AUX"):
            return _agent_tokens(trigger.head, depth + 1)
        if trigger.dep_ == "pobj" and trigger.head.dep_ == "prep" and trigger.head.head.pos_ in ("VERB", "AUX"):
            return _agent_tokens(trigger.head.head, depth + 1)
        return []
    if _is_passive(trigger):
        for agent in _children(trigger, "agent"):
            return _children(agent, "pobj")
        if trigger.dep_ in ("acl", "amod"):
            return []
        return []
    subj = _children(trigger, "nsubj", "csubj", "expl")
    subj = [s for s in subj if s.dep_ != "expl"]
    if subj and all(s.lower_ in ("which", "who", "that") for s in subj) and trigger.dep_ == "relcl":
        return [trigger.head]  # "Nike, which had sold on Amazon": the relative's antecedent
    if subj:
        # "Before Chopard, luxury brands including Gucci have joined": the parser takes
        # Chopard for the subject; the appositive list is the real one.
        fixed = []
        for s in subj:
            listed = [a for a in _children(s, "appos") if any(
                p.dep_ == "prep" and p.lower_ in ("including", "like") for p in a.children)]
            fixed += listed or [s]
        return fixed
    head = trigger.head
    if trigger.dep_ == "conj" and head is not trigger:
        return _agent_tokens(head, depth + 1)
    if trigger.dep_ == "pcomp" and head.dep_ == "prep" and head.lower_ == "for":
        # "Apple sued a firm for selling fakes": the one accused does the selling
        verb = head.head
        accused = _children(verb, "dobj") + [p for prep in _children(verb, "prep")
                                             if prep.lower_ == "against" for p in _children(prep, "pobj")]
        if accused:
            return accused
    if trigger.dep_ in ("xcomp", "advcl", "ccomp", "pcomp") and head is not trigger:
        # "agreed to invest": the controller's subject; "after acquiring X": the main subject
        if trigger.dep_ == "xcomp" and _children(head, "dobj") and head.lemma_ in ("help", "allow", "enable", "ask", "urge"):
            return _children(head, "dobj")
        if head.pos_ in ("VERB", "AUX", "ADJ"):
            return _agent_tokens(head, depth + 1)
        if head.dep_ == "prep":
            return _agent_tokens(head.head, depth + 1)
    if trigger.dep_ in ("acl", "relcl") and head is not trigger:
        # "the first brands to launch a store", "Nike, which had sold on Amazon",
        # "Burberry's bold move to set up shop"
        poss = _children(head, "poss")
        if poss and trigger.dep_ == "acl":
            return poss
        if head.dep_ == "pobj" and head.head.lower_ == "of" and head.head.head.dep_ == "attr":
            # "Coach was one of the first brands to launch": the copula's subject
            return _agent_tokens(head.head.head.head, depth + 1) or [head]
        if trigger.dep_ == "acl" and head.pos_ == "NOUN" and head.lemma_.lower() in EVENT_NOUNS:
            # "is in talks to buy", "struck a deal to invest": whoever holds the talks or deal
            verb = head.head.head if head.dep_ == "pobj" else head.head
            if verb.pos_ in ("VERB", "AUX"):
                return _agent_tokens(verb, depth + 1)
        return [head]
    if trigger.dep_ == "acomp" or head.pos_ == "ADJ":
        return _agent_tokens(head, depth + 1)
    return []


def _patient_tokens(trigger) -> list:
    if trigger.pos_ in ("NOUN", "PROPN"):
        for prep in _children(trigger, "prep"):
            if prep.lower_ in ("of", "in", "into"):
                return _children(prep, "pobj")
        return []
    if _is_passive(trigger):
        found = _children(trigger, "nsubjpass")
        if found:
            return found
        if trigger.dep_ in ("acl", "amod"):
            return _modified_noun(trigger)
        return []
    found = []
    for obj in _children(trigger, "dobj"):
        if obj.lower_ in ("which", "that", "whom", "who") and trigger.dep_ == "relcl":
            found.append(trigger.head)  # "Zappos, which it bought in 2009"
        elif obj.lemma_.lower() in PART_NOUNS:
            # "acquired the rest of Yoox Net-a-Porter"
            found += [p for prep in _children(obj, "prep") if prep.lower_ == "of"
                      for p in _children(prep, "pobj")] or [obj]
        else:
            found.append(obj)
    return found


def _modified_noun(trigger) -> list:
    """The noun a participle modifies; for "its WeChat account, the app run by Tencent",
    the phrase before the comma that the appositive renames."""
    head = trigger.head
    before = head.left_edge.i - 1
    if head.pos_ == "NOUN" and before > trigger.sent.start and trigger.doc[before].text == ",":
        return [trigger.doc[before - 1], head]
    return [head]


def _prep_objects(trigger, preps: set[str]) -> list:
    """Objects of these prepositions on the trigger, its object noun, or its particle."""
    holders = [trigger] + [n for n in _object_nouns(trigger) if n is not trigger]
    holders += [c for c in trigger.children if c.dep_ in ("prt", "advmod", "acomp")]
    # "memorandum of understanding between", "MOU on E-commerce Cooperation between"
    for noun in list(holders):
        if noun.pos_ in ("NOUN", "PROPN"):
            for prep in _children(noun, "prep"):
                if prep.lower_ in ("of", "on"):
                    holders += _children(prep, "pobj")
    found = []
    for holder in holders:
        for prep in _children(holder, "prep", "agent", "dative"):
            words = prep.lower_
            if prep.i + 1 < len(prep.doc) and prep.nbor(1).dep_ == "prep" and prep.nbor(1).head is prep:
                words = f"{prep.lower_} {prep.nbor(1).lower_}"
            if words in preps or prep.lower_ in preps:
                found += _children(prep, "pobj")
                # "in partnership with X": one level deeper
                for pobj in _children(prep, "pobj"):
                    for inner in _children(pobj, "prep"):
                        if inner.lower_ in preps:
                            found += _children(inner, "pobj")
                for pc in _children(prep, "pcomp", "prep"):
                    if pc.lower_ in preps or words in preps:
                        found += _children(pc, "pobj")
                found += _right_after(prep)
            elif prep.lower_ in ("in", "together", "along") and "with" in preps:
                # "filed three lawsuits in partnership with Vera Bradley"
                for pobj in _children(prep, "pobj"):
                    if pobj.lemma_.lower() in PARTNERSHIP_NOUNS:
                        for inner in _children(pobj, "prep"):
                            if inner.lower_ == "with":
                                found += _children(inner, "pobj") + _right_after(inner)
    return found


def _right_after(prep) -> list:
    """The name that follows a preposition on the surface ("with Italy's Ministry of ...").

    The parser often misattaches long names; the words right after the preposition
    are a steadier guide. Determiners and lower-case descriptors may come first.
    """
    doc = prep.doc
    skip_to = 0
    for tok in doc[prep.i + 1: min(prep.i + 8, prep.sent.end)]:
        if tok.i < skip_to:
            continue
        if tok.ent_type_ and tok.ent_iob_ == "B" and tok.ent_type_ not in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY", "NORP"):
            ent = next((e for e in doc.ents if e.start == tok.i), None)
            end = ent.end if ent is not None else tok.i + 1
            if doc[end - 1].dep_ in ("compound", "nmod", "amod") and doc[end - 1].head.i >= end:
                return []  # "with the Hangzhou municipal authority": a modifier, not the party
            if end < len(doc) and doc[end].text in ("’s", "'s", "-", "–"):
                # "India's Jio Platforms", "Hangzhou-based Alibaba": a modifier, read on
                skip_to = end + 1
                continue
            return [doc[end - 1]]
        if tok.pos_ in ("DET", "ADJ", "NUM", "VERB") and tok.is_lower or tok.pos_ in ("DET", "NUM") \
                or (tok.pos_ == "NOUN" and tok.is_lower) or tok.text in ("-", "’s", "'s"):
            continue
        break
    return []


# --------------------------------------------------------------------- the runner
@dataclass
class Context:
    """What the rules see of one sentence."""

    article: Article
    doc: object
    mentions: Mentions
    gazetteer: Gazetteer
    organisers: list = field(default_factory=list)  # (token index, Mention) of programme organisers


def _role(ctx: Context, rule: Rule, trigger, role: str, other: frozenset[str]) -> list[Mention]:
    m = ctx.mentions
    lex = lexicons()
    kind, _, arg = role.partition(":")
    if kind == "agent":
        tokens = _agent_tokens(trigger)
    elif kind == "patient":
        tokens = _patient_tokens(trigger)
    elif kind == "prep":
        tokens = _prep_objects(trigger, set(arg.split(",")))
    elif kind == "poss":
        holders = [trigger] + _object_nouns(trigger)
        # "Alibaba's Tmall marketplace", "its platforms including Tmall"
        tok = trigger
        for _ in range(4):
            if tok.dep_ in ("compound", "nmod", "appos") and tok.head is not tok:
                tok = tok.head
                holders.append(tok)
            elif tok.dep_ == "conj" and tok.head is not tok:
                tok = tok.head  # "platforms including Tmall and Taobao": up the list, no owner taken
            elif tok.dep_ == "pobj" and tok.head.lower_ in ("including", "like", "as"):
                tok = tok.head.head
                holders.append(tok)
            else:
                break
        # a possessor names one owner, never the list around it
        return [x for h in holders for p in _possessors(h) for x in m.resolve(p, exclude=other, lists=False)]
    elif kind == "compound":
        # "Alipay, an Ant Financial subsidiary"
        holders = [trigger] + [n for n in _object_nouns(trigger) if n is not trigger]
        found = []
        for h in holders:
            span_start = h.left_edge.i
            found += [x for x in m.in_span(span_start, h.i) if not m._is_possessor(x)]
        return found
    elif kind == "platform":
        # a marketplace named inside the object phrase: "its Tmall flagship store"
        found = []
        for noun in _object_nouns(trigger):
            span = ctx.doc[noun.left_edge.i: noun.i + 1]
            found += [x for x in m.in_span(span.start, span.end) if x.entity.type == "Marketplace"]
        return found
    elif kind == "self":
        mention = m.at(trigger.i)
        return [mention] if mention else []
    elif kind == "nsubj_prep":
        tokens = []
        for subj in _children(trigger, "nsubj", "nsubjpass"):
            for tok in subj.subtree:
                if tok.dep_ == "prep" and tok.lower_ in arg.split(","):
                    tokens += _children(tok, "pobj")
    elif kind == "nsubj_poss":
        tokens = [p for s in _children(trigger, "nsubj", "nsubjpass", "attr") for p in _children(s, "poss")]
    elif kind == "nsubj_members":
        tokens = _children(trigger, "nsubj", "nsubjpass")
    elif kind == "dobj_members":
        tokens = _children(trigger, "dobj", "attr")
        # "members have joined, including A, B": the list hangs off the verb
        for prep in _children(trigger, "prep"):
            if prep.lower_ in ("including", "like"):
                tokens += _children(prep, "pobj")
    elif kind == "as_on":
        # "started as a marketplace retailer on JD.com"
        tokens = []
        for prep in _children(trigger, "prep"):
            if prep.lower_ == "as":
                for noun in _children(prep, "pobj"):
                    if word_forms(noun) & lex["seller_nouns"]:
                        for inner in _children(noun, "prep"):
                            if inner.lower_ in ("on", "at", "through", "via"):
                                tokens += _children(inner, "pobj") + _right_after(inner)
    elif kind == "preceding_name":
        # "Alibaba—operator of Tmall", "Alibaba, the owner of Lazada"
        i = trigger.left_edge.i - 1
        while i >= trigger.sent.start and ctx.doc[i].text in ("—", "–", "-", ",", "(", "the", "a", "an"):
            i -= 1
        mention = m.at(i) if i >= trigger.sent.start else None
        return [mention] if mention else []
    elif kind == "sentence_platform":
        # the one platform the sentence is about ("JD.com ... with shop openings by A, B")
        found = [x for x in m.mentions if trigger.sent.start <= x.start < trigger.sent.end
                 and x.entity.type == "Marketplace" and x.entity.name not in other]
        if not found:
            for tok in trigger.sent:
                if tok.lemma_.lower() in ("platform", "site", "marketplace") and any(
                        c.lower_ == "the" for c in tok.children):
                    found = m.resolve(tok, exclude=other, lists=False)
                    break
        return found if len({x.entity.name for x in found}) == 1 else []
    elif kind == "copula_attr":
        # "Adobe's first acquisition was Emerald City Software"
        tokens = []
        if trigger.dep_ == "nsubj" and trigger.head.lemma_ == "be":
            tokens = _children(trigger.head, "attr")
    elif kind == "round_owner":
        # "Tokopedia raised $1.1bn in a round led by SoftBank": who raised the round
        noun = trigger.head
        tokens = [p for p in _possessors(noun)]
        verb = noun.head.head if noun.dep_ == "pobj" else noun.head
        if not tokens and verb.pos_ in ("VERB", "AUX") and verb is not noun:
            tokens = _agent_tokens(verb)
    elif kind == "members_of":
        # "the launches of Guerlain, Sephora and Rimowa", "shop openings by A and B"
        tokens = [p for prep in _children(trigger, "prep") if prep.lower_ in ("of", "by")
                  for p in _children(prep, "pobj")]
    elif kind == "called_name":
        # "a digital payments service called GoPay"
        tokens = []
        for noun in _object_nouns(trigger):
            for acl in _children(noun, "acl"):
                if acl.lemma_ in ("call", "name", "dub", "brand", "know"):
                    tokens += _children(acl, "oprd", "dobj", "attr") + [
                        p for prep in _children(acl, "prep") for p in _children(prep, "pobj")]
    elif kind == "stake_in":
        # "an investment from X for a 20% stake in Y"
        tokens = []
        for tok in trigger.subtree:
            if word_forms(tok) & lex["stake_nouns"]:
                for prep in _children(tok, "prep"):
                    if prep.lower_ in ("in", "of"):
                        tokens += _children(prep, "pobj")
    elif kind == "head":
        # "Shopee, a unit of Sea": the noun the description is about (not its whole list)
        head = trigger.head if trigger.head is not trigger else None
        return [x for x in m.resolve(head, exclude=other, lists=False)] if head is not None else []
    elif kind == "hyphen_prefix":
        # "Alibaba-owned Tmall", "Munjal-backed Nykaa": the name before the hyphen
        i = trigger.i
        if i >= 2 and ctx.doc[i - 1].text in ("-", "–"):
            mention = m.at(i - 2)
            return [mention] if mention else []
        return []
    elif kind == "modified":
        # the noun an amod participle modifies, or that noun's name
        if trigger.dep_ not in ("acl", "amod") and not (trigger.i >= 2 and ctx.doc[trigger.i - 1].text in ("-", "–")):
            return []
        head = trigger.head
        tokens = [head] if m.at(head.i) is not None else _modified_noun(trigger)
        if head.dep_ == "appos" and m.at(head.i) is None:
            tokens = [head.head] + tokens
        if m.at(head.i) is None:
            tokens += [c for c in head.children if c.dep_ in ("appos",)]
            for t in ctx.doc[head.i + 1: min(head.i + 4, len(ctx.doc))]:
                if m.at(t.i):
                    tokens.append(t)
                    break
    elif kind == "organiser":
        organiser = _organiser_for(ctx, trigger)
        return [organiser] if organiser else []
    elif kind == "sentence_list":
        # the longest written list of names in the sentence ("... including A, B and C")
        best: list[Mention] = []
        sent = trigger.sent
        for mention in m.mentions:
            if sent.start <= mention.start < sent.end and mention.entity.name not in other:
                members = [x for x in m.list_members(mention) if x.entity.name not in other]
                if len(members) > len(best):
                    best = members
        return best if len(best) >= 2 else []
    else:
        raise ValueError(f"rule {rule.id}: unknown role {role!r}")
    found: list[Mention] = []
    # "CDT (acquired by Sumitomo), Canon, ...": a participle's noun is one name, not its list
    lists = not (kind in ("patient", "modified") and trigger.dep_ in ("acl", "amod"))
    for tok in tokens:
        found += m.resolve(tok, exclude=other, lists=lists)
        if found and kind in ("patient", "modified"):
            break  # the first reading that names something (see _modified_noun)
    return found


def _sentence_has(sent, lexicon: str, window: int = 0) -> bool:
    """Whether a word of the lexicon occurs in the sentence (or the ``window`` before it).

    Asked for every candidate trigger, so the answer is kept per (sentence, lexicon, window)
    on the Doc's user data for the length of one extraction.
    """
    cache = sent.doc.user_data.setdefault("kg_lexicon_hits", {})
    key = (sent.start, lexicon, window)
    if key not in cache:
        cache[key] = _scan_for(sent, lexicon, window)
    return cache[key]


def _scan_for(sent, lexicon: str, window: int) -> bool:
    words = lexicons()[lexicon]
    start = sent.start
    for _ in range(window):
        if start > 0:
            start = sent.doc[start - 1].sent.start
    span = sent.doc[start: sent.end]
    return any(word_forms(t) & words or (lexicon == "counterfeit" and any(
        w in t.lower_ for w in ("counterfeit", "infring"))) for t in span)


def _requirement_ok(ctx: Context, rule: Rule, trigger, name: str) -> bool:
    lex = lexicons()
    if name == "jointly":
        return any(c.lower_ in ("jointly", "together", "both") for c in trigger.children) or any(
            t.lower_ in ("jointly", "joint", "together") for t in trigger.sent)
    if name == "joint_verb":
        # "join forces", "team up", "work together", "partner" with a plural subject
        if trigger.lemma_ == "join":
            return any(word_forms(d) & {"force", "forces", "hands"} for d in _children(trigger, "dobj"))
        if trigger.lemma_ == "work":
            return any(c.lower_ in ("together", "jointly") for c in trigger.children)
        if trigger.lemma_ in ("agree", "pledge", "vow", "commit"):
            return any(x.lemma_ in ("cooperate", "collaborate", "work", "partner", "join")
                       for x in _children(trigger, "xcomp"))
        return True
    if name == "not_commercial":
        # "signed a finance agreement / a share purchase agreement": not a memorandum
        words = set()
        for n in _object_nouns(trigger):
            words |= {w for c in n.children if c.dep_ in ("compound", "amod", "nmod") for w in word_forms(c)}
        return not (words & lex["commercial_agreements"])
    if name == "named_patient":
        return any(ctx.mentions.at(t.i) is not None for t in _patient_tokens(trigger))
    if name == "round_head":
        return trigger.dep_ == "acl" and bool(word_forms(trigger.head) & lex["round_nouns"])
    if name == "intransitive":
        return not _children(trigger, "dobj")
    if name == "platform_head":
        # "Alibaba's Tmall" yes; "the bureau's WeChat account" no
        mention = ctx.mentions.at(trigger.i)
        head = ctx.doc[mention.end - 1] if mention else trigger
        return head.dep_ not in ("compound", "nmod") or bool(word_forms(head.head) & lex["platform_nouns"])
    if name == "group":  # a flag for the runner: pair up the members of one list
        return True
    if name == "nsubj_brands":
        return any(word_forms(s) & lex["member_nouns"] | word_forms(s) & {"brand", "label", "seller", "merchant", "retailer"}
                   for s in _children(trigger, "nsubj"))
    if name == "nsubj_investors":
        return any(word_forms(s) & lex["investor_nouns"] for s in _children(trigger, "nsubj", "attr"))
    if name == "attr_investor":
        return any(word_forms(a) & lex["investor_nouns"] for a in _children(trigger, "attr"))
    if name == "members":
        holders = _children(trigger, "nsubj", "attr", "dobj") + [trigger]
        # "Some of the brands participating include ..."
        holders += [p for h in _children(trigger, "nsubj") for prep in _children(h, "prep")
                    if prep.lower_ == "of" for p in _children(prep, "pobj")]
        return any(word_forms(h) & (lex["member_nouns"] | {"member"}) for h in holders)
    if name == "hyphen":
        return trigger.i >= 2 and ctx.doc[trigger.i - 1].text in ("-", "–")
    if name == "program_object":
        # "enrolled in Project Zero", "joined the Alibaba Anti-Counterfeiting Alliance"
        objs = _prep_objects(trigger, {"in", "into"}) + _children(trigger, "dobj")

        def programme(t) -> bool:
            mention = ctx.mentions.at(t.i)
            if mention is not None:  # a named alliance or programme, not a company or platform
                return mention.entity.type == "Organization"
            return bool(word_forms(t) & lex["program_nouns"])
        return any(programme(t) for t in objs)
    raise ValueError(f"rule {rule.id}: unknown requirement {name!r}")


def _object_noun_ok(rule: Rule, trigger) -> bool:
    lex = lexicons()
    if rule.object_nouns is None and rule.object_nouns_exclude is None:
        return True
    nouns = _object_nouns(trigger)
    # "a three-year MOU", "Memorandum of Understanding agreements": any word of the phrase
    words: set[str] = set()
    for n in nouns:
        words |= word_forms(n)
        words |= {w for c in n.children if c.dep_ in ("compound", "amod", "nmod") for w in word_forms(c)}
    if rule.object_nouns_exclude and words & lex[rule.object_nouns_exclude]:
        return False
    return rule.object_nouns is None or bool(words & lex[rule.object_nouns])


def _trigger_matches(ctx: Context, rule: Rule, tok) -> bool:
    if not rule.lemmas:
        # a rule without trigger words fires on the last word of every name
        mention = ctx.mentions.at(tok.i)
        return mention is not None and mention.end - 1 == tok.i
    if tok.pos_ not in rule.pos:
        return False
    return bool(word_forms(tok) & rule.lemmas)


def _candidates(ctx: Context, sent, rules: Iterable[Rule]) -> Iterator[tuple[Rule, object, Mention, Mention]]:
    for tok in sent:
        for rule in rules:
            if not _trigger_matches(ctx, rule, tok):
                continue
            if rule.context and not _sentence_has(sent, rule.context, window=rule.context_window):
                continue
            if rule.without_context and _sentence_has(sent, rule.without_context):
                continue
            if not _object_noun_ok(rule, tok):
                continue
            if not all(_requirement_ok(ctx, rule, tok, name) for name in rule.requires):
                continue
            subjects: list[Mention] = []
            for role in rule.subject:
                subjects = _role(ctx, rule, tok, role, frozenset())
                if subjects:
                    break
            if not subjects:
                continue
            names = frozenset(s.entity.name for s in subjects)
            objects: list[Mention] = []
            for role in rule.object:
                objects = _role(ctx, rule, tok, role, names)
                if objects:
                    break
            pairs: list[tuple[Mention, Mention]] = []
            if objects:
                pairs = [(s, o) for s in subjects for o in objects]
            elif rule.relation in SYMMETRIC and len(subjects) >= 2 and not rule.object:
                pairs = list(combinations(subjects, 2))
            elif rule.relation in SYMMETRIC and len(subjects) >= 2 and "group" in rule.requires:
                pairs = list(combinations(subjects, 2))
            for s, o in pairs:
                if rule.swap:
                    s, o = o, s
                if s.entity.name == o.entity.name:
                    continue
                if rule.relation not in SYMMETRIC and (ctx.mentions.is_place(s) or ctx.mentions.is_place(o)):
                    continue  # a city or region the text names as a place is not a company
                if rule.relation not in SYMMETRIC:
                    # what is bought or listed is an organisation, whatever the recogniser says
                    o = _as_organisation(o, rule.object_types)
                if s.entity.type not in rule.subject_types:
                    continue
                if o.entity.type not in rule.object_types:
                    # "sells on Amazon": a company that is also its own marketplace
                    entry = ctx.gazetteer.get(o.entity.name)
                    if not (entry and entry.platform and "Marketplace" in rule.object_types):
                        continue
                yield rule, tok, s, o


def _as_organisation(m: Mention, allowed: frozenset[str]) -> Mention:
    """Type correction: the recogniser's PERSON where only an organisation fits
    ("Myogen was acquired by Gilead") is an organisation the gazetteer does not know."""
    if m.ner == "PERSON" and m.entity.type == "Person" and "Person" not in allowed \
            and "Organization" in allowed:
        return Mention(m.start, m.end, Entity(m.entity.name, "Organization"), m.text, "ORG")
    return m


def _find_organisers(ctx: Context) -> None:
    """Who runs an anti-counterfeiting alliance or programme the article describes.

    "Alibaba announced the launch of a Big Data Anti-counterfeiting Alliance",
    "it was forming a 20-member alliance", "Amazon's Project Zero",
    "the Alibaba Big Data Anticounterfeiting Alliance" (an organiser named in the name).
    """
    lex = lexicons()
    programs = lex["program_nouns"]
    starts = {"launch", "creation", "formation", "establishment", "founding", "expansion"}
    for sent in ctx.doc.sents:
        if not _sentence_has(sent, "counterfeit"):
            continue
        for tok in sent:
            words = word_forms(tok)
            found: list[Mention] = []
            if tok.pos_ == "VERB" and words & {"launch", "form", "create", "establish", "found", "set",
                                               "start", "unveil", "expand", "announce", "introduce",
                                               "lead", "organise", "organize", "run", "build"}:
                objs = _object_nouns(tok)
                objs += [p for o in objs if word_forms(o) & starts for prep in _children(o, "prep")
                         if prep.lower_ == "of" for p in _children(prep, "pobj")]
                if any(word_forms(o) & programs for o in objs):
                    found = [x for a in _agent_tokens(tok) for x in ctx.mentions.resolve(a, lists=False)]
            elif tok.dep_ == "poss" and word_forms(tok.head) & programs:
                found = ctx.mentions.resolve(tok, lists=False)
            elif tok.pos_ == "PROPN" and words & programs and tok.text[:1].isupper():
                # "the Alibaba Big Data Anti-counterfeiting Alliance": the organiser opens the name
                found = _name_prefix_organiser(ctx, tok)
            found = [x for x in found if x.entity.type in ("Company", "Marketplace", "Organization")]
            if found:
                ctx.organisers.append((tok.i, found[0]))


def _name_prefix_organiser(ctx: Context, tok) -> list[Mention]:
    doc = ctx.doc
    mention = ctx.mentions.at(tok.i)
    start = mention.start if mention else tok.left_edge.i
    for end in range(tok.i, start, -1):
        entry = ctx.gazetteer.lookup(doc[start:end].text)
        if entry is not None:
            return [Mention(start, end, entry.entity, doc[start:end].text)]
    inner = ctx.mentions.at(start)
    return [inner] if inner is not None and inner is not mention else []


def _organiser_for(ctx: Context, trigger) -> Mention | None:
    """The organiser named in the trigger's sentence, else the nearest one before it."""
    in_sentence = [m for i, m in ctx.organisers if trigger.sent.start <= i < trigger.sent.end]
    if in_sentence:
        return in_sentence[-1]
    before = [m for i, m in ctx.organisers if i < trigger.i]
    if before:
        return before[-1]
    return ctx.organisers[0][1] if ctx.organisers else None


def extract(doc, article: Article, gazetteer: Gazetteer, *, rules: Iterable[Rule] | None = None,
            statuses: frozenset[str] = frozenset({ASSERTED})) -> Iterator[Triple]:
    """Triples stated in one parsed article, with the given modality statuses.

    ``doc`` is the parse of :func:`analysed_text`\\ (article); offsets refer to that text.
    """
    rules = tuple(rules or load_rules())
    ctx = Context(article, doc, Mentions(doc, gazetteer), gazetteer)
    _find_organisers(ctx)
    best: dict[tuple, Triple] = {}
    for sent in doc.sents:
        for rule, trigger, s, o in _candidates(ctx, sent, rules):
            status = status_of(trigger, rule.hedges, rule.asserts)
            if status not in statuses:
                continue
            attributes = deal_attributes(sent, trigger, article.published, rule.relation)
            triple = Triple(
                subject=s.entity, relation=rule.relation, object=o.entity, article_id=article.id,
                sentence=sent.text.strip(), start=sent.start_char, end=sent.end_char,
                confidence=rule_confidence(rule.id, rule.confidence), rule=rule.id, status=status,
                subject_text=ctx.mentions.surface(s.entity),
                object_text=ctx.mentions.surface(o.entity), attributes=attributes)
            key = (triple.key, triple.start)
            if key not in best or best[key].confidence < triple.confidence:
                best[key] = triple
    yield from sorted(best.values(), key=lambda t: (t.start, t.key))


def analysed_text(article: Article) -> str:
    """The text kg parses: the headline, a blank line, the body (headline once).

    >>> analysed_text(Article("a", "JD.com invested.", title="JD invests"))
    'JD invests\\n\\nJD.com invested.'
    """
    title = (article.title or "").strip()
    body = article.text
    if not title or body.lstrip().startswith(title):
        return body
    return f"{title}\n\n{body}"
