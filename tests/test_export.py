"""kg.export: RDF files, GraphML and the CSV edge list, read back and compared."""
from __future__ import annotations

import csv
import re
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from factories import ALIBABA, PAKISTAN, article, corpus, fact
from kg.errors import KGError
from kg.export import CSV_COLUMNS, FORMATS, export, format_for
from kg.namespace import ECOM, entity_iri
from kg.network import to_networkx
from kg.rdf import _plain, flatten, load, to_dataset
from kg.records import Entity

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

GRAPHML_NS = {"g": "http://graphml.graphdrawing.org/xmlns"}
# GraphML node and edge ids are xs:NMTOKEN
NMTOKEN = re.compile(r"[\w.:-]+")

ALIBABA_IRI, PAKISTAN_IRI = entity_iri(ALIBABA.name), entity_iri(PAKISTAN.name)
ACME = Entity("Acme, Inc.", "Company")
QUOTE = Entity('The "Quote" Co', "Brand")
MULTILINE = Entity("Line\nBreak Ltd", "Marketplace")


@pytest.fixture
def dataset():
    return to_dataset(*corpus())


@pytest.fixture
def tricky():
    """Names with a comma, double quotes and a newline; a URL with a comma."""
    articles = [article("t1", url="https://news.example.com/t1?a=1,b=2", title='He said "hi", then left')]
    triples = [fact(QUOTE, "listedOn", ACME, "t1", start=0, sentence='The "Quote" Co sells on Acme, Inc.'),
               fact(ACME, "operates", MULTILINE, "t1", start=40, sentence="Acme runs Line Break.")]
    return to_dataset(articles, triples)


def quads(ds: Dataset) -> set[tuple]:
    """(s, p, o, graph) with plain strings for xsd:string literals; default graph as None."""
    out = set()
    for graph in ds.graphs():
        name = None if graph.identifier == DATASET_DEFAULT_GRAPH_ID else graph.identifier
        out.update((s, p, _plain(o), name) for s, p, o in graph)
    return out


def facts_of(graph) -> set[tuple]:
    relations = {ECOM.signedMOU, ECOM.listedOn, ECOM.investedIn, ECOM.fightsCounterfeitWith,
                 ECOM.operates}
    return {(s, p, o) for s, p, o in flatten(graph) if p in relations}


def snapshot(ds: Dataset):
    return (sorted(quads(ds)), sorted((str(p), str(n)) for p, n in ds.namespaces()))


# ------------------------------------------------------------------ RDF formats


@pytest.mark.parametrize("fmt", ["trig", "nq", "jsonld"])
def test_dataset_formats_round_trip_with_their_named_graphs(fmt, dataset, tmp_path):
    path = export(dataset, tmp_path / f"graph.{fmt}")
    assert path.suffix == FORMATS[fmt]
    back = load(path)
    assert quads(back) == quads(dataset)
    assert facts_of(back) == facts_of(dataset)
    assert len(list(back.graphs())) == len(list(dataset.graphs()))


@pytest.mark.parametrize("fmt", ["ttl", "nt"])
def test_graph_formats_round_trip_the_union(fmt, dataset, tmp_path):
    back = load(export(dataset, tmp_path / f"graph.{fmt}"))
    assert set(flatten(back)) == set(flatten(dataset))
    # the asserted facts of corpus(): 9 plain triples (the hedged and negated ones are not)
    assert len(facts_of(back)) == 9


def test_rdf_format_given_explicitly_whatever_the_extension(dataset, tmp_path):
    path = export(dataset, tmp_path / "graph.txt", "ttl")
    assert path.name == "graph.txt"
    assert path.read_text(encoding="utf-8").startswith("@prefix")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.txt"]  # no staging file left
    copy = tmp_path / "copy.ttl"
    copy.write_bytes(path.read_bytes())
    assert set(flatten(load(copy))) == set(flatten(dataset))


# ------------------------------------------------------------------ GraphML


def read_graphml(path) -> nx.MultiDiGraph:
    return nx.read_graphml(path, force_multigraph=True, edge_key_type=str)


def test_graphml_reads_back_with_every_entity_and_fact(dataset, tmp_path):
    G = to_networkx(dataset)
    H = read_graphml(export(dataset, tmp_path / "graph.graphml"))
    assert H.number_of_nodes() == G.number_of_nodes() == 8
    assert H.number_of_edges() == G.number_of_edges() == 9
    assert {data["iri"] for _, data in H.nodes(data=True)} == set(G)
    label_of = {n: data["label"] for n, data in H.nodes(data=True)}
    facts = {(label_of[s], data["relation"], label_of[o]) for s, o, data in H.edges(data=True)}
    expected = {(G.nodes[s]["label"], rel, G.nodes[o]["label"]) for s, o, rel in G.edges(keys=True)}
    assert facts == expected


def test_graphml_attributes_are_scalars_with_flattened_sources(dataset, tmp_path):
    H = read_graphml(export(dataset, tmp_path / "graph.graphml"))
    for _, data in H.nodes(data=True):
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values())
        assert "None" not in data.values()
    by_label = {data["label"]: data for _, data in H.nodes(data=True)}
    assert by_label["Alibaba Group"]["qid"] == "Q1359568"
    assert by_label["Alibaba Group"]["aliases"] == "Alibaba"
    assert by_label["Alibaba Group"]["type"] == "Company"
    assert "qid" not in by_label["Lazada"]  # None is dropped, not written as "None"
    label_of = {n: data["label"] for n, data in H.nodes(data=True)}
    edges = {(label_of[s], data["relation"], label_of[o]): data for s, o, data in H.edges(data=True)}
    mou = edges[("Alibaba Group", "signedMOU", "Government of Pakistan")]
    assert mou["sources"] == 2 and isinstance(mou["sources"], int)
    assert mou["articles"] == "a1;a2"
    assert mou["urls"] == "https://news.example.com/a1;https://news.example.com/a2"
    assert mou["first_date"] == "2024-01-10"
    # the edge's confidence as kg.network computes it (several articles combined)
    G = to_networkx(dataset)
    expected = G.edges[str(ALIBABA_IRI), str(PAKISTAN_IRI), "signedMOU"]["confidence"]
    assert mou["confidence"] == pytest.approx(expected) and isinstance(mou["confidence"], float)
    assert mou["label"] == "signedMOU" and mou["status"] == "asserted"
    deal = edges[("Alibaba Group", "investedIn", "Lazada")]
    assert deal["first_date"] == "2024-01-20"  # the deal date, before the article's date
    no_date = edges[("JD.com", "investedIn", "Lazada")]  # article a4: no date, no URL
    assert "first_date" not in no_date and no_date["urls"] == "" and no_date["articles"] == "a4"
    for data in edges.values():
        assert all(isinstance(v, (str, int, float, bool)) for v in data.values())


def test_graphml_is_well_formed_with_unique_nmtoken_ids(tricky, tmp_path):
    path = export(tricky, tmp_path / "tricky.graphml")
    root = ET.parse(path).getroot()  # raises on malformed XML
    assert root.tag == "{http://graphml.graphdrawing.org/xmlns}graphml"
    ids = [el.get("id") for el in root.iterfind(".//g:node", GRAPHML_NS)]
    ids += [el.get("id") for el in root.iterfind(".//g:edge", GRAPHML_NS)]
    assert len(ids) == len(set(ids)) == 3 + 2
    assert all(NMTOKEN.fullmatch(i) for i in ids)
    labels = {data["label"] for _, data in read_graphml(path).nodes(data=True)}
    assert labels == {ACME.name, QUOTE.name, MULTILINE.name}


# ------------------------------------------------------------------ CSV


def read_csv(path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_csv_has_a_header_and_one_row_per_fact(dataset, tmp_path):
    path = export(dataset, tmp_path / "facts.csv")
    with open(path, newline="", encoding="utf-8") as f:
        assert next(csv.reader(f)) == list(CSV_COLUMNS)
    rows = read_csv(path)
    G = to_networkx(dataset)
    assert len(rows) == G.number_of_edges() == 9
    confidence = G.edges[str(ALIBABA_IRI), str(PAKISTAN_IRI), "signedMOU"]["confidence"]
    mou = [r for r in rows if r["relation"] == "signedMOU"]
    assert mou == [{
        "subject": "Alibaba Group", "subject_type": "Company", "relation": "signedMOU",
        "object": "Government of Pakistan", "object_type": "GovernmentBody",
        "confidence": str(confidence), "sources": "2", "articles": "a1;a2",
        "urls": "https://news.example.com/a1;https://news.example.com/a2",
        "first_date": "2024-01-10",
    }]
    jd = next(r for r in rows if r["subject"] == "JD.com" and r["relation"] == "investedIn")
    assert (jd["urls"], jd["first_date"], jd["articles"]) == ("", "", "a4")
    assert "None" not in path.read_text(encoding="utf-8")


def test_csv_quotes_commas_quotes_and_newlines(tricky, tmp_path):
    path = export(tricky, tmp_path / "tricky.csv")
    text = path.read_bytes().decode("utf-8")
    assert '"Acme, Inc."' in text
    assert '"The ""Quote"" Co"' in text
    assert '"Line\nBreak Ltd"' in text
    assert '"https://news.example.com/t1?a=1,b=2"' in text
    rows = read_csv(path)
    assert {(r["subject"], r["relation"], r["object"]) for r in rows} == {
        (QUOTE.name, "listedOn", ACME.name), (ACME.name, "operates", MULTILINE.name)}
    assert all(len(r) == len(CSV_COLUMNS) and None not in r for r in rows)
    assert {r["urls"] for r in rows} == {"https://news.example.com/t1?a=1,b=2"}
    # the same bytes whatever the platform's line ending: csv's \r\n rows, raw \n inside the name
    assert text.count("\r\n") == 3


# ------------------------------------------------------------------ behaviour


@pytest.mark.parametrize("ext", sorted(FORMATS.values()))
def test_the_input_graph_is_not_mutated(ext, dataset, tmp_path):
    before = snapshot(dataset)
    export(dataset, tmp_path / f"out{ext}")
    assert snapshot(dataset) == before


def test_exports_are_deterministic(dataset, tmp_path):
    for ext in FORMATS.values():
        first = export(dataset, tmp_path / f"a{ext}").read_bytes()
        again = export(to_dataset(*corpus()), tmp_path / f"b{ext}").read_bytes()
        assert first == again, ext


def test_a_store_can_be_exported(dataset, tmp_path):
    from kg.store import open_store

    with open_store(tmp_path / "kg.oxigraph") as store:
        store.add_dataset(dataset)
        rows = read_csv(export(store, tmp_path / "facts.csv"))
    assert len(rows) == 9


def test_format_comes_from_the_extension_or_is_an_error(dataset, tmp_path):
    assert format_for("x.TTL") == "ttl" and format_for("x.jsonld") == "jsonld"
    with pytest.raises(KGError, match="--format"):
        export(dataset, tmp_path / "graph.xlsx")
    with pytest.raises(KGError, match="unknown export format 'xml'"):
        export(dataset, tmp_path / "graph.xml", "xml")
    assert not any(tmp_path.iterdir())


def test_an_empty_graph_exports_headers_only(tmp_path):
    empty = to_dataset([article("e1")], [])
    assert read_csv(export(empty, tmp_path / "e.csv")) == []
    H = read_graphml(export(empty, tmp_path / "e.graphml"))
    assert H.number_of_nodes() == 0


# ------------------------------------------------------------------ command line


def test_kg_export_command(dataset, tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app
    from kg.rdf import save

    graph = save(dataset, tmp_path / "graph.trig")
    runner = CliRunner()
    result = runner.invoke(app, ["export", str(graph), "-o", str(tmp_path / "g.graphml")])
    assert result.exit_code == 0, result.output
    assert read_graphml(tmp_path / "g.graphml").number_of_edges() == 9
    result = runner.invoke(app, ["export", str(graph), "-o", str(tmp_path / "edges.txt"),
                                 "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert len(read_csv(tmp_path / "edges.txt")) == 9
    result = runner.invoke(app, ["export", str(graph), "-o", str(tmp_path / "g.xlsx")])
    assert result.exit_code == 1
    assert "export format" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, ["export", str(tmp_path / "missing.trig"), "-o", str(tmp_path / "x.csv")])
    assert result.exit_code == 1 and "does not exist" in result.output
