"""Is a candidate fact asserted, hedged, negated or adversarial?

Cues come from ``kg/patterns/modality.json``. They are looked for on the trigger
word and on the words that govern it (``plans to open``, ``denied that it
invested``, ``is in talks to invest``), never anywhere in the sentence: in
"Burberry set up shop on Tmall; other brands have been reluctant to follow suit"
the reluctance is not Burberry's.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from kg.records import ADVERSARIAL, ASSERTED, HEDGED, NEGATED

PATTERNS = Path(__file__).parent / "patterns"
#: Dependencies along which a governing word scopes over the trigger.
SCOPING = {"xcomp", "ccomp", "advcl", "conj", "acomp", "pcomp", "dep", "csubj"}
#: Dependencies through which the governing word's own meaning scopes over the trigger.
LEXICAL_SCOPE = {"xcomp", "ccomp", "acomp", "pcomp", "csubj", "dep"}


@lru_cache(maxsize=1)
def cues() -> dict:
    """The modality lexicons, as sets."""
    data = json.loads((PATTERNS / "modality.json").read_text(encoding="utf-8"))
    return {status: {k: frozenset(v) for k, v in groups.items()}
            for status, groups in data.items() if not status.startswith("_")}


def word_forms(tok) -> set[str]:
    """A token's lemma and lower-case form, the keys every lexicon is matched on."""
    return {tok.lemma_.lower(), tok.lower_}


def _own_cue(tok, c: dict, lexical: bool | str) -> str | None:
    """A cue on one word of the governing chain: its modifiers, and, when ``lexical``,
    the word itself ("plans to", "denied that", "sued")."""
    hedged, negated = c["hedged"], c["negated"]
    for child in tok.children:
        words = word_forms(child)
        if child.dep_ == "neg" or (child.dep_ == "det" and words & negated["determiners"]):
            return NEGATED
        if child.dep_ == "aux" and words & hedged["aux"]:
            return HEDGED
        if child.dep_ == "advmod" and words & hedged["adverbs"]:
            return HEDGED
        if child.dep_ == "advmod" and child.lower_ == "never":
            return NEGATED
        if child.dep_ == "mark" and words & hedged["marks"]:
            return HEDGED
        if child.dep_ == "amod" and words & hedged["modifiers"]:
            return HEDGED
        if child.dep_ == "prep" and child.lower_ in ("in", "under"):
            if any(g.dep_ == "pobj" and word_forms(g) & hedged["talk_nouns"] for g in child.children):
                return HEDGED
    if lexical:
        words = word_forms(tok)
        if words & c["adversarial"]["governors"]:
            return ADVERSARIAL
        if lexical == "adversarial":
            return None
        if words & negated["governors"]:
            return NEGATED
        if lexical == "negated":
            return None
        if words & hedged["governors"]:
            return HEDGED
        if tok.lower_ in ("going",):
            return HEDGED
    return None


def status_of(trigger, extra_hedges: frozenset[str] = frozenset(),
              asserting: frozenset[str] = frozenset()) -> str:
    """The modality of the statement a trigger word makes.

    Looks at the trigger's own modifiers, then climbs through the verbs and
    adjectives that govern it (``plans to open``, ``reluctant to follow``,
    ``denied that it invested``) and returns the first cue found. The meaning of a
    governing word counts only through a complement clause: "sued Alibaba but
    signed a deal" (coordination) and "set up shop" (an object) keep their own
    modality. A noun phrase stops the climb: "since Burberry's move to set up
    shop" is not hedged by whatever the rest of the sentence says. Words in
    ``asserting`` (e.g. "completed" for an acquisition) are never cues.
    """
    c = cues()
    talk = c["hedged"]["talk_nouns"] | c["hedged"]["modifiers"]
    tok, first, via = trigger, True, None
    for _ in range(12):
        lexical: bool | str = False
        if not first and not (word_forms(tok) & asserting):
            # "plans to open": every cue; "closed its shop": exits and disputes, not plans;
            # "sued X, claiming ...": disputes only
            lexical = True if via in LEXICAL_SCOPE else (
                "negated" if via in ("dobj", "nsubjpass", "nsubj") else
                "adversarial" if via == "advcl" else False)
        found = _own_cue(tok, c, lexical)
        if found:
            return found
        if lexical and word_forms(tok) & extra_hedges:
            return HEDGED
        head = tok.head
        if tok.dep_ == "ROOT" or head is tok:
            break
        if tok.dep_ == "pcomp" and head.dep_ == "prep" and any(
                c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
            break  # "with the retailer having acquired Jet.com": a clause of its own
        if tok.dep_ == "pcomp" and head.dep_ == "prep":
            # "will replace its shop by selling ...": through the preposition to its word
            if head.head.pos_ in ("VERB", "AUX"):
                tok, first, via = head.head, False, "pcomp"
                continue
            if word_forms(head.head) & talk:
                return HEDGED  # "in talks about investing"
            break
        if tok.pos_ in ("NOUN", "PROPN"):
            # An event noun shares the modality of the verb it is the object of.
            if first and tok.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "oprd") \
                    and head.pos_ in ("VERB", "AUX"):
                tok, first, via = head, False, tok.dep_
                continue
            break
        if tok.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN"):
            if word_forms(head) & talk:
                return HEDGED
            break
        if tok.dep_ not in SCOPING or head.pos_ not in ("VERB", "AUX", "ADJ"):
            break
        tok, first, via = head, False, tok.dep_
    # A headline's bare infinitive ("Thai government to sign deal") is a plan.
    root = trigger if trigger.dep_ == "ROOT" else trigger.head
    if root.dep_ == "ROOT" and (trigger is root or trigger.dep_ == "xcomp"):
        auxes = [ch for ch in root.children if ch.dep_ in ("aux", "auxpass")]
        if auxes and all(ch.lower_ == "to" for ch in auxes):
            return HEDGED
    return ASSERTED
