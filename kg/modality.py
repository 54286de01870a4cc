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


@lru_cache(maxsize=1)
def cues() -> dict:
    """The modality lexicons, as sets."""
    data = json.loads((PATTERNS / "modality.json").read_text(encoding="utf-8"))
    return {status: {k: frozenset(v) for k, v in groups.items()}
            for status, groups in data.items() if not status.startswith("_")}


def _words(tok) -> set[str]:
    return {tok.lemma_.lower(), tok.lower_}


def _own_cue(tok, c: dict, is_trigger: bool) -> str | None:
    """A cue attached to one word of the governing chain."""
    hedged, negated = c["hedged"], c["negated"]
    for child in tok.children:
        words = _words(child)
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
            if any(g.dep_ == "pobj" and _words(g) & hedged["talk_nouns"] for g in child.children):
                return HEDGED
    if not is_trigger:
        words = _words(tok)
        if words & c["adversarial"]["governors"]:
            return ADVERSARIAL
        if words & negated["governors"]:
            return NEGATED
        if words & hedged["governors"]:
            return HEDGED
        if tok.lower_ in ("going",):
            return HEDGED
    return None


def status_of(trigger, extra_hedges: frozenset[str] = frozenset()) -> str:
    """The modality of the statement a trigger word makes.

    Looks at the trigger's own modifiers, then climbs through the verbs and
    adjectives that govern it (``plans to open``, ``reluctant to follow``,
    ``denied that it invested``) and returns the first cue found. A noun phrase
    stops the climb: "since Burberry's move to set up shop" is not hedged by
    whatever the rest of the sentence says.
    """
    c = cues()
    talk = c["hedged"]["talk_nouns"] | c["hedged"]["modifiers"]
    tok, first = trigger, True
    for _ in range(12):
        found = _own_cue(tok, c, first)
        if found:
            return found
        if not first and _words(tok) & extra_hedges:
            return HEDGED
        head = tok.head
        if tok.dep_ == "pcomp" and head.dep_ == "prep" and head.head.pos_ in ("VERB", "AUX"):
            # "will replace its shop by selling ...": through the preposition to its verb
            tok, first = head.head, False
            continue
        if tok.dep_ == "ROOT" or head is tok:
            break
        if tok.pos_ in ("NOUN", "PROPN"):
            # An event noun inherits the modality of the verb it is the object of.
            if first and tok.dep_ in ("dobj", "nsubj", "nsubjpass", "attr", "oprd") \
                    and head.pos_ in ("VERB", "AUX"):
                tok, first = head, False
                continue
            break
        if tok.dep_ in ("acl", "relcl") and head.pos_ in ("NOUN", "PROPN"):
            if _words(head) & talk:
                return HEDGED
            break
        if tok.dep_ not in SCOPING or head.pos_ not in ("VERB", "AUX", "ADJ"):
            break
        tok, first = head, False
    # A headline's bare infinitive ("Thai government to sign deal") is a plan.
    root = trigger if trigger.dep_ == "ROOT" else trigger.head
    if root.dep_ == "ROOT" and (trigger is root or trigger.dep_ == "xcomp"):
        auxes = [ch for ch in root.children if ch.dep_ in ("aux", "auxpass")]
        if auxes and all(ch.lower_ == "to" for ch in auxes):
            return HEDGED
    return ASSERTED
