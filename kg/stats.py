"""Counts that describe a built graph (``kg stats``)."""
from __future__ import annotations

from kg.namespace import PREFIXES
from kg.records import RELATIONS

_FACTS = """
SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o . VALUES ?p { %s } } GROUP BY ?p
""" % " ".join(f"ecom:{r}" for r in RELATIONS)
_STATUS = """
SELECT ?status (COUNT(?r) AS ?n) WHERE { ?r a ecom:FactRecord ; ecom:status ?status } GROUP BY ?status
"""
_ENTITIES = "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a ?c . VALUES ?c { %s } }" % " ".join(
    f"ecom:{c}" for c in ("Organization", "Company", "Brand", "Marketplace", "GovernmentBody",
                          "Country", "Person"))
_ARTICLES = "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a schema:NewsArticle }"


def graph_stats(graph) -> dict:
    """Articles, entities, facts per relation and provenance records per status.

    >>> from rdflib import Dataset
    >>> graph_stats(Dataset())["articles"]
    0
    """
    ns = dict(PREFIXES)

    def one(q: str) -> int:
        return int(next(iter(graph.query(q, initNs=ns)))[0])

    facts = {r: 0 for r in RELATIONS}
    for p, n in graph.query(_FACTS, initNs=ns):
        facts[str(p).rsplit("#", 1)[-1]] = int(n)
    statuses = {str(s): int(n) for s, n in graph.query(_STATUS, initNs=ns)}
    return {"articles": one(_ARTICLES), "entities": one(_ENTITIES), "facts": facts,
            "fact records by status": dict(sorted(statuses.items()))}



