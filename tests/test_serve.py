"""kg.serve: a real Oxigraph SPARQL 1.1 Protocol server over a small hand-made graph.

Every server is started by the test on a free 127.0.0.1 port and stopped by it. Nothing
is skipped: without the ``oxigraph`` executable the tests fail with kg's message saying
how to install it.
"""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper

from factories import corpus
from kg.errors import GraphError, KGError
from kg.namespace import ECOM, PREFIXES, entity_iri
from kg.rdf import flatten, save, to_dataset
from kg.serve import (
    bind_warning,
    endpoint_urls,
    find_oxigraph,
    is_loopback,
    running_server,
    start,
)

pytestmark = [pytest.mark.server,
              pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*"),
              # SPARQLWrapper 2.0 parses CONSTRUCT results into rdflib's ConjunctiveGraph
              pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")]

HEADER = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())
LISTED = HEADER + "SELECT DISTINCT ?seller ?platform WHERE { ?seller ecom:listedOn ?platform }"
CONSTRUCT = HEADER + "CONSTRUCT { ?s ecom:listedOn ?o } WHERE { ?s ecom:listedOn ?o }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
NEW = (URIRef("urn:kg-test:new"), URIRef("urn:kg-test:p"), Literal("inserted"))
INSERT = f"INSERT DATA {{ <{NEW[0]}> <{NEW[1]}> \"inserted\" }}"
ASK_NEW = f"ASK {{ <{NEW[0]}> <{NEW[1]}> \"inserted\" }}"

NIKE, LOREAL = str(entity_iri("Nike")), str(entity_iri("L'Oréal"))
TMALL, JD_MALL = str(entity_iri("Tmall")), str(entity_iri("JD Mall"))
#: listedOn facts of factories.corpus(): Nike and L'Oréal on Tmall, Nike on JD Mall.
EXPECTED_LISTED = {(NIKE, TMALL), (LOREAL, TMALL), (NIKE, JD_MALL)}


@pytest.fixture(scope="module", autouse=True)
def no_proxy():
    """Requests to 127.0.0.1 never go through a proxy set in the caller's environment."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("NO_PROXY", "no_proxy"):
            mp.setenv(name, "127.0.0.1,localhost,::1")
        yield


@pytest.fixture(scope="module")
def dataset():
    return to_dataset(*corpus())


@pytest.fixture(scope="module")
def graph_file(dataset, tmp_path_factory):
    return save(dataset, tmp_path_factory.mktemp("serve") / "graph.trig")


@pytest.fixture(scope="module")
def endpoint(graph_file):
    """The query URL of a read-only server over ``graph_file``."""
    with running_server(graph_file) as url:
        yield url


def update_url(query_url: str) -> str:
    assert query_url.endswith("/query")
    return query_url[: -len("/query")] + "/update"


def select(url: str, query: str) -> list[dict]:
    sparql = SPARQLWrapper(url)
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    return sparql.queryAndConvert()["results"]["bindings"]


def count(url: str) -> int:
    return int(select(url, COUNT)[0]["n"]["value"])


def ask(url: str, query: str) -> bool:
    sparql = SPARQLWrapper(url)
    sparql.setQuery(query)
    sparql.setReturnFormat(JSON)
    return sparql.queryAndConvert()["boolean"]


def send_update(url: str, update: str) -> None:
    sparql = SPARQLWrapper(url, updateEndpoint=update_url(url))
    sparql.setMethod(POST)
    sparql.setQuery(update)
    sparql.query()


def listed_triples() -> set[tuple]:
    return {(URIRef(s), ECOM.listedOn, URIRef(o)) for s, o in EXPECTED_LISTED}


# ------------------------------------------------------------------ queries


def test_endpoint_is_on_loopback(endpoint):
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/query", endpoint)


def test_select_with_sparqlwrapper_returns_the_expected_rows(endpoint):
    rows = select(endpoint, LISTED)
    assert {(r["seller"]["value"], r["platform"]["value"]) for r in rows} == EXPECTED_LISTED
    assert all(r["seller"]["type"] == "uri" for r in rows)


def test_select_sees_the_union_of_article_graphs_and_non_ascii_labels(endpoint, dataset):
    rows = select(endpoint, HEADER + "SELECT DISTINCT ?name WHERE { ?e a ecom:Brand ; rdfs:label ?name }")
    assert {r["name"]["value"] for r in rows} == {"Nike", "L'Oréal"}
    # every statement of every article graph is served
    assert count(endpoint) == len(list(dataset.quads((None, None, None, None))))


def test_construct_with_sparqlwrapper_returns_the_expected_triples(endpoint):
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery(CONSTRUCT)
    sparql.setReturnFormat(XML)  # RDF/XML, parsed into an rdflib graph
    graph = sparql.queryAndConvert()
    assert isinstance(graph, Graph)
    assert set(graph) == listed_triples()


def test_construct_through_rdflib_sparqlstore_returns_the_expected_triples(endpoint):
    remote = Graph(store=SPARQLStore(query_endpoint=endpoint))
    result = remote.query(CONSTRUCT)
    assert set(result.graph) == listed_triples()
    # the store's own triple pattern interface goes through the endpoint too
    assert set(remote.triples((None, ECOM.listedOn, None))) == listed_triples()


# ------------------------------------------------------------------ updates


def test_update_against_the_read_only_server_is_refused_and_changes_nothing(endpoint):
    before = count(endpoint)
    with pytest.raises(urllib.error.HTTPError) as refused:
        send_update(endpoint, INSERT)
    assert refused.value.code == 403
    assert count(endpoint) == before
    assert not ask(endpoint, ASK_NEW)


def test_writable_server_accepts_updates(graph_file):
    with running_server(graph_file, writable=True) as url:
        before = count(url)
        send_update(url, INSERT)
        assert ask(url, ASK_NEW)
        # the plain default graph is part of the union that queries see
        assert {r["o"]["value"] for r in select(url, f"SELECT ?o WHERE {{ <{NEW[0]}> ?p ?o }}")} \
            == {"inserted"}
        assert count(url) == before  # COUNT above counts named graphs only: nothing lost
    # updates went to a temporary copy: the graph file itself is unchanged
    from kg.rdf import load

    assert NEW not in flatten(load(graph_file))


# ------------------------------------------------------------------ inputs


@pytest.mark.parametrize("ext", [".trig", ".nq", ".ttl", ".nt", ".jsonld"])
def test_every_graph_format_kg_writes_is_served(ext, dataset, tmp_path):
    path = save(dataset, tmp_path / f"graph{ext}")
    with running_server(path) as url:
        rows = select(url, LISTED)
        assert {(r["seller"]["value"], r["platform"]["value"]) for r in rows} == EXPECTED_LISTED
        distinct = select(url, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }")
        assert int(distinct[0]["n"]["value"]) == len(flatten(dataset))


def test_in_memory_dataset_is_served(dataset):
    with running_server(dataset) as url:
        assert {(r["seller"]["value"], r["platform"]["value"])
                for r in select(url, LISTED)} == EXPECTED_LISTED


def test_oxigraph_store_folder_is_served_in_place(dataset, tmp_path):
    from kg.store import open_store

    location = tmp_path / "kg.oxigraph"
    with open_store(location) as store:
        store.add_dataset(dataset)
    with running_server(location) as url:
        assert {(r["seller"]["value"], r["platform"]["value"])
                for r in select(url, LISTED)} == EXPECTED_LISTED
    # a writable server over a store folder keeps its updates there
    with running_server(location, writable=True) as url:
        send_update(url, INSERT)
    with running_server(location) as url:
        assert ask(url, ASK_NEW)


def test_missing_and_malformed_inputs_are_graph_errors(tmp_path):
    with pytest.raises(GraphError, match="does not exist"):
        start(tmp_path / "missing.trig")
    with pytest.raises(GraphError, match="does not exist"):
        start(tmp_path / "missing.oxigraph")
    with pytest.raises(GraphError, match="not an Oxigraph store"):
        start(tmp_path)  # a folder, but no database in it
    bad = tmp_path / "bad.ttl"
    bad.write_text("this is not turtle <", encoding="utf-8")
    with pytest.raises(GraphError, match=r"bad\.ttl.*[Pp]arser error"):
        start(bad)
    odd = tmp_path / "graph.txt"
    odd.write_text("x", encoding="utf-8")
    with pytest.raises(GraphError, match="extension"):
        start(odd)


# ------------------------------------------------------------------ lifetime


def test_server_is_stopped_and_its_copy_deleted_on_exit(graph_file):
    server = start(graph_file, port=0)
    location = server.location
    assert location.is_dir() and server.process.poll() is None
    server.stop()
    assert server.process.poll() is not None
    assert not location.exists()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(server.query_url + "?query=ASK%7B%7D", timeout=2)
    server.stop()  # twice is fine


def test_server_is_stopped_when_the_with_block_raises(graph_file):
    with pytest.raises(RuntimeError):
        with running_server(graph_file) as url:
            raise RuntimeError("boom")
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2)


def test_a_port_in_use_is_reported(graph_file, endpoint):
    port = int(endpoint.rsplit(":", 1)[1].split("/")[0])
    with pytest.raises(KGError, match=f"port {port}.*in use"):
        start(graph_file, port=port)


def test_loopback_binding_does_not_warn(graph_file):
    warnings = []
    server = start(graph_file, "127.0.0.1", 0, warn=warnings.append)
    server.stop()
    assert warnings == []


def test_non_loopback_hosts_are_warned_about():
    for host in ("127.0.0.1", "localhost", "::1", "[::1]", "127.0.0.2"):
        assert is_loopback(host) and bind_warning(host) is None
    for host in ("0.0.0.0", "192.168.1.10", "::", "example.com"):
        assert not is_loopback(host)
        assert "warning" in bind_warning(host) and host in bind_warning(host)
    assert "updates" in bind_warning("0.0.0.0", writable=True)
    assert endpoint_urls("0.0.0.0", 7000) == ("http://127.0.0.1:7000/query",
                                              "http://127.0.0.1:7000/update")
    assert endpoint_urls("::1", 7000)[0] == "http://[::1]:7000/query"


def test_missing_oxigraph_executable_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(KGError, match="make run"):
        find_oxigraph()


def test_oxigraph_executable_is_installed():
    # Not skipped anywhere: fails with kg's install hint if the server is missing.
    assert find_oxigraph().is_file()


# ------------------------------------------------------------------ command line


def test_kg_serve_runs_until_interrupted(graph_file):
    env = {**os.environ, "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    process = subprocess.Popen(
        [sys.executable, "-m", "kg.cli", "serve", str(graph_file), "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        cwd=Path(__file__).resolve().parent.parent)
    try:
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Ctrl-C" in line:
                break
        text = "".join(lines)
        match = re.search(r"SPARQL query endpoint:\s+(http://127\.0\.0\.1:\d+/query)", text)
        if not match:
            process.kill()
            pytest.fail(f"kg serve printed no endpoint:\n{text}{process.communicate()[1]}")
        url = match.group(1)
        assert f"{update_url(url)} (read-only" in text
        rows = select(url, LISTED)
        assert {(r["seller"]["value"], r["platform"]["value"]) for r in rows} == EXPECTED_LISTED
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=15) == 0
        with pytest.raises(urllib.error.URLError):
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=2)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_kg_serve_reports_a_missing_graph_in_one_line(tmp_path):
    from typer.testing import CliRunner

    from kg.cli import app

    result = CliRunner().invoke(app, ["serve", str(tmp_path / "nope.trig")])
    assert result.exit_code == 1
    assert "does not exist" in result.output and "Traceback" not in result.output
