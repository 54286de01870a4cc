"""kg.validate: built graphs conform to ontology/shapes.ttl; broken ones do not."""
from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
from rdflib import RDF, Literal

from factories import NIKE, TMALL, article, corpus, fact
from kg.errors import GraphError
from kg.namespace import ECOM, article_iri, entity_iri, fact_iri
from kg.rdf import flatten, to_dataset
from kg.records import Entity
from kg.validate import ontology_dir, validate

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")


@pytest.fixture
def good():
    return to_dataset(*corpus(), include_statuses={"asserted", "hedged"})


def test_built_dataset_conforms(good):
    conforms, report = validate(good)
    assert conforms, report


def test_validate_does_not_change_its_argument(good):
    before = len(good)
    validate(good)
    assert len(good) == before


def test_union_of_graphs_is_checked_not_each_graph_alone(good):
    # Nike's entity triples live in several article graphs; the union has one label
    conforms, _ = validate(good)
    assert conforms
    assert len(list(flatten(good).objects(entity_iri("Nike"), ECOM.listedOn))) == 2


def test_record_without_sentence_fails(good):
    rec = fact_iri("a1", "Nike", "listedOn", "Tmall", "90")
    graph = good.graph(article_iri("a1"))
    assert graph.value(rec, ECOM.sentence) is not None
    graph.remove((rec, ECOM.sentence, None))
    conforms, report = validate(good)
    assert not conforms
    assert "ecom:sentence" in report or str(ECOM.sentence) in report
    assert "MinCount" in report


def test_empty_sentence_fails():
    ds = to_dataset([article("x")], [fact(NIKE, "listedOn", TMALL, "x", sentence=" ")])
    rec = fact_iri("x", "Nike", "listedOn", "Tmall", "0")
    ds.graph(article_iri("x")).set((rec, ECOM.sentence, Literal("")))
    conforms, report = validate(ds)
    assert not conforms and "MinLength" in report


def test_listed_on_object_that_is_not_a_marketplace_fails(good):
    graph = flatten(good)
    jd_mall = entity_iri("JD Mall")
    graph.remove((jd_mall, RDF.type, ECOM.Marketplace))
    graph.add((jd_mall, RDF.type, ECOM.Company))
    conforms, report = validate(graph)
    assert not conforms
    assert "marketplace" in report.lower()
    assert str(jd_mall) in report or "entity:jd-mall" in report


def test_untyped_fact_end_fails(good):
    graph = flatten(good)
    graph.remove((entity_iri("Lazada"), RDF.type, None))
    conforms, report = validate(graph)
    assert not conforms
    assert "Party" in report


def test_confidence_above_one_fails():
    ds = to_dataset([article("x")], [fact(NIKE, "listedOn", TMALL, "x", confidence=1.5)])
    conforms, report = validate(ds)
    assert not conforms
    assert "MaxInclusive" in report and "1.5" in report


def test_stake_above_hundred_and_bad_currency_fail():
    t = fact(Entity("Fund", "Company"), "investedIn", NIKE, "x", stake=Decimal("150"), currency="usd",
             amount=Decimal("10"))
    conforms, report = validate(to_dataset([article("x")], [t]))
    assert not conforms
    assert "stakePercent" in report and "currency" in report


def test_bad_wikidata_link_fails():
    t = fact(Entity("Odd", "Company", qid="not-a-qid"), "listedOn", TMALL, "x")
    conforms, report = validate(to_dataset([article("x")], [t]))
    assert not conforms and "Wikidata" in report


def test_ontology_folder_can_be_overridden(monkeypatch, tmp_path, good):
    assert (ontology_dir() / "shapes.ttl").is_file()
    folder = tmp_path / "onto"
    shutil.copytree(ontology_dir(), folder)
    # a stricter copy of the shapes: every article must have a headline AND a URL
    text = (folder / "shapes.ttl").read_text(encoding="utf-8")
    stricter = text.replace("sh:path schema:url ; sh:maxCount 1 ;",
                            "sh:path schema:url ; sh:minCount 1 ; sh:maxCount 1 ;")
    assert stricter != text
    text = stricter
    (folder / "shapes.ttl").write_text(text, encoding="utf-8")
    monkeypatch.setenv("KG_ONTOLOGY", str(folder))
    assert ontology_dir() == folder
    conforms, report = validate(good)  # article a4 has no URL
    assert not conforms
    assert "schema:url" in report or "https://schema.org/url" in report
    assert "article:a4" in report or str(article_iri("a4")) in report


def test_missing_ontology_folder_is_a_graph_error(monkeypatch, tmp_path, good):
    monkeypatch.setenv("KG_ONTOLOGY", str(tmp_path / "nowhere"))
    with pytest.raises(GraphError, match="KG_ONTOLOGY"):
        validate(good)
