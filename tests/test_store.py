"""kg.store: the same behaviour from the in-memory and on-disk (Oxigraph) backends."""
from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from rdflib import Literal

from factories import ALIBABA, LAZADA, NIKE, TMALL, article, corpus, fact
from kg.errors import GraphError, QueryError
from kg.namespace import ECOM, article_iri, entity_iri
from kg.rdf import save, to_dataset
from kg.store import MEMORY, OXIGRAPH, SPARQL, open_store

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:rdflib.*")

LISTED = "SELECT ?seller ?platform WHERE { ?seller ecom:listedOn ?platform }"
BY_NAME = """SELECT ?e ?name WHERE { { ?e rdfs:label ?name } UNION { ?e skos:altLabel ?name } }"""


@pytest.fixture(params=[MEMORY, OXIGRAPH])
def location(request, tmp_path):
    return None if request.param == MEMORY else str(tmp_path / "kg.oxigraph")


@pytest.fixture
def dataset():
    return to_dataset(*corpus())


def sellers_on(store, platform: str) -> set[str]:
    rows = store.query(LISTED, {"platform": entity_iri(platform)})
    return {str(row.seller) for row in rows}


def test_backend_is_chosen_from_location(tmp_path):
    with open_store() as store:
        assert store.backend == MEMORY
    with open_store(tmp_path / "a.oxigraph") as store:
        assert store.backend == OXIGRAPH and (tmp_path / "a.oxigraph").is_dir()
    existing = tmp_path / "plain-folder"
    existing.mkdir()
    with open_store(existing) as store:
        assert store.backend == OXIGRAPH
    store = open_store("http://localhost:1/sparql")
    assert store.backend == SPARQL and store.read_only
    store.close()


@pytest.mark.parametrize("bad", ["graph.trig", "nothing/here", "ftp://example.com/sparql"])
def test_unknown_location_is_a_graph_error(bad, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(GraphError, match=r"\.oxigraph"):
        open_store(bad)


def test_add_and_query_with_bindings(location, dataset):
    with open_store(location) as store:
        store.add_dataset(dataset)
        assert store.article_ids() == ["a1", "a2", "a3", "a4"]
        nike, loreal = str(entity_iri("Nike")), str(entity_iri("L'Oréal"))
        assert sellers_on(store, "Tmall") == {nike, loreal}
        assert sellers_on(store, "JD Mall") == {nike}
        # an alias bound as a plain literal matches the stored label
        rows = list(store.query(BY_NAME, {"name": Literal("Alibaba")}))
        assert {str(row.e) for row in rows} == {str(entity_iri("Alibaba Group"))}
        assert list(store.query(BY_NAME, {"name": Literal("Nobody")})) == []
        # a bound variable the SELECT does not project works too (Oxigraph cannot bind
        # those itself; the store falls back to rdflib's evaluator)
        rows = store.query("SELECT DISTINCT ?t WHERE { ?i ecom:investedIn ?t }",
                           {"i": entity_iri("JD.com")})
        assert [str(row.t) for row in rows] == [str(entity_iri("Lazada"))]


def test_adding_the_same_dataset_twice_changes_nothing(location, dataset):
    with open_store(location) as store:
        store.add_dataset(dataset)
        size = len(store)
        store.add_dataset(dataset)
        assert len(store) == size


def test_replace_article_replaces_exactly_its_graph(location, dataset):
    with open_store(location) as store:
        store.add_dataset(dataset)
        a3_before = len(store.dataset.graph(article_iri("a3")))
        # a1 is re-read: Nike is no longer said to be on Tmall, Lazada now is
        new = to_dataset([article("a1")], [fact(LAZADA, "listedOn", TMALL, "a1")])
        store.replace_article("a1", new.graph(article_iri("a1")))
        assert sellers_on(store, "Tmall") == {str(entity_iri("L'Oréal")), str(entity_iri("Lazada"))}
        a1 = store.dataset.graph(article_iri("a1"))
        assert (entity_iri("Alibaba Group"), ECOM.operates, entity_iri("Tmall")) not in a1
        assert len(store.dataset.graph(article_iri("a3"))) == a3_before
        # Nike is still on JD Mall (article a3)
        assert sellers_on(store, "JD Mall") == {str(entity_iri("Nike"))}
        store.remove_article("a3")
        assert store.article_ids() == ["a1", "a2", "a4"]
        assert sellers_on(store, "JD Mall") == set()


def test_on_disk_store_keeps_data_after_reopening(tmp_path, dataset):
    path = tmp_path / "kg.oxigraph"
    with open_store(path) as store:
        store.add_dataset(dataset)
        store.replace_article("a2", to_dataset([article("a2")], [fact(NIKE, "listedOn", TMALL, "a2")])
                              .graph(article_iri("a2")))
        size = len(store)
    with open_store(path) as store:
        assert len(store) == size
        assert store.article_ids() == ["a1", "a2", "a3", "a4"]
        rows = store.query("SELECT ?t WHERE { ?i ecom:investedIn ?t }", {"i": entity_iri("Alibaba Group")})
        assert list(rows) == []  # the replaced a2 no longer says Alibaba invested in Lazada
        assert str(entity_iri("Nike")) in sellers_on(store, "Tmall")


def test_closed_store_says_how_to_reopen(location):
    store = open_store(location)
    store.close()
    store.close()  # twice is fine
    with pytest.raises(GraphError, match="open_store"):
        store.query(LISTED)


def test_bad_query_is_a_query_error(location):
    with open_store(location) as store:
        with pytest.raises(QueryError):
            store.query("SELECT ?x WHERE { ?x ecom:listedOn }")


def test_stores_are_context_managers_that_release_the_database(tmp_path):
    path = tmp_path / "kg.oxigraph"
    with open_store(path) as store:
        store.add_dataset(to_dataset([article("x")], [fact(ALIBABA, "operates", TMALL, "x")]))
        list(store.query(LISTED))
    # the lock is released: the database opens again in the same process
    with open_store(path) as again:
        assert again.article_ids() == ["x"]


# ------------------------------------------------------------------ remote endpoint


def _oxigraph_cli() -> str | None:
    local = Path(sys.executable).with_name("oxigraph")
    return str(local) if local.exists() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.server
@pytest.mark.skipif(_oxigraph_cli() is None, reason="needs the oxigraph server (pip install oxigraph)")
def test_remote_endpoint_is_queried_read_only(tmp_path, dataset):
    cli, db, port = _oxigraph_cli(), tmp_path / "served", _free_port()
    subprocess.run([cli, "load", "--location", str(db), "--file", str(save(dataset, tmp_path / "g.nq"))],
                   check=True, capture_output=True)
    server = subprocess.Popen([cli, "serve-read-only", "--location", str(db), "--bind",
                               f"127.0.0.1:{port}", "--union-default-graph"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/query"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        with open_store(url) as store:
            assert sellers_on(store, "Tmall") == {str(entity_iri("Nike")), str(entity_iri("L'Oréal"))}
            with pytest.raises(GraphError, match="read-only"):
                store.add_dataset(dataset)
            with pytest.raises(GraphError, match="read-only"):
                store.replace_article("a1", dataset.graph(article_iri("a1")))
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_store_contents_save_and_validate_like_the_memory_dataset(location, dataset, tmp_path):
    from kg.validate import validate

    with open_store(location) as store:
        store.add_dataset(dataset)
        for ext in (".trig", ".ttl"):
            from_store = save(store.dataset, tmp_path / f"store{ext}").read_bytes()
            assert from_store == save(dataset, tmp_path / f"memory{ext}").read_bytes()
        conforms, report = validate(store.dataset)
        assert conforms, report
