"""``kg.namespace.ECOM`` and ``ontology/ecom.ttl`` declare the same terms; ontology invariants."""
from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, URIRef

from kg.namespace import (
    ECOM,
    ONTOLOGY_IRI,
    PREFIXES,
    article_iri,
    class_iri,
    entity_iri,
    fact_iri,
    relation_iri,
    slug,
)
from kg.records import ENTITY_TYPES, RELATIONS, SYMMETRIC

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology" / "ecom.ttl"
DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def declared(ontology: Graph) -> set[str]:
    namespace = str(ECOM._NS)
    names = set()
    for kind in DECLARATIONS:
        for term in ontology.subjects(RDF.type, kind):
            if isinstance(term, URIRef) and str(term).startswith(namespace):
                names.add(str(term)[len(namespace):])
    return names


def namespace_terms() -> set[str]:
    return set(ECOM.__annotations__)


def test_every_ontology_term_is_in_ECOM(ontology):
    missing = declared(ontology) - namespace_terms()
    assert not missing, f"declared in ecom.ttl but not in kg.namespace.ECOM: {sorted(missing)}"


def test_every_ECOM_term_is_declared_in_the_ontology(ontology):
    extra = namespace_terms() - declared(ontology)
    assert not extra, f"in kg.namespace.ECOM but not declared in ecom.ttl: {sorted(extra)}"


def test_ECOM_terms_are_the_ontology_IRIs(ontology):
    for name in namespace_terms():
        assert getattr(ECOM, name) == URIRef(str(ECOM._NS) + name)
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology


@pytest.mark.parametrize("typo", ["signedMou", "SignedMOU", "listedon", "Marketplaces", "label"])
def test_ECOM_rejects_unknown_names(typo):
    with pytest.raises(AttributeError):
        getattr(ECOM, typo)


def test_entity_types_and_relations_have_terms():
    for name in ENTITY_TYPES:
        assert class_iri(name) == getattr(ECOM, name)
    for name in RELATIONS:
        assert relation_iri(name) == getattr(ECOM, name)
    with pytest.raises(AttributeError):
        class_iri("Retailer")


def test_entity_types_are_classes_under_Party(ontology):
    for name in ENTITY_TYPES:
        cls = getattr(ECOM, name)
        assert (cls, RDF.type, OWL.Class) in ontology
        assert ECOM.Party in set(ontology.transitive_objects(cls, RDFS.subClassOf)), name


@pytest.mark.parametrize("relation", RELATIONS)
def test_each_relation_is_a_documented_object_property(ontology, relation):
    prop = getattr(ECOM, relation)
    assert (prop, RDF.type, OWL.ObjectProperty) in ontology
    for annotation in (RDFS.label, RDFS.comment):
        values = [str(v) for v in ontology.objects(prop, annotation)]
        assert values and all(v.strip() for v in values), f"{relation} lacks {annotation}"
    domains = list(ontology.objects(prop, RDFS.domain))
    ranges = list(ontology.objects(prop, RDFS.range))
    assert domains and ranges, f"{relation} needs rdfs:domain and rdfs:range"
    for cls in domains + ranges:
        assert (cls, RDF.type, OWL.Class) in ontology


def test_symmetric_relations_match_records(ontology):
    symmetric = {str(p)[len(str(ECOM._NS)):] for p in ontology.subjects(RDF.type, OWL.SymmetricProperty)}
    assert symmetric == set(SYMMETRIC) == {"signedMOU", "fightsCounterfeitWith"}


def test_platform_relations_range_is_marketplace(ontology):
    for relation in ("listedOn", "operates"):
        assert (getattr(ECOM, relation), RDFS.range, ECOM.Marketplace) in ontology


def test_every_datatype_property_describes_fact_records(ontology):
    for prop in ontology.subjects(RDF.type, OWL.DatatypeProperty):
        assert (prop, RDFS.domain, ECOM.FactRecord) in ontology, prop
        assert list(ontology.objects(prop, RDFS.range)), prop


def test_iri_helpers_are_stable_and_distinct():
    assert entity_iri("Alibaba Group") == entity_iri("Alibaba Group")
    assert entity_iri("Alibaba Group") != entity_iri("Alibaba")
    assert slug("阿里巴巴").startswith("x-") and slug("阿里巴巴") != slug("京东")
    assert str(article_iri("a/1 b")).startswith(PREFIXES["article"])
    assert "/" not in str(article_iri("a/1 b"))[len(PREFIXES["article"]):]
    assert fact_iri("a1", "X", "signedMOU", "Y", "0") != fact_iri("a1", "X", "signedMOU", "Y", "1")
    assert str(fact_iri("a1", "X")).startswith(PREFIXES["fact"])


def test_prefixes_cover_kg_namespaces():
    assert PREFIXES["ecom"] == str(ECOM._NS)
    for prefix in ("schema", "prov", "skos", "rdfs", "rdf", "owl", "xsd", "wd", "entity",
                   "article", "fact"):
        assert PREFIXES[prefix].endswith(("/", "#")), prefix
