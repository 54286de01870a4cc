"""kg.queries: the named-query catalogue, run on hand-made facts in both local backends."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from rdflib import Literal
from rdflib.compare import isomorphic

from factories import corpus
from kg.errors import QueryError
from kg.namespace import article_iri
from kg.queries import (
    PARAM_TYPES,
    format_result,
    get_query,
    list_queries,
    parse_query_file,
    rows,
    run,
)
from kg.rdf import flatten, to_dataset
from kg.records import ASSERTED
from kg.store import open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

REQUIRED = {"mous-of", "deals-of", "brands-on", "platforms-of-brand", "investments",
            "counterfeit-coalitions", "multi-source-facts", "timeline-of", "evidence"}


def url(article_id: str) -> str:
    return f"https://news.example.com/{article_id}"


@pytest.fixture(scope="module")
def facts():
    return corpus()


@pytest.fixture(params=["memory", "oxigraph"])
def graph(request, tmp_path, facts):
    """The corpus as an rdflib dataset (memory) or in an on-disk Oxigraph store."""
    dataset = to_dataset(*facts)
    if request.param == "memory":
        yield dataset
    else:
        with open_store(tmp_path / "q.oxigraph") as store:
            store.add_dataset(dataset)
            yield store


def table(result, *columns):
    """The result's rows as tuples of the given columns (JSON-friendly values)."""
    return [tuple(row[c] for c in columns) for row in rows(result)]


# ------------------------------------------------------------------ catalogue


def test_catalogue_has_the_required_queries():
    names = [q.name for q in list_queries()]
    assert REQUIRED <= set(names)
    assert names == sorted(names) and len(names) == len(set(names))


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_each_query_is_described_and_projects_its_parameters(query):
    from rdflib.plugins.sparql import prepareQuery

    from kg.namespace import PREFIXES

    assert query.description and query.text.lstrip().startswith("# name:")
    prepared = prepareQuery(query.text, initNs=PREFIXES)
    projected = {str(v) for v in prepared.algebra["PV"]}
    for param in query.params:
        assert param.description, f"{query.name}: describe parameter {param.name}"
        assert param.type in PARAM_TYPES
        assert param.name in projected, f"{query.name} must SELECT ?{param.name} (Oxigraph)"
    assert "{{" not in query.text and "%s" not in query.text  # nothing to format in


def test_query_parameters_are_parsed():
    assert [p.name for p in get_query("evidence").params] == ["subject", "relation", "object"]
    assert get_query("evidence").params[1].type == "relation"
    (min_sources,) = get_query("multi-source-facts").params
    assert (min_sources.type, min_sources.default, min_sources.required) == ("integer", "2", False)
    assert get_query("investments").params == ()


def test_parse_query_file_header():
    q = parse_query_file("# name: x\n# description: does x\n"
                         "# param: when (date, default=2024-01-01) — a day\n"
                         "# param: who - a name\nSELECT * WHERE { ?s ?p ?o }\n")
    assert (q.name, q.description) == ("x", "does x")
    assert [(p.name, p.type, p.default, p.description) for p in q.params] == [
        ("when", "date", "2024-01-01", "a day"), ("who", "string", None, "a name")]
    with pytest.raises(QueryError, match="name"):
        parse_query_file("# description: nameless\nSELECT * WHERE { ?s ?p ?o }")
    with pytest.raises(QueryError, match="huge"):
        parse_query_file("# name: y\n# param: n (huge) — ?\nSELECT * WHERE { ?s ?p ?o }")


def test_unknown_query_lists_the_known_ones(graph):
    with pytest.raises(QueryError) as err:
        get_query("mou-of")
    assert "mous-of" in str(err.value) and "deals-of" in str(err.value)
    with pytest.raises(QueryError, match="mous-of"):
        run(graph, "mou-of", {"company": "Alibaba Group"})


# ------------------------------------------------------------------ each query


def test_mous_of_either_side_and_by_alias(graph):
    expected = [("Government of Pakistan", "2024-01-10", url("a1"), "Alibaba and Pakistan sign MOU"),
                ("Government of Pakistan", "2024-02-05", url("a2"), "Alibaba invests in Lazada")]
    for name in ("Alibaba Group", "Alibaba"):
        result = run(graph, "mous-of", {"company": name})
        assert table(result, "counterparty", "date", "url", "headline") == expected
        assert all(row["company"] == name for row in rows(result))
    # the other party sees the same MOUs from its side
    other = run(graph, "mous-of", {"company": "Government of Pakistan"})
    assert {row["counterparty"] for row in rows(other)} == {"Alibaba Group"}
    sentences = {row["sentence"] for row in rows(other)}
    assert sentences == {"Alibaba signed an MOU with the Government of Pakistan.",
                         "Pakistan's government and Alibaba Group signed a memorandum."}
    # JD.com's MOU with Nike is only hedged
    assert rows(run(graph, "mous-of", {"company": "JD.com"})) == []


def test_deals_of_covers_both_sides_and_only_asserted_facts(graph):
    nike = run(graph, "deals-of", {"company": "Nike"})
    assert sorted(table(nike, "relation", "direction", "counterparty", "url")) == [
        ("fightsCounterfeitWith", "mutual", "Alibaba Group", url("a3")),
        ("listedOn", "out", "JD Mall", url("a3")),
        ("listedOn", "out", "Tmall", url("a1")),
    ]
    lazada = run(graph, "deals-of", {"company": "Lazada"})
    assert sorted(table(lazada, "relation", "direction", "counterparty")) == [
        ("investedIn", "in", "Alibaba Group"), ("investedIn", "in", "JD.com")]
    assert rows(run(graph, "deals-of", {"company": "Amazon"})) == []  # negated only


def test_brands_on_and_platforms_of_brand(graph):
    tmall = run(graph, "brands-on", {"platform": "Tmall"})
    assert table(tmall, "seller", "url", "date") == [("L'Oréal", url("a3"), "2024-03-01"),
                                                     ("Nike", url("a1"), "2024-01-10")]
    assert table(run(graph, "brands-on", {"platform": "JD Mall"}), "seller") == [("Nike",)]
    nike = run(graph, "platforms-of-brand", {"brand": "Nike"})
    assert table(nike, "platform", "url") == [("JD Mall", url("a3")), ("Tmall", url("a1"))]
    # an alias finds the brand; the platform an operator runs is not a listing
    assert table(run(graph, "platforms-of-brand", {"brand": "L'Oreal"}), "platform") == [("Tmall",)]
    assert rows(run(graph, "platforms-of-brand", {"brand": "Alibaba Group"})) == []


def test_investments(graph):
    result = run(graph, "investments", {})
    assert table(result, "investor", "target", "amount", "currency", "stake", "date", "url") == [
        ("Alibaba Group", "Lazada", 1_000_000_000.0, "USD", 83.0, "2024-01-20", url("a2")),
        ("JD.com", "Lazada", None, None, None, None, None),  # a4: no date, no URL: last
    ]


def test_counterfeit_coalitions_pairs_each_once(graph):
    result = run(graph, "counterfeit-coalitions")
    assert table(result, "partyA", "partyB", "url") == [("Alibaba Group", "Nike", url("a3"))]


def test_multi_source_facts_counts_articles(graph, facts):
    _, triples = facts
    articles_per_fact = Counter()
    for key in {(t.key, t.article_id) for t in triples if t.status == ASSERTED}:
        articles_per_fact[key[0]] += 1
    for minimum in (1, 2, 3):
        expected = sorted((*key, n) for key, n in articles_per_fact.items() if n >= minimum)
        result = run(graph, "multi-source-facts", {"minSources": str(minimum)})
        assert sorted(table(result, "subject", "relation", "object", "sources")) == expected
    # the default is 2
    default = run(graph, "multi-source-facts", {})
    assert table(default, "subject", "relation", "object", "sources", "minSources") == [
        ("Alibaba Group", "signedMOU", "Government of Pakistan", 2, 2)]


def test_timeline_of_is_in_date_order(graph):
    result = rows(run(graph, "timeline-of", {"company": "Alibaba Group"}))
    dates = [row["date"] for row in result]
    assert dates == sorted(dates) and len(dates) == 5
    assert dates[0] == "2024-01-10" and dates[-1] == "2024-03-01"
    invest = [row for row in result if row["relation"] == "investedIn"]
    assert [(r["date"], r["dateSource"]) for r in invest] == [("2024-01-20", "deal")]
    assert {row["dateSource"] for row in result if row["relation"] != "investedIn"} == {"article"}
    # undated deals come last
    jd = rows(run(graph, "timeline-of", {"company": "JD.com"}))
    assert [(r["relation"], r["dateSource"]) for r in jd] == [("operates", "article"),
                                                              ("investedIn", "none")]


def test_evidence_lists_every_status_and_symmetric_order(graph):
    hedged = run(graph, "evidence", {"subject": "Nike", "relation": "signedMOU", "object": "JD.com"})
    assert table(hedged, "status", "confidence", "sentence", "url") == [
        ("hedged", 0.6, "JD.com may sign an MOU with Nike.", url("a3"))]
    mou = run(graph, "evidence", {"subject": "Government of Pakistan", "relation": "signedMOU",
                                  "object": "Alibaba"})
    assert table(mou, "confidence", "article") == [(0.95, str(article_iri("a1"))),
                                                   (0.9, str(article_iri("a2")))]
    negated = run(graph, "evidence", {"subject": "Amazon", "relation": "investedIn", "object": "Nike"})
    assert table(negated, "status", "url") == [("negated", None)]
    # investedIn is not symmetric: the reverse direction has no evidence
    assert rows(run(graph, "evidence", {"subject": "Nike", "relation": "investedIn",
                                        "object": "Amazon"})) == []


# ------------------------------------------------------------------ parameters


@pytest.mark.parametrize("name, params, message", [
    ("deals-of", {}, "missing company"),
    ("deals-of", {"company": "Nike", "firm": "x"}, "unknown firm"),
    ("multi-source-facts", {"minSources": "two"}, "integer"),
    ("evidence", {"subject": "Nike", "relation": "soldTo", "object": "Tmall"}, "listedOn"),
])
def test_bad_parameters_are_query_errors(graph, name, params, message):
    with pytest.raises(QueryError, match=message):
        run(graph, name, params)


HOSTILE = [
    '" } ; DROP ALL ; #',
    "> UNION {",
    'Alibaba Group" } UNION { ?e ?p ?o } #',
    "Alibaba Group\"@en . ?e ?p ?o . FILTER(true) } #",
    "'; DELETE WHERE { ?s ?p ?o } ; #",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_parameters_are_data_never_query_text(value, tmp_path, facts):
    dataset = to_dataset(*facts)
    before = flatten(dataset)
    for name in ("mous-of", "deals-of", "timeline-of"):
        assert rows(run(dataset, name, {"company": value})) == []
    assert rows(run(dataset, "evidence", {"subject": value, "relation": "signedMOU",
                                          "object": value})) == []
    assert isomorphic(flatten(dataset), before)
    with open_store(tmp_path / "hostile.oxigraph") as store:
        store.add_dataset(dataset)
        size = len(store)
        assert rows(run(store, "brands-on", {"platform": value})) == []
        assert len(store) == size


def test_raw_sparql_with_bound_parameters(graph):
    # DISTINCT: Oxigraph 0.5 counts a triple once per graph that holds it (oxigraph#1919)
    text = "SELECT DISTINCT ?e ?name WHERE { ?e rdfs:label ?name }"
    assert table(run(graph, text, {"name": "Nike"}), "e") == [("https://w3id.org/kg-ecom/entity/nike",)]
    assert rows(run(graph, text, {"name": '" } ; DROP ALL ; #'})) == []
    with pytest.raises(QueryError, match="not variables"):
        run(graph, text, {"company": "Nike"})
    with pytest.raises(QueryError, match="parse"):
        run(graph, "SELECT ?e WHERE { ?e rdfs:label }")


# ------------------------------------------------------------------ output


def test_format_result_as_csv_json_and_table(graph):
    result = run(graph, "brands-on", {"platform": "Tmall"})
    parsed = list(csv.reader(io.StringIO(format_result(result, "csv"))))
    assert parsed[0] == ["platform", "seller", "date", "url", "sentence", "article"]
    assert [line[1] for line in parsed[1:]] == ["L'Oréal", "Nike"]
    data = json.loads(format_result(result, "json"))
    assert [row["seller"] for row in data] == ["L'Oréal", "Nike"]
    assert data[0]["article"] == str(article_iri("a3"))
    text = format_result(result, "table")
    lines = text.splitlines()
    assert lines[0].split() == parsed[0] and lines[-1] == "(2 rows)"
    assert "article:a3" in text and str(article_iri("a3")) not in text  # compact IRIs
    with pytest.raises(QueryError, match="csv"):
        format_result(result, "xml")


def test_json_values_keep_their_types(graph):
    data = json.loads(format_result(run(graph, "investments"), "json"))
    alibaba = data[0]
    assert alibaba["amount"] == 1e9 and alibaba["stake"] == 83 and alibaba["date"] == "2024-01-20"
    assert isinstance(json.loads(format_result(run(graph, "multi-source-facts"), "json"))[0]["sources"], int)


def test_ask_results_format_as_booleans(graph):
    yes = run(graph, "ASK { ?s ecom:listedOn ?o }")
    no = run(graph, "ASK { ?s ecom:listedOn ?s }")
    assert (format_result(yes, "table"), format_result(no, "json")) == ("true", "false")


def test_typed_parameters_bind_typed_literals():
    from kg.queries import Param

    assert Param("n", type="integer").term("3") == Literal(3)
    assert Param("d", type="date").term("2024-02-05") == Literal(date(2024, 2, 5))
    assert Param("x", type="decimal").term("1.5") == Literal(Decimal("1.5"))
    assert Param("s", type="status").term("hedged") == Literal("hedged")
    with pytest.raises(QueryError, match="asserted"):
        Param("s", type="status").term("probable")


def test_mous_by_country_groups_public_parties(graph):
    # The corpus has one MOU with a government body (Government of Pakistan), stated by
    # two articles (a1, and a2 reversed); the hedged JD.com–Nike MOU is left out.
    result = run(graph, "mous-by-country", {})
    assert table(result, "publicParty", "publicType", "counterparty", "articles") == [
        ("Government of Pakistan", "GovernmentBody", "Alibaba Group", 2)]
