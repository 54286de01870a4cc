"""Entity mentions in a parsed article: gazetteer first, statistical NER second.

A :class:`Mentions` index answers, for any token, which named entities it stands
for: the entity it is part of, the members of a list it heads ("A, B and C"),
an acronym defined earlier ("Malaysian Franchise Association (MFA)"), or, for a
pronoun or a description ("it", "the company", "the e-commerce giant"), the named
entity it refers back to. Entities are canonicalised within the article: "Alibaba"
and "Alibaba Group Holding Ltd." are one entity, with the fullest name the
article uses as its surface name.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from kg.gazetteer import Gazetteer, normalise
from kg.records import Entity

#: NER labels that can name a party, and the type they get when the gazetteer is silent.
NER_TYPES = {"ORG": "Organization", "PERSON": "Person", "GPE": "Organization",
             "NORP": None, "PRODUCT": "Organization", "FAC": "Organization",
             "WORK_OF_ART": None, "LOC": None}
#: Descriptions that refer back to a named entity, with the types they may refer to.
ORG_TYPES = ("Company", "Organization", "Marketplace", "Brand")
DESCRIPTORS = {
    "company": ORG_TYPES, "firm": ORG_TYPES, "giant": ORG_TYPES, "group": ORG_TYPES,
    "conglomerate": ORG_TYPES, "corporation": ORG_TYPES, "retailer": ORG_TYPES,
    "e-tailer": ORG_TYPES, "etailer": ORG_TYPES, "startup": ORG_TYPES, "start-up": ORG_TYPES,
    "business": ORG_TYPES, "operator": ORG_TYPES, "chain": ORG_TYPES, "maker": ORG_TYPES,
    "player": ORG_TYPES, "unicorn": ORG_TYPES, "behemoth": ORG_TYPES, "leader": ORG_TYPES,
    "brand": ("Brand", "Company", "Organization"), "label": ("Brand", "Company", "Organization"),
    "house": ("Brand", "Company", "Organization"), "jeweller": ("Brand", "Company"),
    "jeweler": ("Brand", "Company"), "watchmaker": ("Brand", "Company"),
    "platform": ("Marketplace", "Company"),
    "site": ("Marketplace", "Company"),
    "marketplace": ("Marketplace", "Company"),
    "website": ("Marketplace", "Company"),
    "app": ("Marketplace", "Company"),
    "mall": ("Marketplace", "Company"),
    "government": ("GovernmentBody", "Country", "Organization"),
    "ministry": ("GovernmentBody", "Organization"), "bureau": ("GovernmentBody", "Organization"),
    "authority": ("GovernmentBody", "Organization"), "regulator": ("GovernmentBody", "Organization"),
    "agency": ("GovernmentBody", "Organization"), "department": ("GovernmentBody", "Organization"),
    "association": ("Organization", "GovernmentBody"), "body": ("Organization", "GovernmentBody"),
    "fund": ("Company", "Organization"), "investor": ("Company", "Organization", "Person"),
    "country": ("Country",), "nation": ("Country",),
}
PRONOUNS = {"it": ORG_TYPES + ("GovernmentBody",), "its": ORG_TYPES + ("GovernmentBody",),
            "itself": ORG_TYPES + ("GovernmentBody",)}
#: Words that end the name of a place ("Ganzi Tibetan Autonomous Prefecture").
ADMIN_WORDS = {"prefecture", "province", "county", "city", "region", "state", "district",
               "municipality", "autonomous"}
#: Head nouns of official bodies named by a description ("the Hangzhou municipal authority").
BODY_HEADS = {"government": "GovernmentBody", "ministry": "GovernmentBody",
              "authority": "GovernmentBody", "bureau": "GovernmentBody",
              "department": "GovernmentBody", "commission": "GovernmentBody",
              "administration": "GovernmentBody", "council": "Organization",
              "agency": "GovernmentBody", "office": "GovernmentBody",
              "regulator": "GovernmentBody", "association": "Organization",
              "federation": "Organization", "chamber": "Organization", "board": "GovernmentBody"}
#: Verbs whose content clause carries the news ("X did Y, the filings showed").
REPORTING = {"say", "show", "report", "tell", "add", "note", "announce", "state", "confirm",
             "reveal", "disclose", "write", "explain", "claim", "indicate", "suggest"}
#: Quantity nouns whose "of" phrase names the members ("a host of investors such as A").
UNIT_NOUNS = {"subsidiary", "unit", "affiliate", "arm", "division", "subsidiaries", "units"}
QUANTITY = {"host", "number", "group", "range", "series", "list", "handful", "couple", "dozens",
            "array", "slew", "raft", "clutch", "variety", "set", "lot", "lots"}
PAIR_WORDS = {"pair", "two", "both", "duo", "sides", "partners"}
#: Capitalised words that are not names on their own.
NOT_NAMES = {"january", "february", "march", "april", "may", "june", "july", "august",
             "september", "october", "november", "december", "monday", "tuesday", "wednesday",
             "thursday", "friday", "saturday", "sunday", "ceo", "chairman", "president", "the",
             "mr", "ms", "mrs", "dr", "chief", "executive", "officer", "founder", "mou", "mous",
             "memorandum", "moc", "loi", "ipo", "ceo", "cfo", "photo", "reuters", "bloomberg",
             "ap", "afp", "xinhua", "pti", "ians", "file"}
ORG_LAST_WORDS = {"group", "holdings", "holding", "inc", "corp", "corporation", "company", "co",
                  "ltd", "limited", "llc", "plc", "partners", "capital", "ventures", "fund",
                  "bank", "labs", "studios", "international", "industries", "enterprises",
                  "technologies", "systems", "foods", "brands", "associates", "foundation"}
#: Headline verbs that Title Case makes look like names ("Hilton Hotels Acquired by ...").
VERB_FORMS = {f"{stem}{end}" for stem in (
    "acquire", "buy", "sign", "invest", "launch", "open", "join", "raise", "sell", "list", "partner",
    "team", "agree", "take", "close", "ink", "strike", "enter", "back", "fund", "sue", "win", "add",
    "expand", "debut", "plan", "eye", "seek", "bid", "deny", "complete", "unveil", "announce")
    for end in ("d", "ed", "ing")} | {
    "bought", "sold", "took", "won", "struck", "buys", "signs", "invests", "launches", "opens",
    "joins", "raises", "sells", "acquires", "inks", "strikes", "enters", "wins", "completes",
    "unveils", "announces", "agrees", "takes", "closes", "sues", "expands", "debuts", "eyes",
    "seeks", "denies"}
SUFFIX_WORDS = {"ltd", "inc", "corp", "co", "plc", "llc", "sa", "ag", "nv", "bv", "gmbh", "se",
                "pte", "bhd", "tbk", "limited", "incorporated", "corporation", "spa", "lp", "llp"}
LIST_WORDS = {",", "and", "or", "&", "as", "well", "plus"}


@dataclass(frozen=True)
class Mention:
    """A span of tokens ``[start, end)`` that names ``entity``."""

    start: int
    end: int
    entity: Entity
    text: str
    ner: str = ""  # the recogniser's label when the gazetteer did not know the name

    def __contains__(self, i: int) -> bool:
        return self.start <= i < self.end


def _clean(text: str) -> str:
    text = re.sub(r"^(the|The)\s+", "", text.strip())
    text = re.sub(r"[’']s?$", "", text).strip()
    return text.strip(" \"“”‘’'-–—,.;:()") if len(text) > 2 else text


class Mentions:
    """Named-entity mentions of one ``Doc``, canonicalised, with reference resolution."""

    def __init__(self, doc, gazetteer: Gazetteer):
        self.doc = doc
        self.gazetteer = gazetteer
        self._by_token: dict[int, Mention] = {}
        self.mentions: list[Mention] = []
        self._surface: dict[str, str] = {}
        raw = [m for m in (self._from_ent(ent) for ent in doc.ents) if m is not None]
        self._canonicalise(self._retype_brands(self._join_adjacent(raw)))
        self._add_acronyms()

    # ------------------------------------------------------------ building
    def _from_ent(self, ent) -> Mention | None:
        start, end = ent.start, ent.end
        # Drop a leading "the" and a trailing possessive from the span.
        while start < end and ent.doc[start].lower_ == "the":
            start += 1
        # "Sichuan's Garze Prefecture": the possessor is a name of its own
        for k in range(start, end - 1):
            if ent.doc[k].text in ("’s", "'s") and not self.gazetteer.lookup(ent.text) \
                    and ent.label_ in ("GPE", "LOC", "FAC"):
                start = k + 1
        # "the Ministry of Trade and Industry of the": let the extension below decide
        while end - start > 1 and ent.doc[end - 1].lower_ in ("of", "the", "and", "for", "on", "&"):
            end -= 1
        while end > start and ent.doc[end - 1].tag_ == "POS" or (
                end > start and ent.doc[end - 1].text in {"’s", "'s", "’", "'"}):
            end -= 1
        # "Hilton Hotels Acquired by ...": a headline verb is not part of the name
        while end - start > 1 and ent.doc[end - 1].lower_ in VERB_FORMS:
            end -= 1
        if start >= end:
            return None
        span = ent.doc[start:end]
        text = _clean(span.text)
        if not text or not any(c.isalpha() for c in text):
            return None
        entry = self.gazetteer.get(ent.ent_id_) if ent.ent_id_ else None
        if entry is None:
            entry = self.gazetteer.lookup(text)
        if entry is not None:
            return Mention(start, end, entry.entity, text)
        kind = NER_TYPES.get(ent.label_)
        while end < ent.sent.end and ent.doc[end].lower_ in ADMIN_WORDS and ent.label_ in ("GPE", "ORG", "LOC"):
            end += 1
            text = _clean(ent.doc[start:end].text)
        if kind == "Organization" and ent.label_ == "ORG":
            end = self._extend_name(end, ent.sent.end)
            text = _clean(ent.doc[start:end].text)
        if kind is None or text.lower() in NOT_NAMES or not text[0].isupper() and not text[0].isdigit():
            return None
        if text.isupper() and (len(text) > 5 or " " in text):
            return None  # datelines and bylines: "IST - BANGALORE", "SHANGHAI"
        if kind == "Person" and text.split()[-1].lower().strip(".") in ORG_LAST_WORDS:
            kind = "Organization"  # "Trendy Group", "Sequoia Capital": not people
        if kind == "Organization" and ent.label_ == "ORG":
            # "Hangzhou Market Regulation Bureau", "Ministry of Trade": an official body
            heads = [w.lower() for w in re.findall(r"[A-Za-z]+", text)]
            if any(h in BODY_HEADS and BODY_HEADS[h] == "GovernmentBody" for h in heads):
                kind = "GovernmentBody"
        return Mention(start, end, Entity(text, kind), text, ent.label_)

    def _retype_brands(self, raw: list[Mention]) -> list[Mention]:
        """The recogniser often calls a brand named after a person a PERSON: "jewelry
        brands Arte Joyas and Goretti", "Galo Bertini, an up-and-coming suit brand"."""
        doc = self.doc
        brand_words = {"brand", "brands", "label", "labels", "designer", "house", "maker"}
        out = list(raw)
        for k, m in enumerate(out):
            if m.entity.type != "Person" or not m.ner:
                continue
            before = {t.lower_ for t in doc[max(m.start - 2, 0): m.start]}
            after = doc[m.end: min(m.end + 8, len(doc))]
            appos_brand = len(after) > 1 and after[0].text == "," and any(
                t.lower_ in brand_words for t in after[1:] if t.text != ",")
            if before & brand_words or appos_brand:
                for member in [m] + [x for x in out if x is not m and x.entity.type == "Person"
                                     and x.ner and self._adjacent_in_list(m, x)]:
                    i = out.index(member)
                    out[i] = Mention(member.start, member.end, Entity(member.text, "Brand"),
                                     member.text, member.ner)
        return out

    def _adjacent_in_list(self, a: Mention, b: Mention) -> bool:
        """Are a and b neighbours in a written list ("A and B", "A, B")?"""
        first, second = (a, b) if a.start < b.start else (b, a)
        gap = self.doc[first.end: second.start]
        return 0 < len(gap) <= 2 and all(t.lower_ in (",", "and", "or", "&") for t in gap)

    def _join_adjacent(self, raw: list[Mention]) -> list[Mention]:
        """"William Ding" + "Lei" is one person; "TPG" + "Growth" is the fund TPG Growth."""
        doc = self.doc
        out: list[Mention] = []
        for m in raw:
            prev = out[-1] if out else None
            if prev is not None and prev.end == m.start and prev.entity.type == m.entity.type == "Person":
                text = doc[prev.start: m.end].text
                entry = self.gazetteer.lookup(text)
                out[-1] = Mention(prev.start, m.end, entry.entity if entry else Entity(text, "Person"), text)
                continue
            out.append(m)
        out = self._join_official_names(out)
        taken = {i for m in out for i in range(m.start, m.end)}
        joined = []
        dropped: set[int] = set()
        for m in out:
            if id(m) in dropped:
                continue
            j = m.end
            # "Alibaba Group Holding Ltd.", "Energy Transfer Partners, L.P.": the legal suffix
            # belongs to the name
            while m.entity.type != "Person" and j < len(doc) and j not in taken:
                if doc[j].lower_.replace(".", "") in SUFFIX_WORDS:
                    j += 1
                elif doc[j].text == "," and j + 1 < len(doc) \
                        and doc[j + 1].lower_.replace(".", "") in SUFFIX_WORDS:
                    j += 2
                else:
                    break
            # a suffix the recogniser took for a name of its own ("L.P.") goes with it
            out_next = [x for x in out if m.end <= x.start < j]
            for x in out_next:
                taken.difference_update(range(x.start, x.end))
                dropped.add(id(x))
            if j > m.end:
                text = doc[m.start: j].text
                m = Mention(m.start, j, m.entity, text, m.ner)
            while j < len(doc) and j not in taken and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper() \
                    and doc[j].lower_ not in NOT_NAMES and not doc[j].ent_type_ in ("DATE", "TIME", "GPE", "NORP") \
                    and doc[j].sent == doc[m.start].sent and m.entity.type in ("Company", "Organization", "Person") \
                    and doc[j - 1].dep_ == "compound" and doc[j - 1].head.i >= j \
                    and doc[j].lower_ not in VERB_FORMS:
                j += 1
            if j > m.end and not doc[j - 1].text.endswith("."):
                text = doc[m.start: j].text
                entry = self.gazetteer.lookup(text)
                kind = "Person" if m.entity.type == "Person" else "Organization"
                m = Mention(m.start, j, entry.entity if entry else Entity(text, kind), text, m.ner)
            joined.append(m)
        return joined

    def _join_official_names(self, raw: list[Mention]) -> list[Mention]:
        """"the Rwanda Development Board", "Singapore Tourism Board": a country name that
        opens the name of one of its official bodies is part of that name."""
        doc = self.doc
        starts = {m.start for m in raw}
        out: list[Mention] = []
        skip_until = -1
        for m in raw:
            if m.start < skip_until:
                continue
            if m.entity.type == "Country" or m.ner == "GPE":
                j = m.end
                while j < len(doc) and doc[j].pos_ == "PROPN" and doc[j].text[:1].isupper() \
                        and (j == m.end or j not in starts) and doc[j].sent == doc[m.start].sent:
                    j += 1
                if j > m.end and doc[j - 1].lower_ in BODY_HEADS:
                    text = doc[m.start: j].text
                    entry = self.gazetteer.lookup(text)
                    kind = BODY_HEADS[doc[j - 1].lower_]
                    out.append(Mention(m.start, j, entry.entity if entry else Entity(text, kind), text, "ORG"))
                    skip_until = j
                    continue
            out.append(m)
        return out

    def _extend_name(self, end: int, limit: int) -> int:
        """"Ministry of Trade and Industry", "Office on the Fight against IPR Infringement":
        the recogniser often stops at the first preposition of a long official name."""
        doc, j, extended = self.doc, end, False
        while j < limit:
            word = doc[j].lower_
            if word in ("of", "on", "for", "against") or (word in ("and", "&") and extended):
                k = j + 1
                if k < limit and doc[k].lower_ == "the":
                    k += 1
                nxt = doc[k] if k < limit else None
                if nxt is None or not nxt.text[:1].isupper() or nxt.pos_ not in ("PROPN", "NOUN", "ADJ"):
                    break
                if nxt.ent_type_ and nxt.ent_iob_ == "B" and nxt.ent_type_ not in ("ORG",):
                    # "Ministry of Trade and Industry of the Republic of Singapore"
                    official = any(t.lower_ in BODY_HEADS for t in doc[max(j - 8, 0): j])
                    if word == "of" and (nxt.ent_type_ == "Country" or (nxt.ent_type_ == "GPE" and official)):
                        j = next((e.end for e in doc.ents if e.start == nxt.i), k + 1)
                        extended = True
                        continue
                    break
                j, extended = k + 1, True
                while j < limit and doc[j].text[:1].isupper() and doc[j].pos_ in ("PROPN", "NOUN", "ADJ") \
                        and not (doc[j].ent_iob_ == "B" and doc[j].ent_type_ not in ("ORG", "")):
                    j += 1
                continue
            break
        return j

    def _canonicalise(self, raw: Iterable[Mention]) -> None:
        """Merge mentions of one entity; the longest surface form names NER-only entities."""
        groups: dict[str, list[Mention]] = {}
        keys: dict[str, str] = {}
        for m in raw:
            if m.entity.qid or self.gazetteer.get(m.entity.name):
                key = "gaz:" + m.entity.name
            else:
                # one name, one entity -- unless the types conflict: "Jordan" the person and
                # "Jordan" the organisation stay apart
                kind = "person" if m.entity.type == "Person" else "org"
                norm = f"{kind}:{normalise(m.entity.name)}"
                key = keys.get(norm) or self._prefix_key(norm, m.entity.type, keys) or norm
                keys[norm] = key
            groups.setdefault(key, []).append(m)
        for key, group in groups.items():
            texts = [m.text for m in group]
            canonical = group[0].entity.name
            surface = canonical if canonical in texts else max(texts, key=len)
            entity = group[0].entity
            if not key.startswith("gaz:"):
                entity = Entity(surface, entity.type)
            for m in group:
                mention = Mention(m.start, m.end, entity, m.text, m.ner)
                self.mentions.append(mention)
            self._surface[entity.name] = surface
        self.mentions.sort(key=lambda m: m.start)
        for m in self.mentions:
            for i in range(m.start, m.end):
                self._by_token[i] = m

    @staticmethod
    def _prefix_key(norm: str, kind: str, keys: dict[str, str]) -> str | None:
        """A person's surname alone ("Munjal") is the person named in full earlier."""
        words = norm.partition(":")[2].split()
        for other, key in keys.items():
            other_kind, _, other_name = other.partition(":")
            if kind == "Person" and other_kind == "person" and len(words) == 1 \
                    and other_name.split()[-1:] == words:
                return key
        return None

    def _add_acronyms(self) -> None:
        """"Trade Development Authority of Pakistan (TDAP)": later "TDAP" is that body."""
        doc = self.doc
        acronyms: dict[str, Entity] = {}
        for m in list(self.mentions):
            i = m.end
            if i + 2 < len(doc) and doc[i].text == "(" and doc[i + 2].text == ")":
                word = doc[i + 1].text
                if word.isupper() and 2 <= len(word) <= 8:
                    acronyms[word] = m.entity
        if not acronyms:
            return
        added = []
        for tok in doc:
            entity = acronyms.get(tok.text)
            if entity is None:
                continue
            old = self._by_token.get(tok.i)
            if old is not None and old.entity == entity:
                continue
            if old is not None and (old.end - old.start) > 1:
                continue
            mention = Mention(tok.i, tok.i + 1, entity, tok.text)
            self._by_token[tok.i] = mention
            added.append(mention)
        self.mentions = sorted([m for m in self.mentions if self._by_token.get(m.start) is m]
                               + added, key=lambda m: m.start)

    # ------------------------------------------------------------- queries
    def surface(self, entity: Entity) -> str:
        """The fullest name the article uses for ``entity``."""
        return self._surface.get(entity.name, entity.name)

    def at(self, i: int) -> Mention | None:
        return self._by_token.get(i)

    def in_span(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if start <= m.start and m.end <= end]

    def resolve(self, token, exclude: frozenset[str] = frozenset(), lists: bool = True) -> list[Mention]:
        """The named entities ``token`` stands for (empty when it names none)."""
        found = self._resolve_one(token, exclude)
        if not found:
            return []
        if lists:
            more: list[Mention] = []
            for m in found:
                # lists only around the token itself, not around an antecedent elsewhere
                if token.left_edge.i <= m.start and m.end - 1 <= max(token.right_edge.i, m.end - 1) \
                        and m.start >= token.sent.start and (m.start <= token.i < m.end or m.start >= token.left_edge.i):
                    more.extend(self.list_members(m))
            conjuncts = [c for c in token.conjuncts if c.i > token.i]
            if conjuncts and not _within_subject(token):
                last = max(conjuncts, key=lambda c: c.i)
                nxt = last.i + 1
                if nxt < len(self.doc) and self.doc[nxt].tag_ in ("VBD", "VBZ", "VBP", "MD"):
                    conjuncts = []  # "... of Hughes, TerreStar and HNS entered into": a new clause
            for conj in conjuncts:
                more.extend(self._resolve_one(conj, exclude))
            found = _unique(found + more)
        return [m for m in found if m.entity.name not in exclude]

    def _resolve_one(self, token, exclude: frozenset[str]) -> list[Mention]:
        mention = self.at(token.i)
        if mention is not None:
            return [mention]
        lower = token.lower_
        if token.pos_ == "PRON" or lower in PRONOUNS:
            if lower in PRONOUNS:
                ante = self.antecedent(token, PRONOUNS[lower], exclude)
                return [ante] if ante else []
            return []
        if token.pos_ not in ("NOUN", "PROPN", "NUM", "X"):
            return []
        body = self._official_body(token)
        if body is not None:
            return [body]
        # A description with its name inside: "vintage luxury site 1stdibs", "Alibaba rival Tencent".
        inner = [self.at(c.i) for c in token.children
                 if c.dep_ in ("appos", "compound", "nmod", "nummod", "npadvmod", "conj")
                 and self.at(c.i) is not None and c.dep_ != "poss"]
        inner = [m for m in inner if m is not None and not self._is_possessor(m) and m.ner not in ("GPE", "LOC")
                 and (m.start > token.i or m.end == token.i)  # "site 1stdibs", "Tmall platform"
                 and not (m.end < len(self.doc) and self.doc[m.end].text in ("-", "–"))]
        if inner and token.pos_ != "PROPN":
            appos = [m for m in inner if self.doc[m.end - 1].dep_ == "appos"
                     or self.doc[m.start].dep_ == "appos"]
            return _unique(appos or inner[-1:])
        if token.lower_ in QUANTITY or token.lemma_.lower() in UNIT_NOUNS:
            # "a host of investors such as A"; "a subsidiary of Hitachi Zosen" (its parent acts)
            for prep in token.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    inner_members = [x for p in prep.children if p.dep_ == "pobj"
                                     for x in self.resolve(p, exclude)]
                    if inner_members:
                        return inner_members
        if token.pos_ == "NOUN" and not inner:
            # "streaming service Tubi": a name the recogniser missed, right after its description
            names = [c for c in token.children if c.pos_ == "PROPN" and c.i > token.i
                     and c.dep_ in ("appos", "compound", "nmod", "npadvmod")]
            if names:
                return self._proper_name(names[0])
        # "brands such as A and B", "giants, including Tmall"
        for child in token.children:
            if child.dep_ == "prep" and (child.lower_ in ("including", "like")
                                         or (child.lower_ == "as" and child.i > 0
                                             and self.doc[child.i - 1].lower_ == "such")):
                members = []
                for pobj in child.children:
                    if pobj.dep_ == "pobj":
                        members.extend(self.resolve(pobj, exclude))
                if members:
                    return members
        if token.lemma_.lower() in DESCRIPTORS or token.lower_ in DESCRIPTORS:
            if any(c.lower_ in PAIR_WORDS for c in token.children) or token.lower_ in PAIR_WORDS:
                return self.pair_antecedents(token, exclude)
            # "the platform" points back; "its own marketplace" is an unnamed thing of its owner
            definite = any(c.dep_ == "det" and c.lower_ in ("the", "this", "that")
                           for c in token.children)
            if definite and token.tag_ in ("NN", "NNP"):
                kinds = DESCRIPTORS.get(token.lemma_.lower()) or DESCRIPTORS[token.lower_]
                ante = self.antecedent(token, kinds, exclude)
                return [ante] if ante else []
        if token.lower_ in PAIR_WORDS and any(c.lower_ == "the" for c in token.children):
            return self.pair_antecedents(token, exclude)
        if token.pos_ == "PROPN":
            return self._proper_name(token)
        return []

    def _official_body(self, token) -> Mention | None:
        """"the government of Ganzi Prefecture" -> Government of Ganzi Prefecture;
        "the Hangzhou municipal authority" -> Hangzhou municipal authority."""
        kind = BODY_HEADS.get(token.lower_)
        if kind is None or not token.is_lower:
            return None
        # "Italy's economic development ministry": a known body of that country
        for poss in token.children:
            owner = self.at(poss.i) if poss.dep_ == "poss" else None
            if owner is not None and owner.entity.type == "Country":
                words = [c.lower_ for c in token.children if c.dep_ in ("compound", "amod", "nmod")
                         and c.i > poss.i] + [token.lower_]
                entry = self.gazetteer.find_body(words, owner.entity.name)
                if entry is not None:
                    return Mention(owner.start, token.i + 1, entry.entity,
                                   self.doc[owner.start: token.i + 1].text)
        for prep in token.children:
            if prep.dep_ == "prep" and prep.lower_ == "of":
                place = next((self.at(c.i) for c in prep.children if c.dep_ == "pobj"), None)
                if place is not None and place.entity.type in ("Country", "Organization"):
                    name = f"{token.text.capitalize()} of {place.text}"
                    entry = self.gazetteer.lookup(name)
                    entity = entry.entity if entry else Entity(name, kind)
                    return Mention(token.i, place.end, entity, name)
        mods = [c for c in token.children if c.dep_ in ("compound", "nmod", "amod") and c.i < token.i]
        places = [c for c in mods if c.pos_ == "PROPN"]
        if places and all(self.at(c.i) is None or self.at(c.i).entity.type in ("Country", "Organization")
                          for c in places):
            first = min(c.left_edge.i for c in mods)
            name = _clean(self.doc[first: token.i + 1].text)
            entry = self.gazetteer.lookup(name)
            entity = entry.entity if entry else Entity(name, kind)
            return Mention(first, token.i + 1, entity, name)
        return None

    def is_place(self, m: Mention) -> bool:
        """A name the recogniser calls a place and the text uses as one ("in Sevierville,
        Tennessee", "Hangzhou-based"): not a company, whatever the recogniser's doubts."""
        if m.ner not in ("GPE", "LOC"):
            return False
        doc = self.doc
        i = m.start - 1
        if i >= 0 and doc[i].lower_ == "the":
            i -= 1
        if i >= 0 and doc[i].lower_ in ("in", "at", "from", "near", "across", "throughout", "of", "to"):
            return True
        if m.end + 1 < len(doc) and doc[m.end].text in ("-", "–") and doc[m.end + 1].lower_ in ("based", "headquartered"):
            return True
        if i >= 1 and doc[i].text == ",":
            prev = self.at(i - 1)
            return prev is not None and prev is not m and self.is_place(prev)
        return False

    def _is_possessor(self, m: Mention) -> bool:
        last = self.doc[m.end - 1]
        nxt = self.doc[m.end] if m.end < len(self.doc) else None
        return last.dep_ == "poss" or (nxt is not None and nxt.tag_ == "POS")

    def _proper_name(self, token) -> list[Mention]:
        """A capitalised name the recogniser missed: keep it as an Organization."""
        left = token.i
        while left > 0 and self.doc[left - 1].dep_ == "compound" and self.doc[left - 1].pos_ == "PROPN" \
                and self.doc[left - 1].head.i <= token.i and self.at(left - 1) is None:
            left -= 1
        words = self.doc[left: token.i + 1]
        text = _clean(words.text)
        if not text or text.lower() in NOT_NAMES or not text[0].isupper() or len(text) < 2:
            return []
        if all(w.lower_ in NOT_NAMES for w in words) or words[0].ent_type_ in ("DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "NORP", "GPE"):
            return []
        entry = self.gazetteer.lookup(text)
        entity = entry.entity if entry else Entity(text, "Organization")
        return [Mention(left, token.i + 1, entity, text)]

    def list_members(self, mention: Mention) -> list[Mention]:
        """All mentions of the written list ("A, B and C") that ``mention`` belongs to."""
        doc = self.doc
        members = [mention]
        for step in (1, -1):
            i = mention.end if step == 1 else mention.start - 1
            separated, gap = False, 0
            while 0 <= i < len(doc):
                tok = doc[i]
                m = self.at(i)
                if m is not None and m not in members and self._is_possessor(m):
                    i = (m.end + 1 if step == 1 else m.start - 1)
                    continue
                if m is not None and m not in members:
                    if not separated:
                        break
                    members.append(m)
                    i = (m.end if step == 1 else m.start - 1)
                    separated, gap = False, 0
                    continue
                if tok.text == ("(" if step == 1 else ")"):
                    j = i
                    while 0 <= j < len(doc) and doc[j].text != (")" if step == 1 else "("):
                        j += step
                    i = j + step
                    continue
                if step == 1 and tok.text == "," and i + 1 < len(doc) and doc[i + 1].lower_ in ("a", "an", "which", "who"):
                    # ", a site that functions as ... of Tmall, and 1stdibs": skip the aside
                    j = i + 1
                    while j < len(doc) and doc[j].text not in (",", ".", ";") and not doc[j].is_sent_start:
                        j += 1
                    if j >= len(doc) or doc[j].text != ",":
                        break
                    i = j
                    continue
                if tok.lower_ in LIST_WORDS:
                    if tok.lower_ == "as" and (i + step < 0 or i + step >= len(doc) or doc[i - 1].lower_ == "such"):
                        break  # "brands such as A": the list starts after "such as"
                    separated = separated or tok.lower_ in {",", "and", "or", "&", "plus"}
                    i += step
                    continue
                if tok.pos_ in ("ADJ", "NOUN", "DET", "NUM", "PROPN", "ADV") and gap < 5 \
                        and tok.lower_ not in ("which", "that", "who") and separated:
                    gap += 1
                    i += step
                    continue
                break
        members.sort(key=lambda m: m.start)
        # "... on Tmall, and Prada opened a store": a list does not run into the subject of
        # the next clause. A later member that is itself a clause subject starts a new list.
        last = members[-1]
        own = doc[mention.end - 1]
        if len(members) > 1 and last is not mention and last.end < len(doc) \
                and doc[last.end].tag_ in ("VBD", "VBZ", "VBP", "MD") \
                and not _within_subject(own):
            # "the acquisition of Hughes, TerreStar and HNS entered into ...": the list after
            # an object runs into the subject of the next clause; keep what precedes
            members = [x for x in members if x.start <= mention.start]
        for k in range(1, len(members)):
            head = doc[members[k].end - 1]
            while head.dep_ in ("compound", "flat") and head.head.i < members[k].end:
                head = head.head
            if head.dep_ in ("nsubj", "nsubjpass") and head.head.i > head.i:
                before, after = members[:k], members[k:]
                members = before if mention in before else after
                break
        return members

    def _candidates_before(self, token) -> Iterator[tuple[int, Mention]]:
        """Mentions before ``token``: this sentence first (nearest first), then earlier ones."""
        sent = token.sent
        here = [m for m in self.mentions if sent.start <= m.start and m.end <= token.i]
        for m in reversed(here):
            yield 0, m
        sents = [s for s in self.doc.sents if s.end <= sent.start]
        for distance, s in enumerate(reversed(sents[-4:]), 1):
            for m in [m for m in self.mentions if s.start <= m.start and m.end <= s.end]:
                yield distance, m

    def antecedent(self, token, kinds: tuple[str, ...], exclude: frozenset[str],
                   depth: int = 0) -> Mention | None:
        """The named entity a pronoun or description refers to: the nearest salient one."""
        best, best_score = None, None
        # The topic of each earlier sentence, even when it is "the company" or "it".
        sents = [s for s in self.doc.sents if s.end <= token.sent.start][-4:]
        # Tiers: 0 = the topic of an earlier sentence, or a name earlier in this sentence when
        # the description is not itself the main subject; 1 = other main-clause subjects;
        # 2 = other names; 3 = names earlier in this sentence before a main subject.
        is_subject = token.dep_ in ("nsubj", "nsubjpass") and (
            token.head.dep_ == "ROOT" or (token.head.dep_ == "conj" and token.head.head.dep_ == "ROOT"))
        for distance, sent in enumerate(reversed(sents), 1):
            topics = [t for t in self._sentence_topics(sent, depth)
                      if t.entity.name not in exclude and t.entity.type in kinds]
            for topic in topics:
                score = (0, distance, kinds.index(topic.entity.type), topic.start)
                if best_score is None or score < best_score:
                    best, best_score = topic, score
            if topics:
                break
        for distance, m in self._candidates_before(token):
            if m.entity.name in exclude or m.entity.type not in kinds:
                continue
            if m.end < len(self.doc) and self.doc[m.end].text in ("-", "–"):
                continue  # "the LVMH-owned brand" is not LVMH
            if m.ner in ("GPE", "LOC") and "Country" not in kinds:
                continue  # "the regulator" is not "Hangzhou"
            if self._is_possessor(m) and distance == 0 and token.lower_ not in ("its", "it"):
                continue
            head = self.doc[m.end - 1]
            main = self._main_subject(head)
            subject = main or head.dep_ in ("nsubj", "nsubjpass") or self._in_subject(head)
            rank = kinds.index(m.entity.type)  # "the company" prefers a Company to a platform
            if distance == 0:
                tier = 3 if is_subject else 0
                score = (tier, 0, rank, 0 if subject else 1, m.start)
            else:
                score = (1 if main else 2, distance, rank, 0 if subject else 1, m.start)
            if best_score is None or score < best_score:
                best, best_score = m, score
        if best is None:
            # Nothing near: the entity of that kind the article has talked about most.
            counts: dict[str, list[Mention]] = {}
            for m in self.mentions:
                if m.end <= token.i and m.entity.type in kinds and m.entity.name not in exclude \
                        and m.ner not in ("GPE", "LOC"):
                    counts.setdefault(m.entity.name, []).append(m)
            if counts:
                best = max(counts.values(), key=lambda ms: (len(ms), ms[-1].start))[-1]
        return best

    def _main_subject(self, tok) -> bool:
        """Is this word (in) the subject of its sentence's main clause?

        The content clause of a reporting verb counts as main ("Nykaa allotted
        shares, the documents showed"); a name that only modifies another name
        does not ("Paper.vc founder Vivek Durai told").
        """
        own = self.at(tok.i)
        while tok.dep_ in ("compound", "appos", "conj", "amod", "nmod", "flat") and tok.head is not tok:
            other = self.at(tok.head.i)
            if other is not None and other is not own and tok.dep_ in ("compound", "nmod"):
                return False
            tok = tok.head
        if tok.dep_ not in ("nsubj", "nsubjpass"):
            return False
        verb = tok.head
        while verb.dep_ == "conj" and verb.head is not verb:
            verb = verb.head
        if verb.dep_ == "ccomp" and verb.head.dep_ == "ROOT" and verb.head.lemma_ in REPORTING:
            # "X did Y, the documents showed" -- unless the reporter is itself a party
            reporter = [c for c in verb.head.children if c.dep_ == "nsubj"]
            return not any(self._names_party(r) for r in reporter)
        return verb.dep_ == "ROOT"

    def _names_party(self, tok) -> bool:
        """Does this subject word name or describe an organisation?"""
        return (self.at(tok.i) is not None or tok.lower_ in PRONOUNS
                or tok.lemma_.lower() in DESCRIPTORS)

    def _sentence_topics(self, sent, depth: int) -> list[Mention]:
        """What the main clause of ``sent`` is about: the names in its subject (with their
        appositions and conjuncts), or what "the company" / "it" there refers to."""
        root = sent.root
        subjects = [c for c in root.children if c.dep_ in ("nsubj", "nsubjpass")]
        if root.lemma_ in REPORTING and not any(self._names_party(x) for x in subjects):
            # "Nykaa allotted shares, the documents showed": the report's own subject
            subjects = [c for cc in root.children if cc.dep_ == "ccomp"
                        for c in cc.children if c.dep_ in ("nsubj", "nsubjpass")] + subjects
        for subj in subjects:
            names = [self.at(t.i) for t in subj.subtree
                     if self.at(t.i) is not None and (t.i == subj.i or t.dep_ in ("appos", "conj", "compound"))]
            names = _unique([n for n in names if n is not None])
            if names:
                return names
            if depth < 2 and (subj.lower_ in PRONOUNS or (
                    subj.lemma_.lower() in DESCRIPTORS and subj.tag_ in ("NN", "NNP")
                    and any(c.lower_ == "the" for c in subj.children))):
                kinds = PRONOUNS.get(subj.lower_) or DESCRIPTORS.get(subj.lemma_.lower(), ORG_TYPES)
                found = self.antecedent(subj, kinds, frozenset(), depth + 1)
                return [found] if found else []
        return []

    @staticmethod
    def _in_subject(tok) -> bool:
        while tok.dep_ in ("compound", "appos", "conj", "poss", "amod", "nmod") and tok.head is not tok:
            tok = tok.head
        return tok.dep_ in ("nsubj", "nsubjpass")

    def pair_antecedents(self, token, exclude: frozenset[str]) -> list[Mention]:
        """"The two companies", "the pair": the two most recent distinct organisations."""
        seen: dict[str, Mention] = {}
        for _, m in self._candidates_before(token):
            if m.entity.type in ORG_TYPES and m.entity.name not in exclude:
                seen.setdefault(m.entity.name, m)
            if len(seen) == 2:
                return list(seen.values())
        return []


def _within_subject(tok) -> bool:
    """Is this word inside the subject phrase of its clause ("brands including A and B
    have joined")? Walks up to the clause's verb."""
    for _ in range(8):
        if tok.dep_ in ("nsubj", "nsubjpass"):
            return True
        if (tok.pos_ in ("VERB", "AUX") and tok.dep_ != "prep") or tok.head is tok:
            return False  # "including" is a preposition here, not the clause's verb
        tok = tok.head
    return False


def _unique(mentions: Iterable[Mention]) -> list[Mention]:
    out, seen = [], set()
    for m in mentions:
        if m.entity.name not in seen:
            seen.add(m.entity.name)
            out.append(m)
    return out
