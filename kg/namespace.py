"""The ontology's terms and the IRI bases kg mints; the only place IRIs are written.

``ECOM`` is a closed vocabulary: a typo such as ``ECOM.signedMou`` raises
``AttributeError`` instead of minting a wrong IRI. ``tests/test_namespace.py``
keeps it equal to the terms declared in ``ontology/ecom.ttl``.

>>> from kg.namespace import ECOM, entity_iri
>>> str(ECOM.signedMOU)
'https://w3id.org/kg-ecom/ontology#signedMOU'
>>> str(entity_iri("L’Oréal Paris"))
'https://w3id.org/kg-ecom/entity/l-oreal-paris'
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

BASE = "https://w3id.org/kg-ecom/"
ONTOLOGY_IRI = URIRef(BASE + "ontology")


class ECOM(DefinedNamespace):
    """kg's ontology (``ontology/ecom.ttl``)."""

    _NS = Namespace(BASE + "ontology#")
    _fail = True

    # classes
    Party: URIRef
    Organization: URIRef
    Company: URIRef
    Brand: URIRef
    Marketplace: URIRef
    GovernmentBody: URIRef
    Country: URIRef
    Person: URIRef
    FactRecord: URIRef
    # relations
    signedMOU: URIRef
    listedOn: URIRef
    investedIn: URIRef
    fightsCounterfeitWith: URIRef
    operates: URIRef
    # provenance and deal attributes
    sentence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    confidence: URIRef
    rule: URIRef
    status: URIRef
    subjectText: URIRef
    objectText: URIRef
    dealDate: URIRef
    amount: URIRef
    currency: URIRef
    stakePercent: URIRef
    durationMonths: URIRef


SCHEMA = Namespace("https://schema.org/")
WIKIDATA = Namespace("http://www.wikidata.org/entity/")
ENTITY = Namespace(BASE + "entity/")
ARTICLE = Namespace(BASE + "article/")
FACT = Namespace(BASE + "fact/")

#: Prefixes bound in every graph kg writes and every query it runs.
PREFIXES = {
    "ecom": str(ECOM._NS),
    "schema": str(SCHEMA),
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": str(WIKIDATA),
    "entity": str(ENTITY),
    "article": str(ARTICLE),
    "fact": str(FACT),
}


def slug(name: str) -> str:
    """A stable, readable IRI segment for a name.

    >>> slug("Alibaba Group Holding Ltd.")
    'alibaba-group-holding-ltd'
    >>> slug("阿里巴巴") == slug("阿里巴巴")
    True
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    ascii_slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if ascii_slug:
        return ascii_slug
    # Names with no Latin letters still get a stable, deterministic slug.
    return "x-" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]


def entity_iri(name: str) -> URIRef:
    """The IRI of the entity with this canonical name."""
    return ENTITY[slug(name)]


def class_iri(type_name: str) -> URIRef:
    """The ontology class for an entity type name such as ``"Company"``."""
    return getattr(ECOM, type_name)


def relation_iri(relation: str) -> URIRef:
    """The ontology property for a relation name such as ``"listedOn"``."""
    return getattr(ECOM, relation)


def article_iri(article_id: str) -> URIRef:
    """The IRI of an article (and of its named graph)."""
    return ARTICLE[quote(article_id, safe="")]


def fact_iri(*parts: str) -> URIRef:
    """A deterministic IRI for a fact record, from what identifies it."""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return FACT[digest]
