"""kg.network: RDF -> networkx, and the analysis helpers."""
from __future__ import annotations

import copy
from datetime import date

import pytest

from factories import NIKE, TMALL, article, corpus, fact
from kg.errors import QueryError
from kg.namespace import entity_iri
from kg.network import communities, deal_paths, ego, find_node, rank, timeline, to_networkx, undirected
from kg.rdf import flatten, to_dataset
from kg.records import ASSERTED, Entity, Evidence
from kg.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")


def iri(name: str) -> str:
    return str(entity_iri(name))


@pytest.fixture(scope="module")
def facts():
    return corpus()


@pytest.fixture(scope="module")
def G(facts):
    return to_networkx(to_dataset(*facts))


def snapshot(graph):
    return (sorted(graph.nodes(data=True), key=str), sorted(graph.edges(keys=True, data=True), key=str))


def test_nodes_are_the_entities_of_asserted_facts(G, facts):
    _, triples = facts
    expected = {iri(e.name) for t in triples if t.status == ASSERTED for e in (t.subject, t.object)}
    assert set(G) == expected
    assert iri("Amazon") not in G  # only in a negated fact


def test_node_attributes(G):
    alibaba = G.nodes[iri("Alibaba Group")]
    assert (alibaba["label"], alibaba["type"], alibaba["qid"]) == ("Alibaba Group", "Company", "Q1359568")
    assert alibaba["aliases"] == ("Alibaba",)
    assert G.nodes[iri("Tmall")]["type"] == "Marketplace"
    assert G.nodes[iri("Nike")]["type"] == "Brand"
    assert G.nodes[iri("Government of Pakistan")]["type"] == "GovernmentBody"
    assert G.nodes[iri("Lazada")]["qid"] is None


def test_type_prefers_the_extracted_class_over_the_materialised_marketplace():
    shop = Entity("Shopee", "Company")
    platform = Entity("Some Platform", "Organization")
    G = to_networkx(to_dataset([article("x")], [fact(NIKE, "listedOn", shop, "x"),
                                                 fact(NIKE, "listedOn", platform, "x", start=40)]))
    assert G.nodes[iri("Shopee")]["type"] == "Company"  # Company + Marketplace
    assert G.nodes[iri("Some Platform")]["type"] == "Marketplace"  # Organization + Marketplace


def test_one_edge_per_fact_with_merged_sources(G, facts):
    _, triples = facts
    asserted = {t.key for t in triples if t.status == ASSERTED}
    edges = set()
    for s, o, key in G.edges(keys=True):
        edges.add((G.nodes[s]["label"], key, G.nodes[o]["label"]))
    assert edges == asserted
    mou = G.get_edge_data(iri("Alibaba Group"), iri("Government of Pakistan"), key="signedMOU")
    assert mou["relation"] == "signedMOU" and mou["status"] == ASSERTED
    # two independent articles: a noisy-OR of their confidences, above either one
    c1, c2 = [t.confidence for t in triples if t.relation == "signedMOU" and t.status == ASSERTED
              and t.article_id in ("a1", "a2")]
    assert mou["confidence"] == pytest.approx(1 - (1 - c1) * (1 - c2), abs=1e-3)
    assert mou["confidence"] > max(c1, c2)
    assert [ev.article_id for ev in mou["sources"]] == ["a1", "a2"]
    assert all(isinstance(ev, Evidence) for ev in mou["sources"])
    first = mou["sources"][0]
    assert (first.url, first.title, first.published) == (
        "https://news.example.com/a1", "Alibaba and Pakistan sign MOU", date(2024, 1, 10))
    assert first.sentence == "Alibaba signed an MOU with the Government of Pakistan."
    assert mou["first_date"] == date(2024, 1, 10)


def test_first_date_prefers_the_deal_date_and_may_be_none(G):
    invest = G.get_edge_data(iri("Alibaba Group"), iri("Lazada"), key="investedIn")
    assert invest["first_date"] == date(2024, 1, 20)
    jd = G.get_edge_data(iri("JD.com"), iri("Lazada"), key="investedIn")
    assert jd["first_date"] is None and jd["sources"][0].url is None


def test_symmetric_fact_is_one_edge_whichever_way_it_was_read(G):
    assert not G.has_edge(iri("Government of Pakistan"), iri("Alibaba Group"))
    assert G.has_edge(iri("Alibaba Group"), iri("Nike"), key="fightsCounterfeitWith")
    assert not G.has_edge(iri("Nike"), iri("Alibaba Group"))


def test_status_and_sources_when_hedged_facts_are_included(facts):
    articles, triples = facts
    articles = [*articles, article("a5")]
    triples = [*triples, fact(NIKE, "listedOn", TMALL, "a5", status="hedged", confidence=0.99,
                              sentence="Nike may return to Tmall.")]
    G = to_networkx(to_dataset(articles, triples, include_statuses={"asserted", "hedged"}))
    hedged = G.get_edge_data(iri("JD.com"), iri("Nike"), key="signedMOU")
    assert hedged["status"] == "hedged" and hedged["confidence"] == pytest.approx(0.6)
    # an asserted fact keeps only its asserted sources and their confidence
    listed = G.get_edge_data(iri("Nike"), iri("Tmall"), key="listedOn")
    assert listed["status"] == ASSERTED
    assert [ev.article_id for ev in listed["sources"]] == ["a1"]
    assert listed["confidence"] == pytest.approx(0.85)


def test_same_graph_from_flat_graph_and_oxigraph_store(G, facts, tmp_path):
    dataset = to_dataset(*facts)
    for other in (to_networkx(flatten(dataset)),):
        assert snapshot(other) == snapshot(G)
    with open_store(tmp_path / "n.oxigraph") as store:
        store.add_dataset(dataset)
        assert snapshot(to_networkx(store)) == snapshot(G)


def test_empty_dataset_gives_empty_graph():
    G = to_networkx(to_dataset([article("x")], []))
    assert G.number_of_nodes() == 0
    assert rank(G) == [] and communities(G) == [] and timeline(G) == []


# ------------------------------------------------------------------ helpers


def test_rank_by_degree_counts_distinct_partners(G):
    U = undirected(G)
    expected = max(U.degree(), key=lambda item: item[1])
    (label, score), *_ = rank(G, by="degree", top=3)
    assert label == G.nodes[expected[0]]["label"] == "Alibaba Group"
    assert score == 4  # Pakistan, Tmall, Lazada, Nike (two MOUs are one partner)
    assert len(rank(G, top=3)) == 3 and len(rank(G, top=None)) == len(G)


def test_rank_by_betweenness_and_pagerank(G):
    ranked = rank(G, by="betweenness", top=None)
    assert ranked[0][0] == "Alibaba Group"
    assert [score for _, score in ranked] == sorted((score for _, score in ranked), reverse=True)
    pagerank = rank(G, by="pagerank", top=None)
    assert sum(score for _, score in pagerank) == pytest.approx(1.0)
    assert pagerank[0][0] == "Alibaba Group"
    with pytest.raises(QueryError, match="pagerank"):
        rank(G, by="fame")


def test_communities_partition_the_entities(G):
    groups = communities(G)
    members = [n for group in groups for n in group]
    assert sorted(members) == sorted(G) and len(members) == len(set(members))
    assert [len(g) for g in groups] == sorted((len(g) for g in groups), reverse=True)
    # JD.com and JD Mall only deal with each other and Nike/Lazada: they stay together
    assert any({iri("JD.com"), iri("JD Mall")} <= set(group) for group in groups)


def test_find_node_by_iri_label_alias_or_case(G):
    alibaba = iri("Alibaba Group")
    for name in (alibaba, "Alibaba Group", "Alibaba", "alibaba group", " ALIBABA "):
        assert find_node(G, name) == alibaba
    with pytest.raises(QueryError, match="Alibaba Group"):
        find_node(G, "Alibaba Grop")


def test_ego_graph(G):
    one = ego(G, "Tmall")
    assert set(one) == {iri("Tmall"), iri("Alibaba Group"), iri("Nike"), iri("L'Oréal")}
    assert one.nodes[iri("Tmall")]["label"] == "Tmall"
    assert one.get_edge_data(iri("Nike"), iri("Tmall"), key="listedOn")["sources"]
    two = ego(G, "Tmall", radius=2)
    assert {iri("Government of Pakistan"), iri("Lazada"), iri("JD Mall")} <= set(two)
    assert iri("JD.com") not in two


def test_deal_paths_ignore_direction_and_keep_facts_as_stated(G):
    paths = deal_paths(G, "Tmall", "Lazada")
    assert paths[0] == [("Alibaba Group", "operates", "Tmall"), ("Alibaba Group", "investedIn", "Lazada")]
    assert [len(p) for p in paths] == sorted(len(p) for p in paths)
    assert max(len(p) for p in paths) <= 4
    edges = {(G.nodes[s]["label"], k, G.nodes[o]["label"]) for s, o, k in G.edges(keys=True)}
    for path in paths:
        assert set(path) <= edges
    assert [("Nike", "listedOn", "JD Mall"), ("JD.com", "operates", "JD Mall"),
            ("JD.com", "investedIn", "Lazada")] in [p[1:] for p in paths]
    assert all(len(p) <= 2 for p in deal_paths(G, "Tmall", "Lazada", cutoff=2))
    assert deal_paths(G, "Tmall", "Tmall") == []


def test_timeline(G):
    items = timeline(G)
    assert len(items) == G.number_of_edges()
    dated = [i["date"] for i in items if i["date"] is not None]
    assert dated == sorted(dated)
    assert items[-1]["date"] is None  # JD.com -> Lazada has no date
    nike = timeline(G, "Nike")
    assert [(i["relation"], i["object"] if i["subject"] == "Nike" else i["subject"]) for i in nike] == [
        ("listedOn", "Tmall"), ("fightsCounterfeitWith", "Alibaba Group"), ("listedOn", "JD Mall")]
    mou = next(i for i in items if i["relation"] == "signedMOU")
    assert mou["sources"] == 2 and mou["urls"] == ["https://news.example.com/a1",
                                                    "https://news.example.com/a2"]


def test_helpers_do_not_change_the_graph(G):
    before = snapshot(G)
    frozen = copy.deepcopy(G)
    rank(G, by="pagerank")
    rank(G, by="betweenness")
    communities(G)
    ego(G, "Nike", radius=2).add_node("scratch")
    deal_paths(G, "Tmall", "JD.com")
    timeline(G, "Alibaba")
    undirected(G).add_edge("x", "y")
    assert snapshot(G) == before == snapshot(frozen)
