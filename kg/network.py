"""RDF -> networkx ``MultiDiGraph``, and analysis helpers as free functions over it.

Nodes are entities, keyed by IRI (``str``), with attributes ``label``, ``type`` (an
ontology class local name), ``qid`` (Wikidata id or None) and ``aliases``. Each asserted
fact ``(s, relation, o)`` is one edge keyed by the relation name, with attributes
``relation``, ``confidence``, ``sources`` (:class:`kg.records.Evidence`, sorted by
article id), ``first_date`` and ``status``. Symmetric facts are one edge, from the
endpoint whose label sorts first.

The graph is read with four SPARQL queries (entities, facts, fact records, details),
whatever its size. No function here changes its argument.

>>> G = example_graph()
>>> sorted(G.nodes[n]["label"] for n in G)
['Alibaba Group', 'Government of Pakistan', 'JD.com', 'Lazada', 'Nike', 'Tmall']
>>> G.nodes[str(entity_iri("Alibaba Group"))]["type"], G.nodes[str(entity_iri("Tmall"))]["type"]
('Company', 'Marketplace')
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import TYPE_CHECKING, Any

from kg.errors import QueryError
from kg.namespace import ECOM, WIKIDATA, entity_iri
from kg.records import ASSERTED, RELATIONS, STATUSES, SYMMETRIC, Evidence

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

#: Entity types from most to least specific: the first one an entity has is its ``type``.
#: A Marketplace type may only be the ontology's range of listedOn/operates, materialised,
#: so a Company that is also a Marketplace is shown as a Company.
TYPE_PRIORITY = ("Company", "Brand", "GovernmentBody", "Country", "Person", "Marketplace",
                 "Organization")
DEFAULT_TYPE = "Organization"

_RELATION_VALUES = " ".join(f"ecom:{r}" for r in RELATIONS)

ENTITY_QUERY = """
SELECT DISTINCT ?e ?key ?value WHERE {
  { ?e rdfs:label ?value BIND ("label" AS ?key) }
  UNION { ?e rdf:type ?value BIND ("type" AS ?key) FILTER (?value != ecom:FactRecord) }
  UNION { ?e owl:sameAs ?value BIND ("qid" AS ?key) }
  UNION { ?e skos:altLabel ?value BIND ("alias" AS ?key) }
}"""

FACT_QUERY = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  VALUES ?p {{ {_RELATION_VALUES} }}
  ?s ?p ?o .
}}"""

RECORD_QUERY = """
SELECT ?record ?s ?p ?o ?status ?confidence ?sentence ?article WHERE {
  ?record a ecom:FactRecord ;
          rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ;
          ecom:status ?status ; ecom:confidence ?confidence ; ecom:sentence ?sentence ;
          prov:wasDerivedFrom ?article .
}"""

# Optional details of records and articles as (thing, key, value) rows: one linear scan,
# several times faster in rdflib than OPTIONAL clauses on the record query.
DETAIL_QUERY = """
SELECT ?x ?key ?value WHERE {
  { ?x ecom:rule ?value BIND ("rule" AS ?key) }
  UNION { ?x ecom:dealDate ?value BIND ("dealDate" AS ?key) }
  UNION { ?x schema:identifier ?value BIND ("id" AS ?key) }
  UNION { ?x schema:url ?value BIND ("url" AS ?key) }
  UNION { ?x schema:headline ?value BIND ("title" AS ?key) }
  UNION { ?x schema:datePublished ?value BIND ("published" AS ?key) }
}"""


def to_networkx(dataset_or_graph: Graph) -> nx.MultiDiGraph:
    """The entity graph of an RDF dataset (or graph, or :class:`kg.store.Store`).

    An edge's ``status`` is the strongest status (in the order of
    :data:`kg.records.STATUSES`) among the records of its fact, and its ``sources``,
    ``confidence`` (:func:`kg.confidence.combine`: one vote per article) and ``first_date`` (earliest deal date, else article date) come
    from the records with that status: for a graph built with the default settings,
    the asserted ones. Only entities that take part in a fact become nodes.
    """
    import networkx as nx

    from kg.confidence import combine
    from kg.queries import execute

    relation_of = {str(ECOM[r]): r for r in RELATIONS}
    entities = _entities(execute(dataset_or_graph, ENTITY_QUERY))

    facts: set[tuple[str, str, str]] = set()
    for row in execute(dataset_or_graph, FACT_QUERY):
        facts.add(_oriented(str(row.s), relation_of[str(row.p)], str(row.o), entities))

    details: dict[str, dict[str, Any]] = defaultdict(dict)
    for row in execute(dataset_or_graph, DETAIL_QUERY):
        details[str(row.x)].setdefault(str(row.key), row.value)

    records: dict[tuple[str, str, str], dict[str, tuple[Evidence, date | None]]] = defaultdict(dict)
    for row in execute(dataset_or_graph, RECORD_QUERY):
        relation = relation_of.get(str(row.p))
        if relation is None:
            continue
        key = _oriented(str(row.s), relation, str(row.o), entities)
        if key not in facts:
            continue
        record, article = details.get(str(row.record), {}), details.get(str(row.article), {})
        published = _date(article.get("published"))
        evidence = Evidence(
            article_id=_str(article.get("id")) or str(row.article).rsplit("/", 1)[-1],
            sentence=str(row.sentence),
            url=_str(article.get("url")),
            title=_str(article.get("title")),
            published=published,
            confidence=float(row.confidence.toPython()),
            rule=_str(record.get("rule")) or "",
            status=str(row.status),
        )
        records[key][str(row.record)] = (evidence, _date(record.get("dealDate")) or published)

    G = nx.MultiDiGraph()
    used = sorted({n for s, _, o in facts for n in (s, o)})
    for node in used:
        info = entities.get(node, {})
        G.add_node(node, label=info.get("label") or node.rsplit("/", 1)[-1],
                   type=_choose_type(info.get("types", ())), qid=info.get("qid"),
                   aliases=tuple(sorted(info.get("aliases", ()))))
    for s, relation, o in sorted(facts):
        found = list(records.get((s, relation, o), {}).values())
        status = min((ev.status for ev, _ in found), key=_status_rank, default=ASSERTED)
        chosen = [(ev, when) for ev, when in found if ev.status == status]
        chosen.sort(key=lambda item: (item[0].article_id, item[0].sentence, -item[0].confidence))
        dates = [when for _, when in chosen if when is not None]
        G.add_edge(s, o, key=relation, relation=relation,
                   confidence=combine([ev.confidence for ev, _ in chosen],
                                      [ev.article_id for ev, _ in chosen]),
                   sources=tuple(ev for ev, _ in chosen),
                   first_date=min(dates) if dates else None,
                   status=status)
    return G


def _entities(result) -> dict[str, dict[str, Any]]:
    entities: dict[str, dict[str, Any]] = {}
    wikidata = str(WIKIDATA)
    for row in result:
        info = entities.setdefault(str(row.e), {"types": set(), "aliases": set()})
        value = str(row.value)
        if row.key is None:
            continue
        key = str(row.key)
        if key == "label":
            # one label per entity by the shapes; keep the smallest for determinism
            info["label"] = min(value, info.get("label", value))
        elif key == "type" and value.startswith(str(ECOM._NS)):
            info["types"].add(value[len(str(ECOM._NS)):])
        elif key == "qid" and value.startswith(wikidata):
            info["qid"] = min(value[len(wikidata):], info.get("qid") or value[len(wikidata):])
        elif key == "alias":
            info["aliases"].add(value)
    return entities


def _oriented(s: str, relation: str, o: str, entities: dict) -> tuple[str, str, str]:
    """Symmetric facts from the endpoint whose (label, IRI) sorts first."""
    if relation in SYMMETRIC:
        sort_s = (entities.get(s, {}).get("label", s), s)
        sort_o = (entities.get(o, {}).get("label", o), o)
        if sort_o < sort_s:
            return (o, relation, s)
    return (s, relation, o)


def _choose_type(types) -> str:
    for name in TYPE_PRIORITY:
        if name in types:
            return name
    return DEFAULT_TYPE


def _status_rank(status: str) -> int:
    return STATUSES.index(status) if status in STATUSES else len(STATUSES)


def _date(value) -> date | None:
    if value is None:
        return None
    python = value.toPython()
    return python if isinstance(python, date) else None


def _str(value) -> str | None:
    return None if value is None else str(value)


# ------------------------------------------------------------------ helpers


def example_graph() -> nx.MultiDiGraph:
    """A tiny graph for examples: Alibaba Group signed an MOU with the Government of
    Pakistan (twice reported), operates Tmall, invested in Lazada; Nike is listed on Tmall
    and fights counterfeits with Alibaba; JD.com invested in Lazada.

    >>> G = example_graph()
    >>> G.number_of_nodes(), G.number_of_edges()
    (6, 6)
    """
    from kg.rdf import to_dataset
    from kg.records import Article, DealAttributes, Entity, Triple

    alibaba = Entity("Alibaba Group", "Company", qid="Q1359568", aliases=("Alibaba",))
    pakistan = Entity("Government of Pakistan", "GovernmentBody")
    tmall, lazada = Entity("Tmall", "Marketplace"), Entity("Lazada", "Company")
    nike, jd = Entity("Nike", "Brand"), Entity("JD.com", "Company")
    articles = [Article("a1", "…", url="https://news.example/a1", title="MOU signed",
                        published=date(2024, 1, 10)),
                Article("a2", "…", url="https://news.example/a2", title="Deals",
                        published=date(2024, 2, 5))]

    def fact(s, r, o, article, start, confidence=0.9, **deal):
        return Triple(s, r, o, article, f"{s.name} {r} {o.name}.", start, start + 30,
                      confidence, "example", attributes=DealAttributes(**deal))

    triples = [fact(alibaba, "signedMOU", pakistan, "a1", 0, 0.95),
               fact(pakistan, "signedMOU", alibaba, "a2", 0, 0.9),
               fact(alibaba, "operates", tmall, "a1", 40, 0.8),
               fact(nike, "listedOn", tmall, "a1", 80),
               fact(alibaba, "investedIn", lazada, "a2", 40, date=date(2023, 12, 1)),
               fact(nike, "fightsCounterfeitWith", alibaba, "a2", 80, 0.7),
               fact(jd, "investedIn", lazada, "a2", 120, 0.6)]
    return to_networkx(to_dataset(articles, triples))


def undirected(G: nx.MultiDiGraph) -> nx.Graph:
    """The simple undirected projection: one edge per connected pair, ``weight`` = number
    of facts between them, ``relations`` = their names. ``G`` is not changed.

    >>> U = undirected(example_graph())
    >>> U.number_of_edges(), U["https://w3id.org/kg-ecom/entity/nike"]["https://w3id.org/kg-ecom/entity/tmall"]
    (6, {'weight': 1, 'relations': ('listedOn',)})
    """
    import networkx as nx

    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    for s, o, relation in G.edges(keys=True):
        if s == o:
            continue
        if U.has_edge(s, o):
            U[s][o]["weight"] += 1
            U[s][o]["relations"] = tuple(sorted({*U[s][o]["relations"], relation}))
        else:
            U.add_edge(s, o, weight=1, relations=(relation,))
    return U


def rank(G: nx.MultiDiGraph, by: str = "degree", top: int | None = 10) -> list[tuple[str, float]]:
    """The ``top`` entities by ``degree`` (number of distinct partners), ``betweenness``
    or ``pagerank`` (both on the undirected projection, weighted by facts).

    Returns (label, score) pairs, best first, ties by label.

    >>> rank(example_graph(), by="degree", top=2)
    [('Alibaba Group', 4), ('Lazada', 2)]
    >>> [label for label, _ in rank(example_graph(), by="pagerank", top=1)]
    ['Alibaba Group']
    """
    import networkx as nx

    U = undirected(G)
    if by == "degree":
        scores = dict(U.degree())
    elif by == "betweenness":
        scores = nx.betweenness_centrality(U)
    elif by == "pagerank":
        scores = _pagerank(U)
    else:
        raise QueryError(f"cannot rank by {by!r}; use degree, betweenness or pagerank")
    ranked = sorted(((U.nodes[n].get("label", n), score) for n, score in scores.items()),
                    key=lambda item: (-item[1], item[0]))
    return ranked if top is None else ranked[:top]


def _pagerank(U: nx.Graph, alpha: float = 0.85, tol: float = 1e-10, max_iter: int = 200) -> dict:
    """Weighted PageRank by power iteration (networkx's own needs scipy, which kg does not)."""
    n = len(U)
    if n == 0:
        return {}
    strength = {u: sum(d.get("weight", 1) for _, _, d in U.edges(u, data=True)) for u in U}
    rank_of = dict.fromkeys(U, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank_of[u] for u in U if strength[u] == 0) / n
        new = dict.fromkeys(U, (1.0 - alpha) / n + dangling)
        for u in U:
            if strength[u]:
                share = alpha * rank_of[u] / strength[u]
                for v, data in U[u].items():
                    new[v] += share * data.get("weight", 1)
        if sum(abs(new[u] - rank_of[u]) for u in U) < n * tol:
            return new
        rank_of = new
    return rank_of


def communities(G: nx.MultiDiGraph) -> list[list[str]]:
    """Groups of entities that deal mostly with each other (greedy modularity on the
    undirected projection, weighted by facts): lists of node keys, largest group first.

    >>> G = example_graph()
    >>> groups = communities(G)
    >>> sorted(n for group in groups for n in group) == sorted(G)  # each entity in one group
    True
    >>> any({find_node(G, "JD.com"), find_node(G, "Lazada")} <= set(group) for group in groups)
    True
    """
    from networkx.algorithms.community import greedy_modularity_communities

    U = undirected(G)
    if U.number_of_edges() == 0:
        return [[n] for n in sorted(U)]
    groups = greedy_modularity_communities(U, weight="weight")
    return sorted((sorted(group) for group in groups), key=lambda g: (-len(g), g))


def find_node(G: nx.MultiDiGraph, name_or_iri: str) -> str:
    """The node key for an IRI, a label or an alias (exact, then ignoring case).

    Raises :class:`~kg.errors.QueryError` naming close matches when there is none.

    >>> find_node(example_graph(), "alibaba")
    'https://w3id.org/kg-ecom/entity/alibaba-group'
    """
    if name_or_iri in G:
        return name_or_iri
    wanted = name_or_iri.strip()
    for fold in (str, str.casefold):
        matches = sorted(n for n, data in G.nodes(data=True)
                         if fold(wanted) in {fold(data.get("label", "")),
                                             *(fold(a) for a in data.get("aliases", ()))})
        if matches:
            return matches[0]
    slugged = str(entity_iri(wanted))
    if slugged in G:
        return slugged
    import difflib

    labels = sorted({data.get("label", n) for n, data in G.nodes(data=True)})
    close = difflib.get_close_matches(wanted, labels, n=3, cutoff=0.5)
    hint = f"; did you mean {', '.join(close)}?" if close else "; check the spelling"
    raise QueryError(f"no entity {name_or_iri!r} in the graph{hint}")


def ego(G: nx.MultiDiGraph, name_or_iri: str, radius: int = 1) -> nx.MultiDiGraph:
    """A copy of the part of ``G`` within ``radius`` facts of an entity, either direction.

    >>> sub = ego(example_graph(), "Tmall")
    >>> sorted(sub.nodes[n]["label"] for n in sub)
    ['Alibaba Group', 'Nike', 'Tmall']
    """
    import networkx as nx

    center = find_node(G, name_or_iri)
    return nx.ego_graph(G, center, radius=radius, undirected=True).copy()


def deal_paths(G: nx.MultiDiGraph, a: str, b: str, cutoff: int = 4) -> list[list[tuple[str, str, str]]]:
    """Chains of facts linking two entities, at most ``cutoff`` facts long, shortest first.

    Direction is ignored to find the chain, but each hop is the fact as stated,
    ``(subject label, relation, object label)``, so a hop may point backwards.

    >>> for path in deal_paths(example_graph(), "Tmall", "JD.com", cutoff=3):
    ...     print(path)
    [('Alibaba Group', 'operates', 'Tmall'), ('Alibaba Group', 'investedIn', 'Lazada'), ('JD.com', 'investedIn', 'Lazada')]
    """
    import itertools

    import networkx as nx

    source, target = find_node(G, a), find_node(G, b)
    if source == target:
        return []
    U = undirected(G)
    label = {n: G.nodes[n].get("label", n) for n in G}
    paths: list[list[tuple[str, str, str]]] = []
    for nodes in nx.all_simple_paths(U, source, target, cutoff=cutoff):
        options = []
        for u, v in zip(nodes, nodes[1:]):
            hops = [(label[u], r, label[v]) for r in G.get_edge_data(u, v, default={})]
            hops += [(label[v], r, label[u]) for r in G.get_edge_data(v, u, default={})]
            options.append(sorted(hops))
        paths.extend(list(p) for p in itertools.product(*options))
    return sorted(paths, key=lambda p: (len(p), p))


def timeline(G: nx.MultiDiGraph, name: str | None = None) -> list[dict]:
    """Facts (of one entity if ``name`` is given) in order of ``first_date``, undated last.

    Each item: ``date``, ``subject``, ``relation``, ``object``, ``confidence``,
    ``status``, ``sources`` (number of articles) and ``urls``.

    >>> [(e["date"].isoformat(), e["relation"], e["object"]) for e in timeline(example_graph(), "Lazada")]
    [('2023-12-01', 'investedIn', 'Lazada'), ('2024-02-05', 'investedIn', 'Lazada')]
    """
    node = find_node(G, name) if name is not None else None
    items = []
    for s, o, relation, data in G.edges(keys=True, data=True):
        if node is not None and node not in (s, o):
            continue
        sources = data.get("sources", ())
        items.append({
            "date": data.get("first_date"),
            "subject": G.nodes[s].get("label", s),
            "relation": relation,
            "object": G.nodes[o].get("label", o),
            "confidence": data.get("confidence"),
            "status": data.get("status"),
            "sources": len({ev.article_id for ev in sources}),
            "urls": sorted({ev.url for ev in sources if ev.url}),
        })
    return sorted(items, key=lambda e: (e["date"] is None, e["date"] or date.min,
                                        e["subject"], e["relation"], e["object"]))


__all__ = ["to_networkx", "undirected", "rank", "communities", "find_node", "ego",
           "deal_paths", "timeline", "example_graph", "TYPE_PRIORITY"]
