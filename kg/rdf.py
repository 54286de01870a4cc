"""Extracted facts -> RDF dataset (one named graph per article); saving and loading.

Each article's named graph holds the article, every entity its facts mention (types,
labels, Wikidata link), the plain triples of its asserted facts and one provenance
record (``ecom:FactRecord``) per fact and sentence, whatever its status.

>>> from datetime import date
>>> from kg.records import Article, Entity, Triple
>>> from kg.namespace import ECOM, entity_iri
>>> article = Article("a1", "Alibaba's Tmall grew.", url="https://news.example/a1",
...                   title="Tmall grows", published=date(2024, 5, 1))
>>> fact = Triple(Entity("Alibaba Group", "Company", qid="Q1359568"), "operates",
...               Entity("Tmall", "Marketplace"), article_id="a1",
...               sentence="Alibaba's Tmall grew.", start=0, end=21, confidence=0.9,
...               rule="operates.possessive", subject_text="Alibaba")
>>> ds = to_dataset([article], [fact])
>>> (entity_iri("Alibaba Group"), ECOM.operates, entity_iri("Tmall")) in ds
True
>>> len(list(ds.subjects(predicate=None, object=ECOM.FactRecord)))
1
"""
from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from pathlib import Path

import rdflib
from rdflib import OWL, PROV, RDF, RDFS, SKOS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import NamespaceManager

from kg.errors import GraphError, cannot_write
from kg.namespace import (
    ECOM,
    PREFIXES,
    SCHEMA,
    WIKIDATA,
    article_iri,
    class_iri,
    entity_iri,
    fact_iri,
    relation_iri,
)
from kg.records import ASSERTED, ENTITY_TYPES, RELATIONS, STATUSES, SYMMETRIC, Article, Entity, Triple

#: Relations whose object the ontology types ``ecom:Marketplace`` (rdfs:range).
PLATFORM_RELATIONS = frozenset({"listedOn", "operates"})

_CONFIDENCE_STEP = Decimal("0.001")
# XSD datatypes as plain constants: pytest's doctest finder probes every module global
# and rdflib's XSD namespace warns when probed.
_XSD_ANYURI, _XSD_INTEGER = rdflib.XSD.anyURI, rdflib.XSD.integer
_XSD_DATE, _XSD_DECIMAL, _XSD_STRING = rdflib.XSD.date, rdflib.XSD.decimal, str(rdflib.XSD.string)


def new_dataset() -> Dataset:
    """An empty in-memory dataset whose default graph is the union of its graphs.

    Only kg's prefixes (``namespace.PREFIXES``) are bound.
    """
    ds = Dataset(default_union=True)
    bind_prefixes(ds)
    return ds


def bind_prefixes(graph: Graph) -> None:
    """Bind exactly ``namespace.PREFIXES`` on ``graph`` (dropping rdflib's defaults)."""
    graph.namespace_manager = NamespaceManager(graph, bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, URIRef(namespace), override=True, replace=True)


def to_dataset(
    articles: Iterable[Article],
    triples: Iterable[Triple],
    *,
    include_statuses: Iterable[str] = frozenset({ASSERTED}),
) -> Dataset:
    """An RDF dataset with one named graph per article (graph IRI = ``article_iri(id)``).

    Facts whose status is in ``include_statuses`` become plain triples ``s p o``; every
    fact, whatever its status, gets a provenance record. Symmetric facts are written in
    canonical order (``Triple.key``). Triples with the same article, subject, relation,
    object and sentence start are one record: the most confident one is kept.
    The same input always gives the same graph (no blank nodes, no timestamps).

    Raises :class:`~kg.errors.GraphError` for a fact whose article is not among
    ``articles`` or whose relation, status or entity type the ontology does not know.
    """
    include = frozenset(include_statuses)
    unknown = include - set(STATUSES)
    if unknown:
        raise GraphError(
            f"unknown status(es) {sorted(unknown)} in include_statuses; use some of {list(STATUSES)}"
        )
    by_id: dict[str, Article] = {}
    for article in articles:
        by_id.setdefault(article.id, article)
    facts: dict[str, dict[tuple[str, str, str, int], Triple]] = {aid: {} for aid in by_id}
    for triple in triples:
        _check(triple, by_id)
        triple = _canonical(triple)
        key = (triple.subject.name, triple.relation, triple.object.name, triple.start)
        kept = facts[triple.article_id].get(key)
        if kept is None or _rank(triple) > _rank(kept):
            facts[triple.article_id][key] = triple

    ds = new_dataset()
    for article_id in sorted(by_id):
        graph = ds.graph(article_iri(article_id))
        quads = [(s, p, o, graph) for s, p, o in
                 _article_triples(by_id[article_id], facts[article_id], include)]
        graph.addN(quads)
    return ds


def _check(triple: Triple, articles: dict[str, Article]) -> None:
    if triple.article_id not in articles:
        raise GraphError(
            f"fact {triple.key} comes from article {triple.article_id!r}, which is not among "
            "the articles given; pass every article whose facts you convert"
        )
    if triple.relation not in RELATIONS:
        raise GraphError(f"unknown relation {triple.relation!r}; use one of {list(RELATIONS)}")
    if triple.status not in STATUSES:
        raise GraphError(f"unknown status {triple.status!r}; use one of {list(STATUSES)}")
    for entity in (triple.subject, triple.object):
        if entity.type not in ENTITY_TYPES:
            raise GraphError(
                f"entity {entity.name!r} has unknown type {entity.type!r}; "
                f"use one of {list(ENTITY_TYPES)}"
            )


def _canonical(triple: Triple) -> Triple:
    """Symmetric facts with subject and object in ``Triple.key`` order."""
    if triple.relation in SYMMETRIC and triple.object.name < triple.subject.name:
        return replace(triple, subject=triple.object, object=triple.subject,
                       subject_text=triple.object_text, object_text=triple.subject_text)
    return triple


def _rank(triple: Triple) -> tuple:
    """Order of preference among duplicate records: most confident, then a stable tie-break."""
    return (triple.confidence, triple.status == ASSERTED, triple.rule, triple.end, triple.sentence)


def _article_triples(article: Article, facts: dict, include: frozenset[str]):
    """Yield the triples of one article's graph, in a deterministic order."""
    a_iri = article_iri(article.id)
    yield a_iri, RDF.type, SCHEMA.NewsArticle
    yield a_iri, SCHEMA.identifier, Literal(article.id)
    if article.url:
        yield a_iri, SCHEMA.url, Literal(article.url, datatype=_XSD_ANYURI)
    if article.title:
        yield a_iri, SCHEMA.headline, Literal(article.title)
    if article.published:
        yield a_iri, SCHEMA.datePublished, _date(article.published)

    ordered = sorted(facts.values(), key=lambda t: (t.start, t.key, t.end))
    # Entities: every one a fact of this article mentions (any status).
    types: dict[str, set[str]] = {}
    entities: dict[str, list[Entity]] = {}
    surface: dict[str, set[str]] = {}
    for t in ordered:
        for entity, text in ((t.subject, t.subject_text), (t.object, t.object_text)):
            types.setdefault(entity.name, set()).add(entity.type)
            entities.setdefault(entity.name, []).append(entity)
            if text and text.strip() and text.strip() != entity.name:
                surface.setdefault(entity.name, set()).add(text.strip())
        if t.relation in PLATFORM_RELATIONS and t.status in include:
            types[t.object.name].add("Marketplace")
    for name in sorted(entities):
        e_iri = entity_iri(name)
        for type_name in sorted(types[name]):
            yield e_iri, RDF.type, class_iri(type_name)
        yield e_iri, RDFS.label, Literal(name)
        alt = set(surface.get(name, ()))
        qids = set()
        for entity in entities[name]:
            alt.update(a.strip() for a in entity.aliases if a.strip())
            if entity.qid and entity.qid.strip():
                qids.add(entity.qid.strip())
        alt.discard(name)
        for label in sorted(alt):
            yield e_iri, SKOS.altLabel, Literal(label)
        for qid in sorted(qids):
            yield e_iri, OWL.sameAs, WIKIDATA[qid]

    for t in ordered:
        s, p, o = entity_iri(t.subject.name), relation_iri(t.relation), entity_iri(t.object.name)
        if t.status in include:
            yield s, p, o
        r = fact_iri(article.id, t.subject.name, t.relation, t.object.name, str(t.start))
        yield r, RDF.type, ECOM.FactRecord
        yield r, RDF.subject, s
        yield r, RDF.predicate, p
        yield r, RDF.object, o
        yield r, PROV.wasDerivedFrom, a_iri
        yield r, ECOM.sentence, Literal(t.sentence)
        yield r, ECOM.startOffset, Literal(int(t.start), datatype=_XSD_INTEGER)
        yield r, ECOM.endOffset, Literal(int(t.end), datatype=_XSD_INTEGER)
        yield r, ECOM.confidence, _decimal(_round_confidence(t.confidence))
        yield r, ECOM.rule, Literal(t.rule)
        yield r, ECOM.status, Literal(t.status)
        if t.subject_text:
            yield r, ECOM.subjectText, Literal(t.subject_text)
        if t.object_text:
            yield r, ECOM.objectText, Literal(t.object_text)
        deal = t.attributes
        if deal.date is not None:
            yield r, ECOM.dealDate, _date(deal.date)
        if deal.amount is not None:
            yield r, ECOM.amount, _decimal(Decimal(deal.amount))
            if deal.currency:
                yield r, ECOM.currency, Literal(deal.currency)
        if deal.stake is not None:
            yield r, ECOM.stakePercent, _decimal(Decimal(deal.stake))
        if deal.duration_months is not None:
            yield r, ECOM.durationMonths, Literal(int(deal.duration_months), datatype=_XSD_INTEGER)


def _date(value: date) -> Literal:
    if isinstance(value, datetime):
        value = value.date()
    return Literal(value.isoformat(), datatype=_XSD_DATE)


def _round_confidence(value: float) -> Decimal:
    try:
        return Decimal(repr(float(value))).quantize(_CONFIDENCE_STEP, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, ValueError) as err:
        raise GraphError(f"confidence {value!r} is not a number between 0 and 1") from err


def _decimal(value: Decimal) -> Literal:
    """An ``xsd:decimal`` literal in plain notation (never ``1E+9``), trailing zeros dropped."""
    if not value.is_finite():
        raise GraphError(f"{value} is not a finite number; deal amounts and stakes must be numbers")
    text = format(value.normalize(), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return Literal(text or "0", datatype=_XSD_DECIMAL)


# ------------------------------------------------------------------ files
#
# Turtle, TriG, N-Triples and N-Quads are written and read by pyoxigraph (the engine
# behind oxrdflib's ``ox-*`` plugins): rdflib's own Turtle writer computes a prefix for
# every IRI and stalls when each source URL is a new namespace (rdflib #1752). kg feeds
# the writer sorted statements, so the same graph always gives the same bytes, grouped
# by graph and subject. Literals read back as ``xsd:string`` are stored as plain
# literals, as ``to_dataset`` writes them, so that ``"Alibaba Group"`` in a query or a
# bound parameter matches whichever way the dataset was made.

#: file extension -> (pyoxigraph format name or "json-ld" for rdflib, keeps named graphs)
FORMATS: dict[str, tuple[str, bool]] = {
    ".trig": ("TRIG", True),
    ".ttl": ("TURTLE", False),
    ".nt": ("N_TRIPLES", False),
    ".nq": ("N_QUADS", True),
    ".jsonld": ("json-ld", True),
}


def format_of(path: str | os.PathLike) -> str:
    """The RDF format kg writes for this file name; :class:`GraphError` if it has none."""
    return _format_of(Path(path))


def _format_of(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise GraphError(
            f"cannot tell the RDF format of {str(path)!r} from its extension; "
            f"use one of {', '.join(FORMATS)}"
        )
    return fmt


def flatten(dataset: Graph) -> Graph:
    """All triples of all graphs of ``dataset`` in one in-memory graph (kg's prefixes bound).

    Literals typed ``xsd:string`` (as Oxigraph returns every plain string) become plain
    literals, as :func:`to_dataset` writes them, so the copy compares equal to kg's graphs.
    """
    flat = Graph()
    bind_prefixes(flat)
    flat.addN((s, p, _plain(o), flat) for s, p, o in dataset.triples((None, None, None)))
    return flat


def _plain(term):
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) == _XSD_STRING:
        return Literal(str(term))
    return term


def _sorted_statements(dataset: Graph, keep_graphs: bool) -> list[tuple]:
    """(s, p, o, graph name or None) of ``dataset``, deduplicated and sorted.

    Reads graph by graph: asking rdflib's memory store for the graphs of every triple
    is several times slower.
    """
    rows: set[tuple] = set()
    graphs = dataset.graphs() if isinstance(dataset, Dataset) else [dataset]
    for graph in graphs:
        name = graph.identifier
        if not keep_graphs or name == DATASET_DEFAULT_GRAPH_ID or not isinstance(dataset, Dataset):
            name = None
        rows.update((s, p, o, name) for s, p, o in graph.triples((None, None, None)))
    return sorted(rows, key=_statement_key)


def _statement_key(row: tuple) -> tuple:
    s, p, o, g = row
    return ("" if g is None else str(g), str(s), str(p), type(o).__name__, str(o),
            str(getattr(o, "datatype", None) or ""), getattr(o, "language", None) or "")


def save(dataset: Graph, path: str | os.PathLike) -> Path:
    """Write ``dataset`` to ``path``; the format comes from the extension.

    ``.trig``, ``.nq`` and ``.jsonld`` keep the named graphs; ``.ttl`` and ``.nt`` write the
    union of all graphs. Parent folders are created and the file is replaced only once it
    is complete. Returns the path written; raises :class:`~kg.errors.GraphError` for an
    unknown extension or a folder that cannot be written.
    """
    target = Path(path)
    fmt, keep_graphs = _format_of(target)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        if fmt == "json-ld":
            _save_jsonld(dataset, tmp)
        else:
            import pyoxigraph as ox

            statements = _sorted_statements(dataset, keep_graphs)
            ox.serialize(map(_ToOx(keep_graphs), statements), str(tmp),
                         format=getattr(ox.RdfFormat, fmt), prefixes=dict(PREFIXES))
        os.replace(tmp, target)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise cannot_write(target, err) from err
    return target


def _save_jsonld(dataset: Graph, path: Path) -> None:
    """JSON-LD through rdflib, compacted with kg's prefixes as the ``@context``.

    rdflib emits nodes in hash order; arrays are sorted (RDF values are unordered and kg
    writes no ``@list``) so the same graph always gives the same file.
    """
    import json

    if isinstance(dataset, Dataset):
        source = dataset
    else:
        source = new_dataset()
        source.default_graph.addN((s, p, o, source.default_graph) for s, p, o in dataset)
    text = source.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    document = _sorted_json(json.loads(text))
    with path.open("w", encoding="utf-8") as out:
        json.dump(document, out, ensure_ascii=False, indent=2, sort_keys=True)
        out.write("\n")


def _sorted_json(value):
    import json

    if isinstance(value, dict):
        return {key: _sorted_json(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_json(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def load(path: str | os.PathLike) -> Dataset:
    """Read a graph file written by :func:`save` (or any file in a supported format).

    Returns an in-memory dataset whose default graph is the union of its graphs. Raises
    :class:`~kg.errors.GraphError` if the file is missing, has an unknown extension or
    cannot be parsed.
    """
    source = Path(path)
    fmt, _ = _format_of(source)
    if not source.is_file():
        raise GraphError(f"graph file {str(source)!r} does not exist; "
                         "check the path or build the graph first")
    ds = new_dataset()
    try:
        if fmt == "json-ld":
            ds.parse(str(source), format="json-ld")
            bind_prefixes(ds)
        else:
            import pyoxigraph as ox

            graphs: dict[object, Graph] = {}
            terms: dict[object, object] = {}

            def term(value):
                converted = terms.get(value)
                if converted is None:
                    converted = terms[value] = _from_ox(value)
                return converted

            quads = []
            for quad in ox.parse(path=str(source), format=getattr(ox.RdfFormat, fmt)):
                name = quad.graph_name
                graph = graphs.get(name)
                if graph is None:
                    graph = graphs[name] = (ds.default_graph if isinstance(name, ox.DefaultGraph)
                                            else ds.graph(_from_ox(name)))
                quads.append((term(quad.subject), term(quad.predicate), term(quad.object), graph))
            ds.addN(quads)
    except (SyntaxError, ValueError, UnicodeDecodeError, OSError) as err:
        raise GraphError(
            f"cannot read {str(source)!r} as {source.suffix} RDF ({err}); check that the file "
            "is complete and its extension matches its content, or build it again"
        ) from err
    return ds


class _ToOx:
    """Converts rdflib statements to pyoxigraph ones, each distinct term once."""

    def __init__(self, keep_graphs: bool):
        import pyoxigraph as ox

        self._ox = ox
        self._keep_graphs = keep_graphs
        self._terms: dict = {}

    def term(self, term):
        converted = self._terms.get(term)
        if converted is None:
            converted = self._terms[term] = _term_to_ox(term)
        return converted

    def __call__(self, row: tuple):
        s, p, o, g = row
        if not self._keep_graphs:
            return self._ox.Triple(self.term(s), self.term(p), self.term(o))
        graph = self._ox.DefaultGraph() if g is None else self.term(g)
        return self._ox.Quad(self.term(s), self.term(p), self.term(o), graph)


def _term_to_ox(term):
    import pyoxigraph as ox

    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    return ox.NamedNode(str(term))


def _from_ox(term):
    import pyoxigraph as ox

    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    return URIRef(term.value)


