"""Typed, frozen records passed between the stages of kg.

>>> alibaba = Entity("Alibaba Group", "Company", qid="Q1359568")
>>> tmall = Entity("Tmall", "Marketplace")
>>> t = Triple(alibaba, "operates", tmall, article_id="a1", sentence="Alibaba's Tmall grew.",
...            start=0, end=21, confidence=0.9, rule="operates.possessive")
>>> t.key
('Alibaba Group', 'operates', 'Tmall')
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

#: The five relations of the ontology, in the order reports list them.
RELATIONS = ("signedMOU", "listedOn", "investedIn", "fightsCounterfeitWith", "operates")
CORE_RELATIONS = RELATIONS[:4]
SYMMETRIC = frozenset({"signedMOU", "fightsCounterfeitWith"})
#: Entity types (local names of ontology classes).
ENTITY_TYPES = ("Company", "Brand", "Marketplace", "GovernmentBody", "Country", "Person",
                "Organization")
#: Modality of a candidate fact; only ASSERTED facts enter the graph by default.
ASSERTED, HEDGED, NEGATED, ADVERSARIAL = "asserted", "hedged", "negated", "adversarial"
STATUSES = (ASSERTED, HEDGED, NEGATED, ADVERSARIAL)


@dataclass(frozen=True)
class Article:
    """One news article as read from a file."""

    id: str
    text: str
    url: str | None = None
    title: str | None = None
    published: date | None = None
    source: str | None = None  # the file it came from


@dataclass(frozen=True)
class Skipped:
    """An input that was not used, and why."""

    source: str
    reason: str


@dataclass(frozen=True)
class Entity:
    """A named entity, canonicalised: the same real entity has the same ``name``."""

    name: str
    type: str = "Organization"
    qid: str | None = None  # Wikidata id, e.g. "Q1359568"
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DealAttributes:
    """What the text states about a deal: all optional."""

    date: date | None = None
    amount: Decimal | None = None
    currency: str | None = None  # ISO 4217 code
    stake: Decimal | None = None  # percent
    duration_months: int | None = None


@dataclass(frozen=True)
class Triple:
    """One extracted fact with its provenance.

    ``start``/``end`` are character offsets of ``sentence`` in the article text;
    ``subject_text``/``object_text`` are the names as the article writes them.
    """

    subject: Entity
    relation: str
    object: Entity
    article_id: str
    sentence: str
    start: int
    end: int
    confidence: float
    rule: str
    status: str = ASSERTED
    subject_text: str = ""
    object_text: str = ""
    attributes: DealAttributes = field(default_factory=DealAttributes)

    @property
    def key(self) -> tuple[str, str, str]:
        """(subject, relation, object) by canonical name; symmetric pairs ordered."""
        s, o = self.subject.name, self.object.name
        if self.relation in SYMMETRIC and o < s:
            s, o = o, s
        return (s, self.relation, o)


@dataclass(frozen=True)
class Evidence:
    """Where a graph edge comes from: one article sentence."""

    article_id: str
    sentence: str
    url: str | None = None
    title: str | None = None
    published: date | None = None
    confidence: float = 0.0
    rule: str = ""
    status: str = ASSERTED


@dataclass(frozen=True)
class BuildReport:
    """What a build read, skipped and produced."""

    articles: int
    skipped: tuple[Skipped, ...]
    facts: dict[str, int]
    entities: int
    files: tuple[str, ...] = ()
