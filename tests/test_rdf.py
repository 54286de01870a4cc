"""kg.rdf: records -> RDF dataset, and saving / loading it."""
from __future__ import annotations

import re
import time
from datetime import date
from decimal import Decimal

import pytest
import rdflib
from rdflib import OWL, PROV, RDF, RDFS, SKOS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from factories import ALIBABA, JD, LAZADA, NIKE, PAKISTAN, TMALL, article, corpus, fact
from kg.errors import GraphError
from kg.namespace import ECOM, PREFIXES, SCHEMA, WIKIDATA, article_iri, entity_iri, fact_iri
from kg.rdf import FORMATS, flatten, load, save, to_dataset
from kg.records import Entity

# rdflib 7.6 warns about its own deprecated internals (default_context, ConjunctiveGraph, ...)
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")


@pytest.fixture(scope="module")
def built() -> Dataset:
    return to_dataset(*corpus())


def records(ds: Graph) -> list[URIRef]:
    return sorted(ds.subjects(RDF.type, ECOM.FactRecord))


def record_of(ds: Graph, article_id: str, s: Entity, relation: str, o: Entity, start: int) -> URIRef:
    iri = fact_iri(article_id, s.name, relation, o.name, str(start))
    assert (iri, RDF.type, ECOM.FactRecord) in ds, f"no record {article_id} {s.name} {relation} {o.name}"
    return iri


def graph_names(ds: Dataset) -> set[str]:
    return {str(g.identifier) for g in ds.graphs() if len(g)}


# ------------------------------------------------------------------ structure


def test_one_named_graph_per_article_even_without_facts():
    articles, triples = corpus()
    articles.append(article("empty", title="Nothing happened"))
    ds = to_dataset(articles, triples)
    assert graph_names(ds) == {str(article_iri(a.id)) for a in articles}
    assert ds.default_union
    empty = ds.graph(article_iri("empty"))
    assert (article_iri("empty"), RDF.type, SCHEMA.NewsArticle) in empty
    assert not list(empty.subjects(RDF.type, ECOM.FactRecord))


def test_article_node(built):
    a1 = built.graph(article_iri("a1"))
    node = article_iri("a1")
    assert (node, SCHEMA.identifier, Literal("a1")) in a1
    url = a1.value(node, SCHEMA.url)
    assert isinstance(url, Literal) and url.datatype == rdflib.XSD.anyURI
    assert str(url) == "https://news.example.com/a1"
    assert a1.value(node, SCHEMA.headline) == Literal("Alibaba and Pakistan sign MOU")
    published = a1.value(node, SCHEMA.datePublished)
    assert published.datatype == rdflib.XSD.date and published.toPython() == date(2024, 1, 10)
    # a4 has neither URL nor date: the properties are absent, not empty
    assert built.value(article_iri("a4"), SCHEMA.url) is None
    assert built.value(article_iri("a4"), SCHEMA.datePublished) is None


def test_entities_in_each_article_graph(built):
    a1 = built.graph(article_iri("a1"))
    alibaba = entity_iri("Alibaba Group")
    assert (alibaba, RDF.type, ECOM.Company) in a1
    assert (alibaba, RDFS.label, Literal("Alibaba Group")) in a1
    assert (alibaba, SKOS.altLabel, Literal("Alibaba")) in a1  # alias and surface name
    assert (alibaba, OWL.sameAs, WIKIDATA["Q1359568"]) in a1
    # Lazada is not in a1's facts, so not in a1's graph
    assert not list(a1.triples((entity_iri("Lazada"), None, None)))
    # L'Oréal: the article writes "L'Oreal" (surface name), which is also an alias
    a3 = built.graph(article_iri("a3"))
    assert set(a3.objects(entity_iri("L'Oréal"), SKOS.altLabel)) == {Literal("L'Oreal")}
    assert set(a3.objects(entity_iri("L'Oréal"), RDFS.label)) == {Literal("L'Oréal")}


def test_surface_name_becomes_alt_label_only_when_different():
    t = fact(LAZADA, "listedOn", TMALL, "x", subject_text="Lazada Group", object_text="Tmall")
    ds = to_dataset([article("x")], [t])
    assert set(ds.objects(entity_iri("Lazada"), SKOS.altLabel)) == {Literal("Lazada Group")}
    assert set(ds.objects(entity_iri("Tmall"), SKOS.altLabel)) == set()


def test_platform_objects_are_materialised_as_marketplaces():
    shop = Entity("Shopee", "Company")
    asserted = fact(NIKE, "listedOn", shop, "x")
    negated = fact(NIKE, "listedOn", Entity("Temu", "Company"), "x", start=50, status="negated")
    ds = to_dataset([article("x")], [asserted, negated])
    assert {ECOM.Company, ECOM.Marketplace} == set(ds.objects(entity_iri("Shopee"), RDF.type))
    # a negated listing states nothing about the platform
    assert set(ds.objects(entity_iri("Temu"), RDF.type)) == {ECOM.Company}
    assert set(ds.objects(entity_iri("Nike"), RDF.type)) == {ECOM.Brand}


def test_plain_triples_only_for_included_statuses(built):
    assert (entity_iri("Nike"), ECOM.listedOn, entity_iri("Tmall")) in built
    assert (entity_iri("JD.com"), ECOM.signedMOU, entity_iri("Nike")) not in built  # hedged
    assert (entity_iri("Amazon"), ECOM.investedIn, entity_iri("Nike")) not in built  # negated
    # ... but every fact has its record
    assert len(records(built)) == len(corpus()[1])  # one per input fact: none share a key
    hedged = record_of(built, "a3", JD, "signedMOU", NIKE, 100)
    assert built.value(hedged, ECOM.status) == Literal("hedged")

    with_hedged = to_dataset(*corpus(), include_statuses={"asserted", "hedged"})
    assert (entity_iri("JD.com"), ECOM.signedMOU, entity_iri("Nike")) in with_hedged
    assert (entity_iri("Amazon"), ECOM.investedIn, entity_iri("Nike")) not in with_hedged


def test_record_properties_and_datatypes(built):
    rec = record_of(built, "a2", ALIBABA, "investedIn", LAZADA, 70)
    graph = built.graph(article_iri("a2"))
    assert (rec, RDF.subject, entity_iri("Alibaba Group")) in graph
    assert (rec, RDF.predicate, ECOM.investedIn) in graph
    assert (rec, RDF.object, entity_iri("Lazada")) in graph
    assert (rec, PROV.wasDerivedFrom, article_iri("a2")) in graph
    assert str(graph.value(rec, ECOM.sentence)).startswith("Alibaba Group invested $1 billion")
    start, end = graph.value(rec, ECOM.startOffset), graph.value(rec, ECOM.endOffset)
    assert start.datatype == end.datatype == rdflib.XSD.integer
    assert end.toPython() - start.toPython() == len(graph.value(rec, ECOM.sentence))
    confidence = graph.value(rec, ECOM.confidence)
    assert confidence.datatype == rdflib.XSD.decimal and confidence.toPython() == Decimal("0.92")
    assert graph.value(rec, ECOM.rule) == Literal("test.rule")
    assert graph.value(rec, ECOM.subjectText) == Literal("Alibaba Group")
    assert graph.value(rec, ECOM.objectText) == Literal("Lazada")
    assert graph.value(rec, ECOM.dealDate) == Literal(date(2024, 1, 20))
    amount = graph.value(rec, ECOM.amount)
    assert amount.datatype == rdflib.XSD.decimal and amount.toPython() == Decimal("1000000000")
    assert "E" not in str(amount)  # plain notation, valid xsd:decimal lexical form
    assert graph.value(rec, ECOM.currency) == Literal("USD")
    assert graph.value(rec, ECOM.stakePercent).toPython() == Decimal("83")
    mou = record_of(built, "a1", ALIBABA, "signedMOU", PAKISTAN, 0)
    duration = built.value(mou, ECOM.durationMonths)
    assert duration.datatype == rdflib.XSD.integer and duration.toPython() == 24
    # absent attributes are absent
    assert built.value(mou, ECOM.amount) is None and built.value(rec, ECOM.durationMonths) is None


def test_confidence_is_rounded_to_three_places():
    t = fact(NIKE, "listedOn", TMALL, "x", confidence=0.123456)
    ds = to_dataset([article("x")], [t])
    (value,) = set(ds.objects(None, ECOM.confidence))
    assert value.toPython() == Decimal("0.123")


def test_duplicates_are_one_record_with_the_highest_confidence():
    low = fact(NIKE, "listedOn", TMALL, "x", start=5, confidence=0.5, rule="weak")
    high = fact(NIKE, "listedOn", TMALL, "x", start=5, confidence=0.8, rule="strong")
    elsewhere = fact(NIKE, "listedOn", TMALL, "x", start=99, confidence=0.6)
    ds = to_dataset([article("x")], [low, high, elsewhere])
    assert len(records(ds)) == 2
    rec = fact_iri("x", "Nike", "listedOn", "Tmall", "5")
    assert ds.value(rec, ECOM.rule) == Literal("strong")
    assert ds.value(rec, ECOM.confidence).toPython() == Decimal("0.8")
    # the order of the input does not matter
    assert isomorphic(flatten(ds), flatten(to_dataset([article("x")], [high, elsewhere, low])))


def test_symmetric_facts_are_written_in_canonical_order():
    forward = fact(PAKISTAN, "signedMOU", ALIBABA, "x", confidence=0.7,
                   subject_text="Pakistan", object_text="Alibaba")
    backward = fact(ALIBABA, "signedMOU", PAKISTAN, "x", confidence=0.9)
    ds = to_dataset([article("x")], [forward])
    assert (entity_iri("Alibaba Group"), ECOM.signedMOU, entity_iri("Government of Pakistan")) in ds
    assert (entity_iri("Government of Pakistan"), ECOM.signedMOU, entity_iri("Alibaba Group")) not in ds
    (rec,) = records(ds)
    assert ds.value(rec, RDF.subject) == entity_iri("Alibaba Group")
    assert ds.value(rec, ECOM.subjectText) == Literal("Alibaba")  # texts follow their entity
    assert ds.value(rec, ECOM.objectText) == Literal("Pakistan")
    # the same MOU read both ways from one sentence is one record
    both = to_dataset([article("x")], [forward, backward])
    assert len(records(both)) == 1
    # a non-symmetric relation keeps its direction
    inv = to_dataset([article("x")], [fact(NIKE, "investedIn", ALIBABA, "x")])
    assert (entity_iri("Nike"), ECOM.investedIn, entity_iri("Alibaba Group")) in inv


def test_output_is_deterministic_and_has_no_blank_nodes(tmp_path):
    articles, triples = corpus()
    first = to_dataset(articles, triples)
    second = to_dataset(list(reversed(articles)), list(reversed(triples)))
    assert isomorphic(flatten(first), flatten(second))
    assert not any(isinstance(term, BNode) for quad in first.quads() for term in quad[:3])
    for ext in (".trig", ".jsonld"):
        a = save(first, tmp_path / f"first{ext}").read_bytes()
        b = save(second, tmp_path / f"second{ext}").read_bytes()
        assert a == b, ext


def test_prefixes_bound_are_kg_prefixes(built):
    bound = {prefix: str(ns) for prefix, ns in built.namespaces()}
    assert {k: bound.get(k) for k in PREFIXES} == PREFIXES
    assert not set(bound) - set(PREFIXES)


@pytest.mark.parametrize("bad, message", [
    (lambda: to_dataset([article("a")], [fact(NIKE, "listedOn", TMALL, "zzz")]), "zzz"),
    (lambda: to_dataset([article("a")], [fact(NIKE, "soldTo", TMALL, "a")]), "soldTo"),
    (lambda: to_dataset([article("a")], [fact(NIKE, "listedOn", TMALL, "a", status="maybe")]), "maybe"),
    (lambda: to_dataset([article("a")], [fact(Entity("X", "Retailer"), "listedOn", TMALL, "a")]),
     "Retailer"),
    (lambda: to_dataset([article("a")], [], include_statuses={"sure"}), "sure"),
])
def test_bad_input_raises_graph_error_that_names_the_problem(bad, message):
    with pytest.raises(GraphError, match=message):
        bad()


# ------------------------------------------------------------------ files


@pytest.mark.parametrize("ext", sorted(FORMATS))
def test_save_and_load_round_trip(built, tmp_path, ext):
    path = save(built, tmp_path / "deep" / "folder" / f"graph{ext}")
    assert path.is_file() and path.stat().st_size > 0
    back = load(path)
    assert isinstance(back, Dataset) and back.default_union
    assert isomorphic(flatten(back), flatten(built))
    if ext in (".trig", ".nq", ".jsonld"):
        assert graph_names(back) == graph_names(built)
        assert isomorphic(back.graph(article_iri("a3")), built.graph(article_iri("a3")))
    else:
        assert graph_names(back) == {str(back.default_graph.identifier)}
    # a name as a plain literal finds the entity whichever way the dataset was made
    rows = list(back.query("SELECT ?e WHERE { ?e rdfs:label ?name }",
                           initNs=PREFIXES, initBindings={"name": Literal("Alibaba Group")}))
    assert [row.e for row in rows] == [entity_iri("Alibaba Group")]


def test_turtle_uses_kg_prefixes_only(built, tmp_path):
    text = save(built, tmp_path / "g.ttl").read_text(encoding="utf-8")
    declared = dict(re.findall(r"^@prefix (\w*): <([^>]*)> \.$", text, flags=re.M))
    assert declared == PREFIXES
    assert "ecom:signedMOU" in text and 'schema:url "https://news.example.com/a1"^^xsd:anyURI' in text


def test_save_accepts_a_plain_graph(built, tmp_path):
    flat = flatten(built)
    back = load(save(flat, tmp_path / "flat.trig"))
    assert isomorphic(flatten(back), flat)


def test_save_rejects_unknown_extension(built, tmp_path):
    with pytest.raises(GraphError) as err:
        save(built, tmp_path / "graph.rdf")
    for ext in FORMATS:
        assert ext in str(err.value)
    assert not (tmp_path / "graph.rdf").exists()


def test_load_missing_and_corrupt_files(tmp_path):
    with pytest.raises(GraphError, match="does not exist"):
        load(tmp_path / "nothing.trig")
    for ext, junk in [(".ttl", "<a> <b> ."), (".trig", "{ oops"), (".nq", "<a> <b> <c> <d> <e> ."),
                      (".jsonld", '{"@id": '), (".nt", "not rdf at all")]:
        path = tmp_path / f"bad{ext}"
        path.write_text(junk, encoding="utf-8")
        with pytest.raises(GraphError, match=re.escape(str(path))):
            load(path)
    (tmp_path / "g.xyz").write_text("", encoding="utf-8")
    with pytest.raises(GraphError, match=r"\.trig"):
        load(tmp_path / "g.xyz")


def test_thousands_of_source_urls_write_quickly(tmp_path):
    """rdflib's Turtle writer stalls with one namespace per URL (#1752); ours must not."""
    articles, triples = [], []
    companies = [Entity(f"Company {i}", "Company") for i in range(300)]
    for i in range(3000):
        aid = f"n{i:04d}"
        articles.append(article(aid, url=f"https://site{i}.example.org/news/{i}/story.html",
                                published=date(2024, 1, 1 + i % 28)))
        triples.append(fact(companies[i % 300], "signedMOU", companies[(i * 7 + 1) % 300], aid))
        triples.append(fact(companies[i % 300], "listedOn", TMALL, aid, start=80))
    began = time.perf_counter()
    ds = to_dataset(articles, triples)
    ttl = save(ds, tmp_path / "big.ttl").read_text(encoding="utf-8")
    trig = save(ds, tmp_path / "big.trig").read_text(encoding="utf-8")
    elapsed = time.perf_counter() - began
    for text in (ttl, trig):
        assert len(re.findall(r"^@prefix ", text, flags=re.M)) == len(PREFIXES)
        urls = set(re.findall(r'"(https://site\d+\.example\.org/[^"]*)"\^\^xsd:anyURI', text))
        assert len(urls) == 3000
    assert len(re.findall(r"^article:n\d{4} \{", trig, flags=re.M)) == 3000
    assert elapsed < 120, f"writing took {elapsed:.0f} s"  # loose: minutes means a regression
